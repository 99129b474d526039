"""Relay outages and dead workers (issue 11, findings 7 and 12).

What was found: a two-hour relay outage failed all 484 messages after 8 attempts
(~2 h 07) and nothing resumed; retry was one message at a time; a killed delivery left
~60 messages "sending" for 10 minutes. Here: the real aiosmtpd server is stopped for a
simulated two hours (the outbox's clock is moved by hand: nothing sleeps) and started
again; failed messages are retried in bulk by filter (CLI and page); a dead worker's
claims are taken over within OUTBOX_STALE_CLAIM_SECONDS (90 s) or at the scheduler's
start, while a live worker's are kept fresh by its heartbeat.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from nam_briefings import create_app, jobs
from nam_briefings.extensions import db
from nam_briefings.models import OutboxMessage, utcnow
from nam_briefings.services import briefings, outbox
from tests.conftest import app_config
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49, outbox_messages
from tests.integration.test_fault_delivery import (
    FlakySmtpServer,
    assert_every_row_sent_once,
    queue_invitations,
    rows,
    use_server,
)
from tests.integration.test_outbox_present import FakeClock
from tests.integration.web_helpers import page, post, text


@pytest.fixture
def relay(app):
    server = FlakySmtpServer()
    use_server(app, server)
    yield server
    server.stop()


# --- 7: a two-hour outage parks, then resumes by itself ---------------------------------------

def test_a_two_hour_outage_fails_nothing_and_resumes_by_itself(app, relay, monkeypatch):
    queued = queue_invitations(missions=10)  # 40 invitations
    message_ids = {m.id: m.message_id for m in queued}
    clock = FakeClock(utcnow() + timedelta(seconds=1))
    monkeypatch.setattr(outbox, "utcnow", clock)
    assert relay.refuses_connections()  # the relay is down from the start
    tries, longest_wait = 0, timedelta(0)
    outage_ends = clock.moment + timedelta(hours=2, minutes=10)  # past the old 2 h 07 give-up
    while clock.moment < outage_ends:  # the scheduler's delivery job, every 30 s
        report = outbox.deliver_all()
        assert report.failed == 0 and report.sent == 0, report.summary
        tries += bool(report.errors)  # the relay was tried (and found down)
        longest_wait = max([longest_wait] + [m.next_attempt_at - clock.moment for m in rows()])
        clock.advance(seconds=30)
    counts = outbox.status_counts()
    assert counts["waiting"] == len(queued) and counts["failed"] == 0
    assert {m.attempts for m in rows()} == {0}  # an outage counts no attempt
    assert rows()[0].last_error.startswith("waiting for the relay: ")
    assert longest_wait <= outbox.WAIT_CAP + timedelta(seconds=1)  # capped: 5 minutes
    assert 20 <= tries <= 35  # every 5 minutes once capped (130 min), not at every pass

    relay.start()
    back = clock.moment
    while outbox.status_counts()["sent"] < len(queued) and clock.moment < back + outbox.WAIT_CAP:
        outbox.deliver_all()
        clock.advance(seconds=30)
    assert_every_row_sent_once(relay)
    assert {m.id: m.message_id for m in rows()} == message_ids
    assert outbox.status_counts()["failed"] == 0


def test_refusals_of_one_message_still_count_and_give_up(app, relay, monkeypatch):
    """A 4xx for one recipient is the message's own problem: backoff and give-up as before."""
    queue_invitations(missions=1)
    relay.start()
    clock = FakeClock(utcnow() + timedelta(seconds=1))
    monkeypatch.setattr(outbox, "utcnow", clock)
    refusing = relay.handle_DATA

    async def refuse(server, session, envelope):
        return "452 4.2.2 Mailbox full"

    relay.handle_DATA = refuse
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_all(ignore_backoff=True)
    relay.handle_DATA = refusing
    assert {(m.status, m.attempts) for m in rows()} == {("failed", outbox.MAX_ATTEMPTS)}


# --- bulk retry by filter --------------------------------------------------------------------

def fail_everything(app, smtp_server) -> None:
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    outbox.deliver_all()
    smtp_server.refuse_with = None


def test_cli_retries_every_failed_message_of_a_filter(app, smtp_server, runner):
    first, second = confirm_session_49(app)
    fail_everything(app, smtp_server)
    assert outbox.status_counts()["failed"] == 16
    result = runner.invoke(args=["outbox", "retry", "--failed", "--kind", "request",
                                 "--briefing", str(first.id)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "8 queued again"
    assert Counter(m.briefing_id for m in outbox_messages(status="pending")) == {first.id: 8}
    # a cancelled briefing's failed invitations are withdrawn, not retried
    briefings.cancel(second.id, SECRETARIAT)
    db.session.execute(db.update(OutboxMessage).where(  # as if they had failed after it
        OutboxMessage.briefing_id == second.id, OutboxMessage.kind == "request")
        .values(status="failed"))
    db.session.commit()
    result = runner.invoke(args=["outbox", "retry", "--failed"])
    assert result.output.strip() == "0 queued again, 8 withdrawn (no longer to be sent)"
    assert outbox.deliver_all().sent == 8 + 8  # the first's invitations, the cancellations
    # one message at a time still works; a bad combination is explained
    assert runner.invoke(args=["outbox", "retry"]).exit_code == 1
    bad = runner.invoke(args=["outbox", "retry", "3", "--kind", "request"])
    assert bad.exit_code == 1 and "--kind and --briefing go with --failed" in bad.output
    assert runner.invoke(args=["outbox", "status", "--json"]).output.strip() == (
        '{"pending": 0, "sending": 0, "waiting": 0, "sent": 16, "failed": 0, "withdrawn": 8}')


def test_the_outbox_page_retries_all_failed_messages_of_its_filter(app, smtp_server, client,
                                                                   login):
    first, second = confirm_session_49(app)
    fail_everything(app, smtp_server)
    login("editor")
    html = page(client, f"/outbox?briefing={second.id}")
    assert "Retry all 8 failed messages…" in text(html)
    assert f'href="/outbox/retry-failed?briefing={second.id}"' in html
    confirm = text(page(client, f"/outbox/retry-failed?briefing={second.id}"))
    assert "Retry 8 failed messages of briefing" in confirm
    response = post(client, "/outbox/retry-failed", {"briefing": second.id})
    assert response.status_code == 302
    assert response.location == f"/outbox?briefing={second.id}#failed"
    assert "Failed messages: 8 queued again." in text(page(client, response.location))
    assert Counter(m.briefing_id for m in outbox_messages(status="pending")) == {second.id: 8}
    assert outbox.status_counts()["failed"] == 8  # the first briefing's are left as they were


def test_viewers_cannot_retry_in_bulk(app, smtp_server, client, login):
    first, _ = confirm_session_49(app)
    fail_everything(app, smtp_server)
    login("viewer")
    assert "Retry all" not in page(client, "/outbox")
    page(client, f"/outbox/retry-failed?briefing={first.id}", status=403)
    assert outbox.status_counts()["failed"] == 16


# --- 12: a killed worker's claims do not stay "sending" for 10 minutes ----------------------------

def test_a_dead_workers_claims_are_taken_over_after_90_seconds(app, smtp_server):
    confirm_session_49(app)
    db.session.execute(db.update(OutboxMessage).values(
        status="sending", claimed_at=utcnow() - timedelta(seconds=60)))
    db.session.commit()
    assert outbox.deliver_all().sent == 0  # 60 s: it may be alive
    db.session.execute(db.update(OutboxMessage).values(
        claimed_at=utcnow() - timedelta(seconds=95)))
    db.session.commit()
    assert outbox.deliver_all().sent == 16


def test_the_scheduler_takes_over_claims_older_than_its_start(app, smtp_server):
    confirm_session_49(app)
    db.session.execute(db.update(OutboxMessage).values(status="sending", claimed_at=utcnow()))
    db.session.commit()
    jobs.build_scheduler(app)  # a scheduler starting after the previous one died
    jobs.run_job(app, "deliver_outbox")
    assert outbox.status_counts()["sent"] == 16
    assert len(smtp_server.messages) == 16


@pytest.mark.slow
def test_a_live_worker_keeps_its_claims_fresh(app, monkeypatch):
    """A slow pass refreshes its claims (heartbeat): a second worker with a short stale
    limit takes nothing over, so nothing goes twice."""
    queue_invitations(missions=3)  # 12 invitations
    server = FlakySmtpServer(delay=0.25).start()  # 3 s for the batch
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    monkeypatch.setattr(outbox, "HEARTBEAT", timedelta(seconds=0.2), raising=False)
    settings = dict(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                    OUTBOX_STALE_CLAIM_SECONDS=1.0)
    reports: list = []

    def slow_worker() -> None:
        worker_app = create_app(app_config(url, **settings))
        with worker_app.app_context():
            reports.append(outbox.deliver_all(ignore_backoff=True))
            db.session.remove()
            db.engine.dispose()

    try:
        thread = threading.Thread(target=slow_worker)
        thread.start()
        time.sleep(1.6)  # the first claims are older than the stale limit by now
        other = create_app(app_config(url, **settings))
        with other.app_context():
            taken = outbox.deliver_all(ignore_backoff=True)
            db.session.remove()
            db.engine.dispose()
        thread.join(timeout=30)
        assert taken.sent == 0
        assert reports and reports[0].sent == 12
        assert_every_row_sent_once(server)
    finally:
        server.stop()
