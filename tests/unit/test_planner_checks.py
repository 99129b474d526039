"""An independent check of proposals against the hard rules, used by the planner tests.

It recomputes everything from the inputs with its own code (the `holidays` package and
zoneinfo directly), so that a planner bug cannot hide behind a shared helper.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

from nam_briefings.domain.planner import (
    Busy,
    PlanResult,
    Presenter,
    Room,
    Rules,
    SessionInfo,
    propose,
)

ZURICH = ZoneInfo("Europe/Zurich")


def working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday of Geneva (CH-GE)."""
    return day.weekday() < 5 and day not in holidays.country_holidays(
        "CH", subdiv="GE", years=day.year)


def window_days(session: SessionInfo, count: int) -> list[date]:
    """The `count` working days just before the session, oldest first."""
    days, day = [], session.start_date
    while len(days) < count:
        day -= timedelta(days=1)
        if working_day(day):
            days.append(day)
    return days[::-1]


def expected_presenters(presenters: list[Presenter], rules: Rules) -> list[str]:
    """ISO codes of the presenting states in review order."""
    allowed = {"member", "observer"} if rules.include_observers else {"member"}
    return [p.iso3 for p in sorted(presenters, key=lambda p: p.position)
            if p.nam_status in allowed]


def _blocks(busy: Busy, room: str, missions: set[str]) -> bool:
    if busy.kind == "hrc_session":
        return False
    if busy.room is not None:
        return busy.room == room
    if busy.mission_iso3 is not None:
        return busy.mission_iso3 in missions
    return True


def meeting_violations(session: SessionInfo, meeting, rooms: list[Room], busy: list[Busy],
                       rules: Rules, not_before: datetime | None = None) -> list[str]:
    """Hard rules one meeting breaks, described."""
    problems = []
    start_utc = meeting.start.astimezone(timezone.utc)
    end_utc = meeting.end.astimezone(timezone.utc)
    local_start, local_end = start_utc.astimezone(ZURICH), end_utc.astimezone(ZURICH)
    if getattr(meeting.start.tzinfo, "key", None) != "Europe/Zurich":
        problems.append(f"start {meeting.start} is not in Europe/Zurich")
    if meeting.start.utcoffset() != local_start.utcoffset():
        problems.append(f"start {meeting.start} has the wrong UTC offset")
    day = local_start.date()
    if day not in window_days(session, rules.window_working_days):
        problems.append(f"{day} is not a working day of the window")
    if local_end.date() != day:
        problems.append("meeting crosses midnight")
    if not any(a <= local_start.time() and local_end.time() <= b
               for a, b in rules.meeting_hours):
        problems.append(f"{local_start:%H:%M}–{local_end:%H:%M} is outside the meeting hours")
    session_start = datetime.combine(session.start_date, time(), ZURICH)
    if end_utc > session_start:
        problems.append("meeting ends after the session starts")
    if not_before is not None and start_utc < not_before:
        problems.append("meeting starts before not_before")
    states = len(meeting.agenda)
    booked = math.ceil((rules.opening_minutes + states * rules.minutes_per_state)
                       / rules.slot_minutes) * rules.slot_minutes
    if end_utc - start_utc != timedelta(minutes=booked):
        problems.append(f"meeting lasts {end_utc - start_utc}, not {booked} minutes")
    room = next((r for r in rooms if r.name == meeting.room), None)
    if room is None or room.capacity < rules.expected_audience:
        problems.append(f"room {meeting.room} is unknown or too small")
    missions = {item.iso3 for item in meeting.agenda}
    for item in busy:
        if item.start < end_utc and start_utc < item.end and _blocks(item, meeting.room, missions):
            problems.append(f"overlaps {item.kind} {item.label}")
    at = start_utc + timedelta(minutes=rules.opening_minutes)
    for item in meeting.agenda:
        if item.start.astimezone(timezone.utc) != at or \
                item.end - item.start != timedelta(minutes=rules.minutes_per_state):
            problems.append(f"agenda item {item.iso3} is not at {at} for "
                            f"{rules.minutes_per_state} minutes")
        at += timedelta(minutes=rules.minutes_per_state)
    if at > end_utc:
        problems.append("the agenda runs past the end of the meeting")
    return problems


def violations(result: PlanResult, session: SessionInfo, presenters: list[Presenter],
               rooms: list[Room], busy: list[Busy], rules: Rules,
               not_before: datetime | None = None) -> list[str]:
    """Every hard rule the proposals of `result` break; empty when all is well."""
    problems = []
    order = expected_presenters(presenters, rules)
    window = window_days(session, rules.window_working_days)
    if result.session != session.number:
        problems.append("wrong session number")
    if len(result.proposals) > rules.max_proposals:
        problems.append("too many proposals")
    if [p.rank for p in result.proposals] != list(range(1, len(result.proposals) + 1)):
        problems.append("ranks are not 1, 2, 3...")
    scores = [p.score for p in result.proposals]
    if scores != sorted(scores, reverse=True):
        problems.append("proposals are not ranked by score")
    if len({p.id for p in result.proposals}) != len(result.proposals):
        problems.append("proposal ids repeat")
    day_sets = [tuple(m.start.astimezone(ZURICH).date() for m in p.meetings)
                for p in result.proposals]
    if len(set(day_sets)) != len(day_sets):
        problems.append("two proposals use the same days")
    if not result.proposals and not result.why:
        problems.append("no proposal and no explanation")
    if result.proposals and result.why:
        problems.append("proposals and a why at once")
    for proposal in result.proposals:
        meetings = proposal.meetings
        if [i.iso3 for m in meetings for i in m.agenda] != order:
            problems.append(f"proposal {proposal.rank}: states not once each in review order")
        if len(meetings) != math.ceil(len(order) / rules.max_states_per_meeting):
            problems.append(f"proposal {proposal.rank}: not the fewest meetings")
        sizes = [len(m.agenda) for m in meetings]
        if sizes and (max(sizes) > rules.max_states_per_meeting or max(sizes) - min(sizes) > 1):
            problems.append(f"proposal {proposal.rank}: meeting sizes {sizes} are uneven")
        for m in meetings:
            problems += [f"proposal {proposal.rank}: {text}" for text in
                         meeting_violations(session, m, rooms, busy, rules, not_before)]
        for a, b in zip(meetings, meetings[1:]):
            if b.start < a.end:
                problems.append(f"proposal {proposal.rank}: meetings overlap or are out of order")
            days = (a.start.astimezone(ZURICH).date(), b.start.astimezone(ZURICH).date())
            if all(d in window for d in days) and \
                    window.index(days[1]) - window.index(days[0]) < rules.min_gap_working_days:
                problems.append(f"proposal {proposal.rank}: meetings too close together")
    return problems


# --- the checker itself must catch mistakes ---------------------------------------------------

SESSION = SessionInfo(35, date(2020, 1, 20), date(2020, 1, 31))
PRESENTERS = [Presenter("GUY", "Guyana", 1), Presenter("LAO", "Lao PDR", 2),
              Presenter("KWT", "Kuwait", 3)]
ROOMS = [Room("Room XXIV", 150)]
RULES = Rules()


def _good() -> PlanResult:
    result = propose(SESSION, PRESENTERS, ROOMS, [], RULES)
    assert result.proposals
    return result


def _with_meeting(result: PlanResult, **changes) -> PlanResult:
    proposal = result.proposals[0]
    meeting = replace(proposal.meetings[0], **changes)
    return replace(result, proposals=[replace(proposal, meetings=[meeting])])


def test_a_good_plan_passes_the_check():
    assert violations(_good(), SESSION, PRESENTERS, ROOMS, [], RULES) == []


def test_the_check_catches_a_weekend_and_hours_outside_the_day():
    result = _good()
    saturday = datetime(2020, 1, 18, 10, tzinfo=ZURICH)
    moved = _with_meeting(result, start=saturday, end=saturday + timedelta(minutes=90))
    found = violations(moved, SESSION, PRESENTERS, ROOMS, [], RULES)
    assert any("not a working day" in text for text in found)
    evening = datetime(2020, 1, 17, 19, tzinfo=ZURICH)
    moved = _with_meeting(result, start=evening, end=evening + timedelta(minutes=90))
    assert any("outside the meeting hours" in text
               for text in violations(moved, SESSION, PRESENTERS, ROOMS, [], RULES))


def test_the_check_catches_a_fixed_offset_and_a_blocking_period():
    result = _good()
    meeting = result.proposals[0].meetings[0]
    fixed = timezone(timedelta(hours=1))
    moved = _with_meeting(result, start=meeting.start.astimezone(fixed))
    assert any("Europe/Zurich" in text
               for text in violations(moved, SESSION, PRESENTERS, ROOMS, [], RULES))
    blackout = Busy(meeting.start.astimezone(timezone.utc), meeting.end.astimezone(timezone.utc),
                    "blackout", "Kuwait away", mission_iso3="KWT")
    assert any("Kuwait away" in text
               for text in violations(result, SESSION, PRESENTERS, ROOMS, [blackout], RULES))


def test_the_check_catches_a_wrong_order_of_states():
    result = _good()
    meeting = result.proposals[0].meetings[0]
    swapped = _with_meeting(result, agenda=list(reversed(meeting.agenda)))
    assert any("review order" in text
               for text in violations(swapped, SESSION, PRESENTERS, ROOMS, [], RULES))
