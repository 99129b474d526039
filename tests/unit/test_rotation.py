"""The UPR rotation (domain/rotation.py): cycles, states from the cycle before, expected dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from nam_briefings.domain.errors import Invalid
from nam_briefings.domain.rotation import (
    SessionOnFile,
    cycle_of,
    cycle_sessions,
    predict_cycle,
    predict_session,
    same_slot_years_on,
)

NAMES = {"AAA": "Zedland", "BBB": "Albania", "CCC": "Mexico", "DDD": "Chad", "EEE": "Benin"}


def on_file(*sessions: SessionOnFile) -> dict[int, SessionOnFile]:
    return {session.number: session for session in sessions}


def test_cycles_are_numbered_as_ohchr_does():
    assert list(cycle_sessions(4)) == list(range(41, 55))
    assert list(cycle_sessions(5)) == list(range(55, 69))
    assert list(cycle_sessions(2)) == list(range(13, 27))
    assert list(cycle_sessions(1)) == list(range(1, 13))
    assert cycle_of(12) == 1 and cycle_of(13) == 2 and cycle_of(40) == 3 and cycle_of(41) == 4
    assert cycle_of(54) == 4 and cycle_of(55) == 5 and cycle_of(68) == 5


@given(st.integers(min_value=1, max_value=2000))
def test_every_session_lies_in_its_cycle(number):
    assert number in cycle_sessions(cycle_of(number))


@given(st.integers(min_value=2, max_value=200))
def test_cycles_after_the_first_have_14_sessions_end_to_end(cycle):
    sessions = cycle_sessions(cycle)
    assert len(sessions) == 14
    assert sessions[0] == cycle_sessions(cycle - 1)[-1] + 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(min_value=1, max_value=8))
def test_a_slot_moves_on_to_the_monday_nearest_the_same_date(start, years):
    moved = same_slot_years_on(start, years)
    assert moved.weekday() == 0
    same_date = date(start.year + years, start.month, min(start.day, 28 if start.month == 2
                                                          and start.day == 29 else start.day))
    assert abs((moved - same_date).days) <= 3


def test_a_monday_moves_on_to_the_monday_a_year_later():
    assert same_slot_years_on(date(2026, 1, 19), 1) == date(2027, 1, 18)
    assert same_slot_years_on(date(2025, 11, 3), 1) == date(2026, 11, 2)
    assert same_slot_years_on(date(2024, 2, 29), 1) == date(2025, 3, 3)  # Fri 28 Feb → Mon


def test_states_repeat_the_session_14_before_listed_by_name():
    sessions = on_file(SessionOnFile(40, date(2022, 1, 24), frozenset({"AAA", "BBB", "CCC"})),
                       SessionOnFile(51, date(2026, 1, 19), frozenset({"DDD"})))
    prediction = predict_session(54, sessions, NAMES)
    assert prediction.from_session == 40
    assert prediction.states == ("BBB", "CCC", "AAA")  # Albania, Mexico, Zedland
    assert prediction.expected_start == date(2027, 1, 18)
    assert prediction.expected_end == date(2027, 1, 29)
    assert prediction.notes == ()


def test_a_forecast_session_serves_as_the_base_of_the_next_cycle():
    sessions = on_file(SessionOnFile(38, date(2021, 5, 3), frozenset({"AAA", "BBB"})),
                       SessionOnFile(51, date(2026, 1, 19), frozenset({"CCC"})))
    prediction = predict_session(66, sessions, NAMES)  # 66 ← 52 (not on file) ← 38
    assert prediction.from_session == 52
    assert set(prediction.states) == {"AAA", "BBB"}
    assert "session 52 is not published" in prediction.notes[0]
    # dates: 63, 60, 57, 54 are not on file; 51 is, five years (15 sessions) before
    assert prediction.expected_start == date(2031, 1, 20)


def test_an_expected_session_on_file_is_forecast_again_not_taken_as_a_fact():
    sessions = on_file(
        SessionOnFile(38, date(2021, 5, 3), frozenset({"AAA"})),
        SessionOnFile(51, date(2026, 1, 19), frozenset({"CCC"})),
        SessionOnFile(52, date(2030, 1, 1), frozenset({"EEE"}), published=False),
        SessionOnFile(63, date(2035, 6, 1), frozenset({"EEE"}), published=False))
    prediction = predict_session(66, sessions, NAMES)
    assert prediction.states == ("AAA",)
    assert prediction.expected_start == date(2031, 1, 20)


def test_a_base_without_states_gives_no_states_and_says_so():
    sessions = on_file(SessionOnFile(40, date(2022, 1, 24)),
                       SessionOnFile(51, date(2026, 1, 19), frozenset({"DDD"})))
    prediction = predict_session(54, sessions, NAMES)
    assert prediction.states == ()
    assert prediction.notes == ("no states: session 40 has no states on file",)


def test_an_unknown_base_and_slot_give_no_states_and_no_dates():
    prediction = predict_session(45, on_file(), NAMES)
    assert prediction.states == () and prediction.expected_start is None
    assert prediction.expected_end is None
    assert "session 31 is not on file" in prediction.notes[0]
    assert "no dates: session 42" in prediction.notes[1]


def test_moved_reviews_follow_the_facts():
    # session 51's MMR review was deferred to 54: 65 still repeats 51's slot, and 54 keeps it
    sessions = on_file(
        SessionOnFile(40, date(2022, 1, 24), frozenset({"AAA"})),
        SessionOnFile(51, date(2026, 1, 19), frozenset({"DDD", "MMR"})),  # MMR: its slot
        SessionOnFile(54, date(2027, 1, 18), frozenset(), published=False,
                      moved_in=frozenset({"MMR"})))
    assert set(predict_session(54, sessions, NAMES).states) == {"AAA", "MMR"}
    assert set(predict_session(65, sessions, NAMES).states) == {"DDD", "MMR"}


@given(st.lists(st.sets(st.sampled_from(sorted(NAMES)), max_size=5), min_size=14, max_size=14),
       st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 1, 1)))
def test_a_cycle_forecast_repeats_the_cycle_before(state_sets, first_start):
    sessions = on_file(*(SessionOnFile(41 + i, first_start + timedelta(days=120 * i),
                                       frozenset(states))
                         for i, states in enumerate(state_sets)))
    predictions = predict_cycle(5, sessions, NAMES)
    assert [p.number for p in predictions] == list(range(55, 69))
    for prediction, states in zip(predictions, state_sets):
        assert set(prediction.states) == states
        assert list(prediction.states) == sorted(states, key=NAMES.get)
        assert prediction.expected_end - prediction.expected_start == timedelta(days=11)
        assert prediction.expected_start.weekday() == 0


def test_a_cycle_forecast_from_a_realistic_rhythm_has_ascending_dates():
    starts = [date(2022, 11, 7), date(2023, 1, 23), date(2023, 5, 1), date(2023, 11, 6),
              date(2024, 1, 22), date(2024, 4, 29), date(2024, 11, 4), date(2025, 1, 20),
              date(2025, 4, 28), date(2025, 11, 3), date(2026, 1, 19)]
    sessions = on_file(*(SessionOnFile(41 + i, start) for i, start in enumerate(starts)))
    sessions[40] = SessionOnFile(40, date(2022, 1, 24))  # the 3rd cycle is on file
    later = predict_cycle(4, sessions, NAMES)[11:] + predict_cycle(5, sessions, NAMES)
    starts_forecast = [p.expected_start for p in later]
    assert starts_forecast == sorted(starts_forecast)
    assert [s.month for s in starts_forecast[:3]] == [4, 11, 1]
    assert starts_forecast[-1] == date(2031, 11, 3)  # 68: early November, no drift


@pytest.mark.parametrize("cycle", [-1, 0, 1, 2])
def test_the_first_cycles_cannot_be_forecast(cycle):
    with pytest.raises(Invalid, match="cannot be forecast|no UPR cycle"):
        predict_cycle(cycle, on_file(SessionOnFile(5, date(2009, 5, 4))), NAMES)


def test_a_cycle_needs_the_cycle_before_on_file():
    with pytest.raises(Invalid, match=r"cycle 5 is forecast from cycle 4 \(sessions 41–54\)"):
        predict_cycle(5, on_file(SessionOnFile(38, date(2021, 5, 3))), NAMES)
