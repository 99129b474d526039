"""`propose` and `confirm` on the real, seeded UPR calendar."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from nam_briefings.domain.calendar import GENEVA, geneva_public_holidays
from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, Proposal
from nam_briefings.services import briefings
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from nam_briefings.services.busy import add_closure

FIXTURES = Path(__file__).parent.parent / "fixtures"
SESSION_49_NAM_MEMBERS = ["GRD", "GIN", "GNB", "GUY", "KEN", "KWT", "LSO", "LAO"]


@pytest.fixture
def seeded(app):
    app.config["TODAY"] = date(2025, 3, 3)  # before session 49: its briefings are ahead
    seed_reference_data(Actor.system())
    return app


def propose_json(runner, *args: str):
    result = runner.invoke(args=["propose", *args, "--json"])
    return result, json.loads(result.output) if result.output.strip().startswith("{") else None


def test_propose_49_json_meets_the_acceptance(seeded, runner):
    result, data = propose_json(runner, "49")
    assert result.exit_code == 0, result.output
    assert data["session"] == 49 and data["proposals"] and data["why"] == []
    holidays = geneva_public_holidays(date(2025, 4, 1), date(2025, 4, 30))
    assert date(2025, 4, 18) in holidays and date(2025, 4, 21) in holidays
    for proposal in data["proposals"]:
        assert proposal["reasons"] and isinstance(proposal["score"], float)
        states = [item["iso3"] for m in proposal["meetings"] for item in m["agenda"]]
        assert states == SESSION_49_NAM_MEMBERS  # each once, in review order
        for meeting in proposal["meetings"]:
            start, end = (datetime.fromisoformat(meeting[k]) for k in ("start", "end"))
            assert start.utcoffset() is not None and meeting["start"].endswith("+02:00")
            assert start.date() < date(2025, 4, 28) and start.weekday() < 5
            assert start.date() not in holidays
            local = start.astimezone(GENEVA), end.astimezone(GENEVA)
            assert any(a <= (local[0].hour, local[0].minute) and (local[1].hour, local[1].minute) <= b
                       for a, b in (((10, 0), (13, 0)), ((15, 0), (18, 0))))
    stored = db.session.scalars(db.select(Proposal).filter_by(status="open")).all()
    assert sorted(p.key for p in stored) == sorted(p["id"] for p in data["proposals"])


def test_another_real_session_imported_plans_the_same_way(seeded, runner):
    for kind, name in (("sessions", "upr_sessions_34_36.csv"), ("reviews", "upr_reviews_35.csv"),
                       ("hrc-sessions", "hrc_sessions_42_43.csv")):
        assert runner.invoke(args=["import", kind, str(FIXTURES / name)]).exit_code == 0
    result, data = propose_json(runner, "35", "--max-states-per-meeting", "8")
    assert result.exit_code == 0, result.output
    days = {m["start"][:10] for p in data["proposals"] for m in p["meetings"]}
    assert all(d < "2020-01-20" for d in days)
    assert "2020-01-17" in days or len(days) == len(data["proposals"])


def test_nothing_fits_exits_non_zero_with_why(seeded, runner):
    add_closure(date(2024, 12, 1), date(2025, 1, 19), "Closure for the test", Actor.system())
    result, data = propose_json(runner, "48")
    assert result.exit_code == 1
    assert data["proposals"] == []
    assert any("Closure for the test" in line for line in data["why"])


def test_bad_rule_value_is_refused_and_nothing_stored(seeded, runner):
    result = runner.invoke(args=["propose", "49", "--window-working-days", "lots"])
    assert result.exit_code == 1 and "window_working_days" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0


def test_replanning_supersedes_the_old_proposals(seeded, runner):
    _, first = propose_json(runner, "49")
    _, second = propose_json(runner, "49", "--max-states-per-meeting", "8")
    open_keys = set(db.session.scalars(db.select(Proposal.key).filter_by(status="open")))
    assert open_keys == {p["id"] for p in second["proposals"]}
    assert not open_keys & {p["id"] for p in first["proposals"]}


def test_confirm_creates_one_briefing_per_meeting_with_stable_uids(seeded, runner):
    _, data = propose_json(runner, "49")
    best = data["proposals"][0]
    result = runner.invoke(args=["confirm", best["id"]])
    assert result.exit_code == 0, result.output
    created = db.session.scalars(db.select(Briefing).order_by(Briefing.start_at)).all()
    assert len(created) == len(best["meetings"])
    assert len({b.uid for b in created}) == len(created)
    assert all(b.sequence == 0 and b.status == "confirmed" for b in created)
    first = created[0]
    assert first.start_at == datetime.fromisoformat(best["meetings"][0]["start"]).astimezone(timezone.utc)
    assert [i.review.state_iso3 for i in first.items] == [a["iso3"] for a in best["meetings"][0]["agenda"]]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="briefing.confirm")) is not None
    # Confirming again answers with the same briefings and sends nothing more; the other
    # proposals are superseded, and planning again is refused.
    again = runner.invoke(args=["confirm", best["id"]])
    assert again.exit_code == 0 and "already confirmed; nothing more was sent" in again.output
    assert [line.split()[2] for line in again.output.splitlines()[1:]] == \
        [line.split()[2] for line in result.output.splitlines()]
    other = next(p["id"] for p in data["proposals"] if p["id"] != best["id"])
    refused = runner.invoke(args=["confirm", other])
    assert refused.exit_code == 1 and "superseded" in refused.output
    replan = runner.invoke(args=["propose", "49"])
    assert replan.exit_code == 1 and "already has a confirmed briefing" in replan.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Briefing)) == len(created)


def test_confirm_refuses_a_proposal_that_no_longer_fits(seeded, runner):
    _, data = propose_json(runner, "49")
    meeting = data["proposals"][0]["meetings"][0]
    day = date.fromisoformat(meeting["start"][:10])
    add_closure(day, day, "Unexpected closure", Actor.system())
    result = runner.invoke(args=["confirm", data["proposals"][0]["id"]])
    assert result.exit_code == 1 and "Unexpected closure" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Briefing)) == 0


def test_a_confirmed_briefing_blocks_other_sessions_plans(seeded, runner, tmp_path):
    """Another session's confirmed briefing is a hard busy period for the chair."""
    _, data = propose_json(runner, "49", "--max-states-per-meeting", "8", "--max-proposals", "1")
    assert runner.invoke(args=["confirm", data["proposals"][0]["id"]]).exit_code == 0
    taken = data["proposals"][0]["meetings"][0]
    # A made-up session on the same dates, with presenters of its own.
    (tmp_path / "s.csv").write_text("number,cycle,start_date,end_date\n149,9,2025-04-28,2025-05-09\n")
    (tmp_path / "r.csv").write_text("session,iso3,position\n149,GUY,1\n149,KEN,2\n")
    runner.invoke(args=["import", "sessions", str(tmp_path / "s.csv")])
    runner.invoke(args=["import", "reviews", str(tmp_path / "r.csv")])
    _, other = propose_json(runner, "149", "--max-proposals", "20")
    for proposal in other["proposals"]:
        for meeting in proposal["meetings"]:
            assert meeting["end"] <= taken["start"] or meeting["start"] >= taken["end"]
    # Re-planning session 49 itself is not blocked by its own briefing.
    assert not [b for b in briefings._busy(briefings.get_session(49)) if b.kind == "briefing"]


def test_unknown_session_and_proposal(seeded, runner):
    assert "no UPR session 99" in runner.invoke(args=["propose", "99"]).output
    result = runner.invoke(args=["confirm", "deadbeef0000"])
    assert result.exit_code == 1 and "no proposal" in result.output


def test_set_by_hand_checks_hard_constraints(seeded):
    good_friday = datetime(2025, 4, 18, 10, 0, tzinfo=GENEVA)
    with pytest.raises(Invalid, match="Good Friday"):
        briefings.set_by_hand(49, good_friday, good_friday.replace(hour=11),
                              "Room XXIV, Palais des Nations", [], Actor.system())
    evening = datetime(2025, 4, 24, 18, 30, tzinfo=GENEVA)
    result = briefings.set_by_hand(49, evening, evening.replace(hour=20),
                                   "Room XXIV, Palais des Nations", ["GUY", "KWT", "LAO"],
                                   Actor.system())
    assert result.warnings and any("hours" in w for w in result.warnings)
    assert [i.review.state_iso3 for i in result.briefing.items] == ["GUY", "KWT", "LAO"]


def test_a_presenting_missions_blackout_blocks_its_meeting(seeded, runner):
    from nam_briefings.services.busy import add_busy_period
    from nam_briefings.services.demo import create_demo_data

    create_demo_data(Actor.system())
    _, before = propose_json(runner, "49", "--max-proposals", "20")
    guyana_days = {m["start"][:10] for p in before["proposals"] for m in p["meetings"]
                   if any(a["iso3"] == "GUY" for a in m["agenda"])}
    blocked = min(guyana_days)
    add_busy_period("blackout", date.fromisoformat(blocked), date.fromisoformat(blocked),
                    "Guyana: national day", Actor.system(), mission_iso3="GUY")
    _, after = propose_json(runner, "49", "--max-proposals", "20")
    assert after["proposals"]
    for proposal in after["proposals"]:
        for meeting in proposal["meetings"]:
            if any(a["iso3"] == "GUY" for a in meeting["agenda"]):
                assert meeting["start"][:10] != blocked
    # Meetings without Guyana may still use that day.
    other_days = {m["start"][:10] for p in after["proposals"] for m in p["meetings"]
                  if not any(a["iso3"] == "GUY" for a in m["agenda"])}
    assert blocked in other_days or blocked not in {m["start"][:10] for p in before["proposals"]
                                                    for m in p["meetings"]
                                                    if not any(a["iso3"] == "GUY" for a in m["agenda"])}
