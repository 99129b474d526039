"""CSV checks of domain.imports: every bad row is found, with its line and reason."""
from datetime import date, datetime, timezone

import pytest

from nam_briefings.domain.imports import ImportRejected, References, parse_file

REFS = References(
    states=frozenset({"GUY", "LAO", "KWT", "ARM"}),
    sessions={35: (date(2020, 1, 20), date(2020, 1, 31))},
    missions=frozenset({"GUY"}),
)


def problems(kind: str, text: str | bytes) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        parse_file(kind, text, REFS)
    return [str(error) for error in caught.value.errors]


def test_valid_sessions_are_typed():
    parsed = parse_file("sessions", "number,cycle,start_date,end_date\n35,3,2020-01-20,2020-01-31\n", REFS)
    [row] = parsed.rows
    assert row.line == 2
    assert row.record.start_date == date(2020, 1, 20) and row.record.number == 35


@pytest.mark.parametrize("value, reason", [
    ("2020-13-01", "not a real day"),
    ("2021-02-29", "not a real day"),
    ("20/01/2020", "YYYY-MM-DD"),
    ("", "start_date is empty"),
])
def test_bad_dates_are_named(value, reason):
    [message] = problems("sessions", f"number,cycle,start_date,end_date\n35,3,{value},2020-01-31\n")
    assert message.startswith("line 2:") and reason in message


def test_end_before_start():
    [message] = problems("hrc-sessions", "number,start_date,end_date\n43,2020-03-20,2020-02-24\n")
    assert "before start_date" in message


def test_every_bad_row_is_listed_not_only_the_first():
    text = ("session,iso3,position\n35,GUY,1\n35,XXX,2\n99,LAO,3\n35,KWT,0\n35,guy,5\n")
    messages = problems("reviews", text)
    assert [m.split(":")[0] for m in messages] == ["line 3", "line 4", "line 5", "line 6"]
    assert "unknown state 'XXX'" in messages[0]
    assert "unknown UPR session 99" in messages[1]
    assert "position" in messages[2]
    assert "duplicate review of GUY in session 35 (first given on line 2)" in messages[3]


def test_duplicate_positions_in_one_session():
    [message] = problems("reviews", "session,iso3,position\n35,GUY,1\n35,LAO,1\n")
    assert "position 1 in session 35 is already taken by GUY (line 2)" in message


def test_missing_and_unknown_columns():
    [message] = problems("sessions", "number,cycle,start\n35,3,2020-01-20\n")
    assert message.startswith("line 1:")
    assert "missing columns start_date, end_date" in message and "unknown column 'start'" in message
    assert "expected header: number,cycle,start_date,end_date" in message


def test_byte_order_mark_is_accepted():
    parsed = parse_file("states", "\ufeffiso3,name,nam_status\nGUY,Guyana,member\n".encode(), REFS)
    assert parsed.rows[0].record.iso3 == "GUY"


def test_semicolon_delimiter_is_detected():
    parsed = parse_file("missions", "iso3;mission_name;email\nGUY;Mission of Guyana;pm@guyana.example.org\n", REFS)
    assert parsed.delimiter == ";"
    assert parsed.rows[0].record.email == "pm@guyana.example.org"


@pytest.mark.parametrize("text, reason", [
    ("", "the file is empty"),
    ("   \n\n", "the file is empty"),
    ("iso3,name,nam_status\n", "header but no rows"),
])
def test_empty_files(text, reason):
    [message] = problems("states", text)
    assert reason in message


def test_not_utf8():
    [message] = problems("states", "iso3,name,nam_status\nCIV,Côte d'Ivoire,member\n".encode("latin-1"))
    assert "not UTF-8" in message


def test_invalid_email_and_role():
    messages = problems("contacts", "iso3,name,role,email\nGUY,A,ambassador,not-an-email\nGUY,B,chef,b@example.org\n")
    assert "invalid e-mail address 'not-an-email'" in messages[0]
    assert "role 'chef' must be one of" in messages[1]


def test_contact_needs_a_mission():
    [message] = problems("contacts", "iso3,name,role,email\nLAO,A,focal point,a@example.org\n")
    assert "LAO has no mission yet" in message


def test_wrong_number_of_fields():
    [message] = problems("sessions", "number,cycle,start_date,end_date\n35,3,2020-01-20\n")
    assert "expected 4 fields" in message and "found 3" in message


def test_review_times_are_geneva_local_and_stored_utc():
    parsed = parse_file("reviews", "session,iso3,position,start\n35,GUY,1,2020-01-22T09:00\n", REFS)
    record = parsed.rows[0].record
    assert record.start_at == datetime(2020, 1, 22, 8, 0, tzinfo=timezone.utc)  # CET = UTC+1
    assert record.end_at == datetime(2020, 1, 22, 11, 30, tzinfo=timezone.utc)  # 3.5 hours
    assert record.review_date == date(2020, 1, 22)


def test_review_day_must_fall_in_the_session():
    [message] = problems("reviews", "session,iso3,position,start\n35,GUY,1,2020-02-03\n")
    assert "outside session 35" in message


def test_review_time_in_the_spring_gap_is_refused():
    refs = References(states=REFS.states, sessions={50: (date(2025, 3, 24), date(2025, 4, 4))})
    with pytest.raises(ImportRejected) as caught:
        parse_file("reviews", "session,iso3,position,start\n50,GUY,1,2025-03-30T02:30\n", refs)
    assert "does not exist in Europe/Zurich" in str(caught.value.errors[0])


def test_nam_status_vocabulary():
    [message] = problems("states", "iso3,name,nam_status\nGUY,Guyana,yes\n")
    assert "nam_status 'yes' must be one of member, observer, none" in message


# --- odd input: a line-numbered problem, never a traceback, never a NUL or a huge value stored --

CONTACTS = "iso3,name,role,email,language\n"
SESSIONS = "number,cycle,start_date,end_date\n"


def contact_row(name: str, email: str = "jane@guy.example.org") -> str:
    return f'GUY,"{name}",focal_point,{email},en\n'


@pytest.mark.parametrize("number", ["1" * 100_000, "9" * 5000, str(2**31), str(2**63), "0" * 40 + "9" * 11])
def test_a_number_too_large_for_the_database_is_a_line_numbered_problem(number):
    [message] = problems("sessions", f"{SESSIONS}35,3,2020-01-20,2020-01-31\n{number},3,2020-01-20,2020-01-31\n")
    assert message.startswith("line 3: number ")
    assert "too large" in message and "2,147,483,647" in message
    assert len(message) < 200  # the value is not quoted in full


def test_the_largest_number_the_database_holds_is_fine():
    parsed = parse_file("sessions", f"{SESSIONS}{2**31 - 1},3,2020-01-20,2020-01-31\n", REFS)
    assert parsed.rows[0].record.number == 2**31 - 1
    leading_zeros = parse_file("sessions", f"{SESSIONS}{'0' * 30}35,3,2020-01-20,2020-01-31\n", REFS)
    assert leading_zeros.rows[0].record.number == 35


@pytest.mark.parametrize("kind, text, column", [
    ("contacts", CONTACTS + contact_row("Jane\x00Doe"), "name"),
    ("contacts", CONTACTS + "GUY,Jane,focal_point,jane@guy.example.org\x00,en\n", "email"),
    ("sessions", SESSIONS + "35\x00,3,2020-01-20,2020-01-31\n", "number"),
    ("states", "iso3,name,nam_status\nGUY,Guy\x00ana,member\n", "name"),
])
def test_a_nul_byte_is_refused_with_its_line_and_column(kind, text, column):
    [message] = problems(kind, text)
    assert message == f"line 2: {column} contains a NUL byte"


def test_a_nul_byte_in_the_header_is_refused():
    [message] = problems("sessions", "number,cy\x00cle,start_date,end_date\n35,3,2020-01-20,2020-01-31\n")
    assert message.startswith("line 1: ") and "NUL byte" in message


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x7f", "\x08"])
def test_other_control_characters_are_refused(character):
    [message] = problems("contacts", CONTACTS + contact_row(f"Jane{character}Doe"))
    assert message.startswith("line 2: name contains a control character (U+00")


@pytest.mark.parametrize("kind, text, column, limit", [
    ("contacts", CONTACTS + contact_row("N" * 201), "name", 200),
    ("contacts", CONTACTS + contact_row("N" * 100_000), "name", 200),
    ("states", "iso3,name,nam_status\nGUY," + "G" * 201 + ",member\n", "name", 200),
    ("missions", "iso3,mission_name,email\nGUY," + "M" * 301 + ",m@guy.example.org\n",
     "mission_name", 300),
    ("contacts", CONTACTS + contact_row("Jane", "j" * 250 + "@guy.example.org"), "email", 254),
    ("contacts", CONTACTS + "GUY,Jane," + "r" * 5000 + ",jane@guy.example.org,en\n", "role", 100),
])
def test_a_value_longer_than_its_column_is_refused(kind, text, column, limit):
    [message] = problems(kind, text)
    assert message.startswith(f"line 2: {column} is ")
    assert f"at most {limit:,} characters" in message
    assert len(message) < 200


def test_the_longest_names_the_columns_hold_are_fine():
    parsed = parse_file("contacts", CONTACTS + contact_row("N" * 200), REFS)
    assert parsed.rows[0].record.name == "N" * 200


def test_a_field_larger_than_the_csv_reader_takes_is_a_problem_not_a_traceback():
    [message] = problems("contacts", CONTACTS + contact_row("Jane") + contact_row("N" * 300_000))
    assert message.startswith("line 3: ") and "too long" in message


@pytest.mark.parametrize("name", ["Jane\nDoe", "Jane\r\nDoe", "  Jane \t\t Doe  ", "Jane\n\n  Doe",
                                  "Jane\u2028Doe", "Jane\x0bDoe"])
def test_names_are_single_line_with_single_spaces(name):
    parsed = parse_file("contacts", CONTACTS + contact_row(name), REFS)
    assert parsed.rows[0].record.name == "Jane Doe"


def test_mission_and_state_names_are_single_line_too():
    mission = parse_file("missions", 'iso3,mission_name,email\nGUY,"Mission of\nGuyana",m@guy.example.org\n', REFS)
    assert mission.rows[0].record.name == "Mission of Guyana"
    state = parse_file("states", 'iso3,name,nam_status\nGUY,"Co-operative Republic\r\nof Guyana",member\n', REFS)
    assert state.rows[0].record.name == "Co-operative Republic of Guyana"


def test_a_multi_line_row_is_reported_where_it_starts():
    text = CONTACTS + contact_row("Jane\nDoe") + contact_row("N" * 201, "n@guy.example.org")
    [message] = problems("contacts", text)
    assert message.startswith("line 4: name is 201 characters long")
    [message] = problems("contacts", CONTACTS + contact_row("Jane\n" + "N" * 201))
    assert message.startswith("line 2: name is 206 characters long")


def test_every_odd_row_of_a_file_is_listed_at_once():
    text = (SESSIONS + "1" * 100_000 + ",3,2020-01-20,2020-01-31\n" + "36\x00,3,2020-01-20,2020-01-31\n"
            + "37,3,2020-01-20,2020-01-31\n" + "38," + "3" * 20 + ",2020-01-20,2020-01-31\n")
    messages = problems("sessions", text)
    assert [m.split(":")[0] for m in messages] == ["line 2", "line 3", "line 5"]


def test_a_review_position_beyond_any_session_is_refused():
    [message] = problems("reviews", "session,iso3,position\n35,GUY,1001\n")
    assert message == "line 2: position '1001' is too large: at most 1,000"
