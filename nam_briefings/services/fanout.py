"""Fan-outs: a briefing's change committed with one record, its e-mails composed later.

Confirming, moving or cancelling a briefing for 242 contacts (or 1,000) must not hold the
request while hundreds of messages are rendered. The request writes the change and one
`Fanout` row in the same transaction (`queue`) and returns; the delivery worker
(`compose_pending`, run by the scheduler before each delivery pass) writes the messages to
the outbox, in chunks of CHUNK contacts, each chunk one transaction.

Nothing is lost and nobody gets two versions:
- the row is durable: a worker that dies leaves it "composing" with a claim that stops
  being refreshed; the next pass takes it over (after the outbox's stale-claim time, or
  at once when the scheduler starts) and goes on, since the contacts already written to
  are at the briefing's current SEQUENCE and are skipped;
- a chunk always writes the briefing's *current* version, under the briefing's lock: a
  move made while an earlier fan-out is composing waits for the chunk, and then the rest
  of them get the newest version only (older unsent ones are withdrawn as superseded);
- an update or invitation of a briefing cancelled in the meantime is superseded: only
  the cancellation goes.

On PostgreSQL the transaction that queues a fan-out (or any outbox message) also sends
a NOTIFY, so that the worker starts within moments (`services/wakeup.py`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.constants import FANOUT_UNFINISHED
from ..extensions import db
from ..models import Briefing, Fanout, utcnow
from . import briefings_view, invitations, locks, outbox, versions

#: contacts composed per transaction (a crash redoes at most this many, harmlessly)
CHUNK = 250


def queue(briefing: Briefing, kind: str, note: str = "") -> Fanout:
    """Record in the caller's transaction that the briefing's current version is to be
    sent to its audience ("invite"), or to everyone it was sent to ("update", "cancel"),
    with the secretariat's `note` in every e-mail (what the version says is recorded too:
    `services.versions`).

    `recipients` says how many contacts that is now, for the secretariat's message.
    """
    db.session.flush()
    versions.record(briefing, note)
    if kind == "invite":
        recipients = len(invitations.audience_ids())
    else:
        invitations.withdraw_outdated(briefing)  # what must not go any more, at once
        recipients = briefings_view.notified_audience(briefing,
                                                      cancelling=kind == "cancel").contacts
    fanout = Fanout(briefing_id=briefing.id, kind=kind, sequence=briefing.sequence,
                    recipients=recipients, status="queued", composed=0)
    db.session.add(fanout)
    db.session.flush()
    return fanout


@dataclass
class ComposeReport:
    """What one `compose_pending` call did."""

    fanouts: int = 0
    messages: int = 0
    superseded: int = 0
    chunks: int = 0
    #: True when it stopped at `max_chunks` with fan-outs still to compose
    more: bool = False


def compose_pending(now: datetime | None = None, max_chunks: int | None = None) -> ComposeReport:
    """Compose the queued fan-outs, oldest first, and resume those whose worker died; at
    most `max_chunks` chunks (`outbox.deliver` composes one, sends, and comes back for the
    next, so that the first messages go within moments even of a fan-out to thousands)."""
    report = ComposeReport()
    while max_chunks is None or report.chunks < max_chunks:
        fanout_id = _claim_next(now or utcnow())
        if fanout_id is None:
            return report
        if not _compose(fanout_id, report, max_chunks):  # handed back with its last chunk
            report.more = True
            return report
    report.more = _next_claimable(now or utcnow()) is not None  # not claimed, just seen
    return report


def release_claims(before: datetime) -> int:
    """Hand back the fan-outs claimed before `before` and still composing (the scheduler
    calls it when it starts: they belong to a worker that died)."""
    result = db.session.execute(
        db.update(Fanout).where(Fanout.status == "composing", Fanout.claimed_at < before)
        .values(status="queued", claimed_at=None))
    db.session.commit()
    return result.rowcount


def unfinished(briefing_id: int) -> list[Fanout]:
    """The briefing's fan-outs that still have messages to write, oldest first."""
    return list(db.session.scalars(db.select(Fanout).where(
        Fanout.briefing_id == briefing_id, Fanout.status.in_(FANOUT_UNFINISHED))
        .order_by(Fanout.id)))


# --- internals --------------------------------------------------------------------------

def _next_claimable(now: datetime):
    """(id, status, claimed_at) of the oldest fan-out to compose, or None."""
    stale = now - outbox.stale_claim()
    return db.session.execute(
        db.select(Fanout.id, Fanout.status, Fanout.claimed_at).where(db.or_(
            Fanout.status == "queued",
            db.and_(Fanout.status == "composing", Fanout.claimed_at < stale)))
        .order_by(Fanout.id).limit(1)).first()


def _claim_next(now: datetime) -> int | None:
    """Claim the oldest fan-out to compose; None when there is none. A conditional update:
    only one worker moves a row out of the state it saw."""
    while (candidate := _next_claimable(now)) is not None:
        fanout_id, status, claimed_at = candidate
        claimed = db.session.execute(
            db.update(Fanout).where(Fanout.id == fanout_id, Fanout.status == status,
                                    _same(Fanout.claimed_at, claimed_at))
            .values(status="composing", claimed_at=utcnow())).rowcount
        db.session.commit()
        if claimed:
            return fanout_id
    db.session.commit()
    return None


def _same(column, value):
    return column.is_(None) if value is None else column == value


def _compose(fanout_id: int, report: ComposeReport, max_chunks: int | None) -> bool:
    """Write the fan-out's messages, chunk after chunk, each chunk one transaction; True
    when it is finished, False when `max_chunks` was reached first (the fan-out is then
    back in the queue, in the last chunk's transaction)."""
    report.fanouts += 1
    while max_chunks is None or report.chunks < max_chunks:
        last = max_chunks is not None and report.chunks + 1 >= max_chunks
        written, finished = locks.retrying(lambda: _compose_chunk(fanout_id, report, last))
        report.messages += written
        report.chunks += 1
        if finished:
            return True
    return False


def _compose_chunk(fanout_id: int, report: ComposeReport,
                   last: bool = False) -> tuple[int, bool]:
    """Write one chunk of the fan-out; (how many, whether it is finished). After the
    `last` chunk of this call, an unfinished fan-out is put back in the queue, to go on
    next time (in the chunk's commit)."""
    fanout = db.session.get(Fanout, fanout_id)
    locks.lock_briefing(fanout.briefing_id)  # changes of the briefing wait for this chunk
    fanout = db.session.get(Fanout, fanout_id)
    if fanout.status != "composing":  # taken over by another worker meanwhile
        db.session.rollback()
        return 0, True
    briefing = fanout.briefing
    if fanout.kind != "cancel" and briefing.status == "cancelled":
        fanout.status, fanout.finished_at = "superseded", utcnow()
        report.superseded += 1
        db.session.commit()
        return 0, True
    compose = {"invite": invitations.invite_everyone, "update": invitations.send_update,
               "cancel": invitations.send_cancellation}[fanout.kind]
    written = compose(briefing, limit=CHUNK)
    fanout.composed += written
    fanout.claimed_at = utcnow()
    finished = written < CHUNK
    if finished:
        fanout.status, fanout.finished_at = "done", utcnow()
    elif last:
        fanout.status, fanout.claimed_at = "queued", None
    db.session.commit()
    return written, finished
