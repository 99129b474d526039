"""`flask --app app import KIND FILE`: all or nothing, on a real database."""
from __future__ import annotations

from pathlib import Path

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import (AuditEvent, BusyPeriod, Contact, Mission, OutboxMessage, Review, State,
                                  UprSession)
from nam_briefings.services.calendar import seed_reference_data, table_counts
from nam_briefings.services.audit import Actor

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def seeded(app):
    seed_reference_data(Actor.system())
    return app


def snapshot() -> dict:
    """Everything an import could touch, to compare before and after."""
    counts = table_counts()
    counts["audit_events"] = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    counts["sessions_data"] = sorted(
        (s.number, s.cycle, s.start_date, s.end_date) for s in db.session.scalars(db.select(UprSession)))
    counts["reviews_data"] = sorted(
        (r.session_id, r.state_iso3, r.position) for r in db.session.scalars(db.select(Review)))
    db.session.expire_all()
    return counts


def run_import(runner, tmp_path, kind: str, content: str | bytes, *args: str, input: str | None = None):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return runner.invoke(args=["import", kind, str(path), *args], input=input)


def test_importing_other_real_sessions_works(seeded, runner):
    result = runner.invoke(args=["import", "sessions", str(FIXTURES / "upr_sessions_34_36.csv")])
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output
    result = runner.invoke(args=["import", "reviews", str(FIXTURES / "upr_reviews_35.csv")])
    assert result.exit_code == 0, result.output
    session = db.session.scalar(db.select(UprSession).filter_by(number=35))
    assert [r.state_iso3 for r in session.reviews][:5] == ["ARM", "GRD", "GIN", "GNB", "GUY"]
    nam_members = [r.state.name for r in session.reviews if r.state.nam_status == "member"]
    assert len(nam_members) == 8 and "Guyana" in nam_members and "Kuwait" in nam_members
    result = runner.invoke(args=["import", "hrc-sessions", str(FIXTURES / "hrc_sessions_42_43.csv")])
    assert result.exit_code == 0, result.output
    hrc43 = db.session.scalar(db.select(BusyPeriod).filter_by(source_key="hrc:43"))
    assert hrc43.label == "HRC43" and hrc43.kind == "hrc_session" and hrc43.all_day


def test_import_is_recorded_in_the_audit_trail(seeded, runner):
    runner.invoke(args=["import", "sessions", str(FIXTURES / "upr_sessions_34_36.csv")])
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="import.sessions")
                              .order_by(AuditEvent.id.desc()))
    assert event.actor.startswith("cli:") and "added 3" in event.details
    assert event.target_id == "upr_sessions_34_36.csv"


def test_reimporting_the_same_file_changes_nothing(seeded, runner):
    path = str(FIXTURES / "upr_sessions_34_36.csv")
    runner.invoke(args=["import", "sessions", path])
    before = snapshot()
    result = runner.invoke(args=["import", "sessions", path])
    assert result.exit_code == 0 and "added 0, changed 0, 3 unchanged" in result.output
    assert snapshot() == before


def test_dry_run_reports_without_writing(seeded, runner, tmp_path):
    before = snapshot()
    result = run_import(runner, tmp_path, "sessions",
                        "number,cycle,start_date,end_date\n35,3,2020-01-20,2020-01-31\n"
                        "50,4,2025-11-10,2025-11-21\n", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would add: session 35" in result.output
    assert "would change: session 50: start_date 2025-11-03 → 2025-11-10" in result.output
    assert "nothing was written" in result.output
    assert snapshot() == before


def test_a_change_updates_in_place(seeded, runner, tmp_path):
    result = run_import(runner, tmp_path, "states", "iso3,name,nam_status\nARM,Armenia,member\n")
    assert result.exit_code == 0, result.output
    assert "changed: state ARM (Armenia): nam_status observer → member" in result.output
    assert db.session.get(State, "ARM").nam_status == "member"


def test_swapping_review_positions(seeded, runner, tmp_path):
    result = run_import(runner, tmp_path, "reviews", "session,iso3,position\n49,ARM,2\n49,GRD,1\n")
    assert result.exit_code == 0, result.output
    session = db.session.scalar(db.select(UprSession).filter_by(number=49))
    assert [r.state_iso3 for r in session.reviews][:3] == ["GRD", "ARM", "GIN"]


def test_a_position_held_by_another_state_in_the_database_is_refused(seeded, runner, tmp_path):
    before = snapshot()
    result = run_import(runner, tmp_path, "reviews", "session,iso3,position\n49,ARM,3\n")
    assert result.exit_code == 1
    assert "position 3 in session 49 is already held by GIN" in result.output
    assert snapshot() == before


MALFORMED = {
    "impossible date": ("sessions", "number,cycle,start_date,end_date\n51,4,2026-02-30,2026-03-10\n",
                        "line 2: start_date '2026-02-30' is not a real day"),
    "malformed date": ("sessions", "number,cycle,start_date,end_date\n51,4,26 Jan 2026,2026-02-06\n",
                       "not a date in the form YYYY-MM-DD"),
    "end before start": ("hrc-sessions", "number,start_date,end_date\n62,2026-07-10,2026-06-15\n",
                         "end_date 2026-06-15 is before start_date 2026-07-10"),
    "unknown iso3": ("missions", "iso3,mission_name,email\nXYZ,Mission,pm@xyz.example.org\n",
                     "unknown state 'XYZ'"),
    "review for unknown session": ("reviews", "session,iso3,position\n99,GUY,1\n",
                                   "unknown UPR session 99"),
    "duplicate in file": ("sessions", "number,cycle,start_date,end_date\n51,4,2026-01-26,2026-02-06\n"
                          "51,4,2026-01-26,2026-02-06\n", "line 3: duplicate session 51 (first given on line 2)"),
    "missing column": ("contacts", "iso3,name,email\nGUY,A,a@example.org\n", "missing column role"),
    "empty file": ("states", "", "the file is empty"),
    "invalid e-mail": ("missions", "iso3,mission_name,email\nGUY,Mission of Guyana,pm@@guyana\n",
                       "invalid e-mail address"),
    "not utf-8": ("states", "iso3,name,nam_status\nCIV,Côte d'Ivoire,member\n".encode("cp1252"),
                  "not UTF-8"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_files_exit_non_zero_and_change_nothing(seeded, runner, tmp_path, case):
    kind, content, expected = MALFORMED[case]
    # A good first row must not be written either: all or nothing.
    before = snapshot()
    result = run_import(runner, tmp_path, kind, content)
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing was imported" in result.output
    assert snapshot() == before


def test_all_or_nothing_with_good_rows_before_a_bad_one(seeded, runner, tmp_path):
    before = snapshot()
    result = run_import(runner, tmp_path, "sessions",
                        "number,cycle,start_date,end_date\n51,4,2026-01-26,2026-02-06\n"
                        "52,4,2026-05-04,2026-05-15\n53,4,2026-11-02,2026-10-30\n")
    assert result.exit_code == 1 and "line 4:" in result.output
    assert snapshot() == before


def test_semicolon_files_are_read_and_say_so(seeded, runner, tmp_path):
    result = run_import(runner, tmp_path, "sessions",
                        "\ufeffnumber;cycle;start_date;end_date\n52;4;2026-05-04;2026-05-15\n")
    assert result.exit_code == 0, result.output
    assert "read with ';' as the delimiter" in result.output
    assert db.session.scalar(db.select(UprSession).filter_by(number=52)) is not None


def test_large_files_show_a_progress_bar(seeded, runner, tmp_path):
    iso3s = sorted(db.session.scalars(db.select(State.iso3)))[:139]
    missions = "iso3,mission_name,email\n" + "".join(
        f"{code},Mission {code},m.{code.lower()}@example.org\n" for code in iso3s)
    run_import(runner, tmp_path, "missions", missions)
    contacts = "iso3,name,role,email\n" + "".join(
        f"{code},Person {n},other,p{n}.{code.lower()}@example.org\n" for code in iso3s for n in range(5))
    result = run_import(runner, tmp_path, "contacts", contacts)
    assert result.exit_code == 0, result.output
    assert "Importing contacts" in result.output
    assert table_counts()["contacts"] == 139 * 5


def test_unknown_kind_is_refused_by_the_cli(runner, tmp_path):
    result = run_import(runner, tmp_path, "planets", "a,b\n1,2\n")
    assert result.exit_code == 2 and "Invalid value for '{states|" in result.output


# --- odd input: line-numbered problems, no traceback, nothing written (issue 11) ----------------

ODD = {
    "100,000-digit number": ("sessions", "number,cycle,start_date,end_date\n51,4,2026-01-26,2026-02-06\n"
                             + "1" * 100_000 + ",4,2026-05-04,2026-05-15\n",
                             "line 3: number '111111111111…111111 (100,000 characters)' is too large: "
                             "at most 2,147,483,647"),
    "number beyond 32 bits": ("hrc-sessions", f"number,start_date,end_date\n{2**31},2026-06-15,2026-07-10\n",
                              "line 2: number '2147483648' is too large"),
    "NUL in a name": ("states", "iso3,name,nam_status\nGUY,Guy\x00ana,member\n",
                      "line 2: name contains a NUL byte"),
    "NUL in an address": ("missions", "iso3,mission_name,email\nGUY,Mission,pm\x00@guy.example.org\n",
                          "line 2: email contains a NUL byte"),
    "100,000-character name": ("missions", "iso3,mission_name,email\nGUY," + "M" * 100_000
                               + ",pm@guy.example.org\n",
                               "line 2: mission_name is 100,000 characters long: at most 300 characters fit"),
    "a field the CSV reader refuses": ("states", "iso3,name,nam_status\nGUY,Guyana,member\nBRB,"
                                       + "B" * 200_000 + ",member\n", "line 3: a field is too long"),
}


@pytest.mark.parametrize("case", ODD, ids=list(ODD))
def test_odd_files_are_line_numbered_problems_and_write_nothing(seeded, runner, tmp_path, case):
    kind, content, expected = ODD[case]
    before = snapshot()
    result = run_import(runner, tmp_path, kind, content)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert expected in result.output
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert len(result.output) < 2_000  # no value is echoed in full
    assert snapshot() == before


def test_imported_names_are_single_line(seeded, runner, tmp_path):
    result = run_import(runner, tmp_path, "missions",
                        'iso3,mission_name,email\nGUY,"Permanent Mission\r\nof  Guyana",pm@guy.example.org\n')
    assert result.exit_code == 0, result.output
    result = run_import(runner, tmp_path, "contacts",
                        'iso3,name,role,email\nGUY,"Jane\n\tDoe ",focal_point,jane@guy.example.org\n')
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(Mission.name)) == "Permanent Mission of Guyana"
    assert db.session.scalar(db.select(Contact.name)) == "Jane Doe"


# --- importing contacts that would queue invitations asks first (issue 11, finding 12) ----------

NEW_CONTACTS = ("iso3,name,role,email\n"
                "GUY,New Person One,focal_point,one@guy.example.org\n"
                "KEN,New Person Two,deputy,two@ken.example.org\n"
                "KEN,New Person Three,other,three@ken.example.org\n")


@pytest.fixture
def briefed(app):
    """Session 49's two briefings confirmed ("today" 3 March 2025), so new contacts are invited."""
    from tests.integration.invitation_helpers import confirm_session_49

    confirm_session_49(app)
    return app


def queued() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))


@pytest.fixture
def on_a_terminal(monkeypatch):
    """The CLI believes a person is at the keyboard."""
    from nam_briefings import cli

    monkeypatch.setattr(cli, "on_terminal", lambda: True)


def test_a_dry_run_says_how_many_invitations_the_import_would_queue(briefed, runner, tmp_path):
    before, messages = snapshot(), queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would queue 6 invitations to 3 new contacts" in result.output
    assert "contacts: would add 3, would change 0, 0 unchanged (dry run: nothing was written)" \
        in result.output
    assert snapshot() == before and queued() == messages


def test_on_a_terminal_the_import_asks_before_queueing_and_no_imports_nothing(
        briefed, runner, tmp_path, on_a_terminal):
    before, messages = snapshot(), queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS, input="n\n")
    assert "Queue 6 invitations to 3 new contacts? [y/N]" in result.output
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and "--no-invite" in result.output
    assert snapshot() == before and queued() == messages


def test_on_a_terminal_yes_imports_and_queues(briefed, runner, tmp_path, on_a_terminal):
    messages = queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS, input="y\n")
    assert result.exit_code == 0, result.output
    assert "Queue 6 invitations to 3 new contacts? [y/N]" in result.output
    assert "queued 6 invitations to 3 new contacts" in result.output
    assert queued() == messages + 6


def test_yes_skips_the_question(briefed, runner, tmp_path, on_a_terminal):
    messages = queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS, "--yes")
    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert queued() == messages + 6


def test_without_a_terminal_the_import_queues_as_before(briefed, runner, tmp_path):
    """Integrators' scripts pipe files in and rely on it."""
    messages = queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS)
    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert "contacts: added 3, changed 0, 0 unchanged" in result.output
    assert queued() == messages + 6


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "script"])
def test_no_invite_imports_the_contacts_without_inviting_them(briefed, runner, tmp_path,
                                                               monkeypatch, terminal):
    from nam_briefings import cli

    monkeypatch.setattr(cli, "on_terminal", lambda: terminal)
    messages = queued()
    result = run_import(runner, tmp_path, "contacts", NEW_CONTACTS, "--no-invite")
    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert "no invitations queued (--no-invite)" in result.output
    assert queued() == messages
    assert table_counts()["contacts"] == 8 + 3


def test_an_import_that_queues_nothing_asks_nothing(app, runner, tmp_path, on_a_terminal):
    seed_reference_data(Actor.system())
    run_import(runner, tmp_path, "missions", "iso3,mission_name,email\nGUY,Mission,pm@guy.example.org\n")
    result = run_import(runner, tmp_path, "contacts",
                        "iso3,name,role,email\nGUY,Jane Doe,focal_point,jane@guy.example.org\n")
    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output and table_counts()["contacts"] == 1


def test_the_web_import_lists_odd_rows_by_line_and_writes_nothing(seeded, client, login):
    import io

    from tests.integration.web_helpers import HTML, csrf_token, text

    login("editor")
    before = snapshot()
    content = ("number,cycle,start_date,end_date\n51,4,2027-01-25,2027-02-05\n"
               + "5" * 100_000 + ",4,2027-05-03,2027-05-14\n53\x00,4,2027-11-01,2027-11-12\n")
    response = client.post("/sessions/import", headers=HTML, content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(client), "kind": "sessions",
                                 "file": (io.BytesIO(content.encode()), "sessions.csv")})
    db.session.rollback()
    assert response.status_code == 400
    problems = text(response.get_data(as_text=True).split('id="import-problems"')[1]
                    .split("</div>")[0])
    assert "Line 3: number '555555555555…555555 (100,000 characters)' is too large" in problems
    assert "Line 4: number contains a NUL byte" in problems
    assert snapshot() == before
