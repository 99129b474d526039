"""Property tests: on random calendars, no proposal ever breaks a hard constraint."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nam_briefings.domain.planner import (
    DEFAULT_RULES,
    Busy,
    MissionPreference,
    Presenter,
    Room,
    SessionInfo,
    propose,
    result_to_json,
)

from .test_planner_checks import violations

ZURICH = ZoneInfo("Europe/Zurich")
KINDS = ["hrc_session", "closure", "meeting", "blackout", "briefing"]


@st.composite
def hours(draw):
    """One or two blocks of meeting hours on a quarter-hour grid."""
    first = draw(st.integers(7 * 4, 12 * 4))
    length = draw(st.integers(4, 16))
    blocks = [(first, first + length)]
    if draw(st.booleans()):
        second = first + length + draw(st.integers(0, 8))
        blocks.append((second, min(second + draw(st.integers(2, 16)), 23 * 4)))
    return tuple((time(a // 4, a % 4 * 15), time(b // 4, b % 4 * 15))
                 for a, b in blocks if b > a)


@st.composite
def plans(draw):
    """A random session, presenters, rooms, busy periods, rules and preferences."""
    start = draw(st.dates(date(2019, 1, 1), date(2031, 12, 31)))
    session = SessionInfo(draw(st.integers(1, 99)), start, start + timedelta(days=11))
    count = draw(st.integers(0, 9))
    positions = draw(st.permutations(range(1, 15)))[:count]
    presenters = [Presenter(f"S{i:02d}", f"State {i}", positions[i],
                            draw(st.sampled_from(["member", "member", "observer", "none"])))
                  for i in range(count)]
    rooms = [Room(f"Room {i}", draw(st.integers(40, 200))) for i in range(draw(st.integers(1, 3)))]
    window = draw(st.integers(1, 12))
    rules = DEFAULT_RULES.with_overrides(
        window_working_days=window,
        preferred_lead_working_days=draw(st.integers(1, window)),
        meeting_hours=draw(hours()),
        slot_minutes=draw(st.sampled_from([15, 30, 60])),
        opening_minutes=draw(st.integers(0, 20)),
        minutes_per_state=draw(st.integers(10, 40)),
        max_states_per_meeting=draw(st.integers(1, 5)),
        min_gap_working_days=draw(st.integers(0, 2)),
        preferred_gap_working_days=draw(st.integers(0, 3)),
        expected_audience=draw(st.integers(30, 150)),
        include_observers=draw(st.booleans()),
        max_proposals=draw(st.integers(1, 6)),
        hrc_weight=draw(st.sampled_from([0, 1, 3.5])),
        morning_weight=draw(st.sampled_from([0, 0.5, 2])),
    )
    low = datetime.combine(start - timedelta(days=25), time(), ZURICH)
    busy = []
    for i in range(draw(st.integers(0, 14))):
        begin = low + timedelta(minutes=15 * draw(st.integers(0, 27 * 96)))
        end = begin + timedelta(minutes=15 * draw(st.integers(1, 5 * 96)))
        scope = draw(st.sampled_from(["global", "room", "mission"]))
        busy.append(Busy(
            begin.astimezone(timezone.utc), end.astimezone(timezone.utc),
            draw(st.sampled_from(KINDS)), f"busy {i}",
            room=draw(st.sampled_from(rooms)).name if scope == "room" else None,
            mission_iso3=(draw(st.sampled_from([p.iso3 for p in presenters] + ["ZZZ"]))
                          if scope == "mission" else None)))
    preferences = [MissionPreference(p.iso3, preferred_weekdays=frozenset(
        draw(st.sets(st.integers(0, 4), max_size=2))), avoided_days=frozenset(
        draw(st.sets(st.dates(start - timedelta(days=20), start), max_size=3))))
        for p in presenters if draw(st.booleans())]
    not_before = None
    if draw(st.booleans()):
        not_before = (low + timedelta(hours=draw(st.integers(0, 30 * 24)))).astimezone(
            timezone.utc)
    return session, presenters, rooms, busy, rules, preferences, not_before


SETTINGS = settings(deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(plans())
def test_no_proposal_breaks_a_hard_constraint(plan):
    session, presenters, rooms, busy, rules, preferences, not_before = plan
    result = propose(session, presenters, rooms, busy, rules, preferences, not_before)
    assert violations(result, session, presenters, rooms, busy, rules, not_before) == []


@SETTINGS
@given(plans(), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_result(plan, rnd: random.Random):
    session, presenters, rooms, busy, rules, preferences, not_before = plan
    first = propose(session, presenters, rooms, busy, rules, preferences, not_before)
    shuffled_presenters, shuffled_busy = presenters[:], busy[:]
    rnd.shuffle(shuffled_presenters)
    rnd.shuffle(shuffled_busy)
    again = propose(session, shuffled_presenters, rooms, shuffled_busy, rules, preferences,
                    not_before)
    assert result_to_json(again) == result_to_json(first)
    assert [p.score_parts for p in again.proposals] == [p.score_parts for p in first.proposals]


@settings(deadline=None, derandomize=True)
@given(plans())
def test_dropping_the_soft_periods_never_removes_a_proposal(plan):
    """HRC sessions only weigh on the score: without them there are as many proposals."""
    session, presenters, rooms, busy, rules, preferences, not_before = plan
    with_hrc = propose(session, presenters, rooms, busy, rules, preferences, not_before)
    hard = [b for b in busy if b.kind != "hrc_session"]
    without = propose(session, presenters, rooms, hard, rules, preferences, not_before)
    assert len(without.proposals) == len(with_hrc.proposals)
    if with_hrc.proposals:
        assert without.proposals[0].score >= with_hrc.proposals[0].score
