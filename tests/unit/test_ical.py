"""Invitation, cancellation and feed calendars, read back by three parsers.

Every output is parsed with `icalendar`, validated with `vobject` and, when node and
`tests/js/node_modules` are present (`make test` installs them), read by Mozilla's `ical.js`
as Thunderbird does; the tests compare the fields, not only "it parsed".

The golden files under tests/fixtures/ical/ are compared byte for byte. After a deliberate
change to the output, regenerate them and review the diff:

    REGENERATE_ICAL_FIXTURES=1 .venv/bin/pytest -q tests/unit/test_ical.py -k golden
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from nam_briefings.domain.ical import (
    PRODID,
    Attendee,
    EventData,
    FeedEvent,
    Organizer,
    cancellation,
    for_attendees,
    invitation,
)
from nam_briefings.domain.ical import feed as ical_feed

GENEVA = ZoneInfo("Europe/Zurich")
FEED_ORGANIZER = Organizer("secretariat@chair.example.org", "NAM Chairmanship, Geneva")


def feed(name: str, events, description: str = "") -> str:
    """A feed as the service publishes it: its events name the secretariat as organizer."""
    return ical_feed(name, events, description, organizer=FEED_ORGANIZER)

UTC = timezone.utc
TESTS = Path(__file__).resolve().parents[1]
GOLDEN = TESTS / "fixtures" / "ical"
JS_DIR = TESTS / "js"
TRICKY = "Côte d'Ivoire; Lao People's Democratic Republic, agenda\nline 2"

CHAIR = Organizer("nam-briefings@chair.example.org", "NAM Chairmanship, Geneva")
GUYANA = Attendee("focal.point@guyana.example.org", "Focal point, Guyana", presenter=True)
BRIEFING_UID = "briefing-upr35-1@nam-briefings.chair.example.org"
AGENDA = (
    "Briefing of the NAM members under review at the 35th session of the UPR Working Group\n"
    "(20–31 January 2020).\n"
    "\n"
    "1. Guyana\n"
    "2. Lao People's Democratic Republic\n"
    "3. Kuwait"
)
BRIEFING = EventData(
    uid=BRIEFING_UID,
    sequence=0,
    start=datetime(2020, 1, 17, 10, 0, tzinfo=GENEVA),
    end=datetime(2020, 1, 17, 11, 30, tzinfo=GENEVA),
    summary="NAM briefing before UPR 35: Guyana, Lao PDR, Kuwait",
    location="Palais des Nations, Geneva",
    description=AGENDA,
    organizer=CHAIR,
    dtstamp=datetime(2020, 1, 10, 9, 0, tzinfo=UTC),
    url="https://nam-briefings.chair.example.org/briefings/1",
    categories=("NAM", "UPR 35"),
)
UPDATE = replace(
    BRIEFING,
    sequence=1,
    start=datetime(2020, 1, 17, 11, 0, tzinfo=GENEVA),
    end=datetime(2020, 1, 17, 12, 30, tzinfo=GENEVA),
    dtstamp=datetime(2020, 1, 13, 15, 45, tzinfo=UTC),
)
CANCEL = replace(UPDATE, sequence=2, dtstamp=datetime(2020, 1, 15, 8, 20, tzinfo=UTC))
UPR35 = FeedEvent(
    uid="upr-session-35@nam-briefings.chair.example.org",
    sequence=0,
    start=date(2020, 1, 20),
    end=date(2020, 2, 1),
    summary="UPR Working Group, 35th session",
    location="Palais des Nations, Geneva",
    description="Reviews of 14 states, 8 of them NAM members.",
    dtstamp=datetime(2019, 12, 2, 12, 0, tzinfo=UTC),
    all_day=True,
    categories=("UPR",),
)
FEED_BRIEFING = FeedEvent(
    uid=UPDATE.uid,
    sequence=UPDATE.sequence,
    start=UPDATE.start,
    end=UPDATE.end,
    summary=UPDATE.summary,
    location=UPDATE.location,
    description=UPDATE.description,
    dtstamp=UPDATE.dtstamp,
    url=UPDATE.url,
    categories=UPDATE.categories,
)


def golden_outputs() -> dict[str, str]:
    """The text each golden file holds."""
    return {
        "request.ics": invitation(BRIEFING, GUYANA),
        "update.ics": invitation(UPDATE, GUYANA),
        "cancel.ics": cancellation(CANCEL, GUYANA),
        "feed.ics": feed(
            "NAM briefings – Guyana",
            [FEED_BRIEFING, UPR35],
            description="UPR sessions and NAM briefings, Geneva time",
        ),
    }


def parse(text: str) -> Calendar:
    """The calendar as icalendar reads it, failing on anything it had to tolerate."""
    calendar = Calendar.from_ical(text)
    for component in calendar.walk():
        assert not component.errors, f"{component.name}: {component.errors}"
    return calendar


def only_event(text: str):
    """The single VEVENT of ``text``."""
    events = parse(text).events
    assert len(events) == 1
    return events[0]


def read_vobject(text: str):
    """The calendar as vobject reads it, after vobject's own validation."""
    calendar = vobject.readOne(text, validate=True)
    assert calendar.validate(raiseException=True)
    return calendar


def node_checker_missing() -> str | None:
    """Why the ical.js checks cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (JS_DIR / "node_modules" / "ical.js").exists():
        return "ical.js is not installed: run `make test` or `npm ci --prefix tests/js`"
    return None


needs_node = pytest.mark.skipif(
    node_checker_missing() is not None, reason=f"ical.js check skipped: {node_checker_missing()}"
)


def read_icaljs(text: str) -> dict:
    """What Mozilla's ical.js reads from ``text`` (see tests/js/parse_ics.mjs).

    node runs in New York time so a TZID that ical.js failed to resolve (a "floating" time,
    read in the machine's zone) would show up as a wrong instant.
    """
    result = subprocess.run(
        ["node", str(JS_DIR / "parse_ics.mjs")],
        input=text.encode("utf-8"),
        capture_output=True,
        env={**os.environ, "TZ": "America/New_York"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def utc_iso(moment: datetime) -> str:
    """``moment`` as ical.js prints an instant (JavaScript's toISOString)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# --- the invitation ---------------------------------------------------------------------


def test_an_invitation_carries_every_field_clients_need():
    calendar = parse(invitation(BRIEFING, GUYANA))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODID
    assert calendar["METHOD"] == "REQUEST"
    assert "UID" not in calendar
    event = calendar.events[0]
    assert len(calendar.events) == 1
    assert event["UID"] == BRIEFING_UID
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "OPAQUE"
    assert event["X-MICROSOFT-CDO-BUSYSTATUS"] == "BUSY"
    assert event["SUMMARY"] == BRIEFING.summary
    assert event["LOCATION"] == BRIEFING.location
    assert event["DESCRIPTION"] == AGENDA
    assert event["URL"] == BRIEFING.url
    assert event.categories == ["NAM", "UPR 35"]
    assert event["DTSTAMP"].dt == datetime(2020, 1, 10, 9, 0, tzinfo=UTC)
    assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
    for name, expected in (("DTSTART", BRIEFING.start), ("DTEND", BRIEFING.end)):
        assert event[name].params["TZID"] == "Europe/Zurich"
        assert event[name].dt == expected


def test_the_organizer_is_a_bare_mailto_with_its_name():
    event = only_event(invitation(BRIEFING, GUYANA))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:nam-briefings@chair.example.org"
    assert dict(organizer.params) == {"CN": "NAM Chairmanship, Geneva"}


def test_the_recipient_is_the_only_attendee_and_is_asked_to_reply():
    event = only_event(invitation(BRIEFING, GUYANA))
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert str(attendee) == "mailto:focal.point@guyana.example.org"
    assert dict(attendee.params) == {
        "CN": "Focal point, Guyana",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }


def test_participants_are_optional_and_keep_their_answer():
    guest = Attendee("deputy@kenya.example.org", "Deputy", partstat="ACCEPTED")
    params = only_event(invitation(BRIEFING, guest))["ATTENDEE"].params
    assert params["ROLE"] == "OPT-PARTICIPANT"
    assert params["PARTSTAT"] == "ACCEPTED"
    assert params["RSVP"] == "TRUE"


def test_lines_end_in_crlf_and_are_folded_at_75_octets():
    text = invitation(replace(BRIEFING, description="Côte d'Ivoire " * 40), GUYANA)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)


# --- time zones ---------------------------------------------------------------------------


def test_one_vtimezone_for_geneva_in_rrule_form():
    text = invitation(BRIEFING, GUYANA)
    calendar = parse(text)
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Zurich"]
    assert "RDATE" not in text
    rules = {sub.name: sub for sub in calendar.timezones[0].subcomponents}
    assert set(rules) == {"STANDARD", "DAYLIGHT"}
    standard, daylight = rules["STANDARD"], rules["DAYLIGHT"]
    assert standard["DTSTART"].dt == datetime(1970, 10, 25, 3, 0)
    assert standard["TZOFFSETFROM"].td == timedelta(hours=2)
    assert standard["TZOFFSETTO"].td == timedelta(hours=1)
    assert standard["TZNAME"] == "CET"
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert daylight["DTSTART"].dt == datetime(1970, 3, 29, 2, 0)
    assert daylight["TZOFFSETFROM"].td == timedelta(hours=1)
    assert daylight["TZOFFSETTO"].td == timedelta(hours=2)
    assert daylight["TZNAME"] == "CEST"
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}


def test_the_vtimezone_rules_agree_with_the_tz_database_from_1996_to_2037():
    written = parse(invitation(BRIEFING, GUYANA)).timezones[0].to_tz(lookup_tzid=False)
    for year in range(1996, 2038):
        for month in (3, 10):
            fortnight = datetime(year, month, 20, tzinfo=UTC)
            for hour in range(14 * 24):
                moment = fortnight + timedelta(hours=hour)
                expected = moment.astimezone(GENEVA).utcoffset()
                assert moment.astimezone(written).utcoffset() == expected, moment


#: Geneva wall time of a briefing and the instant it is
DST_CASES = [
    pytest.param(datetime(2025, 3, 30, 9), datetime(2025, 3, 30, 7, tzinfo=UTC), id="spring-forward-day"),
    pytest.param(datetime(2020, 1, 20, 10), datetime(2020, 1, 20, 9, tzinfo=UTC), id="winter"),
    pytest.param(datetime(2025, 10, 26, 10), datetime(2025, 10, 26, 9, tzinfo=UTC), id="fall-back-day"),
    pytest.param(datetime(2025, 7, 1, 10), datetime(2025, 7, 1, 8, tzinfo=UTC), id="summer"),
]


def event_at(local_start: datetime) -> EventData:
    """The briefing moved to ``local_start`` (Geneva wall time), lasting 90 minutes."""
    start = local_start.replace(tzinfo=GENEVA)
    return replace(BRIEFING, start=start, end=start + timedelta(minutes=90))


@pytest.mark.parametrize(("local_start", "utc_start"), DST_CASES)
def test_icalendar_reads_the_right_instant(local_start, utc_start):
    event = only_event(invitation(event_at(local_start), GUYANA))
    assert event["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert event["DTSTART"].dt.replace(tzinfo=None) == local_start
    assert event["DTSTART"].dt.astimezone(UTC) == utc_start
    assert event["DTEND"].dt.astimezone(UTC) == utc_start + timedelta(minutes=90)


@pytest.mark.parametrize(("local_start", "utc_start"), DST_CASES)
def test_vobject_reads_the_right_instant_through_the_vtimezone(local_start, utc_start):
    event = read_vobject(invitation(event_at(local_start), GUYANA)).vevent
    assert event.dtstart.value.astimezone(UTC) == utc_start
    assert event.dtend.value.astimezone(UTC) == utc_start + timedelta(minutes=90)


@needs_node
@pytest.mark.parametrize(("local_start", "utc_start"), DST_CASES)
def test_icaljs_reads_the_right_instant_through_the_vtimezone(local_start, utc_start):
    (event,) = read_icaljs(invitation(event_at(local_start), GUYANA))["events"]
    assert event["start_tzid"] == event["end_tzid"] == "Europe/Zurich"
    assert event["start"] == utc_iso(utc_start)
    assert event["end"] == utc_iso(utc_start + timedelta(minutes=90))


def test_times_given_in_another_zone_are_written_in_geneva_time():
    start = datetime(2020, 1, 17, 9, 0, tzinfo=UTC)
    moved = replace(BRIEFING, start=start, end=start + timedelta(hours=1))
    event = only_event(invitation(moved, GUYANA))
    assert event["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2020, 1, 17, 10, 0)


# --- updates and cancellations ---------------------------------------------------------------


def test_an_update_keeps_the_uid_and_raises_the_sequence():
    first = only_event(invitation(BRIEFING, GUYANA))
    second = only_event(invitation(UPDATE, GUYANA))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == first["SEQUENCE"] + 1
    assert second["DTSTART"].dt == datetime(2020, 1, 17, 11, 0, tzinfo=GENEVA)
    assert second["DTSTAMP"].dt > first["DTSTAMP"].dt


def test_a_cancellation_is_method_cancel_with_the_same_uid_and_a_higher_sequence():
    calendar = parse(cancellation(CANCEL, GUYANA))
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.events
    assert event["UID"] == BRIEFING_UID
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["DTSTART"].dt == CANCEL.start
    assert str(event["ORGANIZER"]) == "mailto:nam-briefings@chair.example.org"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:focal.point@guyana.example.org"
    assert "RSVP" not in attendee.params
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_a_cancellation_is_cancelled_whatever_status_the_event_had():
    event = only_event(cancellation(replace(CANCEL, status="CONFIRMED"), GUYANA))
    assert event["STATUS"] == "CANCELLED"


def test_an_invitation_refuses_a_cancelled_event():
    with pytest.raises(ValueError, match="cancellation"):
        invitation(replace(BRIEFING, status="CANCELLED"), GUYANA)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2020, 1, 17, 10, 0)}, "timezone-aware"),
        ({"dtstamp": datetime(2020, 1, 10, 9, 0)}, "timezone-aware"),
        ({"end": datetime(2020, 1, 17, 9, 0, tzinfo=GENEVA)}, "before it starts"),
        ({"sequence": -1}, "SEQUENCE"),
        ({"uid": ""}, "UID"),
        ({"uid": "a\r\nb"}, "UID"),
        ({"status": "DONE"}, "STATUS"),
        ({"organizer": Organizer("not an address", "x")}, "e-mail"),
    ],
)
def test_inconsistent_events_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        invitation(replace(BRIEFING, **change), GUYANA)


def test_an_unknown_partstat_is_refused():
    with pytest.raises(ValueError, match="PARTSTAT"):
        invitation(BRIEFING, replace(GUYANA, partstat="MAYBE"))


# --- text -------------------------------------------------------------------------------------


def tricky_event() -> tuple[EventData, Attendee]:
    """An event and attendee whose texts need every kind of escaping."""
    event = replace(
        BRIEFING,
        summary="Côte d'Ivoire; Lao People's Democratic Republic, agenda",
        location="Salle XVII, Palais des Nations; Genève",
        description=TRICKY + "\nback\\slash; «guillemets» — 中文, عربي",
        categories=("NAM", "UPR, 35th; session"),
    )
    attendee = Attendee("focal.point@civ.example.org", 'Mission "Côte d\'Ivoire", Genève; 1^st')
    return event, attendee


def test_icalendar_round_trips_escaped_text():
    event, attendee = tricky_event()
    text = invitation(event, attendee)
    assert r"Côte d'Ivoire\; Lao People's Democratic Republic\, agenda" in text
    parsed = only_event(text)
    assert parsed["SUMMARY"] == event.summary
    assert parsed["LOCATION"] == event.location
    assert parsed["DESCRIPTION"] == event.description
    assert parsed.categories == ["NAM", "UPR, 35th; session"]
    assert parsed["ATTENDEE"].params["CN"] == "Mission 'Côte d'Ivoire', Genève; 1st"


def test_vobject_round_trips_escaped_text():
    event, attendee = tricky_event()
    parsed = read_vobject(invitation(event, attendee)).vevent
    assert parsed.summary.value == event.summary
    assert parsed.location.value == event.location
    assert parsed.description.value == event.description
    assert parsed.attendee.params["CN"] == ["Mission 'Côte d'Ivoire', Genève; 1st"]


@needs_node
def test_icaljs_round_trips_escaped_text():
    event, attendee = tricky_event()
    (parsed,) = read_icaljs(invitation(event, attendee))["events"]
    assert parsed["summary"] == event.summary
    assert parsed["location"] == event.location
    assert parsed["description"] == event.description
    assert parsed["categories"] == ["NAM", "UPR, 35th; session"]
    assert parsed["attendees"][0]["params"]["cn"] == "Mission 'Côte d'Ivoire', Genève; 1st"


def test_single_line_fields_lose_their_line_breaks_and_descriptions_keep_theirs():
    event = replace(BRIEFING, summary="NAM\nbriefing", description="\r\nline 1\r\nline 2\n\n")
    parsed = only_event(invitation(event, GUYANA))
    assert parsed["SUMMARY"] == "NAM briefing"
    assert parsed["DESCRIPTION"] == "line 1\nline 2"


def test_empty_location_and_description_are_left_out():
    parsed = only_event(invitation(replace(BRIEFING, location=" ", description=""), GUYANA))
    assert "LOCATION" not in parsed and "DESCRIPTION" not in parsed


printable = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
    | st.sampled_from(",;:\\\n\""),
    max_size=200,
)


@given(description=printable)
def test_any_description_round_trips(description):
    event = replace(BRIEFING, description=description)
    text = invitation(event, GUYANA)
    expected = description.replace("\ufeff", "").strip("\n")
    parsed = only_event(text)
    assert parsed.get("DESCRIPTION", "") == (expected if expected.strip() else "")
    if expected.strip():
        assert read_vobject(text).vevent.description.value == expected


# --- feeds ------------------------------------------------------------------------------------


def feed_events() -> list[FeedEvent]:
    """A session, two briefings at the same minute and one across the autumn clock change."""
    base = FEED_BRIEFING
    twin = replace(base, uid="briefing-upr35-0@nam-briefings.chair.example.org", summary="Twin")
    autumn_start = datetime(2025, 10, 26, 10, 0, tzinfo=GENEVA)
    autumn = replace(
        base,
        uid="briefing-upr50-1@nam-briefings.chair.example.org",
        start=autumn_start,
        end=autumn_start + timedelta(hours=1),
    )
    return [autumn, base, UPR35, twin]


def test_a_feed_is_publish_with_its_organizer_without_attendees_and_a_poll_interval():
    text = feed("NAM briefings", feed_events(), description="All NAM briefings")
    calendar = parse(text)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["PRODID"] == PRODID
    assert "UID" not in calendar
    assert calendar["NAME"] == calendar["X-WR-CALNAME"] == "NAM briefings"
    assert calendar["X-WR-CALDESC"] == "All NAM briefings"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Zurich"
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Zurich"]
    assert "ATTENDEE" not in text and "RSVP" not in text
    # RFC 5546 §3.2.1: a PUBLISH names its organizer in every event
    assert all(str(event["ORGANIZER"]) == "mailto:secretariat@chair.example.org"
               for event in calendar.events)
    stamps = {str(event["UID"]): event["DTSTAMP"].dt for event in calendar.events}
    assert stamps == {item.uid: item.dtstamp for item in feed_events()}


def test_feed_names_and_descriptions_are_escaped_text():
    name, description = "NAM, Geneva; briefings\\ 2020", "UPR sessions, briefings;\nGeneva time"
    text = feed(name, [], description=description)
    assert "\r\nX-WR-CALNAME:NAM\\, Geneva\\; briefings\\\\ 2020\r\n" in text
    calendar = read_vobject(text)
    assert calendar.contents["name"][0].value == calendar.x_wr_calname.value == name
    assert calendar.x_wr_caldesc.value == description
    assert parse(text)["DESCRIPTION"] == description


def test_a_feed_orders_events_by_start_then_uid():
    events = parse(feed("NAM briefings", feed_events())).events
    assert [str(event["UID"]) for event in events] == [
        "briefing-upr35-0@nam-briefings.chair.example.org",
        "briefing-upr35-1@nam-briefings.chair.example.org",
        "upr-session-35@nam-briefings.chair.example.org",
        "briefing-upr50-1@nam-briefings.chair.example.org",
    ]


def test_a_feed_has_the_same_bytes_for_the_same_events_in_any_order():
    events = feed_events()
    first = feed("NAM briefings", events)
    assert feed("NAM briefings", events) == first
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert feed("NAM briefings", shuffled) == first


def test_all_day_events_are_dates_with_an_exclusive_end():
    text = feed("UPR", [UPR35])
    assert "\r\nDTSTART;VALUE=DATE:20200120\r\n" in text
    assert "\r\nDTEND;VALUE=DATE:20200201\r\n" in text
    event = only_event(text)
    assert event["DTSTART"].dt == date(2020, 1, 20)
    assert not isinstance(event["DTSTART"].dt, datetime)
    assert event["TRANSP"] == "TRANSPARENT"
    parsed = read_vobject(text).vevent
    assert parsed.dtstart.value == date(2020, 1, 20)
    assert parsed.dtend.value == date(2020, 2, 1)


def test_all_day_events_accept_datetimes_and_use_their_geneva_day():
    late = datetime(2020, 1, 19, 23, 30, tzinfo=UTC)
    event = only_event(feed("UPR", [replace(UPR35, start=late, end=late + timedelta(days=12))]))
    assert event["DTSTART"].dt == date(2020, 1, 20)


def test_a_feed_refuses_repeated_uids_empty_days_and_cancelled_events():
    with pytest.raises(ValueError, match="repeated"):
        feed("x", [UPR35, UPR35])
    with pytest.raises(ValueError, match="on or before"):
        feed("x", [replace(UPR35, end=UPR35.start)])
    with pytest.raises(ValueError, match="all_day"):
        feed("x", [replace(UPR35, all_day=False)])
    with pytest.raises(ValueError, match="cancelled events leave the feed"):
        feed("x", [replace(FEED_BRIEFING, status="CANCELLED")])


def test_vobject_validates_a_feed_with_the_right_instants():
    calendar = read_vobject(feed("NAM briefings", feed_events()))
    starts = {event.uid.value: event.dtstart.value for event in calendar.vevent_list}
    autumn = starts["briefing-upr50-1@nam-briefings.chair.example.org"]
    assert autumn.astimezone(UTC) == datetime(2025, 10, 26, 9, 0, tzinfo=UTC)
    assert starts[UPR35.uid] == date(2020, 1, 20)


@needs_node
def test_icaljs_reads_a_feed():
    result = read_icaljs(feed("NAM briefings – Geneva", feed_events()))
    assert result["method"] == "PUBLISH"
    assert result["calendar"]["x-wr-calname"]["value"] == "NAM briefings – Geneva"
    assert result["calendar"]["refresh-interval"] == {"value": "PT1H", "params": {}}
    assert result["calendar"]["x-published-ttl"]["value"] == "PT1H"
    by_uid = {event["uid"]: event for event in result["events"]}
    session = by_uid[UPR35.uid]
    assert session["all_day"] is True
    assert (session["start"], session["end"]) == ("2020-01-20", "2020-02-01")
    autumn = by_uid["briefing-upr50-1@nam-briefings.chair.example.org"]
    assert autumn["start"] == "2025-10-26T09:00:00.000Z"
    assert all(not event["attendees"] and event["organizer"]["value"] ==
               "mailto:secretariat@chair.example.org" for event in result["events"])


# --- golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(golden_outputs()))
def test_golden_files_match_byte_for_byte(name):
    text = golden_outputs()[name]
    path = GOLDEN / name
    if os.environ.get("REGENERATE_ICAL_FIXTURES") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes() == text.encode("utf-8"), (
        f"{path} differs from the current output; if the change is intended, regenerate with "
        "REGENERATE_ICAL_FIXTURES=1 .venv/bin/pytest -q tests/unit/test_ical.py -k golden"
    )


#: each golden message's METHOD and SEQUENCE
GOLDEN_MESSAGES = {
    "request.ics": ("REQUEST", 0),
    "update.ics": ("REQUEST", 1),
    "cancel.ics": ("CANCEL", 2),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_MESSAGES))
def test_golden_messages_read_the_same_in_every_parser(name):
    text = (GOLDEN / name).read_bytes().decode("utf-8")
    method, sequence = GOLDEN_MESSAGES[name]
    start = BRIEFING.start if name == "request.ics" else UPDATE.start
    calendar = parse(text)
    assert calendar["METHOD"] == method
    event = calendar.events[0]
    assert str(event["UID"]) == BRIEFING_UID
    assert (event["SEQUENCE"], event["DTSTART"].dt) == (sequence, start)
    parsed = read_vobject(text)
    assert parsed.method.value == method
    assert parsed.vevent.uid.value == BRIEFING_UID
    assert int(parsed.vevent.sequence.value) == sequence
    assert parsed.vevent.dtstart.value.astimezone(UTC) == start.astimezone(UTC)
    assert re.search(r"\r\nMETHOD:" + method + r"\r\n", text)


@needs_node
@pytest.mark.parametrize("name", sorted(GOLDEN_MESSAGES))
def test_golden_messages_in_icaljs(name):
    result = read_icaljs((GOLDEN / name).read_bytes().decode("utf-8"))
    (event,) = result["events"]
    expected = BRIEFING if name == "request.ics" else UPDATE if name == "update.ics" else CANCEL
    assert result["method"] == ("CANCEL" if name == "cancel.ics" else "REQUEST")
    assert event["uid"] == BRIEFING_UID
    assert event["sequence"] == expected.sequence
    assert event["status"] == ("CANCELLED" if name == "cancel.ics" else "CONFIRMED")
    assert event["start"] == utc_iso(expected.start)
    assert event["end"] == utc_iso(expected.end)
    assert event["organizer"] == {
        "value": "mailto:nam-briefings@chair.example.org",
        "params": {"cn": "NAM Chairmanship, Geneva"},
    }
    (attendee,) = event["attendees"]
    assert attendee["value"] == "mailto:focal.point@guyana.example.org"
    assert attendee["params"]["role"] == "REQ-PARTICIPANT"
    assert attendee["params"].get("rsvp") == (None if name == "cancel.ics" else "TRUE")


# --- one serialisation for a whole fan-out --------------------------------------------------

@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=90),
       presenter=st.booleans(),
       partstat=st.sampled_from(["NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED"]))
def test_a_calendar_serialised_once_gives_each_recipient_the_very_same_text(name, presenter,
                                                                            partstat):
    """A fan-out puts each recipient's ATTENDEE line into one serialisation: byte for byte
    what invitation() and cancellation() write for that recipient, whatever the name
    (non-ASCII, quotes, commas, long enough to fold)."""
    recipient = Attendee("someone@mission.example.org", name.replace('"', "'").strip() or "x",
                         presenter=presenter, partstat=partstat)
    assert for_attendees(UPDATE, "REQUEST")(recipient) == invitation(UPDATE, recipient)
    cancelled = replace(CANCEL, status="CANCELLED")
    assert for_attendees(cancelled, "CANCEL")(recipient) == cancellation(cancelled, recipient)
