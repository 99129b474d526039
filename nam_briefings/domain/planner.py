"""Briefing proposals: when, and in which groups, the NAM states under review brief the NAM.

Before each UPR Working Group session, the Permanent Missions of the NAM members under
review brief the other NAM missions. `propose` turns the session, its presenters, the rooms
and the busy periods into ranked, explained proposals; `result_to_json` gives them the JSON
shape of the CLI. Everything here is pure and deterministic: the same input gives the same
proposals, with the same ids.

How a plan is made:

* **Presenters** are the NAM members under review (observers too with
  `Rules.include_observers`), in review order (`Presenter.position`).
* **Meetings**: at most `max_states_per_meeting` states per meeting; more presenters make
  several meetings, split as evenly as possible, the first states in the first meeting.
  The meetings of a proposal take place in that order, at least `min_gap_working_days` apart
  (0: the same day is allowed, one after the other).
* A meeting opens (`opening_minutes`), then each state has `minutes_per_state`; the room is
  booked in whole slots (`slot_minutes`), so the time after the last state is for questions.
* **Window**: the `window_working_days` working days just before the session starts (never on
  or after its first day). Working days are Monday to Friday except Geneva public holidays.
* **Hard constraints**, never broken: the window, the meeting hours (Geneva wall-clock, each
  meeting inside one block), busy periods of every kind except `hrc_session` (global ones,
  the room's own bookings, and the blackouts of the missions presenting in the meeting), a
  room seating `expected_audience`, and `not_before` when given.
* **Score** (higher is better), the sum of:
  lead time ``-lead_time_weight * |lead - preferred_lead_working_days|`` per meeting, where
  lead is how many working days before the session the meeting is (1 = the last working
  day before it); HRC overlap ``-hrc_weight`` per meeting that overlaps a soft busy period
  (a Human Rights Council session); morning ``+morning_weight`` per meeting starting before
  noon; spacing ``-spacing_weight * |gap - preferred_gap_working_days|`` between consecutive
  meetings (gap in working days); mission preferences ``+mission_weight`` per presenting
  state whose preferred day it is, ``-mission_weight`` per state avoiding it.
* **Search**: every start slot of every window day is a candidate for each meeting; a
  dynamic programme over the meetings in order finds the best plans exactly. Proposals are
  the best `max_proposals` plans that differ in their days (one per combination of days),
  ties going to the earlier times.
* **Words**: each proposal's reasons and the lines of why nothing fits are written in
  English (`reasons`, `why`: what `result_to_json` gives, unchanged), and line for line in
  each language the caller gives a `Phrasing` for (domain.phrasing; the services give
  French, Spanish and Arabic): `reasons_by_language`, `why_by_language`.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import wording
from .calendar import GENEVA, geneva_public_holidays, is_working_day, working_days_before
from .errors import Invalid
from .phrasing import ENGLISH, Phrasing

#: busy kinds that are only a preference (see constants.BUSY_KINDS); all others block
SOFT_KINDS = frozenset({"hrc_session"})
#: the planner's English: days as `format_day` writes them, whatever the process's locale
_ENGLISH = replace(ENGLISH, day=lambda day: format_day(day))

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    """A UPR Working Group session: its number and first and last days.

    `expected`: the session is only forecast by the UPR rotation (OHCHR has not published
    its dates or order of review yet), so whatever is proposed for it is tentative.
    """

    number: int
    start_date: date
    end_date: date
    expected: bool = False


@dataclass(frozen=True)
class Presenter:
    """A state under review in the session, who may brief the NAM before it.

    `position` is the order of review; `nam_status` is "member", "observer" or "none"
    (only members present, and observers when the rules say so). The review day and start,
    where known, are carried for the caller; planning uses the order alone.
    """

    iso3: str
    name: str
    position: int
    nam_status: str = "member"
    review_date: date | None = None
    review_start: datetime | None = None


@dataclass(frozen=True)
class Busy:
    """A period (aware datetimes, end exclusive) when briefings should not take place.

    Global when `room` and `mission_iso3` are None; a booking of that room when `room` is
    set; a mission's blackout when `mission_iso3` is set (it blocks only meetings where that
    mission presents). Kind "hrc_session" is a soft preference; every other kind ("closure",
    "meeting", "blackout", "briefing" for other confirmed briefings...) blocks.
    """

    start: datetime
    end: datetime
    kind: str
    label: str
    room: str | None = None
    mission_iso3: str | None = None

    @property
    def is_soft(self) -> bool:
        """True when this period is only a preference, not a block."""
        return self.kind in SOFT_KINDS


@dataclass(frozen=True)
class Room:
    """A meeting room and how many people it seats. Rooms are tried in the order given."""

    name: str
    capacity: int


@dataclass(frozen=True)
class MissionPreference:
    """Days a presenting mission would like, or would rather avoid (soft).

    Weekdays count from 0 = Monday.
    """

    iso3: str
    preferred_days: frozenset[date] = frozenset()
    avoided_days: frozenset[date] = frozenset()
    preferred_weekdays: frozenset[int] = frozenset()
    avoided_weekdays: frozenset[int] = frozenset()

    def leaning(self, day: date) -> int:
        """+1 for a preferred day, -1 for an avoided one, 0 otherwise (avoiding wins)."""
        if day in self.avoided_days or day.weekday() in self.avoided_weekdays:
            return -1
        if day in self.preferred_days or day.weekday() in self.preferred_weekdays:
            return 1
        return 0


Hours = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class Rules:
    """How proposals are made; every rule has a default and can be overridden per call.

    Build variants with `with_overrides(name=value, ...)`, which also accepts the text of
    a command-line option or a form field. Invalid values raise `Invalid`.
    """

    #: observers under review present too (by default only NAM members do)
    include_observers: bool = False
    #: the window: how many working days before the session start
    window_working_days: int = 15
    #: the lead time aimed for, in working days before the session (1 = the day before)
    preferred_lead_working_days: int = 3
    #: meeting hours in Geneva wall-clock time; a meeting lies inside one block
    meeting_hours: Hours = ((time(10, 0), time(13, 0)), (time(15, 0), time(18, 0)))
    #: granularity of start times and of room bookings
    slot_minutes: int = 30
    #: the chair's opening of each meeting
    opening_minutes: int = 10
    #: each presenting state's briefing
    minutes_per_state: int = 20
    #: more presenters than this make several meetings
    max_states_per_meeting: int = 4
    #: working days between two meetings of one session (0: same day, one after the other)
    min_gap_working_days: int = 1
    #: the spacing aimed for between consecutive meetings, in working days
    preferred_gap_working_days: int = 1
    #: NAM delegates expected; the room must seat them
    expected_audience: int = 120
    #: how many alternatives to propose
    max_proposals: int = 5
    #: penalty per meeting overlapping a Human Rights Council session (soft busy period)
    hrc_weight: float = 3.0
    #: penalty per working day away from the preferred lead time, per meeting
    lead_time_weight: float = 1.0
    #: bonus per meeting starting before noon
    morning_weight: float = 0.5
    #: penalty per working day away from the preferred gap, between consecutive meetings
    spacing_weight: float = 0.5
    #: bonus (penalty) per presenting mission whose preferred (avoided) day it is
    mission_weight: float = 1.0

    def __post_init__(self) -> None:
        for spec in fields(self):
            _validate_rule(spec.name, getattr(self, spec.name))
        _validate_hours(self.meeting_hours)

    def with_overrides(self, **overrides: Any) -> Rules:
        """These rules with some values changed; None values are ignored.

        Values may be given typed or as text ("true", "25", "2.5",
        "10:00-13:00,15:00-18:00"). Unknown names and bad values raise `Invalid`.
        """
        known = {spec.name for spec in fields(self)}
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                raise Invalid(f"unknown rule {name!r}; the rules are: {', '.join(sorted(known))}")
            if value is not None:
                changes[name] = _coerce_rule(name, value, getattr(self, name))
        return replace(self, **changes)

    def meeting_minutes(self, states: int) -> int:
        """How long the meeting of `states` presenters books its room (whole slots)."""
        needed = self.opening_minutes + states * self.minutes_per_state
        return math.ceil(needed / self.slot_minutes) * self.slot_minutes

    def describe_hours(self, w: Phrasing = ENGLISH) -> str:
        """The meeting hours as people write them, e.g. "10:00–13:00, 15:00–18:00" (in `w`'s
        language: "10 h 00–13 h 00, 15 h 00–18 h 00")."""
        return _hours_text(self, _ENGLISH if w is ENGLISH else w)


_RULE_LIMITS: dict[str, tuple[int, int]] = {
    "window_working_days": (1, 120),
    "preferred_lead_working_days": (1, 120),
    "slot_minutes": (5, 240),
    "opening_minutes": (0, 240),
    "minutes_per_state": (1, 240),
    "max_states_per_meeting": (1, 50),
    "min_gap_working_days": (0, 60),
    "preferred_gap_working_days": (0, 60),
    "expected_audience": (1, 100_000),
    "max_proposals": (1, 50),
}


def _validate_rule(name: str, value: Any) -> None:
    if name in _RULE_LIMITS:
        low, high = _RULE_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"{name} must be a whole number from {low} to {high} (got {value!r})")
    elif name.endswith("_weight"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value < 0:
            raise Invalid(f"{name} must be a number of 0 or more (got {value!r})")
    elif name == "include_observers" and not isinstance(value, bool):
        raise Invalid(f"include_observers must be true or false (got {value!r})")


def _validate_hours(hours: Any) -> None:
    if not isinstance(hours, tuple) or not hours:
        raise Invalid("meeting_hours needs at least one block, e.g. 10:00-13:00")
    previous_end: time | None = None
    for block in hours:
        if not (isinstance(block, tuple) and len(block) == 2
                and all(isinstance(t, time) and t.tzinfo is None for t in block)):
            raise Invalid(f"meeting_hours: {block!r} is not a (start, end) pair of times")
        start, end = block
        if end <= start:
            raise Invalid(f"meeting_hours: {start:%H:%M}–{end:%H:%M} ends before it starts")
        if previous_end is not None and start < previous_end:
            raise Invalid("meeting_hours: blocks must be in order of the day and not overlap "
                          f"({start:%H:%M} starts before {previous_end:%H:%M})")
        previous_end = end


def _coerce_rule(name: str, value: Any, default: Any) -> Any:
    """Turn the text of an option into the rule's type; typed values pass unchanged."""
    if not isinstance(value, str):
        if name == "meeting_hours" and isinstance(value, (list, tuple)):
            return tuple((_as_time(a), _as_time(b)) for a, b in value)
        return value
    text = value.strip()
    if name == "meeting_hours":
        return parse_meeting_hours(text)
    if isinstance(default, bool):
        if text.lower() in {"1", "true", "yes", "on"}:
            return True
        if text.lower() in {"0", "false", "no", "off"}:
            return False
        raise Invalid(f"{name} must be true or false (got {value!r})")
    try:
        return int(text) if isinstance(default, int) else float(text)
    except ValueError:
        raise Invalid(f"{name} must be a number (got {value!r})") from None


def _as_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    hours, _, minutes = str(value).strip().partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise Invalid(f"meeting_hours: {value!r} is not a time like 10:00") from None


def parse_meeting_hours(text: str) -> Hours:
    """Parse "10:00-13:00,15:00-18:00" (en dash allowed) into meeting-hour blocks."""
    blocks = []
    for part in text.replace("–", "-").split(","):
        if part.count("-") != 1:
            raise Invalid(f"meeting_hours: {part.strip()!r} should look like 10:00-13:00")
        start, end = part.split("-")
        blocks.append((_as_time(start), _as_time(end)))
    _validate_hours(tuple(blocks))
    return tuple(blocks)


#: the rules with every default
DEFAULT_RULES = Rules()


# --- outputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """One state's briefing inside a meeting (Geneva-aware times)."""

    iso3: str
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Meeting:
    """One briefing meeting: Geneva-aware start and end, the room, the agenda in review order."""

    start: datetime
    end: datetime
    room: str
    agenda: list[AgendaItem]


@dataclass(frozen=True)
class Proposal:
    """A ranked alternative: its meetings, total score and the reasons in plain words.

    `id` is a short hash of the session number, times, rooms and states, so the same
    proposal always has the same id. `score_parts` splits the score by preference.
    """

    id: str
    rank: int
    score: float
    reasons: list[str]
    meetings: list[Meeting]
    score_parts: dict[str, float] = field(default_factory=dict)
    #: the reasons in the other languages asked for (language -> the same lines, in the
    #: same order, as `reasons`, which are English)
    reasons_by_language: dict[str, list[str]] = field(default_factory=dict)

    def reasons_in(self, language: str) -> list[str]:
        """The reasons in `language`, or in English when they were not written in it."""
        return list(self.reasons_by_language.get(language, self.reasons))


@dataclass(frozen=True)
class PlanResult:
    """The proposals for a session, best first; `why` explains when none fit (English;
    `why_by_language` in the other languages asked for, line for line)."""

    session: int
    proposals: list[Proposal]
    why: list[str]
    why_by_language: dict[str, list[str]] = field(default_factory=dict)

    def why_in(self, language: str) -> list[str]:
        """Why nothing fits in `language`, or in English when it was not written in it."""
        return list(self.why_by_language.get(language, self.why))


@dataclass(frozen=True)
class MeetingCheck:
    """A meeting set by hand: `problems` break hard constraints, `warnings` soft ones."""

    problems: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        """True when no hard constraint is broken."""
        return not self.problems


# --- the calendar of one plan ------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """The working days of the window, oldest first, and their lead times."""

    days: list[date]
    lead: dict[date, int]

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]


def planning_window(session: SessionInfo, rules: Rules = DEFAULT_RULES) -> list[date]:
    """The working days when briefings for `session` may take place, oldest first."""
    return working_days_before(session.start_date, rules.window_working_days)


def _window(session: SessionInfo, rules: Rules) -> _Window:
    days = planning_window(session, rules)
    return _Window(days=days, lead={day: len(days) - i for i, day in enumerate(days)})


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class _Period:
    start: int
    end: int
    busy: Busy


class _BusyIndex:
    """Busy periods by scope and strength, as integer intervals for quick overlap tests."""

    def __init__(self, busy: Iterable[Busy], low: int, high: int) -> None:
        self.hard: dict[tuple[str, str | None], list[_Period]] = {}
        self.soft: dict[tuple[str, str | None], list[_Period]] = {}
        for item in busy:
            _check_busy(item)
            start = math.floor(item.start.timestamp())
            end = math.ceil(item.end.timestamp())
            if end <= low or start >= high:
                continue
            table = self.soft if item.is_soft else self.hard
            table.setdefault(_scope(item), []).append(_Period(start, end, item))

    def conflicts(self, start: int, end: int, room: str | None, missions: Iterable[str],
                  soft: bool = False) -> list[Busy]:
        """The periods overlapping [start, end) for this room and these missions."""
        table = self.soft if soft else self.hard
        keys = [("global", None), ("room", room)] + [("mission", iso3) for iso3 in missions]
        return [p.busy for key in keys for p in table.get(key, ())
                if p.start < end and start < p.end]

    def blocked(self, start: int, end: int, scopes: Iterable[tuple[str, str | None]]) -> bool:
        """True when a hard period of one of these scopes overlaps [start, end)."""
        for key in scopes:
            for p in self.hard.get(key, ()):
                if p.start < end and start < p.end:
                    return True
        return False


def _scope(item: Busy) -> tuple[str, str | None]:
    if item.room is not None:
        return ("room", item.room)
    if item.mission_iso3 is not None:
        return ("mission", item.mission_iso3)
    return ("global", None)


def _check_busy(item: Busy) -> None:
    if item.start.tzinfo is None or item.end.tzinfo is None:
        raise Invalid(f"busy period {item.label!r} needs time-zone-aware start and end")
    if item.end <= item.start:
        raise Invalid(f"busy period {item.label!r} ends before it starts")


def _local(day: date, minute: int) -> tuple[datetime, int] | None:
    """The Geneva-aware time `minute` minutes after midnight and its epoch second.

    None when the clock change makes that wall-clock time skipped or ambiguous.
    """
    aware = datetime.combine(day, time(), GENEVA) + timedelta(minutes=minute)
    if aware.utcoffset() != aware.replace(fold=1).utcoffset():
        return None
    return aware, _epoch(aware)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


# --- candidates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """A possible time and room for one meeting, with its own part of the score."""

    day_index: int
    start: datetime
    end: datetime
    start_key: int
    end_key: int
    room: str
    score: float
    parts: tuple[float, float, float, float]  # lead time, HRC overlap, morning, missions
    soft: tuple[Busy, ...]


def split_into_meetings(presenters: Sequence[Presenter], max_states: int) -> list[list[Presenter]]:
    """Presenters (in review order) split into as few meetings as `max_states` allows.

    Sizes are as even as possible, the larger meetings first; review order is kept.
    """
    if not presenters:
        return []
    count = math.ceil(len(presenters) / max_states)
    base, extra = divmod(len(presenters), count)
    groups, at = [], 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        groups.append(list(presenters[at:at + size]))
        at += size
    return groups


def presenting(presenters: Iterable[Presenter], rules: Rules = DEFAULT_RULES) -> list[Presenter]:
    """The presenters who brief under these rules, in review order."""
    statuses = {"member", "observer"} if rules.include_observers else {"member"}
    chosen = sorted((p for p in presenters if p.nam_status in statuses),
                    key=lambda p: (p.position, p.iso3))
    seen: set[str] = set()
    for p in chosen:
        if p.iso3 in seen:
            raise Invalid(f"{p.name} ({p.iso3}) is listed twice among the presenters")
        seen.add(p.iso3)
    return chosen


class _Planner:
    """One planning run: the inputs, indexed once, and the candidate search."""

    def __init__(self, session: SessionInfo, rooms: Sequence[Room], busy: Sequence[Busy],
                 rules: Rules, preferences: Sequence[MissionPreference],
                 not_before: datetime | None) -> None:
        self.session = session
        self.rules = rules
        self.window = _window(session, rules)
        self.rooms = [r for r in rooms if r.capacity >= rules.expected_audience]
        low = _epoch(datetime.combine(self.window.first, time()).replace(tzinfo=GENEVA))
        high = _epoch(datetime.combine(session.start_date, time()).replace(tzinfo=GENEVA))
        self.session_start_key = high
        self.busy = _BusyIndex(busy, low - 86400, high + 86400)
        self.all_soft = sorted((b for b in busy if b.is_soft), key=lambda b: (b.start, b.label))
        self.preferences = {p.iso3: p for p in preferences}
        if not_before is not None and not_before.tzinfo is None:
            raise Invalid("not_before needs a time zone")
        self.not_before = _epoch(not_before) if not_before is not None else None
        self._instants: dict[tuple[date, int], tuple[datetime, int] | None] = {}

    def instant(self, day: date, minute: int) -> tuple[datetime, int] | None:
        """`_local`, remembered for this run (meetings of one plan share their slots)."""
        key = (day, minute)
        if key not in self._instants:
            self._instants[key] = _local(day, minute)
        return self._instants[key]

    def candidates(self, group: Sequence[Presenter],
                   minutes: int | None = None) -> list[_Candidate]:
        """Every feasible (day, start, room) for the meeting of `group`, in time order;
        `minutes` long (default: as long as the rules make a meeting of that many states)."""
        rules = self.rules
        duration = minutes or rules.meeting_minutes(len(group))
        missions = [p.iso3 for p in group]
        shared = [("global", None)] + [("mission", iso3) for iso3 in missions]
        found = []
        for index, day in enumerate(self.window.days):
            lead_part = -rules.lead_time_weight * abs(
                self.window.lead[day] - rules.preferred_lead_working_days)
            mission_part = rules.mission_weight * sum(
                self.preferences[iso3].leaning(day) for iso3 in missions
                if iso3 in self.preferences)
            for block_start, block_end in rules.meeting_hours:
                last = _minutes(block_end) - duration
                for minute in range(_minutes(block_start), last + 1, rules.slot_minutes):
                    found += self._at(index, day, minute, duration, shared, missions,
                                      lead_part, mission_part)
        return found

    def _at(self, index: int, day: date, minute: int, duration: int,
            shared: list[tuple[str, str | None]], missions: list[str],
            lead_part: float, mission_part: float) -> list[_Candidate]:
        begin, finish = self.instant(day, minute), self.instant(day, minute + duration)
        if begin is None or finish is None or finish[1] - begin[1] != duration * 60:
            return []
        (start, start_key), (end, end_key) = begin, finish
        if self.not_before is not None and start_key < self.not_before:
            return []
        if end_key > self.session_start_key or self.busy.blocked(start_key, end_key, shared):
            return []
        rules = self.rules
        morning = rules.morning_weight if minute < 12 * 60 else 0.0
        best: _Candidate | None = None
        for room in self.rooms:
            if self.busy.blocked(start_key, end_key, [("room", room.name)]):
                continue
            soft = tuple(self.busy.conflicts(start_key, end_key, room.name, missions, soft=True))
            hrc = -rules.hrc_weight if soft else 0.0
            parts = (lead_part, hrc, morning, mission_part)
            candidate = _Candidate(index, start, end, start_key, end_key, room.name,
                                   sum(parts), parts, soft)
            if best is None or candidate.score > best.score:
                best = candidate
            if not soft:
                break
        return [best] if best is not None else []


# --- the search -------------------------------------------------------------------------

#: a (partial) plan: score, start times and days (for ordering), candidates
_Plan = tuple[float, tuple[int, ...], tuple[int, ...], tuple[_Candidate, ...]]


def _start(c: _Candidate, score: float) -> _Plan:
    return (score, (c.start_key,), (c.day_index,), (c,))


def _extend(plan: _Plan, c: _Candidate, score: float) -> _Plan:
    return (score, plan[1] + (c.start_key,), plan[2] + (c.day_index,), plan[3] + (c,))


def _order(plan: _Plan) -> tuple[float, tuple[int, ...]]:
    return (-round(plan[0], 9), plan[1])


def _best(plans: Iterable[_Plan], limit: int) -> list[_Plan]:
    """The best `limit` plans, at most one per combination of days, best first."""
    chosen: list[_Plan] = []
    seen: set[tuple[int, ...]] = set()
    for plan in sorted(plans, key=_order):
        if plan[2] not in seen:
            seen.add(plan[2])
            chosen.append(plan)
            if len(chosen) == limit:
                break
    return chosen


def _spacing(gap: int, rules: Rules) -> float:
    return -rules.spacing_weight * abs(gap - rules.preferred_gap_working_days)


def _by_day(candidates: list[_Candidate]) -> dict[int, list[_Candidate]]:
    days: dict[int, list[_Candidate]] = {}
    for c in candidates:
        days.setdefault(c.day_index, []).append(c)
    return days


def _search(candidates: list[list[_Candidate]], rules: Rules) -> list[_Plan]:
    """The best plans (one candidate per meeting, in order), best first.

    A dynamic programme over the meetings keeps, for each day (and, when meetings may
    share a day, for each candidate), the best `max_proposals` partial plans with distinct
    days. Spacing only links consecutive meetings, so this is exact.
    """
    limit, same_day = rules.max_proposals, rules.min_gap_working_days == 0
    previous_days = _by_day(candidates[0])
    per_day: dict[int, list[_Plan]] = {}
    per_candidate: dict[int, list[_Plan]] = {}
    for day, cands in previous_days.items():
        per_day[day] = _best((_start(c, c.score) for c in cands), limit)
        per_candidate.update({id(c): [_start(c, c.score)] for c in cands})
    for group in candidates[1:]:
        days = _by_day(group)
        next_per_day: dict[int, list[_Plan]] = {}
        next_per_candidate: dict[int, list[_Plan]] = {}
        for day, cands in days.items():
            incoming = _best(((plan[0] + _spacing(day - before, rules),) + plan[1:]
                              for before, plans in per_day.items()
                              if day - before >= max(1, rules.min_gap_working_days)
                              for plan in plans), limit)
            if same_day:
                plans = []
                for c in cands:
                    mine = [_extend(p, c, p[0] + c.score) for p in incoming]
                    for earlier in previous_days.get(day, ()):
                        if earlier.end_key <= c.start_key:
                            mine += [_extend(p, c, p[0] + _spacing(0, rules) + c.score)
                                     for p in per_candidate[id(earlier)]]
                    next_per_candidate[id(c)] = _best(mine, limit)
                    plans += next_per_candidate[id(c)]
            else:
                top = min(cands, key=lambda c: (-round(c.score, 9), c.start_key))
                plans = [_extend(p, top, p[0] + top.score) for p in incoming]
            if plans:
                next_per_day[day] = _best(plans, limit)
        previous_days, per_day, per_candidate = days, next_per_day, next_per_candidate
    return _best((plan for plans in per_day.values() for plan in plans), limit)


# --- proposals --------------------------------------------------------------------------


def propose(session: SessionInfo, presenters: Sequence[Presenter], rooms: Sequence[Room],
            busy: Sequence[Busy] = (), rules: Rules = DEFAULT_RULES,
            preferences: Sequence[MissionPreference] = (),
            not_before: datetime | None = None,
            phrasings: Mapping[str, Phrasing] | None = None) -> PlanResult:
    """Ranked briefing proposals for `session`, or the reasons why none fit.

    `presenters` are the states under review (only those the rules let present are
    used); `rooms` in order of preference; `busy` every known busy period (aware times);
    `not_before` excludes meetings starting earlier (e.g. now, when re-planning).
    For an expected session every reason, and every line of why nothing fits, is marked
    tentative, after a first line saying why.

    The reasons and why nothing fits are in English (`reasons`, `why`), and in each
    language of `phrasings` (language code -> how it writes, see domain.phrasing) line for
    line besides (`reasons_by_language`, `why_by_language`).
    """
    words = {code: w for code, w in (phrasings or {}).items() if code != "en"}
    result = _propose(session, presenters, rooms, busy, rules, preferences, not_before, words)
    return _tentative(result, session, words) if session.expected else result


#: what writes some lines (reasons, why nothing fits) in the language of a phrasing
_Writer = Callable[[Phrasing], list[str]]


def _write(writer: _Writer, words: Mapping[str, Phrasing]
           ) -> tuple[list[str], dict[str, list[str]]]:
    """The lines in English, and in each language of `words`."""
    return writer(_ENGLISH), {code: writer(w) for code, w in words.items()}


def tentative_note(session: SessionInfo, phrasing: Phrasing | None = None) -> str:
    """The first reason of every proposal for an expected session (English by default)."""
    _ = (phrasing or _ENGLISH).gettext
    return _("Tentative: session %(number)s is expected (forecast), its dates and order of "
             "review are not yet published.", number=session.number)


def _tentative(result: PlanResult, session: SessionInfo,
               words: Mapping[str, Phrasing]) -> PlanResult:
    def marked(lines: Sequence[str], w: Phrasing) -> list[str]:
        return [tentative_note(session, w)] + [w.gettext("(Tentative) %(reason)s", reason=line)
                                               for line in lines]

    proposals = [replace(p, reasons=marked(p.reasons, _ENGLISH), reasons_by_language={
        code: marked(p.reasons_by_language[code], w) for code, w in words.items()})
        for p in result.proposals]
    if not result.why:
        return PlanResult(result.session, proposals, [])
    return PlanResult(result.session, proposals, marked(result.why, _ENGLISH), {
        code: marked(result.why_by_language[code], w) for code, w in words.items()})


def _propose(session: SessionInfo, presenters: Sequence[Presenter], rooms: Sequence[Room],
             busy: Sequence[Busy], rules: Rules, preferences: Sequence[MissionPreference],
             not_before: datetime | None, words: Mapping[str, Phrasing]) -> PlanResult:
    def nothing(writer: _Writer) -> PlanResult:
        return PlanResult(session.number, [], *_write(writer, words))

    chosen = presenting(presenters, rules)
    if not chosen:
        return nothing(lambda w: _why_no_presenters(session, presenters, rules, w))
    if not rooms:
        return nothing(lambda w: [w.gettext("No room is set up: add a room.")])
    planner = _Planner(session, rooms, busy, rules, preferences, not_before)
    if not planner.rooms:
        return nothing(lambda w: _why_no_room(rooms, rules, w))
    groups = split_into_meetings(chosen, rules.max_states_per_meeting)
    candidates = [planner.candidates(group) for group in groups]
    if not all(candidates):
        return nothing(_why_no_slot(planner, groups, candidates))
    plans = _search(candidates, rules)
    if not plans:
        return nothing(_why_no_combination(planner, groups, candidates))
    proposals = [_proposal(planner, groups, plan, rank, words)
                 for rank, plan in enumerate(plans, start=1)]
    return PlanResult(session.number, proposals, [])


def _proposal(planner: _Planner, groups: list[list[Presenter]], plan: _Plan,
              rank: int, words: Mapping[str, Phrasing]) -> Proposal:
    rules = planner.rules
    score, cands = plan[0], plan[3]
    meetings = [_meeting(c, group, rules) for c, group in zip(cands, groups)]
    gaps = [b.day_index - a.day_index for a, b in zip(cands, cands[1:])]
    parts = {
        "lead_time": sum(c.parts[0] for c in cands),
        "hrc_overlap": sum(c.parts[1] for c in cands),
        "morning": sum(c.parts[2] for c in cands),
        "spacing": sum(_spacing(gap, rules) for gap in gaps),
        "mission_preferences": sum(c.parts[3] for c in cands),
    }
    parts = {name: round(value, 6) + 0.0 for name, value in parts.items()}
    away = sum(abs(planner.window.lead[c.start.date()] - rules.preferred_lead_working_days)
               for c in cands)

    facts = [_facts(planner, c, group) for c, group in zip(cands, groups)]

    def reasons(w: Phrasing) -> list[str]:
        lines = [_meeting_reason(c, said, w) for c, said in zip(cands, facts)]
        if gaps:
            lines.append(w.gettext("Between the meetings: %(gaps)s (preferred: %(preferred)s).",
                                   gaps=w.names([_gap_text(g, w) for g in gaps]),
                                   preferred=_gap_text(rules.preferred_gap_working_days, w)))
        lines.append(_score_reason(score, parts, away, rules, w))
        return lines

    english, translated = _write(reasons, words)
    return Proposal(id=_proposal_id(planner.session.number, meetings), rank=rank,
                    score=round(score, 6) + 0.0, reasons=english, meetings=meetings,
                    score_parts=parts, reasons_by_language=translated)


def _gap_text(gap: int, w: Phrasing) -> str:
    """Working days between two meetings: "the same day", "1 working day", "2 working days"."""
    if gap == 0:
        return w.gettext("the same day")
    return w.ngettext("%(num)d working day", "%(num)d working days", gap, num=gap)


def _meeting(c: _Candidate, group: Sequence[Presenter], rules: Rules) -> Meeting:
    agenda, at = [], c.start + timedelta(minutes=rules.opening_minutes)
    for p in group:
        end = at + timedelta(minutes=rules.minutes_per_state)
        agenda.append(AgendaItem(p.iso3, p.name, at, end))
        at = end
    return Meeting(start=c.start, end=c.end, room=c.room, agenda=agenda)


def _proposal_id(session: int, meetings: Sequence[Meeting]) -> str:
    text = f"{session}|" + ";".join(
        f"{m.start.astimezone(timezone.utc):%Y%m%dT%H%M}-{m.end.astimezone(timezone.utc):%H%M}"
        f"@{m.room}:{','.join(item.iso3 for item in m.agenda)}" for m in meetings)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _meeting_reason(c: _Candidate, facts: _Facts, w: Phrasing) -> str:
    return wording.sentence(w.gettext(
        "%(day)s, %(start)s–%(end)s (%(room)s): %(facts)s", day=w.day(c.start.date()),
        start=w.clock(c.start), end=w.clock(c.end), room=c.room,
        facts=_listed(_facts_text(facts, w), w, ";")))


@dataclass(frozen=True)
class _Facts:
    """What the score of a meeting's time rests on, before it is put in words."""

    #: working days before the session (1: the last one)
    lead: int
    #: the Council sessions (soft busy periods) it overlaps, by label
    during: tuple[str, ...]
    #: else the nearest one known (None: none is known)
    outside: str | None
    morning: bool
    #: the presenting states whose preferred (+1) or avoided (-1) day it is, in agenda order
    leanings: tuple[tuple[str, int], ...]


def _facts(planner: _Planner, c: _Candidate, group: Sequence[Presenter]) -> _Facts:
    during = tuple(sorted({b.label for b in c.soft}))
    outside = None
    if not during and planner.all_soft:
        def distance(b: Busy) -> float:
            return max(0.0, b.start.timestamp() - c.end_key, c.start_key - b.end.timestamp())

        outside = min(planner.all_soft, key=distance).label
    leanings = []
    for p in group:
        pref = planner.preferences.get(p.iso3)
        leaning = pref.leaning(c.start.date()) if pref else 0
        if leaning:
            leanings.append((p.name, leaning))
    return _Facts(planner.window.lead[c.start.date()], during, outside, c.start.hour < 12,
                  tuple(leanings))


def _facts_text(facts: _Facts, w: Phrasing) -> list[str]:
    """What the score of a time rests on, in words: lead time, HRC, morning, missions' days."""
    _, ngettext = w.gettext, w.ngettext
    if facts.during:
        hrc = _("during %(sessions)s", sessions=w.names(facts.during))
    elif facts.outside is None:
        hrc = _("no Human Rights Council session near the window")
    else:
        hrc = _("outside %(session)s", session=facts.outside)
    parts = [ngettext("%(num)d working day before the session",
                      "%(num)d working days before the session", facts.lead, num=facts.lead),
             hrc, _("morning") if facts.morning else _("afternoon")]
    for state, leaning in facts.leanings:
        parts.append(_("a day %(state)s prefers", state=state) if leaning > 0 else
                     _("a day %(state)s would rather avoid", state=state))
    return parts


#: a proposal this close to the best one's score is "Good" (further off: "Possible")
GOOD_WITHIN = 0.5


def score_label(score: float, best: float) -> str:
    """A proposal's score in words, beside the best proposal's: "Best", "Good" (within
    GOOD_WITHIN of it) or "Possible" (the number stays on demand, under the reasons)."""
    if score >= best - 1e-9:
        return "Best"
    return "Good" if best - score <= GOOD_WITHIN else "Possible"


def _score_reason(score: float, parts: dict[str, float], away: int, rules: Rules,
                  w: Phrasing) -> str:
    _, ngettext = w.gettext, w.ngettext
    value = {key: w.signed(number) for key, number in parts.items()}
    shown = [ngettext("lead time (%(num)d working day away from the preferred %(preferred)s, "
                      "in all) %(value)s",
                      "lead time (%(num)d working days away from the preferred %(preferred)s, "
                      "in all) %(value)s", away, num=away,
                      preferred=rules.preferred_lead_working_days, value=value["lead_time"]),
             _("HRC overlap %(value)s", value=value["hrc_overlap"]),
             _("morning %(value)s", value=value["morning"]),
             _("spacing %(value)s", value=value["spacing"]),
             _("mission preferences %(value)s", value=value["mission_preferences"])]
    return _("Score %(score)s: %(parts)s.", score=w.signed(score), parts=_listed(shown, w))


def _listed(items: Sequence[str], w: Phrasing, mark: str = ",") -> str:
    """Items one after the other, "a, b, c" (`mark` ";": "a; b; c"), the language's way
    (French "a ; b", Arabic "a، b")."""
    _ = w.gettext
    text = ""
    for index, item in enumerate(items):
        if not index:
            text = item
        elif mark == ";":
            text = _("%(items)s; %(item)s", items=text, item=item)
        else:
            text = _("%(items)s, %(item)s", items=text, item=item)
    return text


def _hours_text(rules: Rules, w: Phrasing) -> str:
    """The meeting hours, e.g. "10:00–13:00, 15:00–18:00" ("10 h 00–13 h 00, …")."""
    return _listed([f"{w.clock(a)}–{w.clock(b)}" for a, b in rules.meeting_hours], w)


def _minutes_text(minutes: int, w: Phrasing) -> str:
    return w.ngettext("%(num)d minute", "%(num)d minutes", minutes, num=minutes)


# --- why nothing fits -----------------------------------------------------------------------


def _why_no_presenters(session: SessionInfo, presenters: Sequence[Presenter],
                       rules: Rules, w: Phrasing) -> list[str]:
    _ = w.gettext
    why = [_("No NAM member is under review in session %(number)s, so nobody presents.",
             number=session.number)]
    observers = [p.name for p in sorted(presenters, key=lambda p: (p.position, p.iso3))
                 if p.nam_status == "observer"]
    if observers and not rules.include_observers:
        why.append(_("NAM observers under review (%(states)s) present only with "
                     "include_observers.", states=w.names(observers)))
    return why


def _why_no_room(rooms: Sequence[Room], rules: Rules, w: Phrasing) -> list[str]:
    _ = w.gettext
    largest = max(rooms, key=lambda r: (r.capacity, r.name))
    return [_("No room seats the expected audience of %(audience)s (the largest, %(room)s, "
              "seats %(capacity)s).", audience=rules.expected_audience, room=largest.name,
              capacity=largest.capacity),
            _("To find a time: %(changes)s.",
              changes=_("add a bigger room or lower expected_audience"))]


#: something that blocks a meeting on some days: ("past", None, ""), ("global", None,
#: label), ("room", room, label) or ("mission", the state's name, label)
_Blocker = tuple[str, "str | None", str]


def _why_no_slot(planner: _Planner, groups: list[list[Presenter]],
                 candidates: list[list[_Candidate]]) -> _Writer:
    rules, window = planner.rules, planner.window
    relax: list[Callable[[Phrasing], str]] = [lambda w: w.gettext(
        "widen the window (window_working_days, now %(days)s)", days=rules.window_working_days)]
    longest = max(_minutes(b) - _minutes(a) for a, b in rules.meeting_hours)
    too_long: list[tuple[list[Presenter], int]] = []
    # what blocks (in English) -> the blockers and the meetings (states, minutes) it blocks
    blocked: dict[str, tuple[dict[str, tuple[_Blocker, list[date]]],
                             list[tuple[list[Presenter], int]]]] = {}
    for group, found in zip(groups, candidates):
        if found:
            continue
        duration = rules.meeting_minutes(len(group))
        if duration > longest:
            too_long.append((group, duration))
            relax.append(lambda w: w.gettext(
                "lengthen the meeting hours or lower max_states_per_meeting (now %(states)s)",
                states=rules.max_states_per_meeting))
            continue
        blockers, kinds = _blockers(planner, group)
        text = _blockers_text(blockers, _ENGLISH)
        blocked.setdefault(text, (blockers, []))[1].append((group, duration))
        if "room" in kinds:
            relax.append(lambda w: w.gettext("use another room"))
        if "mission" in kinds:
            relax.append(lambda w: w.gettext(
                "ask the presenting missions whether their blackouts can move"))
        relax.append(lambda w: w.gettext("lengthen the meeting hours (now %(hours)s)",
                                         hours=_hours_text(rules, w)))
        if len(group) > 1:
            relax.append(lambda w: w.gettext(
                "lower max_states_per_meeting (now %(states)s) for shorter meetings",
                states=rules.max_states_per_meeting))
    relax = _first_of_each(relax)
    holidays = geneva_public_holidays(window.first, window.last)

    def why(w: Phrasing) -> list[str]:
        _, ngettext = w.gettext, w.ngettext
        lines = [_("The meeting of %(states)s needs %(duration)s, but the longest block of "
                   "meeting hours (%(hours)s) is %(longest)s.",
                   states=w.names([p.name for p in group]),
                   duration=_minutes_text(duration, w), hours=_hours_text(rules, w),
                   longest=_minutes_text(longest, w)) for group, duration in too_long]
        for blockers, meetings in blocked.values():
            text = _blockers_text(blockers, w) or _("no free time is left within the meeting "
                                                    "hours")
            each = [ngettext("%(states)s (%(num)d minute)", "%(states)s (%(num)d minutes)",
                             duration, states=w.names([p.name for p in group]), num=duration)
                    for group, duration in meetings]
            lines.append(ngettext(
                "Every working day from %(first)s to %(last)s is blocked for the meeting of "
                "%(meetings)s: %(blockers)s.",
                "Every working day from %(first)s to %(last)s is blocked for the meetings of "
                "%(meetings)s: %(blockers)s.", len(meetings),
                first=w.day(window.first), last=w.day(window.last),
                meetings=_listed(each, w, ";"), blockers=text))
        if holidays:
            lines.append(_("Geneva public holidays in that period are not working days: "
                           "%(holidays)s.", holidays=w.names(
                               [f"{_(name)} ({w.day(day)})" for day, name in holidays.items()])))
        lines.append(_("To find a time: %(changes)s.",
                       changes=_listed([change(w) for change in relax], w, ";")))
        return lines

    return why


def _first_of_each(changes: list[Callable[[Phrasing], str]]) -> list[Callable[[Phrasing], str]]:
    """The changes to suggest, each once (as it is first suggested)."""
    seen: dict[str, Callable[[Phrasing], str]] = {}
    for change in changes:
        seen.setdefault(change(_ENGLISH), change)
    return list(seen.values())


def _blockers(planner: _Planner, group: Sequence[Presenter]
              ) -> tuple[dict[str, tuple[_Blocker, list[date]]], set[str]]:
    """What blocks the meeting of `group` on each window day (by its English words), and
    their scopes."""
    rules = planner.rules
    missions = [p.iso3 for p in group]
    names = {p.iso3: p.name for p in group}
    found: dict[str, tuple[_Blocker, list[date]]] = {}
    kinds: set[str] = set()
    for day in planner.window.days:
        spans = [(_local(day, _minutes(a)), _local(day, _minutes(b)))
                 for a, b in rules.meeting_hours]
        spans = [(a[1], b[1]) for a, b in spans if a is not None and b is not None]
        if planner.not_before is not None and spans and spans[-1][1] <= planner.not_before:
            blocker: _Blocker = ("past", None, "")
            found.setdefault(_blocker_text(blocker, _ENGLISH), (blocker, []))[1].append(day)
            continue
        hits: list[Busy] = []
        for low, high in spans:
            hits += planner.busy.conflicts(low, high, None, missions)
            for room in planner.rooms:
                hits += planner.busy.conflicts(low, high, room.name, ())
        for item in dict.fromkeys(hits):
            scope = _scope(item)
            kinds.add(scope[0])
            who = item.room if scope[0] == "room" else \
                names.get(item.mission_iso3 or "", item.mission_iso3) \
                if scope[0] == "mission" else None
            blocker = (scope[0], who, item.label)
            found.setdefault(_blocker_text(blocker, _ENGLISH), (blocker, []))[1].append(day)
    return found, kinds


def _blocker_text(blocker: _Blocker, w: Phrasing) -> str:
    """"already past", a busy period's label, "Room XX booked: label", "Kenya: label"."""
    scope, who, label = blocker
    if scope == "past":
        return w.gettext("already past")
    if scope == "room":
        return w.gettext("%(room)s booked: %(label)s", room=who, label=w.text(label))
    if scope == "mission":
        return w.gettext("%(state)s: %(label)s", state=who, label=w.text(label))
    return w.text(label)


def _blockers_text(blockers: dict[str, tuple[_Blocker, list[date]]], w: Phrasing) -> str:
    """Each blocker with its days: "HRC58 (15 working days, Mon … – Fri …) and …"."""
    return w.names([f"{_blocker_text(blocker, w)} ({_day_span(days, w)})"
                    for blocker, days in blockers.values()])


def _why_no_combination(planner: _Planner, groups: list[list[Presenter]],
                        candidates: list[list[_Candidate]]) -> _Writer:
    rules, window = planner.rules, planner.window
    gap, count = rules.min_gap_working_days, len(groups)
    meetings = []  # the states, the days the meeting fits on, and what blocks the others
    for group, found in zip(groups, candidates):
        days = [window.days[i] for i in sorted({c.day_index for c in found})]
        blockers = _blockers(planner, group)[0] if len(days) < len(window.days) else None
        meetings.append((group, days, blockers))

    def why(w: Phrasing) -> list[str]:
        _, ngettext = w.gettext, w.ngettext
        if gap == 1:
            head = ngettext("Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order on different working days:",
                            "Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order on different working days:",
                            count, num=count)
        elif gap:
            head = ngettext("Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order at least %(gap)s apart:",
                            "Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order at least %(gap)s apart:",
                            count, num=count, gap=_gap_text(gap, w))
        else:
            head = ngettext("Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order one after the other:",
                            "Each of the %(num)d meetings fits on its own, but they cannot all "
                            "take place in review order one after the other:",
                            count, num=count)
        lines = [head]
        for group, days, blockers in meetings:
            states = w.names([p.name for p in group])
            if blockers is None and len(days) <= 4:
                lines.append(ngettext("The meeting of %(states)s fits on %(days)s.",
                                      "The meeting of %(states)s fits on %(days)s.", len(days),
                                      states=states, days=w.names([w.day(d) for d in days])))
            elif blockers is None:
                lines.append(ngettext(
                    "The meeting of %(states)s fits on %(num)d working day from %(first)s to "
                    "%(last)s.",
                    "The meeting of %(states)s fits on %(num)d working days from %(first)s to "
                    "%(last)s.", len(days), states=states, num=len(days),
                    first=w.day(days[0]), last=w.day(days[-1])))
            elif len(days) <= 4:
                lines.append(ngettext("The meeting of %(states)s fits only on %(days)s "
                                      "(blocked: %(blockers)s).",
                                      "The meeting of %(states)s fits only on %(days)s "
                                      "(blocked: %(blockers)s).", len(days), states=states,
                                      days=w.names([w.day(d) for d in days]),
                                      blockers=_blockers_text(blockers, w)))
            else:
                lines.append(ngettext(
                    "The meeting of %(states)s fits only on %(num)d working day from "
                    "%(first)s to %(last)s (blocked: %(blockers)s).",
                    "The meeting of %(states)s fits only on %(num)d working days from "
                    "%(first)s to %(last)s (blocked: %(blockers)s).", len(days),
                    states=states, num=len(days), first=w.day(days[0]),
                    last=w.day(days[-1]), blockers=_blockers_text(blockers, w)))
        relax = [_("raise max_states_per_meeting (now %(states)s) so fewer meetings are needed",
                   states=rules.max_states_per_meeting),
                 _("widen the window (window_working_days, now %(days)s)",
                   days=rules.window_working_days)]
        if gap:
            relax.insert(1, _("lower min_gap_working_days (now %(days)s; 0 allows meetings on "
                              "the same day)", days=gap))
        return lines + [_("To find a time: %(changes)s.", changes=_listed(relax, w, ";"))]

    return why


# --- a meeting set by hand ---------------------------------------------------------------


def check_meeting(session: SessionInfo, presenters: Sequence[Presenter], start: datetime,
                  end: datetime, room: Room, busy: Sequence[Busy] = (),
                  rules: Rules = DEFAULT_RULES,
                  preferences: Sequence[MissionPreference] = (),
                  w: Phrasing = ENGLISH) -> MeetingCheck:
    """Check a meeting the secretariat sets by hand.

    Problems (hard): not an aware time, a weekend or public holiday, on or after the first
    day of the session, a room too small, a blocking busy period. Warnings (soft): outside
    the window or the meeting hours, a Human Rights Council session, a mission's avoided day,
    an expected session (its dates are not yet published). Written in `w`'s language
    (English by default, as the CLI prints them).
    """
    _ = w.gettext
    if start.tzinfo is None or end.tzinfo is None:
        return MeetingCheck([_("give the times with their time zone")], [])
    start, end = start.astimezone(GENEVA), end.astimezone(GENEVA)
    day_of = _ENGLISH.day if w is ENGLISH else w.day
    problems, warnings = [], []
    if session.expected:
        warnings.append(_("session %(number)s is expected (forecast): its dates and order of "
                          "review are not yet published", number=session.number))
    day = start.date()
    if end <= start:
        problems.append(_("the meeting ends before it starts"))
    if end.date() != day:
        problems.append(_("the meeting must start and end on the same day"))
    holiday = geneva_public_holidays(day, day).get(day)
    if day.weekday() >= 5:
        problems.append(_("%(day)s is a weekend day", day=day_of(day)))
    elif holiday:
        problems.append(_("%(day)s is a Geneva public holiday (%(holiday)s)", day=day_of(day),
                          holiday=_(holiday)))
    if end > datetime.combine(session.start_date, time()).replace(tzinfo=GENEVA):
        problems.append(_("session %(number)s starts on %(day)s: the briefing must end before "
                          "that day", number=session.number, day=day_of(session.start_date)))
    if room.capacity < rules.expected_audience:
        problems.append(_("%(room)s seats %(capacity)s, fewer than the expected audience of "
                          "%(audience)s", room=room.name, capacity=room.capacity,
                          audience=rules.expected_audience))
    missions = [p.iso3 for p in presenters]
    index = _BusyIndex(busy, _epoch(start) - 1, _epoch(end) + 1)
    for item in index.conflicts(_epoch(start), _epoch(end), room.name, missions):
        problems.append(_busy_text(item, w))
    for item in index.conflicts(_epoch(start), _epoch(end), room.name, missions, soft=True):
        warnings.append(_busy_text(item, w))
    if is_working_day(day) and day not in planning_window(session, rules):
        warnings.append(w.ngettext(
            "outside the window of %(num)d working day before the session",
            "outside the window of %(num)d working days before the session",
            rules.window_working_days, num=rules.window_working_days))
    if not any(a <= start.time() and end.time() <= b and start.date() == end.date()
               for a, b in rules.meeting_hours):
        warnings.append(_("outside the meeting hours (%(hours)s)",
                          hours=rules.describe_hours(w)))
    for p in presenters:
        pref = next((m for m in preferences if m.iso3 == p.iso3), None)
        if pref and pref.leaning(day) < 0:
            warnings.append(_("%(state)s would rather avoid %(day)s", state=p.name,
                              day=day_of(day)))
    return MeetingCheck(problems, warnings)


def _busy_text(item: Busy, w: Phrasing) -> str:
    """"overlaps <label>", with its room or mission."""
    _ = w.gettext
    if item.room:
        return _("overlaps %(busy)s in %(room)s", busy=w.text(item.label), room=item.room)
    if item.mission_iso3:
        return _("overlaps %(busy)s (mission of %(iso3)s)", busy=w.text(item.label),
                 iso3=item.mission_iso3)
    return _("overlaps %(busy)s", busy=w.text(item.label))


# --- moving one meeting ------------------------------------------------------------------


@dataclass(frozen=True)
class FreeTime:
    """A free time for one meeting (Geneva-aware start and end), its score and why it
    suits, in plain words."""

    start: datetime
    end: datetime
    score: float
    reason: str


def free_times(session: SessionInfo, presenters: Sequence[Presenter], room: Room, minutes: int,
               busy: Sequence[Busy] = (), rules: Rules = DEFAULT_RULES,
               preferences: Sequence[MissionPreference] = (),
               not_before: datetime | None = None, after: datetime | None = None,
               before: datetime | None = None, skip: datetime | None = None,
               limit: int = 5, w: Phrasing = ENGLISH) -> list[FreeTime]:
    """The best free times for one meeting of `presenters`, `minutes` long, in `room`.

    The times `propose` would consider for it (the window, the meeting hours, every
    blocking busy period, the room, `not_before`), scored as it scores a meeting, one a
    day, best first. `after` and `before` are the end of the meeting whose states are
    reviewed before these and the start of the one reviewed after (see
    `review_order_bounds`): a time stays between them, at least `min_gap_working_days`
    away, its spacing scored as between the meetings of a proposal. `skip` is the
    meeting's current start, not offered again. The reasons are written in `w`'s language.
    """
    planner = _Planner(session, [room], busy, rules, preferences, not_before)
    gaps = {day: _neighbour_gaps(day, after, before, rules) for day in planner.window.days}
    plans = []
    for c in planner.candidates(presenters, minutes):
        day_gaps = gaps[c.start.date()]
        if day_gaps is None or c.start == skip or (after is not None and c.start < after) \
                or (before is not None and c.end > before):
            continue
        spacing = sum(_spacing(gap, rules) for gap in day_gaps if gap is not None)
        plans.append(_start(c, c.score + spacing))
    return [_free_time(planner, plan[3][0], presenters, gaps[plan[3][0].start.date()],
                       plan[0], _ENGLISH if w is ENGLISH else w) for plan in _best(plans, limit)]


def _neighbour_gaps(day: date, after: datetime | None, before: datetime | None,
                    rules: Rules) -> tuple[int | None, int | None] | None:
    """Working days from the meeting before to `day`, and from `day` to the one after
    (None: no such meeting); None when either is closer than the rules allow."""
    gap_after = _working_days_between(after.astimezone(GENEVA).date(), day) \
        if after is not None else None
    gap_before = _working_days_between(day, before.astimezone(GENEVA).date()) \
        if before is not None else None
    if any(gap is not None and gap < rules.min_gap_working_days
           for gap in (gap_after, gap_before)):
        return None
    return gap_after, gap_before


def _working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to `last` (0: the same day; -1: `last` comes first)."""
    if last < first:
        return -1
    return sum(1 for n in range(1, (last - first).days + 1)
               if is_working_day(first + timedelta(days=n)))


def _free_time(planner: _Planner, c: _Candidate, group: Sequence[Presenter],
               gaps: tuple[int | None, int | None], score: float, w: Phrasing) -> FreeTime:
    _ = w.gettext
    facts = _facts_text(_facts(planner, c, group), w)
    gap_after, gap_before = gaps
    if gap_after is not None:
        facts.append(_("the same day as the previous meeting") if gap_after == 0 else
                     _("%(gap)s after the previous meeting", gap=_gap_text(gap_after, w)))
    if gap_before is not None:
        facts.append(_("the same day as the next meeting") if gap_before == 0 else
                     _("%(gap)s before the next meeting", gap=_gap_text(gap_before, w)))
    reason = _listed(facts, w, ";")
    return FreeTime(c.start, c.end, round(score, 6) + 0.0, reason[:1].upper() + reason[1:])


@dataclass(frozen=True)
class OtherMeeting:
    """Another meeting of the same session (aware times) and its presenters, for keeping
    the order of review when one meeting moves."""

    start: datetime
    end: datetime
    presenters: tuple[Presenter, ...]


def _reviewed(presenters: Sequence[Presenter], other: OtherMeeting) -> int:
    """-1 when `presenters` are all reviewed before the other meeting's, +1 when all
    after, 0 when their reviews interleave (no order to keep)."""
    mine = [p.position for p in presenters]
    theirs = [p.position for p in other.presenters]
    if not mine or not theirs:
        return 0
    if max(mine) < min(theirs):
        return -1
    return 1 if min(mine) > max(theirs) else 0


def review_order_bounds(presenters: Sequence[Presenter], others: Sequence[OtherMeeting]
                        ) -> tuple[datetime | None, datetime | None]:
    """When a meeting of `presenters` keeps the order of review: after the end of the
    meetings whose states are reviewed before, before the start of those reviewed after
    (None: no bound on that side)."""
    earlier = [o.end for o in others if _reviewed(presenters, o) > 0]
    later = [o.start for o in others if _reviewed(presenters, o) < 0]
    return max(earlier, default=None), min(later, default=None)


def review_order_warnings(presenters: Sequence[Presenter], start: datetime, end: datetime,
                          others: Sequence[OtherMeeting], w: Phrasing = ENGLISH) -> list[str]:
    """What a meeting of `presenters` from `start` to `end` breaks of the order of review:
    one sentence per other meeting it should follow but does not end up after (or
    should precede but does not end up before), in `w`'s language."""
    names = w.names([p.name for p in presenters])
    warnings = []
    for other in sorted(others, key=lambda o: o.start):
        side = _reviewed(presenters, other)
        theirs = w.names([p.name for p in other.presenters])
        when = w.when(other.start.astimezone(GENEVA))
        if side > 0 and start < other.end:
            warnings.append(w.ngettext(
                "%(names)s is reviewed after %(theirs)s, so this briefing should come after "
                "theirs (%(when)s)",
                "%(names)s are reviewed after %(theirs)s, so this briefing should come after "
                "theirs (%(when)s)", len(presenters), names=names, theirs=theirs, when=when))
        elif side < 0 and end > other.start:
            warnings.append(w.ngettext(
                "%(names)s is reviewed before %(theirs)s, so this briefing should come before "
                "theirs (%(when)s)",
                "%(names)s are reviewed before %(theirs)s, so this briefing should come before "
                "theirs (%(when)s)", len(presenters), names=names, theirs=theirs, when=when))
    return warnings


# --- words and JSON -------------------------------------------------------------------------


def format_day(day: date) -> str:
    """A day as people write it here, e.g. "Fri 17 Jan 2020" (English, any locale)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _day_span(days: Sequence[date], w: Phrasing) -> str:
    """A day, or "3 working days, Mon 6 Jan 2020 – Wed 8 Jan 2020"."""
    if len(days) == 1:
        return w.day(days[0])
    return w.ngettext("%(num)d working day, %(first)s – %(last)s",
                      "%(num)d working days, %(first)s – %(last)s", len(days), num=len(days),
                      first=w.day(days[0]), last=w.day(days[-1]))


def result_to_json(result: PlanResult) -> dict[str, Any]:
    """The JSON shape of `propose --json`: times in ISO 8601 with their UTC offset."""
    return {
        "session": result.session,
        "proposals": [{
            "id": p.id, "rank": p.rank, "score": p.score, "reasons": list(p.reasons),
            "meetings": [{
                "start": m.start.isoformat(), "end": m.end.isoformat(), "room": m.room,
                "agenda": [{"iso3": a.iso3, "name": a.name, "start": a.start.isoformat(),
                            "end": a.end.isoformat()} for a in m.agenda],
            } for m in p.meetings],
        } for p in result.proposals],
        "why": list(result.why),
    }
