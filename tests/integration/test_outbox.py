"""The outbox against a real SMTP server on loopback: delivery, retries, nothing lost."""
from __future__ import annotations

from datetime import timedelta

from nam_briefings.extensions import db
from nam_briefings.models import OutboxMessage, utcnow
from nam_briefings.services import outbox
from nam_briefings.services.audit import Actor
from tests.conftest import free_port

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def queue(key: str = "k1", to: str = "focal.point@mission.example.org", **extra) -> OutboxMessage:
    message = outbox.enqueue("notice", key, to, "Subject é", "Plain body", **extra)
    db.session.commit()
    return message


def refresh(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_delivery_sends_one_message_per_recipient_with_its_message_id(smtp_server):
    message = queue(body_html="<p>HTML body</p>", ics=ICS, ics_method="REQUEST")
    report = outbox.deliver()
    assert report.sent == 1
    [(recipients, email)] = smtp_server.messages
    assert recipients == ["focal.point@mission.example.org"]
    assert email["Message-ID"] == message.message_id
    assert email["Subject"] == "Subject é"
    assert email["From"].addresses[0].display_name == "NAM Chairmanship, Geneva"
    assert email["From"].addresses[0].addr_spec == "nam-briefings@chair.example.org"
    assert smtp_server.envelope_senders == ["nam-briefings@chair.example.org"]
    assert email.get_content_type() == "multipart/mixed"
    alternative, attachment = email.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain", "text/html", "text/calendar"]
    assert alternative.get_payload()[2].get_param("method") == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    stored = refresh(message)
    assert stored.status == "sent" and stored.sent_at and stored.attempts == 1


def test_enqueue_is_idempotent(app):
    first = queue("same-key")
    second = queue("same-key")
    assert first.id == second.id
    assert outbox.status_counts()["pending"] == 1


def test_smtp_down_loses_nothing_and_waits_for_the_relay(app, smtp_server):
    message = queue()
    app.extensions["mail"].port = free_port()  # nobody listens there
    report = outbox.deliver()
    assert report.sent == 0 and report.waiting == 1 and report.retrying == 0
    stored = refresh(message)
    # an outage is not the message's fault: no attempt is counted
    assert stored.status == "waiting" and stored.attempts == 0
    assert stored.last_error.startswith("waiting for the relay: ")
    assert stored.next_attempt_at > utcnow() + timedelta(seconds=20)  # 30 s, -20 % jitter
    # Back up: a normal pass waits for the backoff, --now does not.
    app.extensions["mail"].port = smtp_server.controller.port
    assert outbox.deliver().sent == 0
    assert outbox.deliver(ignore_backoff=True).sent == 1
    assert len(smtp_server.messages) == 1
    # The retry reuses the Message-ID fixed when it was queued.
    assert smtp_server.messages[0][1]["Message-ID"] == message.message_id


def test_a_permanent_refusal_fails_and_can_be_retried_by_hand(smtp_server):
    message = queue()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    report = outbox.deliver()
    assert report.failed == 1
    stored = refresh(message)
    assert stored.status == "failed" and "550" in stored.last_error
    assert [m.id for m in outbox.failed_messages()] == [message.id]
    smtp_server.refuse_with = None
    outbox.retry(message.id, Actor("test"))
    assert outbox.deliver().sent == 1


def test_a_temporary_refusal_is_retried(smtp_server):
    message = queue()
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    assert outbox.deliver().retrying == 1
    assert refresh(message).status == "pending"


def test_too_many_refusals_give_up(app, smtp_server):
    message = queue()
    smtp_server.refuse_with = "451 4.3.0 Try again later"  # refused, again and again
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(ignore_backoff=True)
    stored = refresh(message)
    assert stored.status == "failed" and stored.attempts == outbox.MAX_ATTEMPTS
    assert "gave up" in stored.last_error


def test_a_claim_left_by_a_dead_worker_is_taken_over(smtp_server):
    message = queue()
    db.session.execute(db.update(OutboxMessage).values(
        status="sending", claimed_at=utcnow() - outbox.STALE_CLAIM - timedelta(minutes=1)))
    db.session.commit()
    assert outbox.deliver().sent == 1
    assert refresh(message).status == "sent"


def test_a_fresh_claim_is_not_taken_twice(smtp_server):
    queue()
    db.session.execute(db.update(OutboxMessage).values(status="sending", claimed_at=utcnow()))
    db.session.commit()
    assert outbox.deliver(ignore_backoff=True).sent == 0
    assert smtp_server.messages == []


def test_backoff_grows_and_is_capped():
    delays = [outbox.backoff(n).total_seconds() for n in range(1, 12)]
    assert 48 <= delays[0] <= 72
    assert delays[3] > delays[1]
    assert max(delays) <= outbox.BACKOFF_CAP.total_seconds() * 1.2


def test_cli_status_and_deliver(runner, smtp_server):
    queue()
    assert runner.invoke(args=["outbox", "status", "--json"]).output.strip() == \
        '{"pending": 1, "sending": 0, "waiting": 0, "sent": 0, "failed": 0, "withdrawn": 0}'
    result = runner.invoke(args=["outbox", "deliver", "--now"])
    assert "sent 1" in result.output


def test_deliver_all_drains_the_queue_in_batches(smtp_server):
    for n in range(7):
        queue(f"k{n}", to=f"p{n}@mission.example.org")
    report = outbox.deliver_all(batch_size=3)
    assert report.sent == 7 and len(smtp_server.messages) == 7
    assert outbox.status_counts()["pending"] == 0


def test_deliver_all_stops_when_the_server_is_down(app, smtp_server):
    for n in range(5):
        queue(f"k{n}", to=f"p{n}@mission.example.org")
    app.extensions["mail"].port = free_port()
    report = outbox.deliver_all(batch_size=2)
    assert report.sent == 0 and report.waiting == 2  # one failed pass, then it stops
    # every message due waits for the relay with the batch that found it down
    assert outbox.status_counts()["pending"] == 0 and outbox.status_counts()["waiting"] == 5


def test_a_message_that_cannot_be_built_fails_and_the_batch_goes_on(smtp_server):
    broken = queue("broken", to="evil@mission.example.org\r\nBcc: everyone@example.org")
    fine = queue("fine")
    report = outbox.deliver()
    assert report.sent == 1 and report.failed == 1
    assert refresh(broken).status == "failed" and "cannot build" in refresh(broken).last_error
    assert refresh(fine).status == "sent"
    assert [r for r, _ in smtp_server.messages] == [["focal.point@mission.example.org"]]
