"""The outbox: e-mails queued with their cause, then delivered, retried or given up.

This is the only module that talks SMTP. `enqueue` adds a row to the caller's
transaction (so a message exists exactly when its cause was committed); `deliver`
claims due rows, sends them over one SMTP connection and records each outcome.
"""
from __future__ import annotations

import random
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

from ..domain.constants import OUTBOX_STATUSES
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import Briefing, OutboxMessage, utcnow
from . import audit, clock

#: a message is given up after this many failed attempts
MAX_ATTEMPTS = 8
#: first retry delay; doubled at each attempt, capped, with ±20 % jitter
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)
#: a "sending" claim older than this is taken to be from a dead worker
#: (the app config OUTBOX_STALE_CLAIM_SECONDS, when set, overrides it)
STALE_CLAIM = timedelta(minutes=10)
#: how long to wait for the SMTP server at each step (OUTBOX_SMTP_TIMEOUT_SECONDS overrides it)
SMTP_TIMEOUT = timedelta(seconds=60)


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}"


def enqueue(kind: str, key: str, to_address: str, subject: str, body_text: str, *,
            body_html: str | None = None, ics: str | None = None, ics_method: str | None = None,
            briefing_id: int | None = None, contact_id: int | None = None,
            sequence: int | None = None) -> OutboxMessage:
    """Queue one message in the current transaction (the caller commits).

    Idempotent: a message with the same key is queued once; the existing row is returned.
    """
    existing = db.session.scalar(db.select(OutboxMessage).filter_by(idempotency_key=key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        idempotency_key=key, kind=kind, to_address=to_address, subject=subject,
        body_text=body_text, body_html=body_html, ics=ics, ics_method=ics_method,
        briefing_id=briefing_id, contact_id=contact_id, sequence=sequence,
        message_id=new_message_id(kind), next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def new_message_id(kind: str) -> str:
    """A fresh Message-ID, e.g. `<3f2a…9c.request@chair.example.org>` (80 random bits).

    Short enough that "Message-ID: <…>" stays within 78 characters (for organizer domains
    up to 34 characters): a longer one, such as `email.utils.make_msgid()` gives, is
    folded onto a continuation line when the message is written, and receivers then read
    " <…>" rather than the id we stored and resend on a retry.
    """
    domain = current_app.config["ORGANIZER_EMAIL"].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(10)}.{kind}@{domain}>"


def notify_secretariat(key: str, subject: str, body_text: str) -> OutboxMessage:
    """Queue a notice to the secretariat's address (the caller commits)."""
    return enqueue("notice", f"notice:{key}", current_app.config["SECRETARIAT_EMAIL"],
                   subject, body_text)


def deliver(batch_size: int = 100, ignore_backoff: bool = False,
            now: datetime | None = None) -> DeliveryReport:
    """Send the messages that are due, over one SMTP connection; commit each outcome.

    When the server cannot be reached, every claimed message is put back for a later
    try with backoff; nothing is lost.
    """
    now = now or utcnow()
    report = DeliveryReport()
    claimed = _claim(batch_size, now, ignore_backoff)
    if not claimed:
        return report
    try:
        with _SmtpConnection(current_app.extensions["mail"]) as connection:
            for message in claimed:
                _send_one(connection, message, report)
    except (OSError, smtplib.SMTPException) as error:
        for message in claimed:
            if message.status == "sending":
                _retry_later(message, f"SMTP server unavailable: {error}", report)
        db.session.commit()
    return report


def deliver_all(batch_size: int = 100, ignore_backoff: bool = False) -> DeliveryReport:
    """Deliver batch after batch until nothing due is left or the server is unreachable."""
    total = DeliveryReport()
    while True:
        report = deliver(batch_size, ignore_backoff)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
        handled = report.sent + report.retrying + report.failed
        if handled < batch_size or report.retrying:
            return total


def status_counts() -> dict[str, int]:
    """How many messages are in each status."""
    counts = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in OUTBOX_STATUSES}


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """Messages given up, newest first, for the secretariat to look at and retry."""
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(status="failed")
                                   .order_by(OutboxMessage.updated_at.desc()).limit(limit)))


def retry(message_id: int, actor: audit.Actor, allow_past: bool = False) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with a fresh count of attempts.

    A message about a briefing that has already begun goes again only with `allow_past`
    (Invalid, field "allow_past", otherwise): it would invite people to a past meeting.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"no outbox message {message_id}")
    if message.status != "failed":
        raise Invalid(f"message {message_id} is {message.status}; only failed ones are retried")
    briefing = db.session.get(Briefing, message.briefing_id) if message.briefing_id else None
    if briefing is not None and not allow_past:
        clock.refuse_past([briefing.start_at])
    message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
    audit.record(actor, "outbox.retry", "outbox_message", message.id, message.to_address)
    db.session.commit()
    return message


def stale_claim() -> timedelta:
    """How old a "sending" claim must be before another worker takes it over."""
    seconds = current_app.config.get("OUTBOX_STALE_CLAIM_SECONDS")
    return STALE_CLAIM if seconds is None else timedelta(seconds=float(seconds))


# --- internals ---------------------------------------------------------------------------

def _claim(batch_size: int, now: datetime, ignore_backoff: bool) -> list[OutboxMessage]:
    """Mark due messages as ours. Safe with several workers: each row is claimed once."""
    due = db.or_(
        OutboxMessage.status == "pending" if ignore_backoff else db.and_(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        db.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - stale_claim()),
    )
    query = db.select(OutboxMessage.id, OutboxMessage.status).where(due) \
        .order_by(OutboxMessage.id).limit(batch_size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = db.session.execute(query).all()
    claimed_ids = []
    for message_id, status in candidates:
        # A conditional update: only one worker can move a row out of the state it saw.
        result = db.session.execute(
            db.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == status)
            .values(status="sending", claimed_at=now))
        if result.rowcount == 1:
            claimed_ids.append(message_id)
    db.session.commit()
    if not claimed_ids:
        return []
    return list(db.session.scalars(db.select(OutboxMessage)
                                   .where(OutboxMessage.id.in_(claimed_ids))
                                   .order_by(OutboxMessage.id)))


def _send_one(connection, message: OutboxMessage, report: DeliveryReport) -> None:
    try:
        email = build_email(message)
        if email.has_bad_headers():
            raise BadHeaderError("a header contains a line break")
    except Exception as error:  # a message that cannot be built will never be sent
        message.attempts += 1
        message.status, message.last_error = "failed", f"cannot build the message: {error!r}"
        report.failed += 1
        report.errors.append(f"{message.to_address}: {message.last_error}")
        db.session.commit()
        return
    try:
        connection.send(email)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        _fail_or_retry(message, f"recipient refused: {error.recipients}", codes, report)
    except smtplib.SMTPResponseException as error:
        detail = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        _fail_or_retry(message, f"{error.smtp_code} {detail}", [error.smtp_code], report)
        if error.smtp_code == 421:  # the server is closing the connection
            raise
    else:
        message.status, message.sent_at = "sent", utcnow()
        message.attempts += 1
        message.last_error = ""
        report.sent += 1
    db.session.commit()


def _fail_or_retry(message: OutboxMessage, error: str, codes: list[int],
                   report: DeliveryReport) -> None:
    if codes and all(500 <= code < 600 for code in codes):
        message.attempts += 1
        message.status, message.last_error = "failed", f"permanent failure: {error}"
        report.failed += 1
        report.errors.append(f"{message.to_address}: {error}")
    else:
        _retry_later(message, error, report)


def _retry_later(message: OutboxMessage, error: str, report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = error
    report.errors.append(f"{message.to_address}: {error}")
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        message.last_error = f"gave up after {message.attempts} attempts: {error}"
        report.failed += 1
        return
    message.status = "pending"
    message.next_attempt_at = utcnow() + backoff(message.attempts)
    report.retrying += 1


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after `attempts` failures: exponential, capped, with jitter."""
    delay = min(BACKOFF_BASE * (2 ** (attempts - 1)), BACKOFF_CAP)
    return delay * (rng or random).uniform(0.8, 1.2)


class _SmtpConnection(Connection):
    """Flask-Mail's connection, with a timeout: Flask-Mail sets none, so a server that
    stops answering would hang the pass, and the scheduler's delivery job with it, for ever.
    """

    def configure_host(self) -> smtplib.SMTP:
        seconds = current_app.config.get("OUTBOX_SMTP_TIMEOUT_SECONDS")
        timeout = SMTP_TIMEOUT.total_seconds() if seconds is None else float(seconds)
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        if self.host is not None and exc_type is not None:
            self.host.close()  # after a failure, no QUIT: it would wait for the timeout again
        else:
            super().__exit__(exc_type, exc_value, tb)


def build_email(message: OutboxMessage) -> Message:
    """The e-mail for an outbox row (iMIP layout when it carries a calendar)."""
    config = current_app.config
    email = Message(subject=message.subject, recipients=[message.to_address],
                    body=message.body_text,
                    # formataddr quotes names with commas ("NAM Chairmanship, Geneva")
                    sender=formataddr((config["ORGANIZER_NAME"], config["MAIL_DEFAULT_SENDER"])))
    email.msgId = message.message_id
    if message.body_html:
        email.html = message.body_html
    if message.ics:
        method = message.ics_method or "REQUEST"
        email.alts[f"calendar; method={method}"] = message.ics
        email.attach("invite.ics", "application/ics", message.ics.encode())
    return email
