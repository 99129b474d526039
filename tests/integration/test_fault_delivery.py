"""Fault tests of the outbox with real parts: no invitation is lost, none is sent twice
except when the server kept a message the sender never heard back about (then with the
same Message-ID, so the recipient's calendar sees one invitation).

A real SMTP server (aiosmtpd) on loopback that fails on cue: it stops in the middle of a
fan-out (connection cut, or 421) and comes back; it stops answering; the delivery process
is killed with SIGKILL in the middle of a batch and restarted; two workers deliver one
queue at once. SQLite (a file) and PostgreSQL, built by the real migrations. The queue is a
real fan-out: session 49 seeded, NAM missions with two contacts each, a proposal confirmed,
so every row is an iMIP invitation as the service builds it.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from aiosmtpd.controller import Controller

from nam_briefings import create_app
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, OutboxMessage, State, utcnow
from nam_briefings.services import briefings, fanout, outbox
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.conftest import app_config, free_port
from tests.factories import create_contact, create_mission

ROOT = Path(__file__).resolve().parents[2]
SECRETARIAT = Actor("secretariat@chair.example.org")

#: a delivery worker as its own process: `python -c WORKER STALE_CLAIM_SECONDS`
WORKER = """
import sys
from nam_briefings import create_app
from nam_briefings.services import outbox
app = create_app({"OUTBOX_STALE_CLAIM_SECONDS": float(sys.argv[1])})
with app.app_context():
    print(outbox.deliver_all(ignore_backoff=True).summary)
"""


class FlakySmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives and fails on cue.

    `fail_after(count, fault)`: the messages after the first `count` meet the fault —
    "drop" (the connection is cut and the server stops), "421" (the server answers 421
    and stops), "hang" (the server keeps the message and never answers) or "kill" (the
    server keeps the message and waits before answering: time for the test to kill the
    client, which never learns it was accepted).
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.port = free_port()
        self.delay = delay  # seconds spent on each message, like a real relay
        self.received: list[tuple[str, EmailMessage]] = []
        self.fault: str | None = None
        self.fault_after = 0
        self.fault_reached = threading.Event()
        self.stopped = threading.Event()
        self._controller: Controller | None = None
        self._lock = threading.Lock()

    # the server's life

    def start(self) -> FlakySmtpServer:
        """Start listening (again) on the same port."""
        with self._lock:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()
            self.stopped.clear()
        return self

    def stop(self) -> None:
        """Stop listening; connections are cut, new ones refused. Safe to call twice."""
        with self._lock:
            controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
            self.stopped.set()

    def refuses_connections(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        return False

    def fail_after(self, count: int, fault: str | None) -> None:
        self.fault_after, self.fault = count, fault
        self.fault_reached.clear()

    # what the clients see

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        [recipient] = envelope.rcpt_tos  # one recipient per message
        if self.fault is None or len(self.received) < self.fault_after:
            self.received.append((recipient, message))
            return "250 Message accepted for delivery"
        fault = self.fault
        self.fault_reached.set()
        if fault == "drop":
            server.transport.abort()  # connection reset; the message was not accepted
            threading.Thread(target=self.stop, daemon=True).start()
            return "451 never seen by the client"
        if fault == "421":
            threading.Timer(0.2, self.stop).start()  # once the answer is out
            return "421 4.3.2 Service shutting down"
        self.received.append((recipient, message))  # "hang" and "kill": the server has it
        await asyncio.sleep(3600 if fault == "hang" else 3)
        return "250 Message accepted for delivery"


# --- helpers ---------------------------------------------------------------------------------

def queue_invitations(missions: int) -> list[OutboxMessage]:
    """Session 49 seeded, `missions` NAM member missions with two contacts each, the best
    proposal confirmed: one iMIP invitation queued per contact and briefing."""
    seed_reference_data(Actor.system())
    members = db.session.scalars(db.select(State.iso3).filter_by(nam_status="member")
                                 .order_by(State.iso3).limit(missions)).all()
    for iso3 in members:
        mission = create_mission(iso3)
        create_contact(mission, name=f"Ambassador {iso3}", role="ambassador",
                       email=f"ambassador@{iso3.lower()}.example.org")
        create_contact(mission, name=f"Focal point {iso3}", email=f"upr@{iso3.lower()}.example.org")
    plan = briefings.plan_session(49, SECRETARIAT)
    # session 49 (April 2025) is in the past by the real clock: say so explicitly
    created = briefings.confirm_proposal(plan.proposals[0].key, SECRETARIAT, allow_past=True)
    fanout.compose_pending()  # the worker's first step, before it sends
    queued = rows()
    assert len(queued) == 2 * missions * len(created)
    assert {m.status for m in queued} == {"pending"} and {m.kind for m in queued} == {"request"}
    return queued


def rows() -> list[OutboxMessage]:
    """Every outbox row as the database has it now."""
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def use_server(app, server: FlakySmtpServer) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", server.port


def event_uid(message: EmailMessage) -> str:
    """The UID of the VEVENT in an iMIP message's text/calendar part."""
    calendar = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    [event] = icalendar.Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    return str(event["UID"])


def received_by_invitation(server: FlakySmtpServer) -> dict[tuple[str, str], list[str]]:
    """Message-IDs received, by what they carry: (recipient, briefing UID)."""
    by_invitation: dict[tuple[str, str], list[str]] = {}
    for recipient, message in server.received:
        by_invitation.setdefault((recipient, event_uid(message)), []).append(message["Message-ID"])
    return by_invitation


def expected_invitations() -> dict[tuple[str, str], str]:
    """(recipient, briefing UID) -> Message-ID, for every outbox row."""
    uids = dict(db.session.execute(db.select(Briefing.id, Briefing.uid)).all())
    return {(m.to_address, uids[m.briefing_id]): m.message_id for m in rows()}


def assert_every_row_sent_once(server: FlakySmtpServer, duplicates: int = 0) -> None:
    """Every row is `sent`, each invitation reached its recipient with the row's Message-ID,
    and exactly `duplicates` of them (never more) arrived twice, with the same Message-ID."""
    assert outbox.status_counts()["sent"] == len(rows())
    expected = expected_invitations()
    received = received_by_invitation(server)
    assert set(received) == set(expected), "an invitation was lost or one was made up"
    for invitation, message_ids in received.items():
        assert set(message_ids) == {expected[invitation]}, f"{invitation}: {message_ids}"
    copies = Counter(len(ids) for ids in received.values())
    assert copies == Counter({1: len(expected) - duplicates, 2: duplicates}), copies
    assert len({m.message_id for m in rows()}) == len(expected), "Message-IDs are unique"


# --- a: the SMTP server stops in the middle of a fan-out, then comes back ---------------------

@pytest.mark.parametrize("fault", ["drop", "421"])
def test_smtp_server_stopped_mid_fan_out_then_restarted(app, fault):
    queued = queue_invitations(missions=15)
    total, before_outage = len(queued), 23
    message_ids = {m.id: m.message_id for m in queued}
    server = FlakySmtpServer().start()
    use_server(app, server)
    server.fail_after(before_outage, fault)
    try:
        started = utcnow()
        report = outbox.deliver_all()  # what the scheduler runs every 30 s
        assert server.fault_reached.is_set()
        assert (report.sent, report.waiting, report.retrying, report.failed) == (
            before_outage, total - before_outage, 0, 0)
        assert server.stopped.wait(timeout=5) and server.refuses_connections()

        # What was accepted is sent; the rest waits for the relay, no attempt counted.
        accepted = {message["Message-ID"] for _, message in server.received}
        sent = [m for m in rows() if m.status == "sent"]
        waiting = [m for m in rows() if m.status != "sent"]
        assert len(accepted) == len(sent) == before_outage
        assert {m.message_id for m in sent} == accepted
        assert all(m.attempts == 1 and m.sent_at for m in sent)
        assert len(waiting) == total - before_outage
        for m in waiting:
            assert m.status == "waiting" and m.attempts == 0 and m.sent_at is None
            assert m.next_attempt_at > started + timedelta(seconds=20)  # 30 s, -20 %
            assert m.last_error.startswith("waiting for the relay: ")
        assert ("421" in waiting[0].last_error) if fault == "421" else True

        # While it is down: the scheduler's pass waits; --now tries, counts nothing,
        # waits longer (the wait doubles, up to 5 minutes), loses nothing.
        assert outbox.deliver_all().summary == "sent 0, to retry 0, failed 0"
        report = outbox.deliver_all(ignore_backoff=True)
        assert (report.sent, report.waiting) == (0, total - before_outage)
        assert {(m.status, m.attempts) for m in rows() if m.status != "sent"} == {("waiting", 0)}
        assert all(m.next_attempt_at > utcnow() + timedelta(seconds=35)  # 2 × ~30 s, -20 %
                   for m in rows() if m.status == "waiting")

        # Back on the same port: the rest goes out, once each, with the Message-ID fixed
        # when it was queued.
        server.fail_after(0, None)
        server.start()
        assert outbox.deliver_all().sent == 0  # still waiting
        assert outbox.deliver_all(ignore_backoff=True).sent == total - before_outage
        assert {m.id: m.message_id for m in rows()} == message_ids
        assert_every_row_sent_once(server)
        assert {m.attempts for m in rows()} == {1}
    finally:
        server.stop()


# --- b: the delivery process is killed in the middle of a batch, then restarted ----------------

@pytest.mark.slow
def test_delivery_process_killed_mid_batch_then_restarted(app, tmp_path):
    queued = queue_invitations(missions=15)
    total, in_flight = len(queued), 20
    server = FlakySmtpServer(delay=0.05).start()  # 50 ms a message, like a real relay
    server.fail_after(in_flight - 1, "kill")  # the 20th is accepted too late for the client
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path), MAIL_SERVER="127.0.0.1", MAIL_PORT=str(server.port),
               PYTHONPATH=str(ROOT))
    try:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox",
                                   "deliver"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        if not server.fault_reached.wait(timeout=30):
            worker.kill()
            pytest.fail(f"the worker sent nothing: {worker.communicate()[0]}")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
        worker.communicate()

        # The dead worker's claim: what it had recorded is sent (its outcomes are written in
        # batches of OUTCOME_BATCH), the rest is still `sending`.
        recorded = (in_flight - 1) // outbox.OUTCOME_BATCH * outbox.OUTCOME_BATCH
        counts = outbox.status_counts()
        assert counts == {"pending": 0, "sending": total - recorded, "waiting": 0,
                          "sent": recorded, "failed": 0, "withdrawn": 0}
        assert len(server.received) == in_flight
        # A fresh claim is respected (the worker might only be slow)...
        assert outbox.deliver_all(ignore_backoff=True).sent == 0
        assert len(server.received) == in_flight

        # ...and taken over once it is older than OUTBOX_STALE_CLAIM_SECONDS.
        server.fail_after(0, None)
        server.delay = 0.01
        claimed_at = max(m.claimed_at for m in rows() if m.status == "sending")
        time.sleep(max(0.0, (claimed_at + timedelta(seconds=1.1) - utcnow()).total_seconds()))
        restarted = subprocess.run([sys.executable, "-c", WORKER, "1"], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=60)
        assert restarted.returncode == 0, restarted.stderr
        assert f"sent {total - recorded}" in restarted.stdout
        # The messages accepted but not recorded when the worker died (at most OUTCOME_BATCH)
        # arrive twice, each with its one Message-ID: the recipient's calendar sees one
        # invitation. Nothing is lost.
        assert_every_row_sent_once(server, duplicates=in_flight - recorded)
    finally:
        server.stop()


# --- c: two delivery workers at once on one queue ---------------------------------------------

@pytest.mark.slow
def test_two_workers_at_once_send_each_message_once(app):
    queued = queue_invitations(missions=25)  # 100 invitations
    server = FlakySmtpServer(delay=0.005).start()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    barrier = threading.Barrier(2)
    sent_by: dict[str, int] = {}
    errors: list[BaseException] = []

    # made here, one after the other: CPython 3.11 can fail to compile werkzeug's URL rules
    # in two threads at once ("AST constructor recursion depth mismatch")
    apps = {name: create_app(app_config(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port))
            for name in ("one", "two")}

    def work(name: str) -> None:
        worker_app = apps[name]
        try:
            with worker_app.app_context():
                barrier.wait(timeout=10)
                sent = 0
                for _ in range(100):  # small batches, so that the workers claim in turns
                    sent += outbox.deliver(batch_size=10, ignore_backoff=True).sent
                    if outbox.status_counts()["pending"] == 0:
                        break
                sent_by[name] = sent
                db.session.remove()
                db.engine.dispose()
        except BaseException as error:  # reported by the test thread
            errors.append(error)

    workers = [threading.Thread(target=work, args=(name,)) for name in ("one", "two")]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert not errors, errors
        assert not any(worker.is_alive() for worker in workers)
        assert sum(sent_by.values()) == len(queued)
        assert all(sent_by.values()), f"both workers should have sent some: {sent_by}"
        assert {m.attempts for m in rows()} == {1}
        assert_every_row_sent_once(server)
    finally:
        server.stop()


# --- d: the SMTP server stops answering in the middle of a message ------------------------------

def test_a_server_that_stops_answering_does_not_hang_delivery(app):
    queued = queue_invitations(missions=5)
    total, answered = len(queued), 7
    app.config["OUTBOX_SMTP_TIMEOUT_SECONDS"] = 1
    server = FlakySmtpServer().start()
    use_server(app, server)
    server.fail_after(answered, "hang")  # keeps the 8th message and never answers
    reports = []

    def one_pass() -> None:
        with app.app_context():
            reports.append(outbox.deliver_all())

    try:
        started = time.monotonic()
        delivery = threading.Thread(target=one_pass, daemon=True)
        delivery.start()
        delivery.join(timeout=15)
        assert not delivery.is_alive(), "delivery hangs on a server that does not answer"
        assert time.monotonic() - started < 5
        [report] = reports
        assert (report.sent, report.waiting) == (answered, total - answered)
        stuck = rows()[answered]
        assert stuck.status == "waiting" and "timed out" in stuck.last_error

        # The server answers again: the rest goes out. The server got the 8th message
        # twice (it kept it without answering): both with its one Message-ID.
        server.fail_after(0, None)
        assert outbox.deliver_all(ignore_backoff=True).sent == total - answered
        assert_every_row_sent_once(server, duplicates=1)
    finally:
        server.stop()
