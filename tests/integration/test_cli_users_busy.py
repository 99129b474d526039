"""`users` and `busy` commands."""
from datetime import datetime, timezone

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, BusyPeriod, User
from nam_briefings.services.users import authenticate


def test_users_create_prompts_for_the_password_twice(runner):
    result = runner.invoke(args=["users", "create", "Editor@Chair.Example.org", "--role", "editor"],
                           input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User))
    assert user.email == "editor@chair.example.org" and user.role == "editor"
    assert user.password_hash != "a long passphrase"
    assert authenticate("editor@chair.example.org", "a long passphrase") == user
    assert authenticate("editor@chair.example.org", "wrong password!") is None
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="user.create"))
    assert event.actor.startswith("cli:")


def test_users_create_refuses_bad_input(runner):
    short = runner.invoke(args=["users", "create", "a@chair.example.org", "--password", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    bad = runner.invoke(args=["users", "create", "not-an-address", "--password", "long enough pw"])
    assert bad.exit_code == 1 and "invalid e-mail address" in bad.output
    role = runner.invoke(args=["users", "create", "a@chair.example.org", "--role", "god",
                               "--password", "long enough pw"])
    assert role.exit_code == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_users_create_refuses_a_duplicate(runner):
    args = ["users", "create", "a@chair.example.org", "--password", "long enough pw"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already exists" in again.output


def test_set_password(runner):
    runner.invoke(args=["users", "create", "a@chair.example.org", "--password", "first password"])
    result = runner.invoke(args=["users", "set-password", "a@chair.example.org",
                                 "--password", "second password"])
    assert result.exit_code == 0, result.output
    assert authenticate("a@chair.example.org", "second password") is not None
    missing = runner.invoke(args=["users", "set-password", "b@chair.example.org",
                                  "--password", "second password"])
    assert missing.exit_code == 1 and "no user" in missing.output


def test_closures_are_whole_geneva_days(runner):
    result = runner.invoke(args=["busy", "add", "2025-12-26", "2025-12-27",
                                 "--label", "UN Geneva closure"])
    assert result.exit_code == 0, result.output
    period = db.session.scalar(db.select(BusyPeriod))
    assert period.kind == "closure" and period.all_day
    assert period.start_at == datetime(2025, 12, 25, 23, tzinfo=timezone.utc)  # CET midnight
    assert period.end_at == datetime(2025, 12, 27, 23, tzinfo=timezone.utc)
    listing = runner.invoke(args=["busy", "list"])
    assert "2025-12-26 00:00\t2025-12-28 00:00\teveryone\tUN Geneva closure" in listing.output
    removed = runner.invoke(args=["busy", "remove", str(period.id)])
    assert removed.exit_code == 0
    assert db.session.scalar(db.select(BusyPeriod)) is None


def test_closures_refuse_bad_dates(runner):
    for args in (["2025-12-27", "2025-12-26"], ["2025-02-30"], ["26.12.2025"]):
        result = runner.invoke(args=["busy", "add", *args, "--label", "x"])
        assert result.exit_code == 1, result.output
    assert db.session.scalar(db.select(BusyPeriod)) is None
    missing = runner.invoke(args=["busy", "remove", "999"])
    assert missing.exit_code == 1 and "no busy period" in missing.output


def test_a_missions_blackout_with_hours(runner):
    from tests.factories import create_mission

    create_mission("GUY")
    result = runner.invoke(args=["busy", "add", "2025-04-22", "2025-04-23", "--kind", "blackout",
                                 "--mission", "guy", "--from", "09:00", "--to", "12:00",
                                 "--label", "National day reception"])
    assert result.exit_code == 0, result.output
    periods = db.session.scalars(db.select(BusyPeriod).order_by(BusyPeriod.start_at)).all()
    assert len(periods) == 2  # one a day
    assert periods[0].mission.state_iso3 == "GUY" and not periods[0].all_day
    assert periods[0].start_at == datetime(2025, 4, 22, 7, tzinfo=timezone.utc)  # CEST
    listing = runner.invoke(args=["busy", "list", "--kind", "blackout"]).output
    assert "mission GUY\tNational day reception" in listing


def test_busy_periods_refuse_unknown_scopes_and_half_times(runner):
    cases = [
        (["--mission", "XYZ"], "no mission of XYZ"),
        (["--room", "Nowhere"], "no room named 'Nowhere'"),
        (["--from", "10:00"], "both a start and an end time"),
        (["--from", "12:00", "--to", "10:00"], "not after the start"),
        (["--from", "10h", "--to", "12:00"], "not a time in the form HH:MM"),
    ]
    for options, message in cases:
        result = runner.invoke(args=["busy", "add", "2025-04-22", "--label", "x", *options])
        assert result.exit_code == 1 and message in result.output, (options, result.output)
    assert db.session.scalar(db.select(BusyPeriod)) is None
