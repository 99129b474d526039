"""How far a briefing's e-mails have got: read-only figures for the delivery panels.

A change of a briefing is one `Fanout` (services/fanout.py) that the delivery worker
composes into outbox messages, which it then sends. The panel on the briefing page and
on the Outbox page shows, for each recent fan-out, how many contacts it is for, how many
messages are written so far, and its messages (those of its briefing, kind and SEQUENCE)
by status. Every figure comes from a few grouped queries, whatever the number of
contacts or messages; the page and its JSON (polled by static/delivery-progress.js) read
the same objects. Their words (labels, phases, summaries) are written in the language of
the page asking (static/delivery-progress.js writes none of its own).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.constants import OUTBOX_STATUSES
from ..domain.errors import NotFound
from ..domain.messages import recalled
from ..extensions import db
from ..models import Briefing, Contact, Fanout, Mission, OutboxMessage, State, UprSession
from .languages import N_, _, ngettext

#: the outbox statuses in the secretariat's words (English), in the order the panel shows
#: them; `status_words()` gives them in the page's language
STATUS_WORDS = {"pending": N_("queued"), "sending": N_("sending"),
                "waiting": N_("waiting for the mail relay"), "sent": N_("sent"),
                "failed": N_("failed"), "withdrawn": N_("withdrawn")}
#: messages not yet sent nor given up: the delivery is still going on
IN_FLIGHT = ("pending", "sending", "waiting")
#: fan-outs still to be composed
COMPOSING = ("queued", "composing")
#: the outbox kind of the messages each kind of fan-out writes
MESSAGE_KIND = {"invite": "request", "update": "request", "cancel": "cancel"}
#: fan-outs shown per briefing, newest first
RECENT_FANOUTS = 5
#: briefings shown in the Outbox page's panel, most recent first
MOST_BRIEFINGS = 20
#: recipients per page of the per-recipient list
RECIPIENTS_PER_PAGE = 100

#: (kind, sequence) of a group of a briefing's messages -> status -> count
Groups = dict[tuple[str, int | None], dict[str, int]]


def status_words() -> dict[str, str]:
    """STATUS_WORDS in the current language."""
    return {status: _(words) for status, words in STATUS_WORDS.items()}


def _figures(sent: int, failed: int = 0, withdrawn: int = 0, to_go: int | None = None,
             skip_zero: bool = False) -> str:
    """"3 sent, 2 to go, 1 failed": the figures of a phase or a summary, in words."""
    parts = [] if skip_zero and not sent else [ngettext("%(num)d sent", "%(num)d sent", sent)]
    if to_go is not None:
        parts.append(ngettext("%(num)d to go", "%(num)d to go", to_go))
    if failed:
        parts.append(ngettext("%(num)d failed", "%(num)d failed", failed))
    if withdrawn:
        parts.append(ngettext("%(num)d withdrawn", "%(num)d withdrawn", withdrawn))
    listed = parts[0] if parts else ""
    for part in parts[1:]:  # "a, b, c", with the language's comma
        listed = _("%(items)s, %(item)s", items=listed, item=part)
    return listed


def _no_messages() -> dict[str, int]:
    return {status: 0 for status in OUTBOX_STATUSES}


@dataclass
class FanoutProgress:
    """One fan-out: what was asked, what is written, and where its messages are."""

    id: int
    briefing_id: int
    kind: str
    sequence: int
    status: str
    recipients: int
    composed: int
    created_at: datetime | None
    #: its messages by outbox status (every status present, zeros included)
    messages: dict[str, int] = field(default_factory=_no_messages)

    @property
    def label(self) -> str:
        """"Invitations, version 0", "Update, version 2", "Cancellation"."""
        if self.kind == "cancel":
            return _("Cancellation")
        if self.kind == "invite":
            return _("Invitations, version %(sequence)s", sequence=self.sequence)
        return _("Update, version %(sequence)s", sequence=self.sequence)

    @property
    def unfinished(self) -> bool:
        """Still being composed, or some of its messages not yet sent nor given up."""
        return self.status in COMPOSING or any(self.messages[s] for s in IN_FLIGHT)

    @property
    def phase(self) -> str:
        """Where it stands, in one short sentence."""
        if self.status == "superseded":
            return _("Superseded: the newer version goes instead")
        if self.status == "queued":
            return _("Waiting for the delivery worker")
        if self.status == "composing":
            return _("Composing %(composed)s of %(recipients)s", composed=self.composed,
                     recipients=self.recipients)
        if self.unfinished:
            return ngettext("Sending: %(sent)s of %(num)d sent",
                            "Sending: %(sent)s of %(num)d sent", self.composed,
                            sent=self.messages["sent"])
        outcome = _figures(self.messages["sent"], self.messages["failed"],
                           self.messages["withdrawn"], skip_zero=True)
        return _("Finished: %(figures)s", figures=outcome) if outcome \
            else _("Finished: nothing to send")

    def as_dict(self) -> dict:
        """The figures as JSON-ready values (what the panel's script reads)."""
        return {"id": self.id, "kind": self.kind, "sequence": self.sequence,
                "label": self.label, "status": self.status, "phase": self.phase,
                "recipients": self.recipients, "composed": self.composed,
                "messages": dict(self.messages), "unfinished": self.unfinished}


@dataclass
class BriefingProgress:
    """A briefing's recent fan-outs, newest first, and its other messages (reminders,
    chasers, older versions) by status."""

    briefing_id: int
    start_at: datetime
    end_at: datetime
    status: str
    session_number: int
    fanouts: list[FanoutProgress]
    others: dict[str, int] = field(default_factory=_no_messages)

    @property
    def failed(self) -> int:
        """The briefing's failed messages shown here (what "Retry failed" would retry)."""
        return sum(f.messages["failed"] for f in self.fanouts) + self.others["failed"]

    @property
    def has_others(self) -> bool:
        return any(self.others.values())

    @property
    def unfinished(self) -> bool:
        return any(f.unfinished for f in self.fanouts) or \
            any(self.others[s] for s in IN_FLIGHT)

    @property
    def sent(self) -> int:
        return sum(f.messages["sent"] for f in self.fanouts) + self.others["sent"]

    @property
    def totals(self) -> dict[str, int]:
        """All the briefing's messages by status (those of its fan-outs and the others)."""
        totals = dict(self.others)
        for fanout in self.fanouts:
            for status, count in fanout.messages.items():
                totals[status] += count
        return totals

    @property
    def to_go(self) -> int:
        """Messages still to be written or sent (not yet sent nor given up)."""
        unwritten = sum(max(0, f.recipients - f.composed) for f in self.fanouts
                        if f.status in COMPOSING)
        in_flight = sum(f.messages[s] for f in self.fanouts for s in IN_FLIGHT)
        return unwritten + in_flight + sum(self.others[s] for s in IN_FLIGHT)

    @property
    def summary(self) -> str:
        """One sentence for the panel's live region."""
        if not self.fanouts and not self.has_others:
            return _("No e-mails for this briefing yet.")
        return _summary(self.unfinished, self.sent, self.to_go, self.failed)

    def as_dict(self) -> dict:
        return {"briefing_id": self.briefing_id, "unfinished": self.unfinished,
                "summary": self.summary, "failed": self.failed,
                "fanouts": [f.as_dict() for f in self.fanouts], "others": dict(self.others),
                "totals": self.totals}


@dataclass
class OutboxProgress:
    """The Outbox page's panel: every briefing with unfinished work (the MOST_BRIEFINGS
    most recently created, in time order), and the outbox's counts by status."""

    briefings: list[BriefingProgress]
    counts: dict[str, int]
    #: more briefings have unfinished work than are shown
    more: bool = False

    @property
    def unfinished(self) -> bool:
        return any(b.unfinished for b in self.briefings)

    @property
    def summary(self) -> str:
        """One sentence for the panel's live region."""
        if not self.briefings:
            return _("No delivery in progress.")
        return _summary(self.unfinished, sum(b.sent for b in self.briefings),
                        sum(b.to_go for b in self.briefings),
                        sum(b.failed for b in self.briefings))

    def as_dict(self) -> dict:
        return {"unfinished": self.unfinished, "summary": self.summary,
                "counts": dict(self.counts), "more": self.more,
                "briefings": [b.as_dict() for b in self.briefings]}


def _summary(unfinished: bool, sent: int, to_go: int, failed: int) -> str:
    """"In progress: 3 sent, 2 to go, 1 failed.", "Finished: 5 sent."."""
    if unfinished:
        return _("In progress: %(figures)s.", figures=_figures(sent, failed, to_go=to_go))
    return _("Finished: %(figures)s.", figures=_figures(sent, failed))


def for_briefing(briefing_id: int) -> BriefingProgress:
    """The delivery figures of one briefing (NotFound when there is none): three queries."""
    found = _briefing_rows([briefing_id])
    if not found:
        raise NotFound(f"no briefing {briefing_id}")
    fanouts = list(db.session.scalars(
        db.select(Fanout).where(Fanout.briefing_id == briefing_id)
        .order_by(Fanout.id.desc()).limit(RECENT_FANOUTS)))
    return _progress(found[briefing_id], fanouts, _message_groups([briefing_id])[briefing_id])


def for_outbox(also: list[int] | tuple[int, ...] = ()) -> OutboxProgress:
    """Every briefing with unfinished work (a fan-out not done, or messages queued,
    sending or waiting), plus the briefings in `also` (those a page already shows, so
    that it sees them finish), with the outbox's counts by status: five queries."""
    unfinished = _unfinished_briefing_ids(MOST_BRIEFINGS + 1)
    more = len(unfinished) > MOST_BRIEFINGS
    ids = sorted(set(unfinished[:MOST_BRIEFINGS]) | set(also[:MOST_BRIEFINGS]), reverse=True)
    rows = _briefing_rows(ids)
    ids = sorted((briefing_id for briefing_id in ids if briefing_id in rows),
                 key=lambda briefing_id: (rows[briefing_id][1], briefing_id))  # in time order
    fanouts: dict[int, list[Fanout]] = {briefing_id: [] for briefing_id in ids}
    if ids:
        for fanout in db.session.scalars(db.select(Fanout).where(Fanout.briefing_id.in_(ids))
                                         .order_by(Fanout.id.desc())):
            fanouts[fanout.briefing_id].append(fanout)
    groups = _message_groups(ids)
    briefings = [_progress(rows[briefing_id], fanouts[briefing_id][:RECENT_FANOUTS],
                           groups[briefing_id]) for briefing_id in ids]
    return OutboxProgress(briefings, _status_counts(), more)


def invitations_queued(briefing_ids: list[int]) -> int:
    """How many invitations the briefings' first fan-outs are for (the confirmation's figure)."""
    if not briefing_ids:
        return 0
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(Fanout.recipients), 0))
                             .where(Fanout.briefing_id.in_(briefing_ids),
                                    Fanout.kind == "invite")) or 0


# --- each recipient --------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    """One message of a fan-out: to whom, at which mission, and how it went."""

    message_id: int
    to_address: str
    contact_name: str | None
    mission: str | None
    status: str
    attempts: int
    #: as a page writes it (a kept sentence, or the relay's words)
    last_error: str
    sent_at: datetime | None

    @property
    def status_words(self) -> str:
        """The message's status in the current language ("waiting for the mail relay")."""
        return _(STATUS_WORDS[self.status])


@dataclass(frozen=True)
class RecipientPage:
    """One page of a fan-out's messages, by mission then address."""

    fanout: FanoutProgress
    recipients: list[Recipient]
    page: int
    pages: int
    total: int
    status: str | None


def recipients(briefing_id: int, fanout_id: int, page: int = 1,
               status: str | None = None) -> RecipientPage:
    """A page of the fan-out's messages (optionally of one status), RECIPIENTS_PER_PAGE per
    page; NotFound when the briefing has no such fan-out. A page past the end is the last."""
    fanout = db.session.scalar(db.select(Fanout).where(Fanout.id == fanout_id,
                                                       Fanout.briefing_id == briefing_id))
    if fanout is None:
        raise NotFound(f"briefing {briefing_id} has no delivery {fanout_id}")
    conditions = [OutboxMessage.briefing_id == briefing_id,
                  OutboxMessage.kind == MESSAGE_KIND[fanout.kind],
                  OutboxMessage.sequence == fanout.sequence]
    counts = dict(db.session.execute(db.select(OutboxMessage.status, db.func.count())
                                     .where(*conditions).group_by(OutboxMessage.status)).all())
    status = status if status in OUTBOX_STATUSES else None
    if status:
        conditions.append(OutboxMessage.status == status)
    total = counts.get(status, 0) if status else sum(counts.values())
    pages = max(1, math.ceil(total / RECIPIENTS_PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.to_address, Contact.name, State.name,
                  OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error,
                  OutboxMessage.last_error_said, OutboxMessage.sent_at)
        .select_from(OutboxMessage)
        .outerjoin(Contact, Contact.id == OutboxMessage.contact_id)
        .outerjoin(Mission, Mission.id == Contact.mission_id)
        .outerjoin(State, State.iso3 == Mission.state_iso3)
        .where(*conditions).order_by(State.name, OutboxMessage.to_address, OutboxMessage.id)
        .offset((page - 1) * RECIPIENTS_PER_PAGE).limit(RECIPIENTS_PER_PAGE)).all()
    progress = _fanout_progress(fanout, {**_no_messages(), **counts})
    return RecipientPage(progress, [Recipient(*row[:6], recalled(row[6], row[7]), row[8])
                                    for row in rows], page, pages, total, status)


# --- internals --------------------------------------------------------------------------

def _briefing_rows(ids: list[int]) -> dict[int, tuple]:
    """id -> (id, start, end, status, session number) of the briefings that exist."""
    if not ids:
        return {}
    return {row[0]: tuple(row) for row in db.session.execute(
        db.select(Briefing.id, Briefing.start_at, Briefing.end_at, Briefing.status,
                  UprSession.number).join(UprSession, UprSession.id == Briefing.session_id)
        .where(Briefing.id.in_(ids))).all()}


def _message_groups(ids: list[int]) -> dict[int, Groups]:
    """briefing id -> (kind, sequence) -> status -> count, in one grouped query."""
    groups: dict[int, Groups] = {briefing_id: {} for briefing_id in ids}
    if not ids:
        return groups
    for briefing_id, kind, sequence, status, count in db.session.execute(
            db.select(OutboxMessage.briefing_id, OutboxMessage.kind, OutboxMessage.sequence,
                      OutboxMessage.status, db.func.count())
            .where(OutboxMessage.briefing_id.in_(ids))
            .group_by(OutboxMessage.briefing_id, OutboxMessage.kind, OutboxMessage.sequence,
                      OutboxMessage.status)).all():
        groups[briefing_id].setdefault((kind, sequence), _no_messages())[status] = count
    return groups


def _unfinished_briefing_ids(limit: int) -> list[int]:
    """The briefings with a fan-out to compose or messages in flight, most recent first."""
    composing = db.select(Fanout.briefing_id.label("briefing_id")).where(
        Fanout.status.in_(COMPOSING))
    in_flight = db.select(OutboxMessage.briefing_id.label("briefing_id")).where(
        OutboxMessage.status.in_(IN_FLIGHT), OutboxMessage.briefing_id.is_not(None))
    either = db.union(composing, in_flight).subquery()
    return list(db.session.scalars(db.select(either.c.briefing_id)
                                   .order_by(either.c.briefing_id.desc()).limit(limit)))


def _status_counts() -> dict[str, int]:
    counts = dict(db.session.execute(db.select(OutboxMessage.status, db.func.count())
                                     .group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in OUTBOX_STATUSES}


def _fanout_progress(fanout: Fanout, messages: dict[str, int]) -> FanoutProgress:
    return FanoutProgress(fanout.id, fanout.briefing_id, fanout.kind, fanout.sequence,
                          fanout.status, fanout.recipients, fanout.composed,
                          fanout.created_at, messages)


def _progress(row: tuple, fanouts: list[Fanout], groups: Groups) -> BriefingProgress:
    """Give each group of messages to the newest fan-out that wrote it; the rest are
    the briefing's other messages."""
    groups = dict(groups)
    shown = [_fanout_progress(fanout, groups.pop((MESSAGE_KIND[fanout.kind], fanout.sequence),
                                                 _no_messages()))
             for fanout in fanouts]  # newest first: a duplicate older one gets zeros
    others = _no_messages()
    for counts in groups.values():
        for status, count in counts.items():
            others[status] += count
    briefing_id, start_at, end_at, status, number = row
    return BriefingProgress(briefing_id, start_at, end_at, status, number, shown, others)
