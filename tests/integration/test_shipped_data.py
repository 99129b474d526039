"""The shipped reference data (`nam_briefings/data/`): what it holds, that `seed` loads it on
a fresh database and changes nothing the second time, and that session 51 (19–30 January
2026, Myanmar's review deferred) plans as the issue's Done-when says.
"""
from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import BusyPeriod, Review, UprSession
from nam_briefings.services.calendar import DATA_DIR, table_counts

#: session 51's NAM members, in the order of review (FSM, NRU, AUT, AUS, GEO are not in NAM)
SESSION_51_NAM_PRESENTERS = ["LBN", "MRT", "RWA", "NPL", "LCA", "OMN", "KNA", "STP"]
#: session 51's review days, as published (see nam_briefings/data/README.md)
SESSION_51_DAYS = {
    "FSM": "2026-01-19", "LBN": "2026-01-19", "MRT": "2026-01-20", "NRU": "2026-01-20",
    "RWA": "2026-01-21", "NPL": "2026-01-21", "LCA": "2026-01-22", "OMN": "2026-01-22",
    "AUT": "2026-01-23", "AUS": "2026-01-26", "GEO": "2026-01-26", "KNA": "2026-01-27",
    "STP": "2026-01-27",
}


def shipped(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def session(number: int) -> UprSession:
    db.session.expire_all()
    return db.session.scalar(db.select(UprSession).filter_by(number=number))


def reviews_in_order(number: int) -> list[Review]:
    return sorted(session(number).reviews, key=lambda review: review.position)


@pytest.fixture
def seeded(app, runner):
    """A fresh database seeded by the CLI, "today" being the issue's day (2 December 2026)."""
    app.config["TODAY"] = date(2026, 12, 2)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return result


# --- the files ------------------------------------------------------------------------------


def test_the_files_hold_sessions_38_to_51_and_council_sessions_49_to_61():
    sessions = shipped("upr_sessions.csv")
    assert [int(row["number"]) for row in sessions] == list(range(38, 52))
    assert {int(row["number"]): int(row["cycle"]) for row in sessions} == {
        **{n: 3 for n in range(38, 41)}, **{n: 4 for n in range(41, 52)}}
    assert sessions[-1] == {"number": "51", "cycle": "4", "start_date": "2026-01-19",
                            "end_date": "2026-01-30"}
    reviews = shipped("upr_reviews.csv")
    per_session = {n: sum(row["session"] == str(n) for row in reviews) for n in range(38, 52)}
    assert len(reviews) == 191 == sum(per_session.values())
    assert per_session[42] == per_session[51] == 13 and per_session[40] == 12
    council = [int(row["number"]) for row in shipped("hrc_sessions.csv")]
    assert council == list(range(49, 62))  # 53, 54 and 56 included; 62 and 63 not (no end date)
    assert len(shipped("states.csv")) == 194


def test_session_51_has_thirteen_states_and_no_myanmar():
    rows = [row for row in shipped("upr_reviews.csv") if row["session"] == "51"]
    assert [row["iso3"] for row in rows] == list(SESSION_51_DAYS)
    assert {row["iso3"]: row["start"] for row in rows} == SESSION_51_DAYS
    assert "MMR" not in {row["iso3"] for row in rows}


# --- seed on a fresh database -----------------------------------------------------------------


def published() -> tuple[list[int], int]:
    """The numbers of the sessions on file that are not expected (forecast), and their reviews."""
    db.session.expire_all()
    sessions = db.session.scalars(db.select(UprSession).where(UprSession.status != "expected")
                                  .order_by(UprSession.number)).all()
    return [s.number for s in sessions], sum(len(s.reviews) for s in sessions)


def test_seed_loads_everything_and_the_review_days_of_session_51(seeded):
    assert published() == (list(range(38, 52)), 191)
    counts = table_counts()
    assert (counts["states"], counts["rooms"], counts["missions"]) == (194, 1, 0)
    labels = set(db.session.scalars(db.select(BusyPeriod.label).filter_by(kind="hrc_session")))
    assert labels == {f"HRC{n}" for n in range(49, 62)}
    first = session(51)
    assert (first.cycle, first.start_date, first.end_date) == (4, date(2026, 1, 19),
                                                               date(2026, 1, 30))
    reviews = reviews_in_order(51)
    assert {r.state_iso3: str(r.review_date) for r in reviews} == SESSION_51_DAYS
    assert all(r.start_at is None for r in reviews)  # the day is known, not the hour
    assert "MMR" not in {r.state_iso3 for r in reviews}
    assert [r.state_iso3 for r in reviews_in_order(38)][:3] == ["NAM", "NER", "MOZ"]


def test_a_second_seed_changes_nothing(seeded, runner):
    counts = table_counts()
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    for line in ("states: added 0, changed 0, 194 already present",
                 "sessions: added 0, changed 0, 14 already present",
                 "reviews: added 0, changed 0, 191 already present",
                 "hrc-sessions: added 0, changed 0, 13 already present"):
        assert line in again.output
    assert table_counts() == counts


def test_a_review_time_given_later_is_kept_by_the_next_seed(seeded, runner, tmp_path):
    """`start` may be a day (as shipped) or a Geneva time; the seed never undoes the time."""
    order = tmp_path / "session-51.csv"
    order.write_text("session,iso3,position,start\n51,LBN,2,2026-01-19T14:30\n")
    result = runner.invoke(args=["import", "reviews", str(order)])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["seed"])
    lebanon = next(r for r in reviews_in_order(51) if r.state_iso3 == "LBN")
    assert lebanon.review_date == date(2026, 1, 19)
    assert lebanon.start_at == datetime(2026, 1, 19, 13, 30, tzinfo=timezone.utc)  # CET
    assert lebanon.end_at - lebanon.start_at == timedelta(hours=3, minutes=30)


# --- the Done-when: propose 51 ----------------------------------------------------------------


def test_propose_51_plans_the_eight_nam_presenters_in_review_order(seeded, runner):
    """Session 51 is in the past on 2 December 2026: it is planned as it could have been."""
    result = runner.invoke(args=["propose", "51", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["session"] == 51 and plan["proposals"] and plan["why"] == []
    for proposal in plan["proposals"]:
        agenda = [item["iso3"] for meeting in proposal["meetings"] for item in meeting["agenda"]]
        assert agenda == SESSION_51_NAM_PRESENTERS
        for meeting in proposal["meetings"]:
            # every briefing before the session's first review day (Lebanon's, 19 January)
            assert datetime.fromisoformat(meeting["end"]).date() < date(2026, 1, 19)


# --- the 3rd cycle, as test fixtures (tests/fixtures/README.md gives the sources) ----------------


def test_the_third_cycle_fixtures_import_on_the_shipped_data_and_agree_with_it(seeded, runner):
    fixtures = Path(__file__).parent.parent / "fixtures"
    for kind, name, added in (("sessions", "upr_sessions_cycle3.csv", 11),
                              ("reviews", "upr_reviews_cycle3.csv", 154)):
        result = runner.invoke(args=["import", kind, str(fixtures / name)])
        assert result.exit_code == 0, result.output
        assert f"{kind}: added {added}, changed 0" in result.output
    # the older, smaller fixtures are part of it: importing them changes nothing
    for kind, name in (("sessions", "upr_sessions_34_36.csv"), ("reviews", "upr_reviews_35.csv")):
        result = runner.invoke(args=["import", kind, str(fixtures / name)])
        assert "added 0, changed 0" in result.output, result.output
    states = {n: {r.state_iso3 for r in session(n).reviews} for n in range(27, 52)}
    assert all(len(states[n]) == 14 for n in range(27, 38))
    # the rotation, on real lists: session n's states are session n + 14's, but for Ukraine
    # (its session-42 review postponed) and Myanmar (its session-51 review deferred)
    assert {n: states[n] - states[n + 14] for n in range(27, 38)
            if states[n] != states[n + 14]} == {28: {"UKR"}, 37: {"MMR"}}
