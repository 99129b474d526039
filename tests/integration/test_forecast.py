"""The rotation forecast (`flask --app app forecast CYCLE [--json] [--apply]`) on the shipped data.

The shipped calendar holds sessions 38–51: the end of the 3rd cycle and the 4th up to
January 2026. Session n repeats the states of n − 14.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Review, State, UprSession
from nam_briefings.services import forecast
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import (
    DATA_DIR,
    REFERENCE_FILES,
    import_csv,
    import_review_order,
    seed_reference_data,
    table_counts,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CYCLE3_SESSIONS = FIXTURES / "upr_sessions_cycle3.csv"
CYCLE3_REVIEWS = FIXTURES / "upr_reviews_cycle3.csv"


@pytest.fixture
def shipped(app):
    """The shipped files imported as they are, without the seed's forecast."""
    for kind, name in REFERENCE_FILES.items():
        import_csv(kind, (DATA_DIR / name).read_bytes(), Actor.system(), source=name)


def states_on_file(number: int) -> set[str]:
    session = db.session.scalar(db.select(UprSession).filter_by(number=number))
    return {review.state_iso3 for review in session.reviews}


def session(number: int) -> UprSession | None:
    return db.session.scalar(db.select(UprSession).filter_by(number=number))


def forecast_events() -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action="forecast.apply")))


def run_json(runner, *args: str) -> dict:
    result = runner.invoke(args=["forecast", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the rule on the shipped data ----------------------------------------------------------

def test_cycle_4_ends_with_the_states_of_38_to_40_when_they_are_expected(shipped):
    result = forecast.forecast_cycle(4)
    assert [s.number for s in result.sessions] == list(range(41, 55))
    for predicted in result.sessions[-3:]:
        assert predicted.from_session == predicted.number - 14
        assert set(predicted.states) == states_on_file(predicted.number - 14)
        assert predicted.states == sorted(predicted.states, key=_state_name)
    session_54 = result.sessions[-1]
    assert (session_54.expected_start, session_54.expected_end) == (date(2027, 1, 18),
                                                                    date(2027, 1, 29))
    assert session_54.nam_presenters and set(session_54.nam_presenters) <= set(session_54.states)
    assert "no states: session 27 is not on file" in result.sessions[0].note


def test_cycle_5_repeats_the_4th_with_dates_after_it(shipped):
    result = forecast.forecast_cycle(5)
    assert [s.number for s in result.sessions] == list(range(55, 69))
    for predicted in result.sessions[:11]:
        assert set(predicted.states) == states_on_file(predicted.number - 14)
    for predicted in result.sessions[11:]:  # 66–68 repeat 52–54, forecast from 38–40
        assert set(predicted.states) == states_on_file(predicted.number - 28)
    session_54 = forecast.forecast_session(54)
    starts = [s.expected_start for s in result.sessions]
    assert starts == sorted(starts) and starts[0] > session_54.expected_end
    assert all(s.expected_end.weekday() == 4 for s in result.sessions)


def test_nam_presenters_follow_the_planner_rules_with_observers(app, shipped):
    statuses = dict(db.session.execute(db.select(State.iso3, State.nam_status)).all())
    members_only = forecast.forecast_cycle(5)
    app.config["PLANNER_RULES"] = {"include_observers": True}
    with_observers = forecast.forecast_cycle(5)
    observers = set()
    for plain, wide in zip(members_only.sessions, with_observers.sessions):
        assert {statuses[iso3] for iso3 in plain.nam_presenters} <= {"member"}
        assert set(plain.nam_presenters) == {iso3 for iso3 in plain.states
                                             if statuses[iso3] == "member"}
        assert set(wide.nam_presenters) == {iso3 for iso3 in wide.states
                                            if statuses[iso3] in ("member", "observer")}
        observers |= set(wide.nam_presenters) - set(plain.nam_presenters)
    assert observers and {statuses[iso3] for iso3 in observers} == {"observer"}


def test_forecast_4_predicts_the_4th_cycle_from_the_real_3rd(runner, shipped):
    if not (CYCLE3_SESSIONS.exists() and CYCLE3_REVIEWS.exists()):
        pytest.skip(f"the 3rd cycle's state lists ({CYCLE3_SESSIONS.name}, "
                    f"{CYCLE3_REVIEWS.name} in tests/fixtures) are not there yet")
    for kind, path in (("sessions", CYCLE3_SESSIONS), ("reviews", CYCLE3_REVIEWS)):
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, result.output
    predicted = {(s["number"], iso3) for s in run_json(runner, "4")["sessions"]
                 if 42 <= s["number"] <= 51 for iso3 in s["states"]}
    actual = {(number, iso3) for number in range(42, 52) for iso3 in states_on_file(number)}
    right = predicted & actual
    assert len(right) / len(predicted) >= 0.95, sorted(predicted - actual)
    assert len(right) / len(actual) >= 0.95, sorted(actual - predicted)


# --- the JSON contract and the errors ------------------------------------------------------

def test_the_json_has_exactly_the_agreed_shape(runner, shipped):
    before = table_counts()
    data = run_json(runner, "5")
    assert list(data) == ["cycle", "sessions"] and data["cycle"] == 5
    assert len(data["sessions"]) == 14
    for entry in data["sessions"]:
        assert list(entry) == ["number", "from_session", "expected_start", "expected_end",
                               "states", "nam_presenters"]
        assert isinstance(entry["number"], int) and entry["from_session"] == entry["number"] - 14
        assert date.fromisoformat(entry["expected_start"]).weekday() == 0
        assert date.fromisoformat(entry["expected_end"]).weekday() == 4
        assert all(isinstance(code, str) and len(code) == 3 for code in entry["states"])
        assert set(entry["nam_presenters"]) <= set(entry["states"])
    assert data["sessions"][0]["number"] == 55 and data["sessions"][0]["from_session"] == 41
    assert table_counts() == before and not forecast_events()  # it only reads


def test_unknown_dates_are_null_and_the_table_says_why(runner, app):
    import_csv("states", (DATA_DIR / "states.csv").read_bytes(), Actor.system())
    import_csv("sessions", "number,cycle,start_date,end_date\n40,3,2022-01-24,2022-02-03\n",
               Actor.system())
    import_review_order(40, ["HTI", "SSD"], Actor.system())
    data = run_json(runner, "4")
    by_number = {s["number"]: s for s in data["sessions"]}
    assert by_number[54]["expected_start"] is None and by_number[54]["expected_end"] is None
    assert by_number[54]["states"] == ["HTI", "SSD"]  # Haiti, South Sudan
    assert by_number[43]["expected_start"] == "2023-01-23"  # one year after 40
    table = runner.invoke(args=["forecast", "4"])
    assert table.exit_code == 0, table.output
    assert "no dates: session 51 (one year earlier) is not on file" in table.output
    assert "no states: session 27 is not on file" in table.output


@pytest.mark.parametrize("cycle, message", [
    ("2", "cycle 2 cannot be forecast"),
    ("0", "cycle 0 cannot be forecast"),
    ("7", "cycle 7 is forecast from cycle 6 (sessions 69–82), and no session of it is on file"),
])
def test_a_cycle_that_cannot_be_forecast_is_refused(runner, shipped, cycle, message):
    result = runner.invoke(args=["forecast", cycle, "--apply"])
    assert result.exit_code == 1
    assert message in result.output
    assert not forecast_events() and session(69) is None


def test_a_cycle_that_is_not_a_number_is_refused(runner, shipped):
    result = runner.invoke(args=["forecast", "four"])
    assert result.exit_code == 2 and "'four' is not a valid integer" in result.output


# --- applying it ---------------------------------------------------------------------------

def test_apply_writes_the_missing_sessions_as_expected_once_and_audited(runner, shipped):
    result = runner.invoke(args=["forecast", "4", "--apply"])
    assert result.exit_code == 0, result.output
    assert "written as expected: 52, 53, 54" in result.output
    for number in (52, 53, 54):
        written = session(number)
        assert written.status == "expected" and written.forecast_from == number - 14
        assert written.cycle == 4
        predicted = forecast.forecast_session(number)
        assert [r.state_iso3 for r in written.reviews] == predicted.states
        assert [r.position for r in written.reviews] == list(range(1, len(predicted.states) + 1))
        assert all(r.review_date is None and r.start_at is None for r in written.reviews)
        assert (written.start_date, written.end_date) == (predicted.expected_start,
                                                          predicted.expected_end)
    [event] = forecast_events()
    assert event.target_id == "4" and "52, 53, 54" in event.details
    assert event.actor.startswith("cli:")
    counts = table_counts()
    again = runner.invoke(args=["forecast", "4", "--apply"])
    assert again.exit_code == 0 and "nothing to write" in again.output
    assert table_counts() == counts and len(forecast_events()) == 1


def test_apply_never_touches_a_published_session(shipped):
    import_csv("sessions", "number,cycle,start_date,end_date\n53,4,2026-11-09,2026-11-20\n",
               Actor.system())
    import_review_order(53, ["THA"], Actor.system())
    assert forecast.apply_forecast(4, Actor.system()) == [52, 54]
    published = session(53)
    assert published.status == "scheduled" and published.forecast_from is None
    assert str(published.start_date) == "2026-11-09" and states_on_file(53) == {"THA"}
    for status in ("postponed", "held"):  # published since, with dates the forecast lacks
        published = session(52)
        published.status, published.start_date, published.end_date = (
            status, date(2026, 5, 4), date(2026, 5, 15))
        db.session.commit()
        assert forecast.apply_forecast(4, Actor.system()) == []
        assert session(52).status == status and str(session(52).start_date) == "2026-05-04"
    assert len(forecast_events()) == 1


def test_an_expected_session_follows_its_base_when_the_base_is_published(shipped):
    forecast.apply_forecast(4, Actor.system())
    forecast.apply_forecast(5, Actor.system())
    assert states_on_file(66) == states_on_file(38)
    # OHCHR publishes session 52: five of its states are known, and its real start
    base = session(52)
    base.status, base.start_date, base.end_date = "scheduled", date(2026, 5, 4), date(2026, 5, 15)
    db.session.commit()
    import_review_order(52, ["NAM", "PRY", "DNK", "SGP", "BEL"], Actor.system())
    written = forecast.apply_forecast(5, Actor.system())
    assert 66 in written and 55 in written  # 66 repeats 52; 55 comes a year after it
    assert 56 not in written and 65 not in written
    updated = session(66)
    assert updated.status == "expected" and updated.forecast_from == 52
    assert [r.state_iso3 for r in updated.reviews] == ["BEL", "DNK", "NAM", "PRY", "SGP"]
    assert [r.position for r in updated.reviews] == [1, 2, 3, 4, 5]
    assert session(55).start_date == date(2027, 5, 3)
    assert forecast.apply_forecast(5, Actor.system()) == []
    details = forecast_events()[-1].details
    assert "66" in details and "56" not in details


def test_a_review_moved_into_an_expected_session_is_kept(shipped):
    forecast.apply_forecast(4, Actor.system())
    expected = session(54)
    forecast_states = [r.state_iso3 for r in expected.reviews]
    expected.reviews.append(Review(state_iso3="MMR", position=len(forecast_states) + 1,
                                   moved_from_session=51))
    db.session.commit()
    assert forecast.apply_forecast(4, Actor.system()) == []
    assert [r.state_iso3 for r in session(54).reviews] == forecast_states + ["MMR"]
    assert "MMR" in forecast.forecast_session(54).states
    assert "MMR" in forecast.forecast_session(65).states  # its slot is still 51's


# --- the seed --------------------------------------------------------------------------------

def test_seed_on_2_december_2026_expects_52_to_68(runner, app):
    assert app.config.get("TODAY") is None  # the real clock, as `make run` has it
    if date.today() != date(2026, 12, 2):
        app.config["TODAY"] = date(2026, 12, 2)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    expected = list(range(52, 69))
    assert forecast.expected_sessions() == expected
    assert "expected sessions" in result.output and "52, 53, 54, 55" in result.output
    session_54 = session(54)
    assert session_54.start_date == date(2027, 1, 18)
    assert forecast.forecast_session(54).nam_presenters
    counts, events = table_counts(), db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent))
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert table_counts() == counts
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == events


def test_seed_before_any_session_has_started_forecasts_from_the_next_one(app):
    app.config["TODAY"] = date(2021, 1, 4)  # before session 38: the 3rd cycle is "current"
    seed_reference_data(Actor.system())
    assert forecast.current_cycle() == 3
    assert forecast.expected_sessions() == [52, 53, 54]  # cycle 3 has no base on file


def _state_name(iso3: str) -> str:
    return db.session.get(State, iso3).name
