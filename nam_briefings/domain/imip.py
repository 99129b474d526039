"""iMIP replies: what mission staff send back with Outlook's, Gmail's, Apple Calendar's or
Thunderbird's Accept / Tentative / Decline buttons (RFC 6047 carrying RFC 5546 METHOD:REPLY).

`parse_message(bytes)` reads one e-mail and returns its replies or why they are refused. It
never raises, whatever the bytes: broken MIME, wrong charsets, huge parts and hostile
calendars all end as a `ParsedMessage` with a `rejection`. Pure: no database, no network.

What counts as a reply: a calendar part (``text/calendar``, ``application/ics`` or a
``.ics`` file) whose ``method=`` parameter or METHOD is REPLY. A message without one (a
newsletter, a forwarded REQUEST, a COUNTER proposal) is not a reply (`is_reply` False) and
is left alone by the caller. Parts inside an attached message (``message/rfc822``, e.g. a
forwarded reply) are not the sender's own and are not read.

A reply is refused (the whole message, so that nothing half-read changes a roster) when:
the message or its calendar data are too big; a calendar cannot be parsed; METHOD is
missing or disagrees with ``method=``; an event has no UID, no DTSTAMP, a bad SEQUENCE,
not exactly one ATTENDEE (RFC 5546: a REPLY names the one attendee answering), an
ATTENDEE that is not an e-mail address or a PARTSTAT other than ACCEPTED, TENTATIVE or
DECLINED; or its parts disagree (two answers for the same event, several attendees).
"""
from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from typing import TYPE_CHECKING

from .authresults import MAX_HEADERS
from .errors import Invalid
from .messages import N_, Joined, Said
from .validation import normalise_email

if TYPE_CHECKING:  # icalendar is imported where it is used (start-up cost, README)
    from icalendar import Calendar

#: a message bigger than this is not read at all
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
#: calendar data (all calendar parts of one message, decoded) above this is refused
MAX_CALENDAR_BYTES = 1024 * 1024
#: MIME parts of one message above this are refused (a reply has fewer than ten)
MAX_PARTS = 100
#: events answered in one message above this are refused
MAX_REPLIES = 10
#: a longer COMMENT is cut to this many characters
MAX_COMMENT = 2000
#: the answers a reply can give (PARTSTAT)
ANSWERS = ("ACCEPTED", "TENTATIVE", "DECLINED")
#: what became of one reply (stored with it, shown to the secretariat)
OUTCOMES = ("applied", "stale", "duplicate", "unknown", "ignored", "rejected", "unverified")

_CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


@dataclass(frozen=True)
class Reply:
    """One attendee's answer to one event, as the reply states it."""

    #: the event's UID (the briefing's)
    uid: str
    #: the ATTENDEE's address, lower-cased, without ``mailto:``
    attendee: str
    #: ACCEPTED, TENTATIVE or DECLINED
    partstat: str
    #: the SEQUENCE of the version answered (0 when absent, as RFC 5545 says)
    sequence: int
    #: when the reply was made (DTSTAMP, aware UTC; a floating one is taken as UTC)
    dtstamp: datetime
    #: the COMMENT, if any
    comment: str = ""
    #: the ATTENDEE's CN
    attendee_name: str = ""
    #: the ATTENDEE's SENT-BY address (a delegate answering for them), lower-cased
    sent_by: str = ""
    #: the event's start as the reply gives it (aware UTC), None when absent or floating
    start: datetime | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """One e-mail, read: who sent it and the replies it carries (or why they are refused)."""

    #: the Message-ID header, or ``sha256:<hex>`` of the bytes when it has none
    message_id: str
    #: the From address, lower-cased ("" when missing or unreadable)
    sender: str
    #: the Subject, decoded
    subject: str
    #: True when the message carries (or claims to carry) an iMIP REPLY
    is_reply: bool
    replies: tuple[Reply, ...] = ()
    #: why the message's replies are refused ("" when they are not)
    rejection: str = ""
    #: the values of its Authentication-Results headers, top first (see domain/authresults.py)
    authentication_results: tuple[str, ...] = ()


class _Refused(Exception):
    """A reason to refuse the whole message (internal): its sentence (`said`), a template
    and its values."""

    def __init__(self, template: str, **values: object) -> None:
        self.said = Said(template, **values)
        super().__init__(self.said)


def parse_message(data: bytes) -> ParsedMessage:
    """Read one e-mail (its raw bytes); never raises."""
    message_id, sender, subject, checks = _fallback_id(data), "", "", ()
    try:
        if len(data) > MAX_MESSAGE_BYTES:
            return too_large(data[:64 * 1024], len(data))
        message = email.message_from_bytes(data)
        message_id = _message_id(message, data)
        sender, subject = _sender(message), _header_text(message, "Subject")
        checks = _authentication_results(message)
        calendars = _reply_calendars(message)
        if not calendars:
            return ParsedMessage(message_id, sender, subject, is_reply=False)
        replies = _replies(calendars)
        return ParsedMessage(message_id, sender, subject, is_reply=True, replies=replies,
                             authentication_results=checks)
    except _Refused as refusal:
        return ParsedMessage(message_id, sender, subject, is_reply=True, rejection=refusal.said,
                             authentication_results=checks)
    except Exception as error:  # garbage must never stop the caller
        return ParsedMessage(message_id, sender, subject, is_reply=True,
                             rejection=Said(N_("the message cannot be read (%(error)s)"),
                                            error=type(error).__name__),
                             authentication_results=checks)


def too_large(head: bytes, size: int) -> ParsedMessage:
    """A message refused for its size, described from its first bytes (headers)."""
    try:
        message = email.message_from_bytes(head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
        message_id = _message_id(message, head)
        sender, subject = _sender(message), _header_text(message, "Subject")
        checks = _authentication_results(message)
    except Exception:
        message_id, sender, subject, checks = _fallback_id(head), "", "", ()
    return ParsedMessage(message_id, sender, subject, is_reply=True,
                         rejection=Said(N_("the message is %(size)s, over the %(limit)s "
                                           "limit"), size=_mib(size),
                                        limit=_mib(MAX_MESSAGE_BYTES)),
                         authentication_results=checks)


# --- the message -------------------------------------------------------------------------------

def _fallback_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _message_id(message: Message, data: bytes) -> str:
    value = " ".join(str(message.get("Message-ID", "")).split())
    return value[:255] if value else _fallback_id(data)


def _header_text(message: Message, name: str) -> str:
    """A header decoded (RFC 2047), on one line; "" when missing or unreadable."""
    raw = message.get(name)
    if raw is None:
        return ""
    try:
        text = str(email.header.make_header(email.header.decode_header(str(raw))))
    except Exception:
        text = str(raw)
    return " ".join(text.split())[:300]


def _sender(message: Message) -> str:
    """The From address, lower-cased; "" when there is not exactly one valid one."""
    addresses = [address for _, address in email.utils.getaddresses(
        [_header_text(message, "From")]) if address]
    if len(addresses) != 1:
        return ""
    try:
        return normalise_email(addresses[0])
    except Invalid:
        return ""


def _authentication_results(message: Message) -> tuple[str, ...]:
    """The Authentication-Results headers' values, as written (the first MAX_HEADERS)."""
    values = message.get_all("Authentication-Results") or []
    return tuple(str(value) for value in values[:MAX_HEADERS])


def _reply_calendars(message: Message) -> list[Calendar]:
    """The distinct calendars of the message's reply parts (empty: not a reply)."""
    from icalendar import Calendar

    calendars: dict[str, Calendar] = {}
    budget = MAX_CALENDAR_BYTES
    for part in _own_parts(message):
        if not _is_calendar_part(part):
            continue
        text = _part_text(part, budget)
        budget -= len(text.encode("utf-8", "replace"))
        part_method = str(part.get_param("method") or "").strip().upper()
        try:
            parsed = Calendar.from_ical(text, multiple=True)
        except Exception:
            if part_method == "REPLY":
                raise _Refused(N_("the calendar cannot be read")) from None
            continue
        for calendar in parsed:
            method = str(calendar.get("method", "")).strip().upper()
            if "REPLY" not in (method, part_method):
                continue
            if not method:
                raise _Refused(N_("the calendar has no METHOD (a reply says METHOD:REPLY)"))
            if part_method and part_method != method:
                raise _Refused(N_("the part says method=%(part)s but the calendar "
                                  "METHOD:%(method)s"), part=part_method, method=method)
            calendars.setdefault(calendar.to_ical().decode("utf-8", "replace"), calendar)
    return list(calendars.values())


def _own_parts(message: Message) -> list[Message]:
    """The leaf parts of the message, not descending into attached messages."""
    leaves: list[Message] = []
    pending = [message]
    seen = 0
    while pending:
        part = pending.pop(0)
        seen += 1
        if seen > MAX_PARTS:
            raise _Refused(N_("the message has more than %(most)s parts"), most=MAX_PARTS)
        if part.get_content_maintype() == "message":
            continue
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            pending.extend(payload)
        else:
            leaves.append(part)
    return leaves


def _is_calendar_part(part: Message) -> bool:
    filename = str(part.get_filename() or part.get_param("name") or "").lower()
    return part.get_content_type() in _CALENDAR_TYPES or filename.endswith(".ics")


def _part_text(part: Message, budget: int) -> str:
    """A calendar part's text: transfer encoding undone, then its charset (UTF-8, else Latin-1)."""
    encoded = part.get_payload()
    if not isinstance(encoded, str):
        raise _Refused(N_("a calendar part is not text"))
    if len(encoded) > 2 * budget + 1024:  # base64 is 4/3 of the data: refuse before decoding
        raise _Refused(_OVER_LIMIT, limit=_mib(MAX_CALENDAR_BYTES))
    data = part.get_payload(decode=True) or b""
    if len(data) > budget:
        raise _Refused(_OVER_LIMIT, limit=_mib(MAX_CALENDAR_BYTES))
    for charset in (part.get_content_charset(), "utf-8"):
        if charset:
            try:
                return data.decode(charset).lstrip("\ufeff")
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("latin-1").lstrip("\ufeff")


_OVER_LIMIT = N_("the calendar data is over the %(limit)s limit")


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


# --- the replies -------------------------------------------------------------------------------

def _replies(calendars: list[Calendar]) -> tuple[Reply, ...]:
    """Every event's reply, each once; refused when parts disagree."""
    by_event: dict[tuple[str, str], Reply] = {}
    for calendar in calendars:
        events = list(calendar.walk("VEVENT"))
        if not events:
            raise _Refused(N_("the reply has no event (VEVENT)"))
        for event in events:
            reply = _reply(event)
            known = by_event.setdefault((reply.uid, reply.attendee), reply)
            if known != reply and _essence(known) != _essence(reply):
                raise _Refused(N_("the message's parts give different answers for event "
                                  "%(uid)s"), uid=reply.uid)
            if len(by_event) > MAX_REPLIES:
                raise _Refused(N_("the message answers more than %(most)s events"),
                               most=MAX_REPLIES)
    attendees = sorted({attendee for _, attendee in by_event})
    if len(attendees) > 1:
        raise _Refused(N_("the message answers for several attendees (%(attendees)s)"),
                       attendees=Joined(attendees))
    return tuple(by_event.values())


def _essence(reply: Reply) -> tuple:
    return reply.partstat, reply.sequence, reply.dtstamp, reply.comment


def _reply(event) -> Reply:
    """One VEVENT of a REPLY, checked."""
    uid = " ".join(str(event.get("uid", "")).split())
    if not uid:
        raise _Refused(N_("an event has no UID"))
    if len(uid) > 255:
        raise _Refused(N_("an event's UID is over 255 characters"))
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    if len(attendees) != 1:
        raise _Refused(N_("the reply names %(count)s attendees; a REPLY names the one "
                          "attendee answering"), count=len(attendees))
    attendee = attendees[0]
    params = getattr(attendee, "params", {})
    partstat = str(params.get("PARTSTAT", "")).strip().upper()
    if partstat not in ANSWERS:
        raise _Refused(N_("PARTSTAT %(partstat)s is not an answer (ACCEPTED, TENTATIVE or "
                          "DECLINED)"), partstat=partstat or "(none)")
    return Reply(
        uid=uid, attendee=_address(str(attendee), str(params.get("EMAIL", "")), "ATTENDEE"),
        partstat=partstat, sequence=_sequence(event), dtstamp=_dtstamp(event),
        comment=_comment(event), attendee_name=" ".join(str(params.get("CN", "")).split())[:200],
        sent_by=_address(str(params.get("SENT-BY", "")), "", "SENT-BY")
        if params.get("SENT-BY") else "",
        start=_start(event))


def _address(value: str, email_param: str, what: str) -> str:
    """A calendar address (``mailto:``, any case, or an EMAIL parameter) as an e-mail address."""
    value = value.strip().strip('"').strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:"):]
    elif email_param:
        value = email_param.strip()
    try:
        return normalise_email(value)
    except Invalid:
        raise _Refused(N_("%(what)s %(value)s is not an e-mail address"), what=what,
                       value=repr(value[:80])) from None


def _sequence(event) -> int:
    raw = event.get("sequence")
    if raw is None:
        return 0
    try:
        sequence = int(str(raw).strip())
    except ValueError:
        raise _Refused(N_("SEQUENCE %(value)s is not a number"),
                       value=repr(str(raw)[:20])) from None
    if not 0 <= sequence < 2**31:
        raise _Refused(N_("SEQUENCE %(sequence)s is out of range"), sequence=sequence)
    return sequence


def _dtstamp(event) -> datetime:
    prop = event.get("dtstamp")
    if prop is None:
        raise _Refused(N_("an event has no DTSTAMP"))
    value = getattr(prop, "dt", None)
    if not isinstance(value, datetime):
        raise _Refused(N_("DTSTAMP is not a date-time"))
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=timezone.utc)  # Outlook sometimes leaves off the Z
    return value.astimezone(timezone.utc)


def _start(event) -> datetime | None:
    value = getattr(event.get("dtstart"), "dt", None)
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return None
    return value.astimezone(timezone.utc)


def _comment(event) -> str:
    comments = event.get("comment")
    comments = comments if isinstance(comments, list) else [comments] if comments else []
    text = "\n".join(str(comment).strip() for comment in comments if str(comment).strip())
    text = "".join(char for char in text if char in "\n\t" or char.isprintable())
    return text[:MAX_COMMENT]
