"""Automatic proposals and postponements, and the scheduler's job set-up."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from nam_briefings.extensions import db
from nam_briefings.jobs import JOBS, build_scheduler, run_job
from nam_briefings.models import Briefing, OutboxMessage, Proposal
from nam_briefings.services import briefings
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data

#: 60 days before UPR49 (28 April 2025) is 27 February 2025
EARLY_APRIL_2025 = datetime(2025, 4, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def seeded(app):
    seed_reference_data(Actor.system())
    return app


def notices() -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(kind="notice")))


def test_sessions_entering_the_horizon_get_proposals_and_a_notice(seeded):
    plans = briefings.plan_upcoming_sessions(Actor("scheduler"), 60, now=EARLY_APRIL_2025)
    assert [plan.session.number for plan in plans] == [49]
    proposals = db.session.scalars(db.select(Proposal).filter_by(status="open")).all()
    assert proposals and all(p.session.number == 49 for p in proposals)
    for proposal in proposals:  # never in the past of the moment it was planned
        assert all(m["start"] >= "2025-04-01" for m in proposal.meetings)
    [notice] = notices()
    assert notice.to_address == seeded.config["SECRETARIAT_EMAIL"]
    assert "UPR49" in notice.subject and "/sessions/49" in notice.body_text
    assert proposals[0].key in notice.body_text


def test_a_second_run_changes_nothing(seeded):
    briefings.plan_upcoming_sessions(Actor("scheduler"), 60, now=EARLY_APRIL_2025)
    keys = set(db.session.scalars(db.select(Proposal.key)))
    again = briefings.plan_upcoming_sessions(Actor("scheduler"), 60, now=EARLY_APRIL_2025)
    assert again == []
    assert set(db.session.scalars(db.select(Proposal.key))) == keys and len(notices()) == 1


def test_confirmed_sessions_are_left_alone(seeded):
    plan = briefings.plan_session(49, Actor("test"))
    briefings.confirm_proposal(plan.proposals[0].key, Actor("test"), allow_past=True)
    assert briefings.plan_upcoming_sessions(Actor("scheduler"), 60, now=EARLY_APRIL_2025) == []


def move_session_49(runner, tmp_path: Path, start: str, end: str):
    path = tmp_path / "moved.csv"
    path.write_text(f"number,cycle,start_date,end_date\n49,4,{start},{end}\n")
    result = runner.invoke(args=["import", "sessions", str(path)])
    assert result.exit_code == 0, result.output


def test_a_postponed_session_is_replanned_and_the_secretariat_told(seeded, runner, tmp_path):
    seeded.config["TODAY"] = EARLY_APRIL_2025.date()
    briefings.plan_session(49, Actor("test"))
    old_keys = set(db.session.scalars(db.select(Proposal.key).filter_by(status="open")))
    move_session_49(runner, tmp_path, "2025-05-12", "2025-05-23")
    db.session.expire_all()
    open_proposals = db.session.scalars(db.select(Proposal).filter_by(status="open")).all()
    assert open_proposals and not {p.key for p in open_proposals} & old_keys
    assert all(m["start"] < "2025-05-12" and m["start"] > "2025-04-28"
               for p in open_proposals for m in p.meetings)
    [notice] = notices()
    assert "moved from 28 Apr – 9 May 2025" in notice.body_text


def test_a_postponed_session_flags_confirmed_briefings(seeded, runner, tmp_path):
    plan = briefings.plan_session(49, Actor("test"))
    briefings.confirm_proposal(plan.proposals[0].key, Actor("test"), allow_past=True)
    move_session_49(runner, tmp_path, "2025-05-12", "2025-05-23")
    db.session.expire_all()
    flagged = db.session.scalars(db.select(Briefing)).all()
    assert flagged and all(b.needs_review and "moved" in b.review_note for b in flagged)
    [notice] = notices()
    assert "need review" in notice.subject


def test_a_dry_run_of_a_move_touches_nothing(seeded, runner, tmp_path):
    briefings.plan_session(49, Actor("test"))
    path = tmp_path / "moved.csv"
    path.write_text("number,cycle,start_date,end_date\n49,4,2025-05-12,2025-05-23\n")
    runner.invoke(args=["import", "sessions", str(path), "--dry-run"])
    assert notices() == []


def test_the_scheduler_has_each_job_once_with_safe_defaults(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1


def test_a_failing_job_does_not_escape(app, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(briefings, "plan_upcoming_sessions", explode)
    run_job(app, "propose_for_upcoming_sessions")  # logged, not raised


def test_the_job_plans_as_of_the_pinned_day(seeded):
    seeded.config["TODAY"] = date(2025, 4, 1)
    run_job(seeded, "propose_for_upcoming_sessions")
    assert {p.session.number for p in db.session.scalars(db.select(Proposal))} == {49}
