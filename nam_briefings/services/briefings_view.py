"""Read-only helpers for a briefing's page, its reschedule / cancel steps and the RSVP pages.

`services.briefings` and `services.invitations` change briefings and answers; this
module only reads, so that the pages can say beforehand who a change will reach.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..domain.constants import CONTACT_ROLES
from ..domain.errors import Invalid
from ..extensions import db
from ..models import Briefing, BriefingItem, Contact, Fanout, Invitation
from . import clock, invitations
from .languages import _


@dataclass(frozen=True)
class Audience:
    """Who an update or a cancellation of a briefing goes to."""

    #: invited contacts (one message each)
    contacts: int
    #: the missions they belong to
    missions: int


def notified_audience(briefing: Briefing, cancelling: bool = False) -> Audience:
    """Everyone who was sent the briefing: an update or cancellation goes to them all.

    The same people `invitations.send_update` and `send_cancellation` write to: the
    invitations that have had a version sent (`last_sequence_sent` set).
    While its first invitations are still being composed, an update goes to the whole
    audience, and a cancellation (`cancelling`) only to those already written to.
    """
    if not cancelling and _invitations_composing(briefing):
        rows = invitations.audience_missions()
    else:
        rows = db.session.execute(
            db.select(Invitation.contact_id, Contact.mission_id).join(Invitation.contact)
            .where(Invitation.briefing_id == briefing.id,
                   Invitation.last_sequence_sent.is_not(None))).all()
    return Audience(contacts=len(rows), missions=len({mission_id for _, mission_id in rows}))


def _invitations_composing(briefing: Briefing) -> bool:
    return db.session.scalar(db.select(Fanout.id).where(
        Fanout.briefing_id == briefing.id, Fanout.kind == "invite",
        Fanout.status.in_(("queued", "composing"))).limit(1)) is not None


def mission_slot(invitation: Invitation) -> BriefingItem | None:
    """The invited contact's mission's place on the agenda (also when it was released)."""
    iso3 = invitation.contact.mission.state_iso3
    return next((item for item in invitation.briefing.items
                 if item.review.state_iso3 == iso3), None)


def is_past(briefing: Briefing) -> bool:
    """True once the briefing has started (by the service clock, which tests may pin)."""
    return briefing.start_at <= clock.now()


# --- the roster, narrowed and sorted ---------------------------------------------------------

#: the roster's answer filter: the mission's answer (its contacts' best)
ANSWER_FILTERS = {"accepted": "ACCEPTED", "tentative": "TENTATIVE", "declined": "DECLINED",
                  "none": "NEEDS-ACTION"}
#: the roster's orders: agenda (presenters first, in order of presentation), then by name
ROSTER_SORTS = ("agenda", "name", "answer", "answered")
#: "answer" order: those to chase first
_ANSWER_ORDER = {"NEEDS-ACTION": 0, "TENTATIVE": 1, "DECLINED": 2, "ACCEPTED": 3}


@dataclass(frozen=True)
class RosterQuery:
    """How the secretariat narrows and orders a briefing's roster (all optional)."""

    #: a key of ANSWER_FILTERS
    answer: str = ""
    #: "yes": presenting missions only; "no": the others
    presenting: str = ""
    #: a contact role (domain.constants.CONTACT_ROLES): only those contacts
    role: str = ""
    #: words of a state's name or ISO code, a contact's name or address
    search: str = ""
    sort: str = "agenda"

    def __post_init__(self) -> None:
        for name, value, allowed in (("answer", self.answer, ANSWER_FILTERS),
                                     ("presenting", self.presenting, ("yes", "no")),
                                     ("role", self.role, CONTACT_ROLES),
                                     ("sort", self.sort, ROSTER_SORTS)):
            if value and value not in allowed:
                raise Invalid(_("unknown %(name)s %(value)s: one of %(allowed)s", name=name,
                                value=repr(value), allowed=", ".join(allowed)), name)

    @property
    def narrowed(self) -> bool:
        return bool(self.answer or self.presenting or self.role or self.search.strip())


@dataclass(frozen=True)
class RosterView:
    """The roster as the page shows it: the rows that match, and how many missions in all."""

    rows: list[invitations.RosterRow]
    total: int
    query: RosterQuery


def roster_view(briefing: Briefing, query: RosterQuery) -> RosterView:
    """The briefing's roster narrowed and ordered by `query` (one mission a row; with a
    role or a search on contacts, only the contacts that match)."""
    rows = invitations.roster(briefing)
    matching = [row for row in (_narrow(row, query) for row in rows) if row is not None]
    return RosterView(_sorted(matching, query.sort), len(rows), query)


def _narrow(row: invitations.RosterRow, query: RosterQuery) -> invitations.RosterRow | None:
    if query.answer and row.partstat != ANSWER_FILTERS[query.answer]:
        return None
    if query.presenting and row.presenter != (query.presenting == "yes"):
        return None
    shown = [i for i in row.invitations if not query.role or i.contact.role == query.role]
    words = query.search.casefold().split()
    if words and not _matches(f"{row.state_name} {row.iso3}", words):
        shown = [i for i in shown
                 if _matches(f"{row.state_name} {row.iso3} {i.contact.name} {i.contact.email}",
                             words)]
    if not shown:
        return None
    return replace(row, invitations=shown) if len(shown) < len(row.invitations) else row


def _matches(text: str, words: list[str]) -> bool:
    text = text.casefold()
    return all(word in text for word in words)


def _sorted(rows: list[invitations.RosterRow], sort: str) -> list[invitations.RosterRow]:
    if sort == "name":
        return sorted(rows, key=lambda row: row.state_name)
    if sort == "answer":
        return sorted(rows, key=lambda row: (_ANSWER_ORDER[row.partstat], row.state_name))
    if sort == "answered":
        return sorted(rows, key=lambda row: -_last_answer(row))  # latest first, none last
    return rows  # already in agenda order


def _last_answer(row: invitations.RosterRow) -> float:
    times = [i.answered_at.timestamp() for i in row.invitations if i.answered_at]
    return max(times, default=float("-inf"))
