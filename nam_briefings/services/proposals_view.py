"""Read-only helpers for the session page's briefing section: proposals as people read them.

`services.briefings` plans, confirms and sets briefings; this module only reads. It turns
stored proposals (the planner's JSON) into objects with aware datetimes for the
templates, says what the proposals rest on (the Council sessions and closures on file),
lists the rooms offered for a briefing set by hand, and works out which rules a
re-planning form actually changes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from ..domain import coverage, planner
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import Proposal, Room
from . import briefings
from .languages import _, current_language, phrasing

#: the rules the session page lets the secretariat change, in the order of the form
EDITABLE_RULES = (
    "window_working_days",
    "preferred_lead_working_days",
    "meeting_hours",
    "minutes_per_state",
    "opening_minutes",
    "max_states_per_meeting",
    "min_gap_working_days",
    "expected_audience",
    "include_observers",
)
#: how the planner starts each reason of a proposal for an expected session
TENTATIVE_MARK = "(Tentative) "
#: how the planner starts the reason about the days between a proposal's meetings
SPACING_REASON = "Between the meetings: "


@dataclass(frozen=True)
class AgendaLine:
    """One presenting state in a proposed meeting, in agenda order (1 = first)."""

    position: int
    iso3: str
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ProposedMeeting:
    """One meeting of a proposal: aware start and end, the room, and its agenda."""

    start: datetime
    end: datetime
    room: str
    agenda: list[AgendaLine]


#: how the planner's last reason begins: the score and its parts ("Score +0.50: lead time …")
SCORE_REASON = "Score "


@dataclass(frozen=True)
class ProposalView:
    """A stored proposal ready for a template, its reasons in the page's language.

    `reasons` are in `language`: the page's, or English for a proposal planned before the
    reasons were written in every language. What each line is (a meeting's, the spacing,
    the score) is read from the English line at the same place (`english_reasons`).
    """

    key: str
    rank: int
    score: float
    status: str
    reasons: list[str]
    meetings: list[ProposedMeeting]
    #: the rules changed for the planning run that made it (name -> value as given)
    rules: dict[str, Any]
    #: the language `reasons` are written in (for the lang= of their element)
    language: str = "en"
    #: the planner's English reasons, line for line with `reasons` (None: `reasons` are)
    english_reasons: list[str] | None = None
    #: how a reason of a tentative proposal begins in `language`
    tentative_mark: str = TENTATIVE_MARK

    @property
    def is_open(self) -> bool:
        """True while the proposal can still be confirmed."""
        return self.status == "open"

    def _lines(self) -> list[tuple[str, str]]:
        """Each reason beside its English."""
        english = self.reasons if self.english_reasons is None else self.english_reasons
        return list(zip(self.reasons, english))

    @property
    def plain_reasons(self) -> list[str]:
        """The reasons in words, without the score's breakdown (that is in `score_parts`)."""
        return [line for line, english in self._lines() if not english.startswith(SCORE_REASON)]

    @property
    def score_parts(self) -> str:
        """How the score is made ("lead time … -1.00, morning +1.00, …"), or ""."""
        for line, english in self._lines():
            if english.startswith(SCORE_REASON):
                if line == english:
                    return line.split(": ", 1)[-1]
                return line.split(":", 1)[-1].strip()  # "Score +0,50 : délai …"
        return ""

    @property
    def main_reason(self) -> str:
        """What sets the proposal apart, for the session page's comparison table: the
        spacing of its meetings when it has several, else what the planner says of its one
        meeting (its lead time, the Council session, the time of day)."""
        lines = [(line.removeprefix(self.tentative_mark), english.removeprefix(TENTATIVE_MARK))
                 for line, english in self._lines()]
        spacing = [line for line, english in lines if english.startswith(SPACING_REASON)]
        if spacing:
            return spacing[0]
        # a meeting's reason reads "Tue 22 Apr 2025, 10:00–11:30 (Room): what fits"
        said = [_what_fits(line, english, self.meetings[0].room if self.meetings else "")
                for line, english in lines if "): " in english]
        return said[0] if said else (lines[-1][0] if lines else "")


def _what_fits(line: str, english: str, room: str) -> str:
    """What a meeting's reason says after its day, time and room (in any language: after
    the room's name, which no language changes)."""
    if line == english:
        return english.split("): ", 1)[1]
    head, found, rest = line.partition(f"({room})")
    return rest.lstrip(" \u00a0\u202f:") if found else line


def reasons_in(proposal: Proposal, language: str) -> tuple[list[str], str]:
    """A stored proposal's reasons in `language`, and the language they are in: English
    when they were not stored in it (planned before the reasons were translated)."""
    english = list(proposal.reasons)
    stored = (proposal.reasons_by_language or {}).get(language)
    if language != "en" and isinstance(stored, list) and len(stored) == len(english):
        return list(stored), language
    return english, "en"


def proposal_view(proposal: Proposal) -> ProposalView:
    """A stored proposal with its meetings' times parsed (they carry their UTC offset),
    its reasons in the current language (`reasons_in`)."""
    meetings = [
        ProposedMeeting(
            start=datetime.fromisoformat(meeting["start"]),
            end=datetime.fromisoformat(meeting["end"]),
            room=meeting["room"],
            agenda=[AgendaLine(position, item["iso3"], item["name"],
                               datetime.fromisoformat(item["start"]),
                               datetime.fromisoformat(item["end"]))
                    for position, item in enumerate(meeting["agenda"], start=1)],
        )
        for meeting in proposal.meetings
    ]
    reasons, language = reasons_in(proposal, current_language())
    translated = language != "en"
    return ProposalView(key=proposal.key, rank=proposal.rank, score=proposal.score,
                        status=proposal.status, reasons=reasons,
                        meetings=meetings, rules=dict(proposal.rules or {}), language=language,
                        english_reasons=list(proposal.reasons) if translated else None,
                        tentative_mark=_("(Tentative) %(reason)s", reason="")
                        if translated else TENTATIVE_MARK)


def open_proposal_views(number: int) -> list[ProposalView]:
    """The session's open proposals, best first (NotFound for an unknown session)."""
    return [proposal_view(p) for p in briefings.open_proposals(number)]


def proposals_coverage(number: int, proposals: list[ProposalView]) -> coverage.Coverage:
    """What the Council sessions and closures on file cover of the window the proposals
    were planned in (the rules they were planned with), as of now."""
    overrides = proposals[0].rules if proposals else {}
    try:
        rules = briefings.configured_rules(overrides)
    except Invalid:  # rules stored by an older version: the window as configured now
        rules = briefings.configured_rules()
    return briefings.session_coverage(briefings.get_session(number), rules, phrasing())


def get_proposal(number: int, key: str) -> ProposalView:
    """The proposal `key` of session `number`, whatever its status; NotFound otherwise."""
    session = briefings.get_session(number)
    proposal = db.session.scalar(db.select(Proposal).filter_by(key=key.strip(),
                                                               session_id=session.id))
    if proposal is None:
        raise NotFound(_("Session %(number)s has no proposal %(key)s: plan the session again.",
                         number=number, key=key))
    return proposal_view(proposal)


def active_rooms() -> list[Room]:
    """Rooms a briefing may take place in, largest first (as the planner tries them)."""
    return list(db.session.scalars(db.select(Room).filter_by(active=True)
                                   .order_by(Room.capacity.desc(), Room.name)))


def rule_form_values(rules: planner.Rules) -> dict[str, Any]:
    """The editable rules as a form shows them (meeting hours as "10:00-13:00, 15:00-18:00")."""
    values: dict[str, Any] = {name: getattr(rules, name) for name in EDITABLE_RULES}
    values["meeting_hours"] = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in rules.meeting_hours)
    return values


def rule_overrides(submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted rules whose value differs from the configured ones, as given.

    Empty values mean "as configured". Each value is checked on its own, so a bad one
    raises Invalid with `field` set to the rule's name (the message names the rule too).
    """
    configured = briefings.configured_rules()
    known = {spec.name for spec in fields(planner.Rules)}
    changed: dict[str, Any] = {}
    for name, value in submitted.items():
        if name not in known:
            raise Invalid(f"unknown rule {name!r}", field=name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            parsed = configured.with_overrides(**{name: value})
        except Invalid as error:
            raise Invalid(str(error), field=name) from None
        if getattr(parsed, name) != getattr(configured, name):
            changed[name] = value.strip() if isinstance(value, str) else value
    return changed
