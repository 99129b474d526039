"""Reading iMIP replies (domain/imip.py): the golden client replies and hostile messages."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nam_briefings.domain import imip
from nam_briefings.domain.imip import parse_message
from tests.imap_server import golden_reply

UTC = timezone.utc
START = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)  # 10:00 in Geneva (CEST)
STAMP = datetime(2025, 3, 5, 10, 15, 2, tzinfo=UTC)
GOLDEN = ["outlook.eml", "gmail.eml", "apple.eml", "thunderbird.eml"]


def golden(name: str = "thunderbird.eml", **overrides) -> bytes:
    values = dict(uid="20250422T0800Z-upr49-1@chair.example.org",
                  attendee="ambassador@guy.example.org", organizer="nam@chair.example.org",
                  partstat="ACCEPTED", sequence=2, dtstamp=STAMP, start=START,
                  end=START + timedelta(minutes=90), attendee_name="Ambassador GUY")
    return golden_reply(name, **{**values, **overrides})


def event(*lines: str, uid: str = "UID:b-1@chair.example.org",
          stamp: str = "DTSTAMP:20250305T101502Z") -> str:
    body = [uid, stamp, *lines] if uid else [stamp, *lines]
    return "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in body if line) + "END:VEVENT\r\n"


def calendar(*events: str, method: str | None = "REPLY") -> str:
    head = f"METHOD:{method}\r\n" if method else ""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + head
            + "".join(events or [event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org")])
            + "END:VCALENDAR\r\n")


def message(*parts: tuple[str, bytes], sender: str = "a@guy.example.org",
            headers: str = "Message-ID: <m1@guy.example.org>\r\n") -> bytes:
    """A multipart/mixed e-mail; each part is (its headers, its body bytes)."""
    out = (f"From: Someone <{sender}>\r\nTo: nam@chair.example.org\r\nSubject: Accepted\r\n"
           f"{headers}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
           ).encode()
    for part_headers, body in parts:
        out += b"--b0\r\n" + part_headers.encode() + b"\r\n\r\n" + body + b"\r\n"
    return out + b"--b0--\r\n"


def calendar_part(text: str | bytes, content_type: str = "text/calendar; method=REPLY; "
                  "charset=UTF-8") -> tuple[str, bytes]:
    body = text.encode() if isinstance(text, str) else text
    return f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit", body


def attachment(name: str, data: bytes, content_type: str = "application/pdf") -> tuple[str, bytes]:
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (f"Content-Type: {content_type}; name=\"{name}\"\r\nContent-Disposition: attachment; "
            f"filename=\"{name}\"\r\nContent-Transfer-Encoding: base64", encoded)


TEXT = ("Content-Type: text/plain; charset=UTF-8", b"I will come.")


def refused(parsed: imip.ParsedMessage) -> str:
    assert parsed.is_reply and parsed.replies == (), parsed
    assert parsed.rejection
    return parsed.rejection


# --- the golden replies of real clients ------------------------------------------------------

@pytest.mark.parametrize("name", GOLDEN)
def test_each_client_reply_is_read(name):
    parsed = parse_message(golden(name, partstat="TENTATIVE", message_id="r1@mail.example.org"))
    assert parsed.is_reply and parsed.rejection == ""
    assert parsed.message_id == "<r1@mail.example.org>"
    assert parsed.sender == "ambassador@guy.example.org"
    assert parsed.subject.startswith("Tentative: NAM briefing before UPR49")
    [reply] = parsed.replies  # Gmail's and Thunderbird's two copies count once
    assert reply.uid == "20250422T0800Z-upr49-1@chair.example.org"
    assert reply.attendee == "ambassador@guy.example.org"
    assert reply.attendee_name == "Ambassador GUY"
    assert (reply.partstat, reply.sequence, reply.dtstamp) == ("TENTATIVE", 2, STAMP)
    assert reply.start == START  # Outlook's Windows zone, Google's UTC, Europe/Zurich alike
    assert reply.sent_by == ""


def test_outlooks_comment_and_upper_case_mailto_are_read():
    parsed = parse_message(golden("outlook.eml", partstat="DECLINED",
                                  comment="Sorry, the Ambassador is in New York that week."))
    [reply] = parsed.replies
    assert reply.partstat == "DECLINED"
    assert reply.comment == "Sorry, the Ambassador is in New York that week."


@pytest.mark.parametrize("name", GOLDEN)
def test_a_golden_reply_without_its_filled_uid_is_still_a_reply_with_that_uid(name):
    parsed = parse_message(golden(name, uid="other-uid@example.net"))
    assert [r.uid for r in parsed.replies] == ["other-uid@example.net"]


def test_a_newsletter_is_not_a_reply():
    parsed = parse_message(golden("not_a_reply.eml"))
    assert (parsed.is_reply, parsed.replies, parsed.rejection) == (False, (), "")


@pytest.mark.parametrize("method", ["REQUEST", "COUNTER", "CANCEL", "PUBLISH"])
def test_calendars_of_other_methods_are_not_replies(method):
    data = message(TEXT, calendar_part(calendar(method=method),
                                       f"text/calendar; method={method}; charset=UTF-8"))
    assert parse_message(data).is_reply is False


def test_an_ics_file_without_method_is_not_a_reply():
    data = message(TEXT, attachment("event.ics", calendar(method=None).encode(), "text/calendar"))
    assert parse_message(data).is_reply is False


def test_a_reply_forwarded_as_an_attached_message_is_not_the_senders_reply():
    inner = golden("gmail.eml")
    data = message(TEXT, ("Content-Type: message/rfc822", inner))
    assert parse_message(data).is_reply is False


def test_a_reply_only_in_an_ics_attachment_is_read():
    data = message(TEXT, attachment("invite.ics", calendar().encode(), "application/ics"))
    [reply] = parse_message(data).replies
    assert (reply.attendee, reply.partstat, reply.sequence) == ("a@guy.example.org", "ACCEPTED", 0)


# --- what a reply says ------------------------------------------------------------------------

def test_sent_by_email_parameter_and_floating_dtstamp():
    cal = calendar(event('ATTENDEE;PARTSTAT=declined;SENT-BY="MAILTO:Assistant@GUY.example.org";'
                         'EMAIL=Jane@Guy.Example.org:urn:uuid:1f0e-44aa',
                         "SEQUENCE:3", "COMMENT:First line", "COMMENT:Second line",
                         stamp="DTSTAMP:20250305T101502"))
    [reply] = parse_message(message(calendar_part(cal))).replies
    assert reply.attendee == "jane@guy.example.org"
    assert reply.sent_by == "assistant@guy.example.org"
    assert reply.partstat == "DECLINED"
    assert reply.sequence == 3
    assert reply.dtstamp == STAMP  # no Z: taken as UTC
    assert reply.comment == "First line\nSecond line"
    assert reply.start is None


def test_a_long_comment_is_cut_and_control_characters_dropped():
    cal = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org",
                         "COMMENT:" + "x\x07" * 3000))
    [reply] = parse_message(message(calendar_part(cal))).replies
    assert reply.comment == "x" * imip.MAX_COMMENT


def test_a_message_without_message_id_is_known_by_its_bytes():
    data = message(calendar_part(calendar()), headers="")
    first, second = parse_message(data), parse_message(data)
    assert first.message_id.startswith("sha256:") and first.message_id == second.message_id
    assert parse_message(data + b"\r\n").message_id != first.message_id


def test_non_utf8_bytes_are_read_as_latin1():
    latin = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED;CN=Zoé:mailto:a@guy.example.org",
                           "COMMENT:Je serai à Genève")).encode("latin-1")
    for content_type in ("text/calendar; method=REPLY; charset=UTF-8",
                         "text/calendar; method=REPLY; charset=iso-8859-1",
                         "text/calendar; method=REPLY; charset=no-such-charset"):
        [reply] = parse_message(message(calendar_part(latin, content_type))).replies
        assert reply.comment == "Je serai à Genève"
        assert reply.attendee_name == "Zoé"


def test_utf8_with_a_byte_order_mark():
    cal = "\ufeff" + calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org",
                                    "COMMENT:مرحبا"))
    [reply] = parse_message(message(calendar_part(cal))).replies
    assert reply.comment == "مرحبا"


# --- refused ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lines, reason", [
    (["ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org",
      "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@guy.example.org"], "names 2 attendees"),
    (["SUMMARY:no attendee"], "names 0 attendees"),
    (["ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@guy.example.org"], "PARTSTAT NEEDS-ACTION is not"),
    (["ATTENDEE;PARTSTAT=DELEGATED:mailto:a@guy.example.org"], "PARTSTAT DELEGATED is not"),
    (["ATTENDEE:mailto:a@guy.example.org"], "PARTSTAT (none) is not"),
    (["ATTENDEE;PARTSTAT=ACCEPTED:mailto:not-an-address"], "is not an e-mail address"),
    (["ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org", "SEQUENCE:two"], "SEQUENCE 'two'"),
    (["ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org", "SEQUENCE:-1"], "out of range"),
])
def test_bad_events_are_refused(lines, reason):
    assert reason in refused(parse_message(message(calendar_part(calendar(event(*lines))))))


def test_an_event_without_uid_is_refused():
    cal = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org", uid=""))
    assert refused(parse_message(message(calendar_part(cal)))) == "an event has no UID"


def test_an_event_without_dtstamp_is_refused():
    cal = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org", stamp=""))
    assert refused(parse_message(message(calendar_part(cal)))) == "an event has no DTSTAMP"


def test_a_reply_part_without_method_is_refused():
    parsed = parse_message(message(calendar_part(calendar(method=None))))
    assert "has no METHOD" in refused(parsed)


def test_a_reply_part_holding_a_request_is_refused():
    parsed = parse_message(message(calendar_part(calendar(method="REQUEST"))))
    assert refused(parsed) == "the part says method=REPLY but the calendar METHOD:REQUEST"


def test_a_reply_without_event_is_refused():
    cal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"
    assert "no event" in refused(parse_message(message(calendar_part(cal))))


def test_parts_giving_different_answers_are_refused():
    accepted = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org"))
    declined = calendar(event("ATTENDEE;PARTSTAT=DECLINED:mailto:a@guy.example.org"))
    parsed = parse_message(message(calendar_part(accepted),
                                   attachment("invite.ics", declined.encode(), "application/ics")))
    assert "different answers" in refused(parsed)


def test_parts_answering_for_different_attendees_are_refused():
    one = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org"))
    other = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@ken.example.org"))
    parsed = parse_message(message(calendar_part(one), calendar_part(other)))
    assert refused(parsed) == ("the message answers for several attendees "
                               "(a@guy.example.org, b@ken.example.org)")


def test_a_calendar_that_cannot_be_parsed_is_refused():
    parsed = parse_message(message(calendar_part("BEGIN:VCALENDAR\r\nthis is not\r\n")))
    assert refused(parsed) == "the calendar cannot be read"


def test_a_huge_calendar_attachment_is_refused_unread():
    huge = calendar(event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org",
                          "DESCRIPTION:" + "A" * (5 * 1024 * 1024)))
    parsed = parse_message(message(TEXT, attachment("invite.ics", huge.encode(), "application/ics")))
    assert refused(parsed) == "the calendar data is over the 1.0 MiB limit"


def test_a_reply_with_a_big_unrelated_attachment_is_read():
    data = message(calendar_part(calendar()), attachment("agenda.pdf", b"%PDF" * (1280 * 1024)))
    assert len(data) > 5 * 1024 * 1024
    assert [r.partstat for r in parse_message(data).replies] == ["ACCEPTED"]


def test_a_message_over_the_size_limit_is_refused_without_being_read():
    data = message(calendar_part(calendar()), attachment("film.mp4", b"\0" * (8 * 1024 * 1024)))
    assert len(data) > imip.MAX_MESSAGE_BYTES
    parsed = parse_message(data)
    assert refused(parsed).startswith("the message is 10.9 MiB, over the 10.0 MiB limit")
    assert parsed.message_id == "<m1@guy.example.org>"
    assert parsed.sender == "a@guy.example.org"


def test_a_message_with_too_many_parts_is_refused():
    parts = [TEXT] * (imip.MAX_PARTS + 1)
    assert "more than 100 parts" in refused(parse_message(message(*parts, calendar_part(calendar()))))


def test_too_many_events_are_refused():
    events = [event("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@guy.example.org", uid=f"UID:e{n}")
              for n in range(imip.MAX_REPLIES + 1)]
    assert "more than 10 events" in refused(parse_message(message(calendar_part(calendar(*events)))))


# --- garbage never raises ---------------------------------------------------------------------

BROKEN = [
    b"",
    b"\x00\xff\xfe garbage",
    b"Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--other\r\nhello",
    b"Content-Type: text/calendar; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!",
    b"Content-Type: text/calendar; method=REPLY; charset=\"\r\n\r\nBEGIN:VCALENDAR",
    b"From: =?utf-8?b?broken?= <\r\nMessage-ID: \xff\xfe\r\nContent-Type: text/calendar; "
    b"method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\nContent-Type: multipart/mixed;"
    b" boundary=b\r\n\r\n" * 300,
]


@pytest.mark.parametrize("data", BROKEN)
def test_broken_messages_never_raise(data):
    parsed = parse_message(data)
    assert parsed.replies == () or parsed.rejection == ""
    assert parsed.message_id


@pytest.mark.parametrize("name", GOLDEN)
def test_truncated_replies_never_raise(name):
    data = golden(name)
    for cut in range(0, len(data), 97):
        parse_message(data[:cut])


#: what these check is that nothing raises, not how fast: no deadline on a shared machine
@settings(deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    parse_message(data)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=3000), st.binary(min_size=1, max_size=40))
def test_damaged_golden_replies_never_raise(position, noise):
    data = golden("gmail.eml")
    parsed = parse_message(data[:position] + noise + data[position + len(noise):])
    assert all(r.partstat in imip.ANSWERS for r in parsed.replies)


# --- what the receiving server said of the sender (Authentication-Results) --------------------

def test_every_authentication_results_header_is_kept_in_order_unfolded_or_not():
    data = (b"Authentication-Results: mx.chair.example.org;\r\n\tdkim=pass header.d=guy.example.org\r\n"
            b"Authentication-Results: mx.chair.example.org; spf=pass smtp.mailfrom=guy.example.org\r\n"
            b"ARC-Authentication-Results: i=1; mx.google.com; dmarc=pass header.from=guy.example.org\r\n"
            + golden())
    parsed = parse_message(data)
    assert parsed.replies and not parsed.rejection
    assert [" ".join(value.split()) for value in parsed.authentication_results] == [
        "mx.chair.example.org; dkim=pass header.d=guy.example.org",
        "mx.chair.example.org; spf=pass smtp.mailfrom=guy.example.org"]


def test_a_message_without_authentication_results_has_none():
    assert parse_message(golden()).authentication_results == ()


def test_authentication_results_of_a_message_too_big_are_kept():
    head = (b"Authentication-Results: mx.chair.example.org; dmarc=pass header.from=guy.example.org"
            b"\r\nFrom: a@guy.example.org\r\nMessage-ID: <big@x>\r\n\r\n")
    parsed = imip.too_large(head, imip.MAX_MESSAGE_BYTES + 1)
    assert parsed.rejection and parsed.authentication_results == (
        "mx.chair.example.org; dmarc=pass header.from=guy.example.org",)


def test_non_ascii_authentication_results_never_raise():
    data = "Authentication-Results: mx.chair.example.org; dkim=pass header.d=例え.jp\r\n".encode() \
        + golden()
    parsed = parse_message(data)
    assert not parsed.rejection and len(parsed.authentication_results) == 1
