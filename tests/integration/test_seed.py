"""`flask --app app seed` loads the shipped real data, and a second run changes nothing."""
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, BusyPeriod, Room, State, UprSession
from nam_briefings.services.calendar import table_counts


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))


def test_seed_loads_the_real_calendar_and_roster(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    counts = table_counts()
    assert counts["states"] == 194
    statuses = dict(db.session.execute(
        db.select(State.nam_status, db.func.count()).group_by(State.nam_status)).all())
    assert statuses["member"] == 121 and statuses["observer"] == 18
    shipped = db.session.scalars(db.select(UprSession).where(UprSession.status != "expected")
                                 .order_by(UprSession.number)).all()
    assert [s.number for s in shipped] == list(range(38, 52))  # expected sessions follow
    assert sum(len(s.reviews) for s in shipped) == 191
    session_45 = db.session.scalar(db.select(UprSession).filter_by(number=45))
    nigeria = next(r for r in session_45.reviews if r.state_iso3 == "NGA")
    assert str(nigeria.review_date) == "2024-01-23"
    assert len(session_45.reviews) == 14
    hrc = db.session.scalars(db.select(BusyPeriod).filter_by(kind="hrc_session")).all()
    assert len(hrc) == 13 and {p.label for p in hrc} >= {"HRC53", "HRC58", "HRC61"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Room)) == 1


def test_seed_twice_changes_nothing(runner):
    runner.invoke(args=["seed"])
    counts, events = table_counts(), audit_count()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "states: added 0, changed 0, 194 already present" in result.output
    assert table_counts() == counts
    assert audit_count() == events


def test_demo_data_prints_the_password_once(app, runner):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5100"  # as `make run PORT=5100` sets it
    runner.invoke(args=["seed"])
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "password:" in first.output and "admin@example.org" in first.output
    assert "Log in at http://127.0.0.1:5100/login with" in first.output
    counts = table_counts()
    assert counts["missions"] == 139 and counts["contacts"] == 278
    second = runner.invoke(args=["demo"])
    assert "password:" not in second.output and "already exists" in second.output
    assert table_counts() == counts


def test_seed_never_undoes_a_correction(runner, tmp_path):
    runner.invoke(args=["seed"])
    postponed = tmp_path / "s50.csv"
    postponed.write_text("number,cycle,start_date,end_date\n50,4,2025-11-10,2025-11-21\n")
    assert runner.invoke(args=["import", "sessions", str(postponed)]).exit_code == 0
    runner.invoke(args=["seed"])
    session = db.session.scalar(db.select(UprSession).filter_by(number=50))
    assert str(session.start_date) == "2025-11-10"
