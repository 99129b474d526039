"""Mail in the recipient's language (issue 15, point 2): invitations and cancellations to a
French, a Spanish and an Arabic contact are written in their language — subject, text, HTML
(lang and dir) and the calendar's SUMMARY, LOCATION and DESCRIPTION with LANGUAGE= — carry a
Content-Language header, write dates the local way, and read the same, non-ASCII intact, in
icalendar, vobject and ical.js; an English contact's mail is as it always was."""
from __future__ import annotations

import email
from email import policy

import icalendar
import pytest
import vobject

from nam_briefings.domain import local_dates
from nam_briefings.domain.calendar import to_local
from nam_briefings.extensions import db
from nam_briefings.models import Contact, Invitation, OutboxMessage
from nam_briefings.services import briefings, invitations, outbox
from tests.calendar_checkers import ical_js
from tests.integration.invitation_helpers import SECRETARIAT, compose, plan_session_49

#: contact address -> its language (Guyana presents at the first briefing)
LANGUAGES = {"ambassador@guy.example.org": "fr", "upr@guy.example.org": "es",
             "ambassador@ken.example.org": "ar"}
ENGLISH = "ambassador@ind.example.org"
#: words each language's invitation must say, non-ASCII among them
SAYS = {"fr": ("Réunion d'information des ambassadeurs du MNA", "Groupe de travail sur "
               "l'Examen périodique universel", "heure de Genève"),
        "es": ("Reunión informativa de embajadores del MNOAL", "Grupo de Trabajo sobre el "
               "Examen Periódico Universal", "hora de Ginebra"),
        "ar": ("إحاطة على مستوى السفراء", "الاستعراض الدوري الشامل", "بتوقيت جنيف")}


def confirm_with_languages(app):
    key = plan_session_49(app)
    for address, language in LANGUAGES.items():
        db.session.scalar(db.select(Contact).filter_by(email=address)).language = language
    db.session.commit()
    created = briefings.confirm_proposal(key, SECRETARIAT)
    compose()
    return created


def message_to(address: str, kind: str = "request") -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(db.select(OutboxMessage).filter_by(to_address=address, kind=kind)
                              .order_by(OutboxMessage.id)).first()


def parts(row: OutboxMessage):
    """The delivered e-mail (parsed from the exact bytes), and its parts by content type."""
    data = outbox.build_email(row).as_bytes()
    parsed = email.message_from_bytes(data, policy=policy.default)
    found = {part.get_content_type(): part for part in parsed.walk()
             if not part.is_multipart()}
    return data, parsed, found


@pytest.mark.parametrize("address", sorted(LANGUAGES))
def test_an_invitation_is_written_in_the_contacts_language(app, address):
    language = LANGUAGES[address]
    first, _second = confirm_with_languages(app)
    row = message_to(address)
    data, parsed, found = parts(row)
    _, english, english_parts = parts(message_to(ENGLISH))

    assert parsed["Content-Language"] == language
    assert english["Content-Language"] == "en"
    assert max(len(line) for line in data.split(b"\r\n")) <= 76 and data.isascii()
    assert all(part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
               for part in found.values())  # never raw 8bit

    text = found["text/plain"].get_content()
    html = found["text/html"].get_content()
    assert parsed["Subject"] != english["Subject"]
    assert text != english_parts["text/plain"].get_content()
    assert SAYS[language][0] in parsed["Subject"] or language == "ar"
    for words in SAYS[language][1:]:
        assert words in text and words in html
    start = to_local(first.start_at)
    assert local_dates.long_day(start.date(), language) in text  # "mercredi 30 avril 2025"
    assert local_dates.clock_time(start, language) in text  # "10\u00a0h\u00a000" in French
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html

    ics_text = found["text/calendar"].get_content()
    assert_calendar_in(language, ics_text, found["text/calendar"].get_payload(decode=True))


def assert_calendar_in(language: str, text: str, raw: bytes) -> None:
    """SUMMARY, LOCATION and DESCRIPTION in `language` with LANGUAGE=, read the same by
    icalendar, vobject and ical.js; no folded line splits a UTF-8 character."""
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a fold inside a character would make a line undecodable
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    summary, description = str(event["SUMMARY"]), str(event["DESCRIPTION"])
    for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
        assert event[name].params["LANGUAGE"] == language
    assert SAYS[language][2] in description
    assert not summary.isascii()  or language == "es"  # accents, Arabic letters intact
    vevent = vobject.readOne(text).vevent
    assert vevent.summary.value == summary and vevent.description.value == description
    assert vevent.summary.params["LANGUAGE"] == [language]
    [read] = ical_js(text)["events"]
    assert read["summary"] == summary and read["description"] == description


@pytest.mark.parametrize("address", sorted(LANGUAGES))
def test_a_cancellation_is_written_in_the_contacts_language(app, address):
    language = LANGUAGES[address]
    first, _second = confirm_with_languages(app)
    briefings.cancel(first.id, SECRETARIAT)
    compose()
    row = message_to(address, kind="cancel")
    _, parsed, found = parts(row)
    _, english, _ = parts(message_to(ENGLISH, kind="cancel")) if message_to(
        ENGLISH, kind="cancel") else (None, None, None)
    assert parsed["Content-Language"] == language
    text = found["text/plain"].get_content()
    start = to_local(first.start_at)
    assert local_dates.long_day(start.date(), language) in text
    if english is not None:
        assert parsed["Subject"] != english["Subject"]
    [event] = icalendar.Calendar.from_ical(found["text/calendar"].get_content()).walk("VEVENT")
    assert event["SUMMARY"].params["LANGUAGE"] == language


def test_a_contact_in_a_language_we_do_not_write_gets_english(app):
    key = plan_session_49(app)
    db.session.scalar(db.select(Contact).filter_by(
        email="ambassador@guy.example.org")).language = "ru"
    db.session.commit()
    briefings.confirm_proposal(key, SECRETARIAT)
    compose()
    _, parsed, found = parts(message_to("ambassador@guy.example.org"))
    assert parsed["Content-Language"] == "en"
    assert parsed["Subject"].startswith("NAM ambassadorial briefing before UPR49")
    assert "LANGUAGE=" not in found["text/calendar"].get_content()


@pytest.mark.parametrize("kind", ["reminder", "chaser"])
def test_reminders_and_chasers_are_written_in_the_contacts_language(app, kind):
    first, _second = confirm_with_languages(app)
    words = {"reminder": ("Rappel", "تذكير"), "chaser": ("Merci de confirmer", "يرجى تأكيد")}
    for address, said in (("ambassador@guy.example.org", words[kind][0]),
                          ("ambassador@ken.example.org", words[kind][1])):
        invitation = db.session.scalar(db.select(Invitation).filter_by(
            briefing_id=first.id).join(Invitation.contact).where(Contact.email == address))
        subject, text, html = invitations.render_notice(kind, invitation)
        assert subject.startswith(said)
        language = LANGUAGES[address]
        assert local_dates.long_day(to_local(first.start_at).date(), language) in text
        assert f'dir="{local_dates.direction(language)}"' in html


def test_a_reminder_says_its_language_in_its_header(app, smtp_server):
    from datetime import timedelta

    from nam_briefings.services import clock, reminders

    _first, second = confirm_with_languages(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
    assert reminders.send(second.id, SECRETARIAT) > 0
    row = message_to("ambassador@guy.example.org", kind="reminder")
    _, parsed, found = parts(row)
    assert parsed["Content-Language"] == "fr"
    assert "Nous n'avons pas encore reçu votre réponse" in found["text/plain"].get_content()


def test_an_update_says_what_changed_in_the_contacts_language(app, smtp_server):
    from datetime import timedelta

    from nam_briefings.services import clock

    _first, second = confirm_with_languages(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
    db.session.expire_all()
    second = db.session.get(type(second), second.id)
    briefings.reschedule(second.id, second.start_at + timedelta(days=1, hours=5), None,
                         SECRETARIAT)
    compose()
    updates = {row.to_address: row for row in db.session.scalars(db.select(OutboxMessage)
               .filter_by(briefing_id=second.id, kind="request", sequence=1))}
    said = {"ambassador@guy.example.org": ("Horaire modifié", "mercredi 23 avril 2025",
                                          "jeudi 24 avril 2025", "15\u00a0h\u00a000"),
            "upr@guy.example.org": ("Cambio de horario", "miércoles, 23 de abril de 2025"),
            "ambassador@ken.example.org": ("تغيّر الموعد",),
            ENGLISH: ("Time changed from Wed 23 Apr 2025, 10:00–11:30 to Thu 24 Apr 2025",)}
    for address, words in said.items():
        text = updates[address].body_text
        for word in words:
            assert word in text, (address, word)
