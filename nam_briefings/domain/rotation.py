"""The UPR rotation: which states a future Working Group session reviews, and when.

* **Cycles.** The first cycle had 12 sessions (1–12). Since the second, every cycle has 14:
  cycle c (c ≥ 2) is sessions 14·(c − 2) + 13 … 14·(c − 2) + 26 (cycle 4 = 41–54,
  cycle 5 = 55–68).
* **States.** A state is reviewed in the same session of each cycle: the states of session n
  are those of session n − 14 (its *base*). The order of review *within* a session is drawn
  anew each time, so it is not predicted: states are listed by name, which is not the order
  of review. When the base is not published itself, its own forecast stands in for it (a
  forecast session may serve as the base of the next cycle's). The first cycle is not a base
  (12 sessions of 16 states), so the forecast starts with the third cycle.
* **Dates.** Three sessions a year (late January, late April/early May, early November), each
  two weeks, Monday to the Friday of the following week: session n starts one year after
  session n − 3 (same slot), on the Monday nearest the same calendar date. When n − 3 is not
  published either, the nearest earlier published session of the slot (n − 6, n − 9, …) is
  moved on by as many years, so that forecasts several years out do not drift a day or two
  a year. No published session of the slot: no dates (rather than invented ones).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import Invalid

#: the first cycle's sessions; every later cycle has SESSIONS_PER_CYCLE
FIRST_CYCLE_SESSIONS = 12
SESSIONS_PER_CYCLE = 14
#: sessions a year: the same slot comes back every this many sessions
SESSIONS_PER_YEAR = 3
#: the first cycle that can be forecast (from the one before, which has 14 sessions)
FIRST_FORECAST_CYCLE = 3
#: Monday to the Friday of the following week
SESSION_LENGTH = timedelta(days=11)


@dataclass(frozen=True)
class SessionOnFile:
    """A session the calendar holds, as the rotation sees it.

    `states`: the states whose review belongs to this session (including any deferred to
    another session; excluding any moved in from another); `moved_in` / `moved_out`: the
    states moved into it from another session / out of it to another. Only a `published`
    session (scheduled, postponed or held) is a fact; an expected one is forecast again.
    """

    number: int
    start: date
    states: frozenset[str] = frozenset()
    published: bool = True
    moved_in: frozenset[str] = frozenset()
    moved_out: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Prediction:
    """What the rotation expects of one session; `notes` say what it could not know."""

    number: int
    from_session: int
    expected_start: date | None
    expected_end: date | None
    #: ISO codes by state name (not the order of review, which is drawn anew)
    states: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def cycle_of(number: int) -> int:
    """The UPR cycle of session `number` (sessions 1–12: cycle 1)."""
    if number < 1:
        raise Invalid(f"there is no UPR session {number}: sessions are numbered from 1")
    if number <= FIRST_CYCLE_SESSIONS:
        return 1
    return (number - FIRST_CYCLE_SESSIONS - 1) // SESSIONS_PER_CYCLE + 2


def cycle_sessions(cycle: int) -> range:
    """The session numbers of `cycle` (cycle 4: 41–54)."""
    if cycle < 1:
        raise Invalid(f"there is no UPR cycle {cycle}: cycles are numbered from 1")
    if cycle == 1:
        return range(1, FIRST_CYCLE_SESSIONS + 1)
    first = SESSIONS_PER_CYCLE * (cycle - 2) + FIRST_CYCLE_SESSIONS + 1
    return range(first, first + SESSIONS_PER_CYCLE)


def base_session(number: int) -> int:
    """The session of the cycle before whose states session `number` repeats."""
    return number - SESSIONS_PER_CYCLE


def check_cycle(cycle: int, previous_on_file: bool) -> None:
    """Invalid unless `cycle` can be forecast: the third or later, the one before on file."""
    if cycle < FIRST_FORECAST_CYCLE:
        raise Invalid(f"cycle {cycle} cannot be forecast: the rotation repeats a cycle of 14 "
                      f"sessions, and the first cycle had {FIRST_CYCLE_SESSIONS}; give cycle "
                      f"{FIRST_FORECAST_CYCLE} or later")
    if not previous_on_file:
        sessions = cycle_sessions(cycle - 1)
        raise Invalid(f"cycle {cycle} is forecast from cycle {cycle - 1} (sessions "
                      f"{sessions[0]}–{sessions[-1]}), and no session of it is on file: "
                      "import them first")


def same_slot_years_on(start: date, years: int) -> date:
    """The Monday nearest the same calendar date `years` years after `start`."""
    day = start.day if (start.month, start.day) != (2, 29) else 28
    target = date(start.year + years, start.month, day)
    ahead = -target.weekday() % 7  # days to the next Monday (0 on a Monday)
    return target + timedelta(days=ahead if ahead <= 3 else ahead - 7)


def predict_session(number: int, on_file: Mapping[int, SessionOnFile],
                    names: Mapping[str, str]) -> Prediction:
    """The rotation's forecast for session `number`, from what is on file.

    `names` maps ISO codes to state names (for the order of the list; a code without a name
    sorts by itself).
    """
    base = base_session(number)
    states, notes = _states_of(base, on_file)
    here = on_file.get(number)
    if here is not None:
        states = (states - here.moved_out) | here.moved_in
    start, date_note = _expected_start(number, on_file)
    notes += ((date_note,) if date_note else ())
    ordered = tuple(sorted(states, key=lambda iso3: (names.get(iso3, iso3), iso3)))
    return Prediction(number, base, start, start + SESSION_LENGTH if start else None,
                      ordered, notes)


def predict_cycle(cycle: int, on_file: Mapping[int, SessionOnFile],
                  names: Mapping[str, str]) -> list[Prediction]:
    """The forecast for every session of `cycle` (see `predict_session`), in number order.

    Raises Invalid when the cycle cannot be forecast (`check_cycle`).
    """
    previous = cycle_sessions(cycle - 1) if cycle >= 2 else range(0)
    check_cycle(cycle, any(number in on_file for number in previous))
    return [predict_session(number, on_file, names) for number in cycle_sessions(cycle)]


def _states_of(base: int, on_file: Mapping[int, SessionOnFile]) -> tuple[frozenset[str],
                                                                           tuple[str, ...]]:
    """The states of session `base` (published, else its own forecast), with notes."""
    number = base
    while number > FIRST_CYCLE_SESSIONS:
        session = on_file.get(number)
        if session is not None and session.published:
            if not session.states:
                return frozenset(), (f"no states: session {number} has no states on file",)
            if number == base:
                return session.states, ()
            return session.states, (f"states of session {number}, as session {base} is "
                                    "not published",)
        number = base_session(number)
    return frozenset(), (f"no states: session {base} is not on file",)


def _expected_start(number: int, on_file: Mapping[int, SessionOnFile]) -> tuple[date | None,
                                                                                 str]:
    """Where the nearest earlier published session of the same slot leads, or a note."""
    earlier, years = number - SESSIONS_PER_YEAR, 1
    while earlier >= 1:
        session = on_file.get(earlier)
        if session is not None and session.published:
            return same_slot_years_on(session.start, years), ""
        earlier, years = earlier - SESSIONS_PER_YEAR, years + 1
    return None, (f"no dates: session {number - SESSIONS_PER_YEAR} (one year earlier) is not "
                  "on file")
