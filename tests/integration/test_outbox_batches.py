"""Delivery near the wire (issue 13, point 4): the bytes at the relay are `build_email`'s,
outcomes are committed in batches of OUTCOME_BATCH, what the relay accepted before an outage
is `sent` (never resent), and a killed worker resends at most OUTCOME_BATCH messages, with
their Message-IDs. A real aiosmtpd server on loopback, a real database, a real SIGKILL.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller

from nam_briefings.services import outbox
from tests.conftest import free_port
from tests.integration.test_fault_delivery import (
    ROOT,
    WORKER,
    FlakySmtpServer,
    assert_every_row_sent_once,
    queue_invitations,
    rows,
    use_server,
)


class RawSink:
    """An SMTP server that keeps the exact bytes of each message it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


def test_the_relay_gets_exactly_what_build_email_writes(app):
    queued = queue_invitations(missions=2)
    sink = RawSink()
    sink.controller.start()
    use_server(app, sink.controller)
    try:
        assert outbox.deliver_all().sent == len(queued)
    finally:
        sink.controller.stop()
    by_message_id = {m.message_id: m for m in rows()}
    assert len(sink.received) == len(queued)
    for mail_from, recipients, data in sink.received:
        parsed = message_from_bytes(data, policy=policy.default)
        row = by_message_id[parsed["Message-ID"]]
        assert mail_from == app.config["MAIL_DEFAULT_SENDER"] and recipients == [row.to_address]
        date = parsedate_to_datetime(parsed["Date"])
        assert data == outbox.build_email(row, date=date).as_bytes()
        assert data.isascii() and max(len(line) for line in data.split(b"\r\n")) <= 76


def test_outcomes_are_committed_in_batches(app, monkeypatch):
    queued = queue_invitations(missions=15)  # 60 invitations
    server = FlakySmtpServer().start()
    use_server(app, server)
    commits = []
    save = outbox._Pass.save_outcomes

    def counting(self):
        commits.append(len(self.outcomes))
        save(self)

    monkeypatch.setattr(outbox._Pass, "save_outcomes", counting)
    try:
        assert outbox.deliver_all().sent == len(queued)
    finally:
        server.stop()
    assert [n for n in commits if n] == [outbox.OUTCOME_BATCH, len(queued) - outbox.OUTCOME_BATCH]
    assert_every_row_sent_once(server)


@pytest.mark.parametrize("fault", ["421", "drop"])
def test_what_the_relay_accepted_before_it_went_down_is_sent_not_resent(app, fault):
    queued = queue_invitations(missions=20)  # 80 invitations
    accepted = outbox.OUTCOME_BATCH + 7  # the outage falls in the middle of the 2nd batch
    server = FlakySmtpServer().start()
    use_server(app, server)
    server.fail_after(accepted, fault)
    try:
        report = outbox.deliver_all()
        assert (report.sent, report.waiting) == (accepted, len(queued) - accepted)
        counts = outbox.status_counts()
        assert (counts["sent"], counts["waiting"]) == (accepted, len(queued) - accepted)
        assert {m.message_id for m in rows() if m.status == "sent"} == {
            message["Message-ID"] for _, message in server.received}
        assert server.stopped.wait(timeout=5)
        server.fail_after(0, None)
        server.start()
        assert outbox.deliver_all(ignore_backoff=True).sent == len(queued) - accepted
        assert_every_row_sent_once(server)  # none of the accepted ones went twice
    finally:
        server.stop()


@pytest.mark.parametrize("in_flight", [73, 100])
def test_a_killed_worker_resends_at_most_one_batch(app, tmp_path, in_flight):
    """The worker is killed (SIGKILL) while the relay holds message `in_flight`: the rows it
    had not yet committed, at most OUTCOME_BATCH, go again, with their Message-IDs."""
    queued = queue_invitations(missions=30)  # 120 invitations
    server = FlakySmtpServer(delay=0.002).start()
    server.fail_after(in_flight - 1, "kill")  # accepted, but too late for the worker
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path), MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(server.port), PYTHONPATH=str(ROOT))
    try:
        worker = subprocess.Popen([sys.executable, "-c", WORKER, "90"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not server.fault_reached.wait(timeout=60):
            worker.kill()
            pytest.fail(f"the worker did not get there: {worker.communicate()[0]}")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
        worker.communicate()

        committed = outbox.status_counts()["sent"]
        uncommitted = len(server.received) - committed
        assert len(server.received) == in_flight
        assert committed == (in_flight - 1) // outbox.OUTCOME_BATCH * outbox.OUTCOME_BATCH
        assert 0 < uncommitted <= outbox.OUTCOME_BATCH
        counts = outbox.status_counts()
        assert counts["sending"] + counts["pending"] == len(queued) - committed

        server.fail_after(0, None)
        restarted = subprocess.run([sys.executable, "-c", WORKER, "0"], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=120)
        assert restarted.returncode == 0, restarted.stderr
        assert f"sent {len(queued) - committed}" in restarted.stdout
        assert_every_row_sent_once(server, duplicates=uncommitted)
    finally:
        server.stop()
