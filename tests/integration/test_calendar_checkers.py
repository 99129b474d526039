"""Every kind of calendar we send or publish, held against readers that share no code with
ours (issue 15, point 5): libical with its RFC 5546 restriction check, node-ical and
calcurse's import, each at the same instants as icalendar reads.

Messages: the invitation (to a presenter and to another mission), the update that keeps
an answer (no RSVP asked), the update after a move, and the cancellation. (Reminders and
chasers carry no calendar.) Feeds: the UPR calendar, a mission's feed, the secretariat's.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.extensions import db
from nam_briefings.services import briefings, feeds, invitations
from tests.calendar_checkers import calcurse, libical, node_ical
from tests.factories import create_user
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)


@pytest.fixture
def calendars(app, client) -> dict[str, str]:
    """One calendar of each kind, named, from session 49's briefings and the feeds."""
    first, second = confirm_session_49(app)
    found = {"invitation to a presenter": _ics("GUY", first, 0),
             "invitation to another mission": _ics("IND", first, 0)}
    briefings.answer_by_link(invitations.rsvp_token(
        invitation_for(second, "upr@ind.example.org")), "accept")
    briefings.answer_by_link(invitations.rsvp_token(
        invitation_for(second, "upr@ken.example.org")), "decline")  # Kenya leaves the agenda
    briefings.send_new_agenda(second.id, SECRETARIAT)
    compose()
    found["update keeping an answer"] = _ics("IND", second, 1, "upr@ind.example.org")
    briefings.reschedule(first.id, first.start_at + timedelta(hours=5), None, SECRETARIAT)
    compose()
    found["update after a move"] = _ics("GUY", first, 1)
    feed_of = {"UPR calendar feed": "/feeds/upr.ics",
               "mission feed": f"/feeds/missions/{feeds.mission_feed_token('KEN')}.ics",
               "secretariat feed": f"/feeds/secretariat/"
                                   f"{feeds.user_feed_token(create_user(role='viewer').id)}.ics"}
    for name, url in feed_of.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = response.get_data(as_text=True)
    briefings.cancel(second.id, SECRETARIAT)
    compose()
    found["cancellation"] = _ics("GUY", second, 2)
    return found


def _ics(iso3: str, briefing, sequence: int, address: str | None = None) -> str:
    to = address or f"ambassador@{iso3.lower()}.example.org"
    db.session.expire_all()
    [message] = [m for m in outbox_messages(briefing_id=briefing.id, sequence=sequence)
                 if m.to_address == to and m.ics]
    return message.ics


def icalendar_events(text: str) -> dict[str, tuple]:
    """uid -> (sequence, start, end) as icalendar reads them (UTC instants, or dates)."""
    events = {}
    for event in Calendar.from_ical(text).walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        events[str(event["UID"])] = (int(event.get("SEQUENCE", 0)), _utc(start), _utc(end))
    return events


def _geneva(moment: datetime) -> datetime:
    """As calcurse writes it: Geneva wall-clock time, without the zone."""
    return moment.astimezone(GENEVA).replace(tzinfo=None)


def _utc(value):
    return value.astimezone(timezone.utc) if isinstance(value, datetime) else value


KINDS = ("invitation to a presenter", "invitation to another mission",
         "update keeping an answer", "update after a move", "cancellation",
         "UPR calendar feed", "mission feed", "secretariat feed")


def test_libical_reads_every_kind_within_the_itip_restrictions(calendars):
    assert sorted(calendars) == sorted(KINDS)
    for kind, text in calendars.items():
        read = libical(text)
        assert read["ok"] and read["errors"] == [], (kind, read["errors"])
        assert read["events"], kind
        by_libical = {e["uid"]: (e["sequence"], e["start"], e["end"]) for e in read["events"]}
        assert by_libical == icalendar_events(text), kind


def test_node_ical_reads_every_kind_at_the_same_instants(calendars):
    for kind, text in calendars.items():
        by_node = {e["uid"]: (e["sequence"], e["start"], e["end"]) for e in node_ical(text)}
        assert by_node == icalendar_events(text), kind


def test_calcurse_imports_every_kind_with_nothing_skipped(calendars):
    for kind, text in calendars.items():
        imported = calcurse(text)
        assert imported["skipped"] == 0, (kind, imported["report"])
        read = icalendar_events(text).values()
        timed = sorted((_geneva(start), _geneva(end)) for _, start, end in read
                       if isinstance(start, datetime))
        assert sorted(imported["appointments"]) == timed, kind
        assert len(imported["events"]) == len(read) - len(timed), kind  # all-day ones


def test_the_update_that_keeps_an_answer_asks_for_none(calendars):
    event = Calendar.from_ical(calendars["update keeping an answer"]).walk("VEVENT")[0]
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert "RSVP" not in event["ATTENDEE"].params
    assert "Kenya" not in str(event["SUMMARY"])


def test_a_published_feed_without_an_organizer_is_what_libical_refuses(calendars):
    """The check is real: the feeds before issue 15 (no ORGANIZER) fail it."""
    text = calendars["UPR calendar feed"]
    without = "".join(line for line in text.splitlines(keepends=True)
                      if not line.startswith("ORGANIZER"))
    read = libical(without)
    assert not read["ok"]
    assert any("ORGANIZER" in error for error in read["errors"])
