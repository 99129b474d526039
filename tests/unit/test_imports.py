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
