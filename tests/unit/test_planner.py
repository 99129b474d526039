"""The briefing planner on real sessions, Geneva's calendar and the clock changes."""
from __future__ import annotations

import csv
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nam_briefings.domain.errors import Invalid
from nam_briefings.domain.planner import (
    DEFAULT_RULES,
    Busy,
    MissionPreference,
    Presenter,
    Room,
    Rules,
    SessionInfo,
    check_meeting,
    parse_meeting_hours,
    propose,
    result_to_json,
    split_into_meetings,
)

from .test_planner_checks import violations, window_days

ZURICH = ZoneInfo("Europe/Zurich")
DATA = Path(__file__).resolve().parents[2] / "nam_briefings" / "data"
ROOM = Room("Room XXIV", 150)
UPR35 = SessionInfo(35, date(2020, 1, 20), date(2020, 1, 31))
UPR35_NAM = [Presenter("GUY", "Guyana", 9), Presenter("LAO", "Lao People's Democratic Republic", 3),
             Presenter("KWT", "Kuwait", 11)]


def days(first: date, last: date, kind: str, label: str, **scope) -> Busy:
    """Whole Geneva days from `first` to `last`, as the services store closures."""
    start = datetime.combine(first, time(), ZURICH).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(), ZURICH).astimezone(timezone.utc)
    return Busy(start, end, kind, label, **scope)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZURICH)


HRC43 = days(date(2020, 2, 24), date(2020, 3, 20), "hrc_session", "HRC43")


def states(n: int, status: str = "member") -> list[Presenter]:
    return [Presenter(f"S{i:02d}", f"State {i}", i, status) for i in range(1, n + 1)]


def local_days(result) -> list[date]:
    return [m.start.date() for p in result.proposals for m in p.meetings]


# --- the real example ----------------------------------------------------------------------


def test_upr35_proposes_briefings_like_the_one_of_17_january_2020():
    result = propose(UPR35, UPR35_NAM, [ROOM], [HRC43])
    assert violations(result, UPR35, UPR35_NAM, [ROOM], [HRC43], DEFAULT_RULES) == []
    assert len(result.proposals) == 5
    assert {len(p.meetings) for p in result.proposals} == {1}
    starts = [p.meetings[0].start for p in result.proposals]
    assert at(date(2020, 1, 17), 10) in starts
    friday = result.proposals[starts.index(at(date(2020, 1, 17), 10))]
    meeting = friday.meetings[0]
    assert meeting.end == at(date(2020, 1, 17), 11, 30)
    assert [(a.iso3, a.start.strftime("%H:%M"), a.end.strftime("%H:%M")) for a in meeting.agenda] \
        == [("LAO", "10:10", "10:30"), ("GUY", "10:30", "10:50"), ("KWT", "10:50", "11:10")]
    assert friday.reasons[0] == ("Fri 17 Jan 2020, 10:00–11:30 (Room XXIV): "
                                 "1 working day before the session; outside HRC43; morning")
    # The best proposal is the preferred lead time: 3 working days before, a Wednesday.
    assert starts[0] == at(date(2020, 1, 15), 10)
    assert result.proposals[0].score > friday.score


def test_the_same_input_gives_the_same_proposals_and_ids():
    first = propose(UPR35, UPR35_NAM, [ROOM], [HRC43])
    again = propose(UPR35, list(reversed(UPR35_NAM)), [ROOM], [HRC43])
    assert result_to_json(first) == result_to_json(again)
    ids = [p.id for p in first.proposals]
    assert len(set(ids)) == len(ids) and all(len(i) == 12 for i in ids)
    other = propose(replace_number(UPR35, 36), UPR35_NAM, [ROOM], [HRC43])
    assert not set(ids) & {p.id for p in other.proposals}


def replace_number(session: SessionInfo, number: int) -> SessionInfo:
    return SessionInfo(number, session.start_date, session.end_date)


def test_json_has_the_shape_of_the_cli_with_utc_offsets():
    data = json.loads(json.dumps(result_to_json(propose(UPR35, UPR35_NAM, [ROOM], [HRC43]))))
    assert set(data) == {"session", "proposals", "why"} and data["session"] == 35
    proposal = data["proposals"][0]
    assert set(proposal) == {"id", "rank", "score", "reasons", "meetings"}
    meeting = proposal["meetings"][0]
    assert set(meeting) == {"start", "end", "room", "agenda"}
    assert meeting["start"] == "2020-01-15T10:00:00+01:00"
    assert meeting["agenda"][0] == {"iso3": "LAO", "name": "Lao People's Democratic Republic",
                                    "start": "2020-01-15T10:10:00+01:00",
                                    "end": "2020-01-15T10:30:00+01:00"}
    assert data["why"] == []


def test_reasons_explain_the_score():
    result = propose(UPR35, UPR35_NAM, [ROOM], [HRC43])
    best, second = result.proposals[:2]
    assert best.score_parts == {"lead_time": 0.0, "hrc_overlap": 0.0, "morning": 0.5,
                                "spacing": 0.0, "mission_preferences": 0.0}
    assert best.reasons[-1].startswith("Score +0.50: lead time (0 working days away from the preferred 3, in all)")
    assert second.score == pytest.approx(sum(second.score_parts.values()))
    assert second.score_parts["lead_time"] == -1.0


# --- who presents and how they are grouped ------------------------------------------------


def test_several_meetings_split_evenly_in_review_order():
    sizes = {n: [len(g) for g in split_into_meetings(states(n), 4)] for n in (1, 4, 5, 9, 10)}
    assert sizes == {1: [1], 4: [4], 5: [3, 2], 9: [3, 3, 3], 10: [4, 3, 3]}
    groups = split_into_meetings(states(10), 4)
    assert [p.position for g in groups for p in g] == list(range(1, 11))


def test_many_presenters_get_meetings_on_different_days_in_review_order():
    presenters = states(10)
    result = propose(UPR35, presenters, [ROOM], [HRC43])
    assert violations(result, UPR35, presenters, [ROOM], [HRC43], DEFAULT_RULES) == []
    for proposal in result.proposals:
        assert len(proposal.meetings) == 3
        meeting_days = [m.start.date() for m in proposal.meetings]
        assert meeting_days == sorted(set(meeting_days))
    assert len({tuple(m.start.date() for m in p.meetings) for p in result.proposals}) == 5


def test_meetings_may_share_a_day_when_the_gap_is_zero():
    rules = DEFAULT_RULES.with_overrides(min_gap_working_days=0, preferred_gap_working_days=0)
    result = propose(UPR35, states(8), [ROOM], [], rules)
    first, second = result.proposals[0].meetings
    assert first.start.date() == second.start.date() and first.end <= second.start
    assert violations(result, UPR35, states(8), [ROOM], [], rules) == []


def test_a_wider_gap_is_kept_between_meetings():
    rules = DEFAULT_RULES.with_overrides(min_gap_working_days=3)
    result = propose(UPR35, states(8), [ROOM], [], rules)
    window = window_days(UPR35, 15)
    for proposal in result.proposals:
        a, b = (window.index(m.start.date()) for m in proposal.meetings)
        assert b - a >= 3


def test_observers_present_only_when_the_rules_say_so():
    presenters = [Presenter("ARG", "Argentina", 1, "observer"),
                  Presenter("FRA", "France", 2, "none")]
    result = propose(UPR35, presenters, [ROOM])
    assert result.proposals == []
    assert result.why[0] == "No NAM member is under review in session 35, so nobody presents."
    assert "Argentina" in result.why[1] and "include_observers" in result.why[1]
    rules = DEFAULT_RULES.with_overrides(include_observers=True)
    result = propose(UPR35, presenters, [ROOM], rules=rules)
    assert [a.iso3 for a in result.proposals[0].meetings[0].agenda] == ["ARG"]


def test_no_room_big_enough_is_explained():
    result = propose(UPR35, UPR35_NAM, [Room("Room VII", 40), Room("Room XII", 80)])
    assert result.proposals == []
    assert "No room seats the expected audience of 120" in result.why[0]
    assert "Room XII, seats 80" in result.why[0]
    small = propose(UPR35, UPR35_NAM, [Room("Room XII", 80)],
                    rules=DEFAULT_RULES.with_overrides(expected_audience=70))
    assert small.proposals[0].meetings[0].room == "Room XII"


def test_a_listed_state_twice_is_refused():
    with pytest.raises(Invalid, match="twice"):
        propose(UPR35, UPR35_NAM + [Presenter("KWT", "Kuwait", 12)], [ROOM])


# --- Geneva's calendar ---------------------------------------------------------------------


def test_christmas_and_new_year_before_upr48_are_skipped():
    session = SessionInfo(48, date(2025, 1, 20), date(2025, 1, 31))
    rules = DEFAULT_RULES.with_overrides(max_proposals=20)
    result = propose(session, states(1), [ROOM], [], rules)
    expected = [date(2024, 12, d) for d in (26, 27, 30)] + \
        [date(2025, 1, d) for d in (2, 3, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17)]
    assert sorted(local_days(result)) == expected  # no 25 or 31 Dec, no 1 Jan, no weekend
    closure = days(date(2024, 12, 23), date(2025, 1, 3), "closure", "UN Geneva closure")
    result = propose(session, states(1), [ROOM], [closure], rules)
    assert sorted(local_days(result)) == expected[5:]


def test_easter_before_upr49_is_skipped():
    session = SessionInfo(49, date(2025, 4, 28), date(2025, 5, 9))
    rules = DEFAULT_RULES.with_overrides(max_proposals=20)
    hrc58 = days(date(2025, 2, 24), date(2025, 4, 4), "hrc_session", "HRC58")
    result = propose(session, states(1), [ROOM], [hrc58], rules)
    found = local_days(result)
    assert date(2025, 4, 18) not in found and date(2025, 4, 21) not in found
    assert sorted(found) == [date(2025, 4, d) for d in (3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17,
                                                         22, 23, 24, 25)]
    during = [p for p in result.proposals if p.meetings[0].start.date() <= date(2025, 4, 4)]
    assert all("during HRC58" in p.reasons[0] and p.score_parts["hrc_overlap"] == -3.0
               for p in during)
    assert [p.rank for p in during] == [14, 15]  # the Council session costs them the lead


@pytest.mark.parametrize("session, change", [
    (SessionInfo(99, date(2025, 4, 7), date(2025, 4, 18)), date(2025, 3, 30)),
    (SessionInfo(50, date(2025, 11, 3), date(2025, 11, 14)), date(2025, 10, 26)),
])
def test_local_times_hold_across_the_clock_changes(session, change):
    rules = DEFAULT_RULES.with_overrides(max_proposals=15, morning_weight=0)
    result = propose(session, states(2), [ROOM], [], rules)
    assert violations(result, session, states(2), [ROOM], [], rules) == []
    meetings = [p.meetings[0] for p in result.proposals]
    summer = {m.start.date() >= change for m in meetings}
    assert summer == {True, False}, "the window should span the clock change"
    is_march = change.month == 3
    for m in meetings:
        after = m.start.date() >= change
        offset = "+02:00" if after == is_march else "+01:00"
        assert m.start.isoformat().endswith(offset)
        assert m.start.strftime("%H:%M") in {"10:00", "15:00"}
        utc_hour = 8 if offset == "+02:00" else 9
        if m.start.hour == 10:
            assert m.start.astimezone(timezone.utc).hour == utc_hour


# --- busy periods ------------------------------------------------------------------------


def test_a_fully_blocked_window_says_why_and_what_to_relax():
    session = SessionInfo(48, date(2025, 1, 20), date(2025, 1, 31))
    closure = days(date(2024, 12, 20), date(2025, 1, 10), "closure", "UN Geneva closure")
    retreat = days(date(2025, 1, 13), date(2025, 1, 17), "meeting", "NAM coordinators' retreat")
    result = propose(session, states(3), [ROOM], [closure, retreat])
    assert result.proposals == []
    why = " ".join(result.why)
    assert result.why[0].startswith("Every working day from Thu 26 Dec 2024 to Fri 17 Jan 2025 "
                                    "is blocked for the meeting of State 1, State 2 and State 3 "
                                    "(90 minutes): UN Geneva closure (10 working days")
    assert "NAM coordinators' retreat (5 working days, Mon 13 Jan 2025 – Fri 17 Jan 2025)" in why
    assert "Christmas Day (Wed 25 Dec 2024)" not in why  # before the window
    assert "Restoration Day (Tue 31 Dec 2024)" in why and "New Year's Day (Wed 1 Jan 2025)" in why
    assert "widen the window (window_working_days, now 15)" in why
    wider = propose(session, states(3), [ROOM], [closure, retreat],
                    DEFAULT_RULES.with_overrides(window_working_days=25))
    assert wider.proposals and all(m.start.date() < date(2024, 12, 20)
                                   for p in wider.proposals for m in p.meetings)


def test_room_bookings_block_only_their_room():
    other = Room("Room XXV", 130)
    booking = days(date(2020, 1, 15), date(2020, 1, 15), "meeting", "ILO meeting", room=ROOM.name)
    result = propose(UPR35, UPR35_NAM, [ROOM, other], [booking])
    best = result.proposals[0].meetings[0]
    assert (best.start, best.room) == (at(date(2020, 1, 15), 10), "Room XXV")
    assert {p.meetings[0].room for p in result.proposals[1:]} == {"Room XXIV"}


def test_a_mission_blackout_blocks_only_meetings_where_it_presents():
    blackout = days(date(2019, 12, 1), date(2020, 1, 16), "blackout", "Minister visiting",
                    mission_iso3="KWT")
    rules = DEFAULT_RULES.with_overrides(max_states_per_meeting=2)
    presenters = [Presenter("GUY", "Guyana", 1), Presenter("KWT", "Kuwait", 2),
                  Presenter("LAO", "Lao PDR", 3)]
    result = propose(UPR35, presenters, [ROOM], [blackout], rules)
    assert violations(result, UPR35, presenters, [ROOM], [blackout], rules) == []
    # Guyana and Kuwait meet on the 17th, the only day Kuwait is free; Lao PDR cannot come
    # after it before the session: no plan keeps review order.
    assert result.proposals == [] and "review order" in result.why[0]
    assert result.why[1] == ("The meeting of Guyana and Kuwait fits only on Fri 17 Jan 2020 "
                             "(blocked: Kuwait: Minister visiting (14 working days, "
                             "Thu 26 Dec 2019 – Thu 16 Jan 2020)).")
    assert "lower min_gap_working_days" in result.why[-1]
    unrelated = days(date(2020, 1, 6), date(2020, 1, 17), "blackout", "away", mission_iso3="BRA")
    assert propose(UPR35, presenters, [ROOM], [unrelated], rules).proposals


def test_a_partly_busy_day_leaves_its_free_slots():
    meeting = Busy(at(date(2020, 1, 15), 9).astimezone(timezone.utc),
                   at(date(2020, 1, 15), 12).astimezone(timezone.utc), "meeting", "Bureau")
    result = propose(UPR35, UPR35_NAM, [ROOM], [meeting])
    assert result.proposals[0].meetings[0].start == at(date(2020, 1, 15), 15)
    assert result.proposals[0].reasons[0].endswith("afternoon")


def test_the_hrc_is_a_preference_not_a_block():
    session = SessionInfo(99, date(2020, 3, 2), date(2020, 3, 13))
    result = propose(session, UPR35_NAM, [ROOM], [HRC43])
    assert result.proposals
    assert result.proposals[0].meetings[0].start.date() < date(2020, 2, 24)


def test_a_soft_morning_moves_a_later_meeting_to_the_afternoon_of_the_same_day():
    special = Busy(at(date(2020, 1, 15), 9).astimezone(timezone.utc),
                   at(date(2020, 1, 15), 13).astimezone(timezone.utc), "hrc_session",
                   "HRC special session")
    result = propose(UPR35, states(8), [ROOM], [special])
    assert [m.start for m in result.proposals[0].meetings] == [
        at(date(2020, 1, 14), 10), at(date(2020, 1, 15), 15)]
    assert result.proposals[0].score == -0.5
    assert "outside HRC special session; afternoon" in result.proposals[0].reasons[1]


def test_mission_preferences_weigh_in():
    prefer_monday = MissionPreference("KWT", preferred_weekdays=frozenset({0}))
    result = propose(UPR35, UPR35_NAM, [ROOM], [], preferences=[prefer_monday],
                     rules=DEFAULT_RULES.with_overrides(mission_weight=5))
    assert result.proposals[0].meetings[0].start.weekday() == 0
    assert "a day Kuwait prefers" in result.proposals[0].reasons[0]
    avoid = MissionPreference("GUY", avoided_days=frozenset({date(2020, 1, 15)}))
    result = propose(UPR35, UPR35_NAM, [ROOM], [], preferences=[avoid])
    assert date(2020, 1, 15) in local_days(result)
    assert result.proposals[0].meetings[0].start.date() != date(2020, 1, 15)


def test_not_before_excludes_the_past():
    now = at(date(2020, 1, 16), 12)
    result = propose(UPR35, UPR35_NAM, [ROOM], [], not_before=now)
    assert sorted(m.start for p in result.proposals for m in p.meetings) == [
        at(date(2020, 1, 16), 15), at(date(2020, 1, 17), 10)]
    late = propose(UPR35, UPR35_NAM, [ROOM], [], not_before=at(date(2020, 1, 18), 0))
    assert late.proposals == [] and "already past" in late.why[0]


def test_a_meeting_longer_than_the_hours_is_explained():
    rules = DEFAULT_RULES.with_overrides(meeting_hours="10:00-11:00")
    result = propose(UPR35, UPR35_NAM, [ROOM], [], rules)
    assert result.why[0] == ("The meeting of Lao People's Democratic Republic, Guyana and Kuwait "
                             "needs 90 minutes, but the longest block of meeting hours "
                             "(10:00–11:00) is 60 minutes.")


# --- rules ---------------------------------------------------------------------------------


def test_rules_have_documented_defaults():
    rules = Rules()
    assert (rules.window_working_days, rules.preferred_lead_working_days) == (15, 3)
    assert rules.meeting_hours == ((time(10), time(13)), (time(15), time(18)))
    assert (rules.opening_minutes, rules.minutes_per_state, rules.max_states_per_meeting) \
        == (10, 20, 4)
    assert rules.meeting_minutes(3) == 90 and rules.meeting_minutes(4) == 90
    assert rules.meeting_minutes(2) == 60


def test_rules_take_overrides_typed_or_as_text():
    rules = DEFAULT_RULES.with_overrides(window_working_days="10", morning_weight="1.5",
                                         include_observers="yes", meeting_hours="09:00–12:30",
                                         max_proposals=None)
    assert rules.window_working_days == 10 and rules.morning_weight == 1.5
    assert rules.include_observers is True and rules.max_proposals == 5
    assert rules.meeting_hours == ((time(9), time(12, 30)),)
    assert DEFAULT_RULES.window_working_days == 15  # the defaults are untouched


@pytest.mark.parametrize("overrides, message", [
    ({"meeting_hours": "13:00-10:00"}, "ends before it starts"),
    ({"meeting_hours": "10:00-13:00,12:00-14:00"}, "not overlap"),
    ({"meeting_hours": "ten to one"}, "should look like 10:00-13:00"),
    ({"window_working_days": 0}, "window_working_days must be a whole number from 1"),
    ({"max_states_per_meeting": "many"}, "max_states_per_meeting must be a number"),
    ({"hrc_weight": -1}, "hrc_weight must be a number of 0 or more"),
    ({"include_observers": "perhaps"}, "include_observers must be true or false"),
    ({"rooms": 3}, "unknown rule 'rooms'"),
])
def test_bad_rules_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(Invalid, match=message):
        DEFAULT_RULES.with_overrides(**overrides)


def test_rules_built_directly_are_checked_too():
    with pytest.raises(Invalid, match="slot_minutes"):
        Rules(slot_minutes=0)
    assert parse_meeting_hours("9:30-12:00, 14:00-17:30") == (
        (time(9, 30), time(12)), (time(14), time(17, 30)))


# --- a time set by hand ------------------------------------------------------------------


def test_a_time_set_by_hand_is_checked():
    session = SessionInfo(49, date(2025, 4, 28), date(2025, 5, 9))
    hrc58 = days(date(2025, 2, 24), date(2025, 4, 4), "hrc_session", "HRC58")
    blackout = days(date(2025, 4, 22), date(2025, 4, 22), "blackout", "National day",
                    mission_iso3="S01")
    friday = at(date(2025, 4, 18), 10)
    check = check_meeting(session, states(2), friday, friday + timedelta(hours=1), ROOM)
    assert not check.ok and "Geneva public holiday (Good Friday)" in check.problems[0]
    tuesday = at(date(2025, 4, 22), 10)
    check = check_meeting(session, states(2), tuesday, tuesday + timedelta(hours=1), ROOM,
                          [blackout])
    assert check.problems == ["overlaps National day (mission of S01)"]
    april = at(date(2025, 4, 3), 19)
    check = check_meeting(session, states(2), april, april + timedelta(hours=1), ROOM, [hrc58])
    assert check.ok
    assert check.warnings == ["overlaps HRC58", "outside the meeting hours (10:00–13:00, "
                                                "15:00–18:00)"]
    late = at(date(2025, 4, 28), 10)
    check = check_meeting(session, states(2), late, late + timedelta(hours=1), Room("Small", 20))
    assert len(check.problems) == 2 and "must end before that day" in check.problems[0]


# --- every shipped session --------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def shipped_sessions():
    states_by_iso3 = {r["iso3"]: r for r in _rows("states.csv")}
    reviews: dict[int, list[Presenter]] = {}
    for r in _rows("upr_reviews.csv"):
        state = states_by_iso3[r["iso3"]]
        reviews.setdefault(int(r["session"]), []).append(
            Presenter(r["iso3"], state["name"], int(r["position"]), state["nam_status"]))
    hrc = [days(date.fromisoformat(r["start_date"]), date.fromisoformat(r["end_date"]),
                "hrc_session", f"HRC{r['number']}") for r in _rows("hrc_sessions.csv")]
    for r in _rows("upr_sessions.csv"):
        session = SessionInfo(int(r["number"]), date.fromisoformat(r["start_date"]),
                              date.fromisoformat(r["end_date"]))
        yield session, reviews[session.number], hrc


@pytest.mark.parametrize("session, presenters, hrc", [
    pytest.param(*case, id=f"UPR{case[0].number}") for case in shipped_sessions()])
def test_every_shipped_session_plans_with_the_defaults(session, presenters, hrc):
    assert 38 <= session.number <= 51  # what nam_briefings/data ships
    result = propose(session, presenters, [ROOM], hrc)
    assert len(result.proposals) == 5, result.why
    assert violations(result, session, presenters, [ROOM], hrc, DEFAULT_RULES) == []
    members = [p for p in presenters if p.nam_status == "member"]
    assert sum(len(m.agenda) for m in result.proposals[0].meetings) == len(members) >= 6

def test_a_score_is_said_in_words_beside_the_best_one():
    from nam_briefings.domain.planner import GOOD_WITHIN, score_label

    assert score_label(-0.5, -0.5) == "Best"  # a negative best is still the best
    assert score_label(-0.5 - GOOD_WITHIN, -0.5) == "Good"
    assert score_label(-0.5 - GOOD_WITHIN - 0.01, -0.5) == "Possible"
