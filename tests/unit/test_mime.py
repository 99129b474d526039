"""The outbox's MIME writer: what it writes parses back, part by part, to what it was given.

Parsed by the standard library (`email.policy.default`), the calendar by icalendar and
vobject, as receivers would.
"""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone

import icalendar
import pytest
import vobject

from nam_briefings.domain import mime

UID = "upr49-briefing-7@chair.example.org"
ICS = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//NAM Briefings//EN", "METHOD:REQUEST",
    "BEGIN:VEVENT", f"UID:{UID}", "SEQUENCE:0", "DTSTAMP:20250401T080000Z",
    "DTSTART:20250407T080000Z", "DTEND:20250407T090000Z",
    "SUMMARY:Réunion d'information — الاستعراض الدوري الشامل",
    # a content line folded at 75 octets, as icalendar writes them
    "DESCRIPTION:Ordre du jour : examen de la Côte d'Ivoire\\, du Bénin et du Burki",
    " na Faso. Salle XVII\\, Palais des Nations.",
    "END:VEVENT", "END:VCALENDAR", ""])
TEXT = ("Excellences,\n\nLa séance d'information aura lieu le 7 avril à 10 h.\n"
        "From the chair: nothing changes.\n.\n..leading dots\n"
        "مرحبا بكم في جلسة الإحاطة الخاصة بالاستعراض الدوري الشامل " * 3 + "\n"
        + "x" * 200 + "\ntrailing space \n\ttab\n")
HTML = "<p>Séance d'information</p>\n<p dir=\"rtl\">مرحبا</p>\n" + "<b>é</b>" * 60


def an_email(**changes) -> mime.Email:
    values = dict(sender_name="NAM Chairmanship, Geneva",
                  sender_address="nam-briefings@chair.example.org",
                  to_address="upr@civ.example.org",
                  subject="Séance d’information UPR49 : Côte d’Ivoire, Bénin (7 avril)",
                  date=datetime(2025, 4, 1, 8, 0, tzinfo=timezone.utc),
                  message_id="<3f2a9c.request@chair.example.org>", text=TEXT, html=HTML,
                  ics=ICS, ics_method="REQUEST")
    values.update(changes)
    return mime.Email(**values)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def test_the_imip_layout_and_its_headers():
    message = parse(mime.render(an_email()))
    assert message["From"].addresses[0].display_name == "NAM Chairmanship, Geneva"
    assert message["From"].addresses[0].addr_spec == "nam-briefings@chair.example.org"
    assert message["To"] == "upr@civ.example.org"
    assert message["Subject"] == "Séance d’information UPR49 : Côte d’Ivoire, Bénin (7 avril)"
    assert message["Date"].datetime == datetime(2025, 4, 1, 8, 0, tzinfo=timezone.utc)
    assert message["Message-ID"] == "<3f2a9c.request@chair.example.org>"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain", "text/html", "text/calendar"]
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_param("name") == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"


def test_every_part_decodes_to_its_input():
    message = parse(mime.render(an_email()))
    alternative, attachment = message.iter_parts()
    plain, html, calendar = alternative.iter_parts()
    for part in (plain, html, calendar):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert lf(plain.get_content()) == TEXT
    assert lf(html.get_content()) == HTML
    assert calendar.get_content() == ICS  # CRLF kept: the canonical line end of text
    assert calendar.get_param("method") == "REQUEST"
    assert attachment.get_content() == ICS.encode("utf-8")


def test_the_whole_message_is_7bit_with_crlf_and_short_lines():
    data = mime.render(an_email())
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 76
    # nothing a mailbox or relay would change: no "From " or "." opening a line
    assert not [line for line in lines if line.startswith((b"From ", b"."))]


def test_a_non_ascii_subject_is_rfc_2047_encoded():
    data = mime.render(an_email(subject="الاستعراض الدوري الشامل — UPR49 " * 3))
    headers = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "Subject: =?utf-8?" in headers
    assert parse(data)["Subject"] == "الاستعراض الدوري الشامل — UPR49 " * 3
    plain = parse(mime.render(an_email(subject="Briefing UPR49")))
    assert b"Subject: Briefing UPR49\r\n" in mime.render(an_email(subject="Briefing UPR49"))
    assert plain["Subject"] == "Briefing UPR49"


def test_the_calendar_parses_with_icalendar_and_vobject():
    calendar = next(p for p in parse(mime.render(an_email())).walk()
                    if p.get_content_type() == "text/calendar").get_content()
    [event] = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    assert str(event["UID"]) == UID
    assert event["DTSTART"].dt == datetime(2025, 4, 7, 8, 0, tzinfo=timezone.utc)
    assert "Bénin et du Burkina Faso" in str(event["DESCRIPTION"])
    parsed = vobject.readOne(calendar)
    assert parsed.vevent.uid.value == UID
    assert parsed.vevent.dtstart.value == datetime(2025, 4, 7, 8, 0, tzinfo=timezone.utc)
    assert parsed.vevent.summary.value == "Réunion d'information — الاستعراض الدوري الشامل"


def test_a_plain_message_is_one_text_part_and_html_alone_has_no_attachment():
    plain = parse(mime.render(an_email(html=None, ics=None)))
    assert plain.get_content_type() == "text/plain" and lf(plain.get_content()) == TEXT
    html_only = parse(mime.render(an_email(ics=None)))
    [alternative] = html_only.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain",
                                                                          "text/html"]


def test_extra_headers_come_after_the_message_id():
    data = mime.render(an_email(extra_headers=(("Content-Language", "fr"),)))
    assert b"Message-ID: <3f2a9c.request@chair.example.org>\r\nContent-Language: fr\r\n" in data
    assert parse(data)["Content-Language"] == "fr"


def test_the_same_message_written_twice_differs_only_by_its_date():
    first = mime.render(an_email())
    again = mime.render(an_email(date=datetime(2025, 4, 2, 9, 30, tzinfo=timezone.utc)))
    different = [(a, b) for a, b in zip(first.split(b"\r\n"), again.split(b"\r\n")) if a != b]
    assert [a.split(b":")[0] for a, _ in different] == [b"Date"]


@pytest.mark.parametrize("changes", [
    {"subject": "Hello\r\nBcc: victim@example.org"},
    {"subject": "Hello\nX-Injected: yes"},
    {"to_address": "upr@civ.example.org\r\nBcc: victim@example.org"},
    {"to_address": "Someone <upr@civ.example.org>"},
    {"sender_name": "NAM\rChair"},
    {"sender_address": "nam@chair.example.org\nBcc: x@example.org"},
    {"extra_headers": (("Content-Language", "fr\r\nBcc: x@example.org"),)},
])
def test_a_line_break_in_a_header_is_refused(changes):
    with pytest.raises(ValueError):
        mime.render(an_email(**changes))


@pytest.mark.parametrize("text", [
    "", "\n", "no final line end", "From the start", ".", ".\n.", "a" * 500,
    "é" * 300, "line with trailing tab\t\nnext", "=3D is not an escape", "\r\nold\rmac\r",
    "From " + "é" * 40, "." + "x" * 75 + "\n" + "From " + "y" * 80,
])
def test_quoted_printable_round_trips(text):
    encoded = mime.quoted_printable(text)
    lines = encoded.split("\r\n")
    assert max(len(line) for line in lines) <= 76
    assert not [line for line in lines if line.startswith((".", "From "))]
    part = parse(b'Content-Type: text/plain; charset="utf-8"\r\n'
                 b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded.encode())
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert lf(part.get_content()) == expected
