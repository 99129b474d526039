"""The outbox: e-mails queued with their cause, then delivered, retried or given up.

This is the only module that talks SMTP. `enqueue` adds a row to the caller's
transaction (so a message exists exactly when its cause was committed); `deliver`
claims due rows, checks that each still makes sense now (`outbox_rules.Present`: a
message that no longer does is `withdrawn`, with the reason), sends the rest over one
SMTP connection and records each outcome.

Two kinds of failure are told apart. When the relay cannot be reached (no connection,
connection lost, 421, timeout), the batch is parked as `waiting` and tried again with a
short capped backoff, without counting attempts, until the relay is back: an outage of
any length loses and fails nothing. A refusal of one message (4xx for its recipient,
5xx) counts an attempt: backoff, then given up (`failed`) after MAX_ATTEMPTS.

Each e-mail is written by `domain.mime` (`build_email`, also what the Outbox page shows and
downloads) and its bytes handed to the relay as they are. Outcomes are kept in memory and
written in bulk every OUTCOME_BATCH (50) messages, before each heartbeat, at the end of the
pass and before parking on an outage (so what the relay accepted is `sent`, never parked).
The crash bound: a worker killed in the middle of a pass leaves at most OUTCOME_BATCH
messages accepted by the relay but not recorded; they are sent again, with their same
Message-IDs (calendars show one invitation), once its claim is taken over.
"""
from __future__ import annotations

import contextlib
import random
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr

from flask import current_app
from flask_mail import Connection

from ..domain import mime
from ..domain.constants import OUTBOX_STATUSES
from ..domain.errors import Invalid, NotFound
from ..domain.messages import Said, recorded
from ..extensions import db
from ..models import Briefing, OutboxMessage, utcnow
from . import audit, clock
from .languages import N_, _
from .outbox_rules import WITHDRAWABLE, Present

#: a message refused this many times is given up
MAX_ATTEMPTS = 8
#: first retry delay after a refusal; doubled at each attempt, capped, with ±20 % jitter
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)
#: while the relay cannot be reached: first wait, doubled at each try, capped
WAIT_BASE = timedelta(seconds=30)
WAIT_CAP = timedelta(minutes=5)
#: a "sending" claim older than this is taken to be from a dead worker
#: (the app config OUTBOX_STALE_CLAIM_SECONDS, when set, overrides it). A live worker
#: refreshes its claims every HEARTBEAT, and one SMTP step lasts at most SMTP_TIMEOUT:
#: keep STALE_CLAIM above their sum.
STALE_CLAIM = timedelta(seconds=90)
HEARTBEAT = timedelta(seconds=10)
#: how long to wait for the SMTP server at each step (OUTBOX_SMTP_TIMEOUT_SECONDS overrides it)
SMTP_TIMEOUT = timedelta(seconds=60)
#: outcomes are written together, every this many messages (and before each heartbeat, at
#: the end of a pass and before parking on an outage): a killed worker resends at most
#: this many messages, with their Message-IDs
OUTCOME_BATCH = 50


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: parked because the relay could not be reached
    waiting: int = 0
    #: no longer to be sent (briefing cancelled, superseded, recipient gone...)
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)
    #: messages the pass wrote from queued fan-outs before sending (services/fanout.py)
    composed: int = 0
    #: True when fan-outs are still to be written (the next pass goes on with them)
    composing: bool = False
    #: reminders and chasers handed back unsent: their briefing's change is still being
    #: written (they are checked again once it is)
    held: int = 0

    @property
    def summary(self) -> str:
        text = f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}"
        if self.waiting:
            text += f", waiting for the relay {self.waiting}"
        if self.withdrawn:
            text += f", withdrawn {self.withdrawn}"
        if self.held:
            text += f", held until their briefing's update is written {self.held}"
        return text

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.waiting += other.waiting
        self.withdrawn += other.withdrawn
        self.held += other.held
        self.errors += other.errors
        self.composed += other.composed
        self.composing = other.composing

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.waiting + self.withdrawn


def enqueue(kind: str, key: str, to_address: str, subject: str, body_text: str, *,
            body_html: str | None = None, ics: str | None = None, ics_method: str | None = None,
            briefing_id: int | None = None, contact_id: int | None = None,
            sequence: int | None = None, not_before: datetime | None = None,
            language: str | None = None) -> OutboxMessage:
    """Queue one message in the current transaction (the caller commits).

    Idempotent: a message with the same key is queued once; the existing row is returned.
    A withdrawn one is queued again (its cause came back, e.g. a contact reactivated),
    with the same Message-ID. `not_before` holds it back (an update paced to one an hour).
    `language` is the language it is written in (its Content-Language), None for English.
    (A fan-out, which knows which of its keys are new, queues those with `NewMessages`.)
    """
    due = _due(not_before)
    existing = db.session.scalar(db.select(OutboxMessage).filter_by(idempotency_key=key))
    if existing is not None:
        if existing.status == "withdrawn":
            existing.subject, existing.body_text, existing.body_html = subject, body_text, body_html
            existing.ics, existing.to_address, existing.language = ics, to_address, language
            existing.status, existing.attempts, existing.last_error = "pending", 0, ""
            existing.next_attempt_at = due
        return existing
    message = OutboxMessage(
        idempotency_key=key, kind=kind, to_address=to_address, subject=subject,
        body_text=body_text, body_html=body_html, ics=ics, ics_method=ics_method,
        briefing_id=briefing_id, contact_id=contact_id, sequence=sequence,
        message_id=new_message_id(kind), next_attempt_at=due, language=language,
    )
    db.session.add(message)
    return message


def _due(not_before: datetime | None) -> datetime:
    """When a message queued now may go: now, or `not_before` when that is later."""
    return max(utcnow(), not_before) if not_before else utcnow()


@dataclass
class NewMessages:
    """Messages whose keys the caller knows no row has (`existing_keys`), written together
    by one bulk INSERT (`write`): a fan-out's chunk queues hundreds, and one ORM object
    each (with its flush) cost more than rendering them."""

    rows: list[dict] = field(default_factory=list)

    def add(self, kind: str, key: str, to_address: str, subject: str, body_text: str, *,
            body_html: str | None = None, ics: str | None = None,
            ics_method: str | None = None, briefing_id: int | None = None,
            contact_id: int | None = None, sequence: int | None = None,
            not_before: datetime | None = None, language: str | None = None) -> None:
        """Queue one message, as `enqueue` queues a new key; it is written by `write`."""
        self.rows.append({
            "idempotency_key": key, "kind": kind, "to_address": to_address,
            "subject": subject, "body_text": body_text, "body_html": body_html, "ics": ics,
            "ics_method": ics_method, "briefing_id": briefing_id, "contact_id": contact_id,
            "sequence": sequence, "message_id": new_message_id(kind),
            "next_attempt_at": _due(not_before), "language": language})

    def write(self) -> int:
        """Insert the messages added since the last write in the current transaction (the
        caller commits); how many."""
        rows, self.rows = self.rows, []
        if rows:  # the columns left out take their defaults (pending, 0 attempts, now)
            db.session.execute(OutboxMessage.__table__.insert(), rows)
        return len(rows)


def existing_keys(briefing_id: int) -> set[str]:
    """The idempotency keys of every message about the briefing, in one query."""
    return set(db.session.scalars(db.select(OutboxMessage.idempotency_key)
                                  .where(OutboxMessage.briefing_id == briefing_id)))


def withdraw(reason: str, *conditions) -> int:
    """Withdraw the unsent messages (pending, waiting, failed) matching `conditions`, with
    the reason in `last_error`; returns how many. The caller commits.

    A message being sent is not touched here: its worker checks it again before sending.
    """
    result = db.session.execute(
        db.update(OutboxMessage).where(OutboxMessage.status.in_(WITHDRAWABLE), *conditions)
        .values(status="withdrawn", **last_error(reason))
        .execution_options(synchronize_session="fetch"))
    return result.rowcount


def last_error(text: str) -> dict[str, object]:
    """The columns a bulk update writes for a message's last error: its text (at most 2,000
    characters) and its sentence (`models.kept_sentence` does it for a row set one by one)."""
    return {"last_error": text[:2000], "last_error_said": recorded(text)}


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


def deliver(batch_size: int = 250, ignore_backoff: bool = False,
            now: datetime | None = None) -> DeliveryReport:
    """Send the messages that are due, over one SMTP connection; commit the outcomes in
    batches of OUTCOME_BATCH.

    Each message is checked against the present first (`outbox_rules.Present`), at the
    start and again at each heartbeat; one that no longer makes sense is withdrawn. When
    the relay cannot be reached, the rest of the batch waits for it; nothing is lost.
    `now` is the pass's time (tests simulate hours with it). First, one chunk of the
    fan-outs queued by confirmations, moves and cancellations is written
    (services/fanout.py), so that a fan-out to thousands is sent as it is written.
    """
    from .fanout import compose_pending  # fanout writes its messages through this module

    composed = compose_pending(now, max_chunks=1)
    now = (now or utcnow()).astimezone(timezone.utc)
    report = DeliveryReport(composed=composed.messages, composing=composed.more)
    batch = _claim(batch_size, now, ignore_backoff)
    if batch.messages:
        _Pass(batch, now, report).run()
    return report


def deliver_all(batch_size: int = 250, ignore_backoff: bool = False,
                now: datetime | None = None) -> DeliveryReport:
    """Deliver batch after batch until nothing due is left (every fan-out written) or the
    relay is unreachable (the fan-outs are then written all the same, to go when it is back).

    (Composing on a second thread while sending was tried: the sender then waits for the
    interpreter's lock after each reply of the relay, and the whole took as long.)
    """
    from .fanout import compose_pending

    total = DeliveryReport()
    while True:
        report = deliver(batch_size, ignore_backoff, now)
        total.add(report)
        if report.retrying or report.waiting:
            total.composed += compose_pending(now).messages
            total.composing = False
            return total
        if report.handled < batch_size and not report.composing:
            return total


def release_claims(before: datetime) -> int:
    """Put back in the queue the messages claimed before `before` and still "sending".

    The scheduler calls it when it starts: a claim older than its start belongs to a
    worker that died (the messages it had sent but not yet recorded, at most OUTCOME_BATCH,
    may then go twice, with their Message-IDs). Returns how many were released.
    """
    result = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < before)
        .values(status="pending", claimed_at=None))
    db.session.commit()
    return result.rowcount


def status_counts() -> dict[str, int]:
    """How many messages are in each status."""
    counts = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in OUTBOX_STATUSES}


def _failed_filter(kind: str | None, briefing_id: int | None) -> list:
    conditions = [OutboxMessage.status == "failed"]
    if kind:
        conditions.append(OutboxMessage.kind == kind)
    if briefing_id is not None:
        conditions.append(OutboxMessage.briefing_id == briefing_id)
    return conditions


def failed_messages(limit: int = 100, kind: str | None = None,
                    briefing_id: int | None = None) -> list[OutboxMessage]:
    """Messages given up, newest first (optionally of one kind or briefing), to retry."""
    return list(db.session.scalars(db.select(OutboxMessage)
                                   .where(*_failed_filter(kind, briefing_id))
                                   .order_by(OutboxMessage.updated_at.desc()).limit(limit)))


def failed_count(kind: str | None = None, briefing_id: int | None = None) -> int:
    """How many messages are given up (optionally of one kind or briefing)."""
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(*_failed_filter(kind, briefing_id))) or 0


#: a message's status in a refusal ("message 7 is sent; only failed ones are retried")
STATUS_WORDS = {"pending": N_("pending"), "sending": N_("sending"), "waiting": N_("waiting"),
                "sent": N_("sent"), "failed": N_("failed"), "withdrawn": N_("withdrawn")}


def retry(message_id: int, actor: audit.Actor, allow_past: bool = False) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with a fresh count of attempts.

    Refused (Invalid) when the message no longer makes sense (its briefing was cancelled,
    a newer version replaced it, its contact left...): retrying never resurrects it. A
    message about a briefing that has already begun goes again only with `allow_past`
    (Invalid, field "allow_past", otherwise): it would invite people to a past meeting.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(N_("no outbox message %(number)s"), params={"number": message_id})
    if message.status in ("failed", "withdrawn"):
        reason = Present.load([message]).why_not(message, utcnow())
        if reason:
            raise Invalid(N_("message %(id)s is not sent again: %(reason)s"), field="present",
                          params={"id": message_id, "reason": reason})
    if message.status != "failed":
        status = STATUS_WORDS.get(message.status)
        raise Invalid(_("message %(id)s is %(status)s; only failed ones are retried",
                        id=message_id, status=_(status) if status else message.status))
    briefing = db.session.get(Briefing, message.briefing_id) if message.briefing_id else None
    if briefing is not None and not allow_past:
        clock.refuse_past([briefing.start_at])
    _requeue(message)
    audit.record(actor, "outbox.retry", "outbox_message", message.id, message.to_address)
    db.session.commit()
    return message


@dataclass
class BulkRetry:
    """What `retry_failed` did."""

    retried: int = 0
    #: no longer to be sent: withdrawn instead, with the reason
    withdrawn: int = 0
    #: about a briefing that has begun, left failed (`allow_past` sends them)
    past: int = 0

    @property
    def summary(self) -> str:
        text = f"{self.retried} queued again"
        if self.withdrawn:
            text += f", {self.withdrawn} withdrawn (no longer to be sent)"
        if self.past:
            text += (f", {self.past} left failed: their briefing has begun "
                     "(--allow-past sends them)")
        return text


def retry_failed(actor: audit.Actor, kind: str | None = None, briefing_id: int | None = None,
                 allow_past: bool = False) -> BulkRetry:
    """Queue again every failed message (of one kind, of one briefing), in one transaction.

    A message the present no longer wants (cancelled briefing, newer version, contact
    gone) is withdrawn rather than retried; one about a briefing that has begun stays
    failed unless `allow_past`.
    """
    messages = list(db.session.scalars(db.select(OutboxMessage)
                                       .where(*_failed_filter(kind, briefing_id))
                                       .order_by(OutboxMessage.id)))
    present = Present.load(messages)
    now, moment = utcnow(), clock.now()
    result = BulkRetry()
    for message in messages:
        reason = present.why_not(message, now)
        briefing = present.briefings.get(message.briefing_id) if message.briefing_id else None
        if briefing is None and message.briefing_id is not None:
            briefing = db.session.get(Briefing, message.briefing_id)
        if reason:
            message.status, message.last_error = "withdrawn", reason
            result.withdrawn += 1
        elif briefing is not None and briefing.start_at <= moment and not allow_past:
            result.past += 1
        else:
            _requeue(message)
            result.retried += 1
    if messages:
        filters = ", ".join(part for part in (kind and f"kind {kind}",
                                              briefing_id is not None and f"briefing {briefing_id}")
                            if part) or "all"
        audit.record(actor, "outbox.retry_failed", "outbox_message", "", f"{filters}: "
                     f"{result.summary}")
    db.session.commit()
    return result


def _requeue(message: OutboxMessage) -> None:
    message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()


def stale_claim() -> timedelta:
    """How old a "sending" claim must be before another worker takes it over."""
    seconds = current_app.config.get("OUTBOX_STALE_CLAIM_SECONDS")
    return STALE_CLAIM if seconds is None else timedelta(seconds=float(seconds))


# --- internals ---------------------------------------------------------------------------

@dataclass
class _Batch:
    """The rows one pass claimed, the claim's time (its mark of ownership) and, for rows
    that were waiting for the relay, how long they had waited last time."""

    messages: list[OutboxMessage]
    claimed_at: datetime
    last_wait: dict[int, timedelta]


def _claim(batch_size: int, now: datetime, ignore_backoff: bool) -> _Batch:
    """Mark due messages as ours. Safe with several workers: each row is claimed once."""
    queued = OutboxMessage.status.in_(("pending", "waiting"))
    due = db.or_(
        queued if ignore_backoff else db.and_(queued, OutboxMessage.next_attempt_at <= now),
        db.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - stale_claim()),
    )
    query = db.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.next_attempt_at,
                      OutboxMessage.claimed_at).where(due) \
        .order_by(OutboxMessage.id).limit(batch_size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = db.session.execute(query).all()
    seen = {message_id: (status, next_attempt_at, parked_at)
            for message_id, status, next_attempt_at, parked_at in candidates}
    claimed_ids, last_wait = [], {}
    for status in sorted({status for status, _, _ in seen.values()}):
        # A conditional update (one per state seen, not one per row): only one worker can
        # move a row out of the state it saw; a "sending" row only while its claim is stale.
        still = [OutboxMessage.status == status]
        if status == "sending":
            still.append(OutboxMessage.claimed_at < now - stale_claim())
        claimed_ids += db.session.scalars(
            db.update(OutboxMessage)
            .where(OutboxMessage.id.in_([i for i, seen_as in seen.items()
                                         if seen_as[0] == status]), *still)
            .values(status="sending", claimed_at=now).returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)).all()
    for message_id in claimed_ids:
        status, next_attempt_at, parked_at = seen[message_id]
        if status == "waiting" and parked_at is not None:
            last_wait[message_id] = next_attempt_at - parked_at
    claimed_ids.sort()
    db.session.commit()
    messages = list(db.session.scalars(db.select(OutboxMessage)
                                       .where(OutboxMessage.id.in_(claimed_ids))
                                       .order_by(OutboxMessage.id))) if claimed_ids else []
    return _Batch(messages, now, last_wait)


class _RelayUnavailable(Exception):
    """The relay cannot take any message now (421, or all recipients refused with 421)."""


class _Pass:
    """One delivery pass over a claimed batch: check, send, heartbeat, park on an outage.

    Outcomes are kept in memory and written together (`save_outcomes`) every OUTCOME_BATCH
    messages, before each heartbeat, at the end and before parking: a message the relay
    accepted is recorded `sent` even when the relay goes down right after it.
    """

    def __init__(self, batch: _Batch, now: datetime, report: DeliveryReport) -> None:
        self.batch, self.now, self.report = batch, now, report
        self.mine = batch.claimed_at
        self.ids = [m.id for m in batch.messages]
        self.outcomes: list[dict] = []
        self.started = time.monotonic()
        self.last_beat = self.started
        #: once the e-mails are built, reloads leave their bodies out (`_reload`)
        self.built = False

    def moment(self) -> datetime:
        """The pass's time now: its `now` plus the real time spent since it began."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    def run(self) -> None:
        todo = self.withdraw_outdated(self.batch.messages)
        if not todo:
            return
        built = _build_all(todo, self.moment())
        self.built = True
        try:
            with _SmtpConnection(current_app.extensions["mail"]) as connection:
                while todo:
                    if time.monotonic() - self.last_beat >= HEARTBEAT.total_seconds():
                        todo = self.withdraw_outdated(self.heartbeat(todo))
                        continue
                    message = todo.pop(0)
                    if self.owns(message):
                        self.outcomes.append(_send_one(
                            connection, message, built.pop(message.id), self.report,
                            self.moment()))
                    if len(self.outcomes) >= OUTCOME_BATCH:
                        todo = self.commit_outcomes(todo)
        except (OSError, smtplib.SMTPException, _RelayUnavailable) as error:
            db.session.rollback()
            self.park_all(error)
            return
        except BaseException:
            db.session.rollback()
            with contextlib.suppress(Exception):  # the first error is the one to report
                self.commit_outcomes([])  # what the relay accepted stays sent
            raise
        self.commit_outcomes([])

    def owns(self, message: OutboxMessage) -> bool:
        """True while the row is still this pass's claim (not sent, withdrawn or taken over)."""
        return message.status == "sending" and message.claimed_at == self.mine

    def save_outcomes(self) -> None:
        """Write the outcomes kept in memory (one executemany), in the current transaction.

        Only rows still this pass's claim are written; the caller commits.
        """
        if not self.outcomes:
            return
        table = OutboxMessage.__table__
        statement = table.update().where(
            table.c.id == db.bindparam("b_id"), table.c.status == "sending",
            table.c.claimed_at == db.bindparam("b_mine")).values(
            status=db.bindparam("b_status"), attempts=db.bindparam("b_attempts"),
            sent_at=db.bindparam("b_sent_at"), last_error=db.bindparam("b_last_error"),
            last_error_said=db.bindparam("b_last_error_said"),
            next_attempt_at=db.bindparam("b_next_attempt_at"), updated_at=db.bindparam("b_at"))
        at = utcnow()
        db.session.execute(statement, [dict(outcome, b_mine=self.mine, b_at=at)
                                       for outcome in self.outcomes])
        self.outcomes = []

    def commit_outcomes(self, todo: list[OutboxMessage]) -> list[OutboxMessage]:
        """Save and commit the outcomes; the rows still to send, reloaded in one query."""
        self.save_outcomes()
        db.session.commit()
        return _reload(todo, self.built)

    def heartbeat(self, todo: list[OutboxMessage]) -> list[OutboxMessage]:
        """Refresh the claim of the rows still to send, so that no one takes them over
        (with the outcomes so far, in the same commit)."""
        self.save_outcomes()
        beat = self.moment()
        db.session.execute(
            db.update(OutboxMessage)
            .where(OutboxMessage.id.in_(_ids(todo)),
                   OutboxMessage.status == "sending", OutboxMessage.claimed_at == self.mine)
            .values(claimed_at=beat).execution_options(synchronize_session=False))
        db.session.commit()
        self.mine, self.last_beat = beat, time.monotonic()
        return [m for m in _reload(todo, self.built) if self.owns(m)]

    def withdraw_outdated(self, messages: list[OutboxMessage]) -> list[OutboxMessage]:
        """Withdraw what the present no longer wants, hand back what must wait for a change
        still being written (`Present.must_wait`); the rest, still to send."""
        present = Present.load(messages)
        at = self.moment()
        todo = []
        for message in messages:
            reason = present.why_not(message, at)
            if reason:
                message.status, message.last_error = "withdrawn", reason
                self.report.withdrawn += 1
            elif present.must_wait(message):
                message.status, message.claimed_at = "pending", None
                self.report.held += 1
            else:
                todo.append(message)
        if len(todo) == len(messages):
            return todo  # nothing changed: no commit, no reload
        db.session.commit()
        return _reload(todo, self.built)

    def park_all(self, error: BaseException) -> None:
        """The relay cannot be reached: the rest of the batch, and every other message due
        now, wait for it together (one try of the relay each time, not one per batch),
        without counting an attempt. The wait doubles at each try, up to WAIT_CAP.

        The outcomes kept in memory are written first, in the same transaction: a message
        the relay accepted before it went down is `sent`, not parked and sent again.
        """
        last = max(self.batch.last_wait.values(), default=None)
        delay = WAIT_BASE if last is None else min(max(2 * last, WAIT_BASE), WAIT_CAP)
        at = self.moment()
        # a waiting row's claimed_at is when it was parked: the next park doubles the wait
        why = Said(N_("waiting for the relay: %(error)s"), error=_describe(error))
        parked = {"status": "waiting", "claimed_at": at, "next_attempt_at": at + delay,
                  **last_error(why)}
        self.save_outcomes()
        waiting = db.session.execute(
            db.update(OutboxMessage).where(OutboxMessage.id.in_(self.ids),
                                           OutboxMessage.status == "sending",
                                           OutboxMessage.claimed_at == self.mine)
            .values(**parked).execution_options(synchronize_session=False)).rowcount
        self.report.waiting += waiting
        db.session.execute(
            db.update(OutboxMessage).where(OutboxMessage.status.in_(("pending", "waiting")),
                                           OutboxMessage.next_attempt_at <= self.now)
            .values(**parked).execution_options(synchronize_session=False))
        db.session.commit()
        self.report.errors.append(f"{waiting} messages: {parked['last_error']}")


#: what a pass reads of a row once its e-mail is built: its state, not its bodies
_STATE_COLUMNS = ("idempotency_key", "kind", "to_address", "status", "attempts", "sent_at",
                  "next_attempt_at", "claimed_at", "last_error", "briefing_id", "contact_id",
                  "sequence")


def _reload(messages: list[OutboxMessage], built: bool = False) -> list[OutboxMessage]:
    """The same rows as the database has them now, in their order, in one query (a commit
    expired them: without this each would be loaded again on its own). Once `built`, their
    bodies are left out: the pass no longer reads them, and they are most of a row."""
    if not messages:
        return []
    ids = _ids(messages)
    query = db.select(OutboxMessage).where(OutboxMessage.id.in_(ids))
    if built:
        query = query.options(db.load_only(
            *(getattr(OutboxMessage, name) for name in _STATE_COLUMNS)))
    loaded = {m.id: m for m in db.session.scalars(query)}
    return [loaded[i] for i in ids if i in loaded]


def _ids(messages: list[OutboxMessage]) -> list[int]:
    """The rows' ids, read from the session's identity map: reading `m.id` of a row a commit
    expired would load the whole row again, one query each."""
    return [db.inspect(m).identity[0] for m in messages]


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error.decode(errors="replace") \
            if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {detail}"
    return str(error) or type(error).__name__


def _outcome(message: OutboxMessage, status: str, error: str = "", *,
             sent_at: datetime | None = None, next_attempt_at: datetime | None = None,
             count_attempt: bool = True) -> dict:
    """A row's new values, as `_Pass.save_outcomes` writes them."""
    return {"b_id": message.id, "b_status": status,
            "b_attempts": message.attempts + (1 if count_attempt else 0),
            "b_sent_at": sent_at or message.sent_at,
            **{f"b_{name}": value for name, value in last_error(error).items()},
            "b_next_attempt_at": next_attempt_at or message.next_attempt_at}


def _build_all(messages: list[OutboxMessage], date: datetime) -> dict[int, OutgoingEmail | str]:
    """Each message's e-mail, dated `date`, or why it cannot be built: all of a batch at
    once, before the first is sent (built between the relay's replies, each took three times
    as long: the process had slept on the socket in between)."""
    built: dict[int, OutgoingEmail | str] = {}
    for message in messages:
        try:
            built[message.id] = build_email(message, date)
        except Exception as error:  # a message that cannot be built will never be sent
            built[message.id] = f"cannot build the message: {error!r}"
    return built


def _send_one(connection: _SmtpConnection, message: OutboxMessage, email: OutgoingEmail | str,
              report: DeliveryReport, now: datetime) -> dict:
    """Send one message built by `_build_all`; its outcome (the caller writes it). A relay
    outage (421, every recipient refused with 421, connection lost) is raised."""
    if isinstance(email, str):  # it could not be built
        report.failed += 1
        report.errors.append(f"{message.to_address}: {email}")
        return _outcome(message, "failed", email)
    try:
        connection.sendmail(email)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(code == 421 for code in codes):
            raise _RelayUnavailable(f"recipient refused: {error.recipients}") from error
        return _fail_or_retry(message, f"recipient refused: {error.recipients}", codes,
                              report, now)
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == 421:  # the server is closing the connection
            raise
        return _fail_or_retry(message, _describe(error), [error.smtp_code], report, now)
    report.sent += 1
    return _outcome(message, "sent", sent_at=now)


def _fail_or_retry(message: OutboxMessage, error: str, codes: list[int],
                   report: DeliveryReport, now: datetime) -> dict:
    if codes and all(500 <= code < 600 for code in codes):
        report.failed += 1
        report.errors.append(f"{message.to_address}: {error}")
        return _outcome(message, "failed", Said(N_("permanent failure: %(error)s"), error=error))
    return _retry_later(message, error, report, now)


def _retry_later(message: OutboxMessage, error: str, report: DeliveryReport,
                 now: datetime) -> dict:
    attempts = message.attempts + 1
    report.errors.append(f"{message.to_address}: {error}")
    if attempts >= MAX_ATTEMPTS:
        report.failed += 1
        return _outcome(message, "failed", Said(N_("gave up after %(attempts)s attempts: "
                                                   "%(error)s"), attempts=attempts, error=error))
    report.retrying += 1
    return _outcome(message, "pending", error, next_attempt_at=now + backoff(attempts))


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

    def sendmail(self, email: OutgoingEmail) -> None:
        """Hand the e-mail's bytes to the relay (nothing is sent when MAIL_SUPPRESS_SEND)."""
        if self.host is not None:
            self.host.sendmail(email.envelope_from, [email.to_address], email.data)


@dataclass(frozen=True)
class OutgoingEmail:
    """An e-mail as delivery hands it to the relay: envelope and the exact bytes."""

    envelope_from: str
    to_address: str
    data: bytes

    def as_bytes(self) -> bytes:
        """The message (RFC 5322, CRLF line ends, 7-bit), as sent."""
        return self.data


def build_email(message: OutboxMessage, date: datetime | None = None) -> OutgoingEmail:
    """The e-mail for an outbox row (iMIP layout when it carries a calendar), dated `date`
    (now by default). ValueError when a header would hold a line break."""
    config = current_app.config
    envelope_from = parseaddr(config["MAIL_DEFAULT_SENDER"])[1] or config["MAIL_DEFAULT_SENDER"]
    email = mime.Email(
        sender_name=config["ORGANIZER_NAME"], sender_address=envelope_from,
        to_address=message.to_address, subject=message.subject,
        date=(date or utcnow()).astimezone(timezone.utc), message_id=message.message_id,
        text=message.body_text, html=message.body_html or None, ics=message.ics or None,
        ics_method=message.ics_method or "REQUEST",
        extra_headers=(("Content-Language", message.language),) if message.language else ())
    return OutgoingEmail(envelope_from, message.to_address, mime.render(email))
