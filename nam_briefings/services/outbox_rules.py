"""What the outbox may still send: the present state of each message's briefing and recipient.

The outbox is written at the moment of a change, but sent later (a relay outage can make
that hours). Before a message goes, `Present.why_not` asks whether it still makes sense
today: the briefing not cancelled (but for its cancellation), no newer version queued or
sent to the same contact, a reminder still for the briefing's current time, the contact
still active, at an active mission of a state that is still invited, at the same address.
The same rules pace what is queued: at most one update a contact per briefing per hour,
one reminder (and one chaser) a Geneva day, none soon after an update.

`Present.load` reads what a whole batch needs in four queries; this module never commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from ..domain.messages import N_, Moment, Said
from ..domain.phrasing import ENGLISH, Phrasing
from ..domain.calendar import to_local
from ..domain.constants import FANOUT_UNFINISHED
from ..extensions import db
from ..models import Briefing, Contact, Fanout, Mission, OutboxMessage, State

#: kinds of message written to a mission's contact (notices go to the secretariat)
CONTACT_KINDS = ("request", "cancel", "reminder", "chaser")
#: kinds that carry a version of the briefing (an iCalendar SEQUENCE)
VERSION_KINDS = ("request", "cancel")
#: statuses of a message that may still go out
UNSENT = ("pending", "sending", "waiting")
#: statuses a cause may withdraw (a message being sent is checked again by its worker)
WITHDRAWABLE = ("pending", "waiting", "failed")
#: at most one update a contact per briefing in this time (later ones are coalesced)
UPDATE_INTERVAL = timedelta(hours=1)
#: no reminder or chaser this soon after an update or invitation (it already reminds)
QUIET_AFTER_UPDATE = timedelta(days=1)


def invited_statuses() -> tuple[str, ...]:
    """The NAM statuses whose missions are invited: members, and observers if configured."""
    return ("member", "observer") if current_app.config["INVITE_OBSERVERS"] else ("member",)


@dataclass(frozen=True)
class Recipient:
    """A contact as it is now, with its mission and state."""

    email: str
    active: bool
    mission_active: bool
    state_name: str
    nam_status: str


@dataclass(frozen=True)
class Sent:
    """One message of a (briefing, contact) history: what pacing and supersession look at."""

    id: int
    kind: str
    status: str
    sequence: int | None
    key: str
    #: when it went (or, while a worker is sending it, when it was claimed)
    at: datetime | None


@dataclass
class History:
    """The messages of one (briefing, contact), any status but withdrawn."""

    rows: list[Sent] = field(default_factory=list)

    def newest_version(self, other_than: int | None = None) -> int | None:
        """The highest SEQUENCE of a request or cancellation, other than message `other_than`."""
        return max((r.sequence for r in self.rows if r.kind in VERSION_KINDS
                    and r.id != other_than and r.sequence is not None), default=None)

    def last_version_received(self) -> int | None:
        """The SEQUENCE of the newest request or cancellation that went (or is going) out."""
        return max((r.sequence for r in self.rows if r.kind in VERSION_KINDS
                    and r.status in ("sent", "sending") and r.sequence is not None),
                   default=None)

    def last_version_sent_at(self) -> datetime | None:
        """When the last request or cancellation went out (or was claimed to go)."""
        return max((r.at for r in self.rows if r.kind in VERSION_KINDS and r.at is not None
                    and r.status in ("sent", "sending")), default=None)

    def unsent_requests(self, other_than: int | None = None) -> list[Sent]:
        return [r for r in self.rows if r.kind == "request" and r.status in UNSENT
                and r.id != other_than]

    def unsent_versions(self) -> list[Sent]:
        """Requests not yet sent (pending, waiting, failed): what a newer version replaces."""
        return [r for r in self.rows if r.kind == "request" and r.status in WITHDRAWABLE]

    def sent_today(self, kind: str, now: datetime, other_than: int | None = None) -> bool:
        """True when a message of `kind` went out (or is going) on now's Geneva day."""
        day = to_local(now).date()
        return any(r.kind == kind and r.id != other_than and r.at is not None
                   and r.status in ("sent", "sending") and to_local(r.at).date() == day
                   for r in self.rows)

    def why_no_reminder(self, kind: str, now: datetime, other_than: int | None = None,
                        w: Phrasing = ENGLISH) -> str:
        """Why a reminder or chaser (`kind`) should not go now ("" when it may), in `w`'s
        language (English, as the outbox stores it, by default)."""
        said = _WHY_NO_REMINDER[kind]
        if self.unsent_requests(other_than):
            return _in(w, said["queued"])
        last = self.last_version_sent_at()
        if last is not None and now - last < QUIET_AFTER_UPDATE:
            local = to_local(last)
            first = self.last_version_received() == 0
            return _in(w, said["invitation" if first else "update"],
                       when=Moment.of(local) if w is ENGLISH else w.when(local))
        if self.sent_today(kind, now, other_than):
            return _in(w, said["today"])
        return ""

    def due_at_for_update(self, now: datetime) -> datetime:
        """When a new version may go: an hour after the last one sent, never before now."""
        last = self.last_version_sent_at()
        return max(now, last + UPDATE_INTERVAL) if last is not None else now


#: why no reminder or chaser goes now, each sentence whole (the kind is not a word put in)
_WHY_NO_REMINDER = {
    "reminder": {
        "queued": N_("an update to this contact is queued (it reminds); no reminder beside it"),
        "invitation": N_("the invitation was sent %(when)s (it reminds); no reminder within a "
                         "day of it"),
        "update": N_("an update was sent %(when)s (it reminds); no reminder within a day of "
                     "it"),
        "today": N_("a reminder already went to this contact today"),
    },
    "chaser": {
        "queued": N_("an update to this contact is queued (it reminds); no chaser beside it"),
        "invitation": N_("the invitation was sent %(when)s (it reminds); no chaser within a "
                         "day of it"),
        "update": N_("an update was sent %(when)s (it reminds); no chaser within a day of it"),
        "today": N_("a chaser already went to this contact today"),
    },
}


def _in(w: Phrasing, template: str, **values: object) -> str:
    """`template` with its values in `w`'s language; in English a `Said`, as the outbox
    keeps it (a page writes it in its own language)."""
    return Said(template, **values) if w is ENGLISH else w.gettext(template, **values)


# --- why a message is withdrawn, as the outbox keeps it (a Said, its English text) ---------

#: each sentence whole, a kind of message written in it, not put in as a word
_CANCELLED_INSTEAD = {
    "request": N_("briefing %(id)s was cancelled: its invitation is not sent; the "
                  "cancellation is"),
    "reminder": N_("briefing %(id)s was cancelled: its reminder is not sent; the "
                   "cancellation is"),
    "chaser": N_("briefing %(id)s was cancelled: its chaser is not sent; the cancellation is"),
}
_MOVED_AWAY = {
    "reminder": N_("the briefing moved to %(when)s: this reminder was for the earlier time"),
    "chaser": N_("the briefing moved to %(when)s: this chaser was for the earlier time"),
}
_NOT_CONFIRMED = {  # a briefing held (or in any state but confirmed and cancelled)
    "reminder": N_("briefing %(id)s is %(status)s: no reminder"),
    "chaser": N_("briefing %(id)s is %(status)s: no chaser"),
}
_BEGUN = {"reminder": N_("briefing %(id)s has begun: no reminder"),
          "chaser": N_("briefing %(id)s has begun: no chaser")}
#: a briefing's status as these sentences say it
_STATUS_WORDS = {"held": N_("held"), "cancelled": N_("cancelled"), "confirmed": N_("confirmed")}


def status_word(status: str) -> Said:
    """A briefing's status as a sentence says it ("held"; an unknown one as it is)."""
    return Said(_STATUS_WORDS.get(status, status))


def cancelled_instead(briefing_id: int, kind: str) -> Said:
    """Why a message of `kind` (not the cancellation) about a cancelled briefing is not sent."""
    return Said(_CANCELLED_INSTEAD[kind], id=briefing_id)


def superseded(sequence: int) -> Said:
    """Why an older version is not sent: a newer one is (or was)."""
    return Said(N_("superseded by sequence %(sequence)s"), sequence=sequence)


def updated_instead(briefing_id: int, sequence: int) -> Said:
    """Why a reminder or chaser is not sent after a change: the update reminds."""
    return Said(N_("briefing %(id)s changed (sequence %(sequence)s): the update reminds"),
                id=briefing_id, sequence=sequence)


def moved_away(kind: str, start_at: datetime) -> Said:
    """Why a reminder or chaser for a briefing's earlier time is not sent."""
    return Said(_MOVED_AWAY[kind], when=Moment.of(to_local(start_at)))


def readdressed(email: str) -> Said:
    """Why a message to a contact's former address is not sent."""
    return Said(N_("re-addressed: the contact's address is now %(email)s"), email=email)


def no_longer_invited(state_name: str, nam_status: str) -> Said:
    """Why nothing more goes to a state's mission."""
    return Said(N_("%(state)s is no longer invited (NAM status: %(status)s)"),
                state=state_name, status=nam_status)


def reminder_key_start(key: str) -> str:
    """The briefing start a reminder's or chaser's key holds ("20250424T1300Z")."""
    return key.rsplit(":", 1)[-1]


def start_stamp(start: datetime) -> str:
    """A briefing start as reminder keys hold it."""
    return f"{start:%Y%m%dT%H%MZ}"


def histories(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], History]:
    """(briefing, contact) -> its messages but the withdrawn ones, in one query."""
    pairs = set(pairs)
    result = {pair: History() for pair in pairs}
    if not pairs:
        return result
    briefing_ids = {b for b, _ in pairs}
    contact_ids = {c for _, c in pairs}
    query = db.select(OutboxMessage.id, OutboxMessage.briefing_id, OutboxMessage.contact_id,
                      OutboxMessage.kind, OutboxMessage.status, OutboxMessage.sequence,
                      OutboxMessage.idempotency_key, OutboxMessage.sent_at,
                      OutboxMessage.claimed_at).where(
        OutboxMessage.briefing_id.in_(briefing_ids), OutboxMessage.status != "withdrawn",
        OutboxMessage.kind.in_(CONTACT_KINDS))
    if len(contact_ids) <= 500:  # else the briefings alone narrow it enough
        query = query.where(OutboxMessage.contact_id.in_(contact_ids))
    for row in db.session.execute(query):
        pair = (row.briefing_id, row.contact_id)
        if pair in result:
            at = row.sent_at if row.status == "sent" else (
                row.claimed_at if row.status == "sending" else None)
            result[pair].rows.append(Sent(row.id, row.kind, row.status, row.sequence,
                                          row.idempotency_key, at))
    return result


def briefing_histories(briefing_id: int) -> dict[int, History]:
    """contact id -> the messages of one briefing to that contact, in one query."""
    contact_ids = db.session.scalars(db.select(OutboxMessage.contact_id).distinct().where(
        OutboxMessage.briefing_id == briefing_id, OutboxMessage.contact_id.is_not(None)))
    by_pair = histories((briefing_id, contact_id) for contact_id in contact_ids)
    return {contact_id: history for (_, contact_id), history in by_pair.items()}


@dataclass
class Present:
    """The briefings, recipients and histories a batch of messages needs, loaded once."""

    briefings: dict[int, Briefing]
    recipients: dict[int, Recipient]
    histories: dict[tuple[int, int], History]
    invited: tuple[str, ...]
    #: briefings with a fan-out still being written (services/fanout.py)
    being_written: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, messages: Iterable[OutboxMessage]) -> Present:
        """Read what checking `messages` needs (five queries, whatever their number)."""
        messages = [m for m in messages if m.kind in CONTACT_KINDS]
        briefing_ids = {m.briefing_id for m in messages if m.briefing_id is not None}
        contact_ids = {m.contact_id for m in messages if m.contact_id is not None}
        briefings = {b.id: b for b in db.session.scalars(
            db.select(Briefing).where(Briefing.id.in_(briefing_ids)))} if briefing_ids else {}
        recipients = {}
        if contact_ids:
            rows = db.session.execute(
                db.select(Contact.id, Contact.email, Contact.active, Mission.active,
                          State.name, State.nam_status)
                .join(Contact.mission).join(Mission.state).where(Contact.id.in_(contact_ids)))
            recipients = {row[0]: Recipient(*row[1:]) for row in rows}
        pairs = {(m.briefing_id, m.contact_id) for m in messages
                 if m.briefing_id is not None and m.contact_id is not None}
        being_written = set(db.session.scalars(db.select(Fanout.briefing_id).where(
            Fanout.briefing_id.in_(briefing_ids),
            Fanout.status.in_(FANOUT_UNFINISHED)))) if briefing_ids else set()
        return cls(briefings, recipients, histories(pairs), invited_statuses(), being_written)

    def must_wait(self, message: OutboxMessage) -> bool:
        """True for a reminder or chaser of a briefing whose change is still being written
        to its audience: the update may make it pointless ("the update reminds"), so it is
        checked again once the update is written, not sent beside it."""
        return message.kind not in VERSION_KINDS and message.briefing_id in self.being_written

    def why_not(self, message: OutboxMessage, now: datetime) -> str:
        """Why `message` should no longer be sent ("" when it may go now).

        Notices to the secretariat (no contact) are never held back.
        """
        if message.kind not in CONTACT_KINDS:
            return ""
        reason = self._recipient_gone(message)
        if reason or message.briefing_id is None:
            return reason
        briefing = self.briefings.get(message.briefing_id)
        if briefing is None:
            return ""
        if briefing.status == "cancelled" and message.kind != "cancel":
            return cancelled_instead(briefing.id, message.kind)
        history = self.histories.get((message.briefing_id, message.contact_id), History())
        if message.kind in VERSION_KINDS:
            newest = history.newest_version(other_than=message.id)
            if message.kind == "request":
                newest = max(newest or 0, briefing.sequence)
            if newest is not None and message.sequence is not None and newest > message.sequence:
                return superseded(newest)
            return ""
        return self._why_not_reminder(message, briefing, history, now)

    def _recipient_gone(self, message: OutboxMessage) -> str:
        recipient = self.recipients.get(message.contact_id) \
            if message.contact_id is not None else None
        if recipient is None:
            return Said(N_("the contact is no longer on file"))
        if not recipient.active:
            return Said(N_("%(email)s is no longer an active contact of its mission"),
                        email=recipient.email)
        if not recipient.mission_active:
            return Said(N_("the mission of %(state)s is no longer active"),
                        state=recipient.state_name)
        if recipient.nam_status not in self.invited:
            return no_longer_invited(recipient.state_name, recipient.nam_status)
        if recipient.email.lower() != message.to_address.lower():
            return readdressed(recipient.email)
        return ""

    def _why_not_reminder(self, message: OutboxMessage, briefing: Briefing, history: History,
                          now: datetime) -> str:
        kind = message.kind
        if briefing.status != "confirmed":
            return Said(_NOT_CONFIRMED[kind], id=briefing.id,
                        status=status_word(briefing.status))
        if briefing.start_at <= now:
            return Said(_BEGUN[kind], id=briefing.id)
        if reminder_key_start(message.idempotency_key) != start_stamp(briefing.start_at):
            return moved_away(kind, briefing.start_at)
        return history.why_no_reminder(kind, now, other_than=message.id)
