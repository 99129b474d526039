"""iCalendar text for briefing invitations, cancellations and calendar feeds.

Pure functions over small dataclasses: the same input always gives the same bytes.
What is written follows RFC 5545 (iCalendar), RFC 5546 (iTIP: METHOD REQUEST / CANCEL /
PUBLISH) and RFC 6047 (iMIP), shaped so that Outlook, Gmail, Apple Calendar and Thunderbird
all show, update and remove the event (DESIGN.md, "iCalendar rules"):

- times are written in Europe/Zurich with ``TZID`` and one VTIMEZONE in RRULE form (Outlook
  mis-maps the RDATE lists of ``Calendar.add_missing_timezones``); DTSTAMP is in UTC;
- an invitation names its one recipient as the only ATTENDEE, with ``RSVP=TRUE``;
- an update keeps the UID and raises SEQUENCE; a cancellation is METHOD:CANCEL with
  STATUS:CANCELLED, the same UID and a higher SEQUENCE (the caller owns UID and SEQUENCE);
- a feed is METHOD:PUBLISH without attendees, events in a fixed order, nothing random
  and no "now", so an unchanged feed keeps its bytes (and its ETag).

Texts are escaped by ``icalendar`` (commas, semicolons, backslashes, newlines) and lines
are folded at 75 octets with CRLF endings. Outputs are ``str``; encode them as UTF-8.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .calendar import GENEVA

if TYPE_CHECKING:  # icalendar is imported where it is used (start-up cost, README)
    from icalendar import Calendar, Event, Timezone, vCalAddress

PRODID = "-//NAM Chairmanship Geneva//NAM Briefings//EN"
TZID = GENEVA.key
BYTE_ORDER_MARK = "\ufeff"
#: how often subscribers should poll a feed (REFRESH-INTERVAL and X-PUBLISHED-TTL)
FEED_REFRESH = "PT1H"

EVENT_STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED")


@dataclass(frozen=True)
class Organizer:
    """Who sends the invitations and receives the replies (the chair's mailbox)."""

    email: str
    name: str


@dataclass(frozen=True)
class Attendee:
    """The one recipient of an invitation; presenters are required participants."""

    email: str
    name: str
    presenter: bool = False
    partstat: str = "NEEDS-ACTION"


@dataclass(frozen=True)
class EventData:
    """One briefing as invitations describe it.

    ``uid`` never changes for a briefing and ``sequence`` only goes up; ``start``, ``end`` and
    ``dtstamp`` are timezone-aware. ``dtstamp`` is when this version was made (pass it in,
    e.g. the time the change was saved), never read from the clock here.
    """

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    organizer: Organizer
    dtstamp: datetime
    status: str = "CONFIRMED"
    url: str | None = None
    categories: tuple[str, ...] = ()
    #: the language of SUMMARY, LOCATION and DESCRIPTION (RFC 5545 LANGUAGE=, e.g. "fr"),
    #: None to say nothing (English, as before languages were added)
    language: str | None = None


@dataclass(frozen=True)
class FeedEvent:
    """One event of a subscribed calendar.

    Timed events take aware datetimes. An all-day event (``all_day=True``, e.g. a UPR
    session) takes dates (or datetimes, whose Geneva date is used) and, as in iCalendar,
    ``end`` is the day AFTER the last day: a session held 20–31 January ends on 1 February.
    """

    uid: str
    sequence: int
    start: datetime | date
    end: datetime | date
    summary: str
    location: str
    description: str
    dtstamp: datetime
    all_day: bool = False
    url: str | None = None
    categories: tuple[str, ...] = ()
    status: str = "CONFIRMED"
    #: as in EventData
    language: str | None = None


def invitation(event: EventData, attendee: Attendee, prodid: str = PRODID,
               rsvp: bool = True) -> str:
    """The METHOD:REQUEST calendar inviting ``attendee`` (new event or update); ``rsvp``
    False for an update to an attendee whose answer (its PARTSTAT) stands."""
    if event.status == "CANCELLED":
        raise ValueError("a cancelled event is sent with cancellation(), not invitation()")
    calendar = _calendar(prodid, "REQUEST")
    calendar.add_component(_vtimezone())
    vevent = _vevent(event, event.status, transparent=False)
    vevent.add("attendee", _attendee(attendee, rsvp=rsvp))
    calendar.add_component(vevent)
    return _text(calendar)


def cancellation(event: EventData, attendee: Attendee, prodid: str = PRODID) -> str:
    """The METHOD:CANCEL calendar removing the event from ``attendee``'s calendar.

    ``event`` carries the briefing's UID and a SEQUENCE higher than any sent before; its
    time is the last one sent. The event is written STATUS:CANCELLED and as free time.
    """
    calendar = _calendar(prodid, "CANCEL")
    calendar.add_component(_vtimezone())
    vevent = _vevent(event, "CANCELLED", transparent=True)
    vevent.add("attendee", _attendee(attendee, rsvp=False))
    calendar.add_component(vevent)
    return _text(calendar)


#: a recipient stands in for every real one while a calendar is serialised once
_PLACEHOLDER = Attendee("attendee@placeholder.invalid", "Placeholder")


@dataclass(frozen=True)
class CalendarForAttendee:
    """One version of an event, serialised once, that gives each recipient's calendar by
    putting their ATTENDEE line in: the very text `invitation()` or `cancellation()` gives
    for them, at a fraction of the cost (a fan-out writes one per contact)."""

    head: str
    tail: str
    rsvp: bool

    def __call__(self, attendee: Attendee) -> str:
        return self.head + attendee_line(attendee, self.rsvp) + self.tail


def for_attendees(event: EventData, method: str, prodid: str = PRODID,
                  rsvp: bool | None = None) -> CalendarForAttendee:
    """The METHOD:REQUEST (`invitation`) or CANCEL (`cancellation`) calendar of ``event``,
    ready to take each recipient. A request asks for an answer (RSVP=TRUE) unless `rsvp`
    is False (an update to someone whose answer stands)."""
    if method not in ("REQUEST", "CANCEL"):
        raise KeyError(method)
    rsvp = method == "REQUEST" and rsvp is not False
    text = (invitation(event, _PLACEHOLDER, prodid, rsvp=rsvp) if method == "REQUEST"
            else cancellation(event, _PLACEHOLDER, prodid))
    line = attendee_line(_PLACEHOLDER, rsvp)
    head, found, tail = text.partition(line)
    if not found or line in tail:
        raise ValueError("the ATTENDEE line cannot be found once in the serialised calendar")
    return CalendarForAttendee(head, tail, rsvp)


def attendee_line(attendee: Attendee, rsvp: bool) -> str:
    """The folded ``ATTENDEE`` content line of one recipient, with its CRLF."""
    from icalendar.parser import Contentline

    address = _attendee(attendee, rsvp)
    line = Contentline.from_parts("ATTENDEE", address.params, address.to_ical().decode("utf-8"))
    return line.to_ical().decode("utf-8") + "\r\n"


def feed(
    name: str, events: Sequence[FeedEvent], description: str = "", prodid: str = PRODID, *,
    organizer: Organizer,
) -> str:
    """The METHOD:PUBLISH calendar of a subscription feed, events ordered by start then UID;
    every event names its ``organizer`` (RFC 5546 §3.2.1 requires ORGANIZER in a PUBLISH,
    and libical's iTIP check refuses a feed without it).

    Cancelled events are refused: leave them out, and clients drop them from their copy.
    """
    from icalendar import vText

    cancelled = sorted(item.uid for item in events if item.status == "CANCELLED")
    if cancelled:
        raise ValueError(f"cancelled events leave the feed; got {cancelled}")
    uids = [item.uid for item in events]
    if len(set(uids)) != len(uids):
        duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
        raise ValueError(f"a feed holds each UID once; repeated: {duplicates}")
    calendar = _calendar(prodid, "PUBLISH")
    calendar.add("name", vText(_one_line(name)))
    calendar.add("x-wr-calname", vText(_one_line(name)))
    if description.strip():
        calendar.add("description", _plain(description))
        calendar.add("x-wr-caldesc", vText(_plain(description)))
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH)
    calendar.add_component(_vtimezone())
    for item in sorted(events, key=_feed_order):
        calendar.add_component(_feed_vevent(item, organizer))
    return _text(calendar)


def geneva_time(moment: datetime) -> datetime:
    """``moment`` (aware) as Geneva wall-clock time, to whole seconds."""
    return _aware(moment, "time").astimezone(GENEVA).replace(microsecond=0)


def _calendar(prodid: str, method: str) -> Calendar:
    """An empty VCALENDAR with VERSION, PRODID and METHOD (and no random UID)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", prodid)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _vtimezone() -> Timezone:
    """Europe/Zurich in the RRULE form every client maps: CET/CEST, one yearly rule each.

    The rules are the EU's (last Sunday of March 02:00 CET → 03:00 CEST, last Sunday of
    October 03:00 CEST → 02:00 CET), which Switzerland has kept since 1996: right for every
    date a briefing can have (a test compares them with the tz database up to 2037).
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    vtimezone = Timezone()
    vtimezone.add("tzid", TZID)
    vtimezone.add("x-lic-location", TZID)
    vtimezone.add_component(standard)
    vtimezone.add_component(daylight)
    return vtimezone


def _vevent(event: EventData, status: str, transparent: bool) -> Event:
    """The VEVENT of an invitation or cancellation, without its ATTENDEE."""
    start, end = geneva_time(event.start), geneva_time(event.end)
    if end <= start:
        raise ValueError(f"event {event.uid!r} ends ({end}) before it starts ({start})")
    vevent = _base_vevent(event.uid, event.sequence, event.dtstamp, status)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    _describe(vevent, event.summary, event.location, event.description, event.url,
              event.categories, event.language)
    vevent.add("organizer", _organizer(event.organizer))
    vevent.add("transp", "TRANSPARENT" if transparent else "OPAQUE")
    vevent.add("x-microsoft-cdo-busystatus", "FREE" if transparent else "BUSY")
    return vevent


def _feed_vevent(item: FeedEvent, organizer: Organizer) -> Event:
    """The VEVENT of one feed entry: timed in Europe/Zurich, or all-day with VALUE=DATE."""
    vevent = _base_vevent(item.uid, item.sequence, item.dtstamp, item.status)
    vevent.add("organizer", _organizer(organizer))
    if item.all_day:
        start, end = _day(item.start), _day(item.end)
    else:
        start, end = geneva_time(_datetime(item.start)), geneva_time(_datetime(item.end))
    if end <= start:
        raise ValueError(f"event {item.uid!r} ends ({end}) on or before its start ({start})")
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    _describe(vevent, item.summary, item.location, item.description, item.url,
              item.categories, item.language)
    vevent.add("transp", "TRANSPARENT" if item.all_day else "OPAQUE")
    return vevent


def _base_vevent(uid: str, sequence: int, dtstamp: datetime, status: str) -> Event:
    """A VEVENT with the identity fields every message and feed entry carries."""
    from icalendar import Event

    if not uid or any(char in uid for char in "\r\n"):
        raise ValueError(f"a UID must be one non-empty line, not {uid!r}")
    if sequence < 0:
        raise ValueError(f"SEQUENCE cannot be negative ({sequence})")
    if status not in EVENT_STATUSES:
        raise ValueError(f"STATUS must be one of {EVENT_STATUSES}, not {status!r}")
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("sequence", sequence)
    stamp = _aware(dtstamp, "dtstamp").astimezone(timezone.utc).replace(microsecond=0)
    vevent.add("dtstamp", stamp)
    vevent.add("status", status)
    return vevent


def _describe(
    vevent: Event,
    summary: str,
    location: str,
    description: str,
    url: str | None,
    categories: Sequence[str],
    language: str | None = None,
) -> None:
    """Add the human-readable fields; empty ones are left out. `language` (RFC 5545
    LANGUAGE=, a BCP 47 tag such as "fr") marks the texts written in it."""
    if language is not None and not _LANGUAGE_TAG.fullmatch(language):
        raise ValueError(f"LANGUAGE must be a language tag such as 'fr', not {language!r}")
    said_in = {"LANGUAGE": language} if language else None
    vevent.add("summary", _one_line(summary), parameters=said_in)
    if location.strip():
        vevent.add("location", _one_line(location), parameters=said_in)
    if description.strip():
        vevent.add("description", _plain(description), parameters=said_in)
    if url:
        vevent.add("url", url)
    if categories:
        vevent.add("categories", [_one_line(category) for category in categories])


def _organizer(organizer: Organizer) -> vCalAddress:
    """ORGANIZER as a bare ``mailto:`` with the display name in CN."""
    return _address(organizer.email, organizer.name)


def _attendee(attendee: Attendee, rsvp: bool) -> vCalAddress:
    """The recipient as ATTENDEE: presenters REQ-PARTICIPANT, everyone else OPT-PARTICIPANT."""
    if attendee.partstat not in PARTSTATS:
        raise ValueError(f"PARTSTAT must be one of {PARTSTATS}, not {attendee.partstat!r}")
    address = _address(attendee.email, attendee.name)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT" if attendee.presenter else "OPT-PARTICIPANT"
    address.params["PARTSTAT"] = attendee.partstat
    if rsvp:
        address.params["RSVP"] = "TRUE"
    return address


def _address(email: str, name: str) -> vCalAddress:
    """A ``mailto:`` calendar address with a CN that every client reads the same way."""
    from icalendar import vCalAddress

    email = email.strip()
    if email.lower().startswith("mailto:"):
        email = email[len("mailto:"):]
    local, _, domain = email.rpartition("@")
    if not local or not domain or any(char.isspace() or char in '<>",;:' for char in email):
        raise ValueError(f"not a plain e-mail address: {email!r}")
    address = vCalAddress(f"mailto:{email}")
    display = _display_name(name)
    if display:
        address.params["CN"] = display
    return address


def _display_name(name: str) -> str:
    """``name`` without what would need RFC 6868 escapes, which Outlook shows literally.

    Line breaks and runs of spaces become one space, double quotes become single quotes
    and carets are dropped. icalendar quotes the value when it holds ``,`` ``;`` ``:``.
    """
    return " ".join(name.replace('"', "'").replace("^", "").split())


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


#: a run of white space but the no-break spaces (French puts them before ":" and in numbers)
_SPACES = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def _one_line(text: str) -> str:
    """A single-line text (SUMMARY, LOCATION, CATEGORIES): whitespace runs (line breaks
    too) become one space; no-break spaces stay."""
    return _SPACES.sub(" ", text.replace(BYTE_ORDER_MARK, "")).strip()


def _plain(text: str) -> str:
    """Multi-line text with ``\\n`` line ends and no trailing blank lines.

    A byte-order mark (pasted from some editors) is dropped: parsers strip it and it shows
    as nothing anyway.
    """
    text = text.replace(BYTE_ORDER_MARK, "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _aware(moment: datetime, what: str) -> datetime:
    """``moment`` itself, or a ValueError when it has no time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")
    return moment


def _datetime(moment: datetime | date) -> datetime:
    """``moment`` when it is a datetime; a timed feed event cannot take a bare date."""
    if not isinstance(moment, datetime):
        raise ValueError(f"a timed feed event needs datetimes, got {moment!r} (all_day=True?)")
    return moment


def _day(moment: datetime | date) -> date:
    """The Geneva calendar day of ``moment`` (a date stays as it is)."""
    if isinstance(moment, datetime):
        return geneva_time(moment).date()
    return moment


def _feed_order(item: FeedEvent) -> tuple[datetime, str]:
    """Sort key: the start instant (an all-day event from Geneva midnight), then the UID."""
    if isinstance(item.start, datetime):
        start = _aware(item.start, "start").astimezone(timezone.utc)
    else:
        start = datetime.combine(item.start, datetime.min.time(), GENEVA).astimezone(timezone.utc)
    return start, item.uid


def _text(calendar: Calendar) -> str:
    """The calendar as text: CRLF line ends, folded lines, canonical property order."""
    return calendar.to_ical().decode("utf-8")
