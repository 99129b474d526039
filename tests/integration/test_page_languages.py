"""The mission portal and the RSVP pages in English, French, Spanish and Arabic (issue 15,
points 1 and 3): chosen by ?lang= (kept for the browser session), by the contact's own
language (which the contact sets in the portal), by the browser's Accept-Language, else
English; <html lang dir>, dates written the local way, a switcher of plain links.

Session 49 with two briefings (see invitation_helpers): the first on Tuesday 22 April 2025,
10:00–11:30 CEST, where Guyana presents. The secretariat's pages stay English.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from nam_briefings import i18n
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, Contact
from nam_briefings.services import invitations, portal
from tests.conftest import csrf_token_from
from tests.integration.invitation_helpers import confirm_session_49, invitation_for, outbox_messages
from tests.integration.web_helpers import HTML, end_request, field_error, language_of, text

GUYANA_FOCAL_POINT = "upr@guy.example.org"
#: what each language's portal page says, how it writes the first briefing's day and time
PORTAL = {
    "en": ("Upcoming briefings", "Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST"),
    "fr": ("Prochaines réunions d'information", "mardi 22 avril 2025, de 10 h 00 à 11 h 30"),
    "es": ("Próximas reuniones informativas", "martes, 22 de abril de 2025, de 10:00 a 11:30"),
    "ar": ("الإحاطات المقبلة", "الثلاثاء، 22 أبريل 2025، من 10:00 إلى 11:30"),
}
RSVP = {
    "en": ("Your answer: Decline", "Date Tue 22 Apr 2025"),
    "fr": ("Votre réponse: Refuser", "Date mardi 22 avril 2025"),  # text() drops " " before ":"
    "es": ("Su respuesta: Rechazar", "Fecha martes, 22 de abril de 2025"),
    "ar": ("ردكم: اعتذار", "التاريخ الثلاثاء، 22 أبريل 2025"),
}


@pytest.fixture
def both(app) -> list[Briefing]:
    """The two briefings of session 49; "today" is 3 March 2025."""
    return confirm_session_49(app)


def contact(email: str = GUYANA_FOCAL_POINT) -> Contact:
    db.session.expire_all()
    return db.session.scalar(db.select(Contact).filter_by(email=email))


def portal_path(email: str = GUYANA_FOCAL_POINT) -> str:
    """The path of the contact's portal page, as the e-mails give it."""
    return urlsplit(portal.portal_url(contact(email))).path


def rsvp_path(briefing: Briefing, answer: str = "decline",
              email: str = GUYANA_FOCAL_POINT) -> str:
    """The path of the contact's one-click link for `answer`, as the invitation gives it."""
    return urlsplit(invitations.rsvp_links(invitation_for(briefing, email))[answer]).path


def save_language(code: str, email: str = GUYANA_FOCAL_POINT) -> None:
    """The contact's language, as the directory or an import would set it."""
    contact(email).language = code
    db.session.commit()


def get(client, url: str, status: int = 200, **headers: str) -> str:
    """GET `url` as a browser (with extra headers, e.g. Accept_Language="fr")."""
    response = client.get(url, headers={**HTML, **{k.replace("_", "-"): v
                                                   for k, v in headers.items()}})
    end_request()
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def switcher(html: str) -> list[tuple[str, str, bool]]:
    """The language switcher's links: (href, text, marked current)."""
    nav = html.split('<nav class="languages"')[1].split("</nav>")[0]
    return [(href.replace("&amp;", "&"), label, "aria-current" in attributes)
            for href, attributes, label in re.findall(
                r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)]


def visible(html: str) -> str:
    """The visible text, whitespace collapsed but no-break spaces kept (French typography:
    "réponse\u00a0: Refuser"), for the French pages."""
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r" ([.,])", r"\1", re.sub(r"[ \t\r\n]+", " ", unescape(without_tags)))


def language_events() -> list[tuple[str, str]]:
    return [(e.actor, e.details) for e in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.details.like("language:%")))]


# --- the portal ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_portal_in_each_language_by_lang(client, both, language):
    html = get(client, f"{portal_path()}?lang={language}")
    heading, when = PORTAL[language]
    content = text(html)
    assert heading in content and when in content
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")


def test_a_lang_link_is_kept_for_the_browser_session(client, both):
    url = portal_path()
    get(client, f"{url}?lang=fr")
    html = get(client, url)  # no ?lang= any more
    assert language_of(html) == ("fr", "ltr")
    assert "Prochaines réunions d'information" in text(html)
    # and the answer pages follow, as any other page of that browser
    assert "Votre réponse\u00a0: Refuser" in visible(get(client, rsvp_path(both[0])))
    # another browser (no cookie) is not affected
    other = client.application.test_client()
    assert language_of(other.get(url, headers=HTML).get_data(as_text=True))[0] == "en"
    end_request()


@pytest.mark.parametrize("header, language", [
    ("es", "es"), ("fr-CH, fr;q=0.9, en;q=0.8", "fr"), ("ar-EG,ar;q=0.9", "ar"),
    ("de-CH, de;q=0.9", "en"), ("en-GB", "en"),
])
def test_the_browsers_language_is_followed_when_the_contact_has_none_of_ours(
        client, both, header, language):
    save_language("ru")  # a language the contact may have, with no catalog
    html = get(client, portal_path(), Accept_Language=header)
    assert language_of(html)[0] == language
    assert PORTAL[language][0] in text(html)


def test_the_contacts_language_comes_before_the_browsers(client, both):
    save_language("ar")
    html = get(client, portal_path(), Accept_Language="fr, en;q=0.5")
    assert language_of(html) == ("ar", "rtl")
    assert PORTAL["ar"][0] in text(html)
    # a contact without a catalog language and a browser saying nothing: English
    save_language("zh")
    assert language_of(get(client, portal_path()))[0] == "en"


def test_lang_comes_before_the_contacts_language(client, both):
    save_language("ar")
    html = get(client, f"{portal_path()}?lang=es", Accept_Language="fr")
    assert language_of(html) == ("es", "ltr")


@pytest.mark.parametrize("value", ["xx", "", "de", "EN-x-" + "y" * 300, "<script>", "fr;q=1"])
def test_an_unknown_lang_is_ignored(client, both, value):
    html = get(client, f"{portal_path()}?lang={value}")
    assert language_of(html) == ("en", "ltr")
    assert "Upcoming briefings" in text(html)
    # nor remembered
    assert language_of(get(client, portal_path()))[0] == "en"


@pytest.mark.parametrize("value, language", [("FR", "fr"), ("fr-CH", "fr"), ("es_ES", "es")])
def test_a_lang_with_a_region_or_in_capitals_is_understood(client, both, value, language):
    assert language_of(get(client, f"{portal_path()}?lang={value}"))[0] == language


def test_the_switcher_links_to_the_same_page_in_each_language(client, both):
    url = portal_path()
    html = get(client, f"{url}?lang=ar")
    assert switcher(html) == [
        (f"{url}?lang=en", "English", False), (f"{url}?lang=fr", "Français", False),
        (f"{url}?lang=es", "Español", False), (f"{url}?lang=ar", "العربية", True)]
    # each name is marked as written in its own language, plain links (no script needed)
    assert '<a href="%s?lang=fr" lang="fr" hreflang="fr" dir="ltr">Français</a>' % url in html
    assert 'lang="ar" hreflang="ar" dir="rtl" aria-current="true">العربية</a>' in html
    assert '<nav class="languages" aria-label="اللغة">' in html
    # the contact form's page switches to itself
    form = f"{url}/contacts/new"
    assert [href for href, _, _ in switcher(get(client, form))] == [
        f"{form}?lang={code}" for code in i18n.LANGUAGES]


def test_after_a_refused_post_the_switcher_goes_to_the_portal_page(client, both):
    url = portal_path()
    token = csrf_token_from(get(client, url))
    response = client.post(f"{url}/briefings/{both[0].id}/answer", headers=HTML,
                           data={"csrf_token": token, "answer": "maybe"})
    end_request()
    assert response.status_code == 400
    assert switcher(response.get_data(as_text=True))[1][0] == f"{url}?lang=fr"


def test_the_portal_in_french_in_detail(client, both):
    html = get(client, f"{portal_path()}?lang=fr")
    content = visible(html)
    assert ("Cette page a été envoyée à Focal point GUY (upr@guy.example.org). Ne communiquez "
            "son adresse qu'au sein de votre Mission\u00a0: toute personne") in content
    assert "avant la 49e session de l'EPU" in content
    # French typography: a no-break space before the colon, so no line starts with one
    assert ("Votre Mission présente à 11\u00a0h\u00a010 — créneau\u00a0: En attente de confirmation "
            "(acceptez pour le confirmer, refusez pour le libérer).") in content
    assert "10\u00a0h\u00a000 Ouverture par la présidence" in content
    assert "Accepter Provisoire Refuser (libère votre créneau)" in content
    assert "Focal point GUY (vous) Point focal upr@guy.example.org Anglais" in content
    assert "Toutes les heures sont indiquées à l'heure de Genève (Europe/Zurich)." in content


def test_the_arabic_portal_is_right_to_left(client, both):
    save_language("ar")
    html = get(client, portal_path())
    assert language_of(html) == ("ar", "rtl")
    content = text(html)
    assert "قبل الدورة 49 للاستعراض الدوري الشامل" in content
    assert "تقدّم بعثتكم عرضها الساعة 11:10" in content
    # the feed address stays left to right inside the right-to-left page
    assert re.search(r'<input type="text" id="feed-url" readonly value="[^"]+" dir="ltr"', html)


def test_past_briefings_are_dated_the_local_way(app, client, both):
    app.config["TODAY"] = both[0].start_at.date().replace(day=23)
    past = get(client, f"{portal_path()}?lang=es").split('id="past-heading"')[1]
    assert ("martes, 22 de abril de 2025, 10:00, antes del 49.º período de sesiones del EPU — "
            "su Misión presentó — respuesta de su Misión: Sin respuesta todavía") in text(past)


def test_messages_after_an_answer_are_in_the_pages_language(client, both):
    save_language("fr")
    url = portal_path()
    response = client.post(f"{url}/briefings/{both[0].id}/answer", headers=HTML, data={
        "csrf_token": csrf_token_from(get(client, url)), "answer": "decline"})
    end_request()
    assert response.status_code == 302
    content = visible(get(client, url))
    assert ("Votre réponse est enregistrée\u00a0: Refusée. Le créneau de présentation de votre "
            "Mission a été libéré\u00a0; le secrétariat en a été informé et enverra le nouvel "
            "ordre du jour.") in content


def test_a_services_refusal_is_shown_in_the_pages_language(app, client, both):
    url = portal_path("upr@ind.example.org")
    response = client.post(f"{url}/briefings/999999/answer?lang=es", headers=HTML, data={
        "csrf_token": csrf_token_from(get(client, url)), "answer": "accept"})
    end_request()
    assert response.status_code == 400
    assert ("No se le envió ninguna invitación a esta reunión informativa: escriba a la "
            "secretaría. No se ha registrado nada.") in text(response.get_data(as_text=True))


def test_a_refused_contact_form_speaks_the_pages_language(client, both):
    save_language("fr")
    url = f"{portal_path()}/contacts/new"
    response = client.post(url, headers=HTML, data={
        "csrf_token": csrf_token_from(get(client, url)), "name": "N" * 201,
        "email": "", "role": "focal_point", "language": "fr"})
    end_request()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "name") == "Le nom ne peut pas dépasser 200 caractères."
    assert field_error(html, "email") == "Indiquez l'adresse électronique du contact."
    assert "Veuillez corriger ce qui suit\u00a0; rien n'a été enregistré\u00a0:" in visible(html)
    assert '<option selected value="fr">Français (fr)</option>' in html


# --- the contact sets their own language ----------------------------------------------------

def post_language(client, value: str, url: str | None = None):
    url = url or portal_path()
    response = client.post(f"{url}/language", headers=HTML, data={
        "csrf_token": csrf_token_from(get(client, url)), "language": value})
    end_request()
    return response


def test_the_contact_sets_their_language_and_the_pages_follow(client, both):
    url = portal_path()
    html = get(client, url)
    assert re.search(r'<select [^>]*id="language" name="language"', html)  # on the portal page
    response = post_language(client, "es", url)  # the same link: each is signed at its second
    assert response.status_code == 302 and response.location.endswith(f"{url}#language-heading")
    assert contact().language == "es"
    assert language_events() == [("portal: upr@guy.example.org (GUY)", "language: en → es")]
    assert outbox_messages(kind="notice") == []  # a preference: the secretariat is not e-mailed
    html = get(client, url)
    assert language_of(html)[0] == "es"
    assert ("Idioma guardado: Español. La página de su Misión, las páginas de respuesta y sus "
            "correos electrónicos se redactarán en adelante en este idioma.") in text(html)
    assert '<option selected value="es">Español</option>' in html
    # another browser opens both kinds of page in it too: the language is the contact's
    other = client.application.test_client()
    for path in (url, rsvp_path(both[0])):
        assert language_of(other.get(path, headers=HTML).get_data(as_text=True))[0] == "es"
        end_request()
    # a ?lang= still wins for that browser
    assert language_of(get(client, f"{url}?lang=fr"))[0] == "fr"
    assert language_of(get(client, url))[0] == "fr"


def test_saving_a_language_replaces_the_one_a_link_chose(client, both):
    url = portal_path()
    get(client, f"{url}?lang=es")
    assert post_language(client, "ar").status_code == 302
    assert language_of(get(client, url)) == ("ar", "rtl")


@pytest.mark.parametrize("value", ["de", "xx", "", "français", "fr-CH"])
def test_a_language_without_pages_is_refused_and_nothing_changes(client, both, value):
    response = post_language(client, value)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "language") == ("Choose one of the languages offered: English, "
                                             "French, Spanish or Arabic. Nothing was changed.")
    assert contact().language == "en" and language_events() == []


def test_the_refusal_is_in_the_pages_language(client, both):
    save_language("ar")
    response = post_language(client, "ru")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "language").startswith(
        "اختاروا إحدى اللغات المتاحة")
    assert contact().language == "ar"


def test_the_language_form_needs_its_csrf_token(client, both):
    url = portal_path()
    response = client.post(f"{url}/language", headers=HTML, data={"language": "fr"})
    end_request()
    assert response.status_code == 400
    assert contact().language == "en" and language_events() == []


# --- the RSVP pages -------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_answer_page_in_the_contacts_language(client, both, language):
    save_language(language)
    html = get(client, rsvp_path(both[0]))
    heading, day = RSVP[language]
    assert heading in text(html) and day in text(html)
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert [label for _, label, _ in switcher(html)] == ["English", "Français", "Español",
                                                         "العربية"]


def test_the_answer_page_by_lang_and_by_the_browser(client, both):
    save_language("pt")  # none of ours: the browser's language applies
    url = rsvp_path(both[0])
    assert "Votre réponse\u00a0: Refuser" in visible(get(client, f"{url}?lang=fr"))
    fresh = client.application.test_client()
    html = fresh.get(url, headers={**HTML, "Accept-Language": "es-ES,es;q=0.9"}) \
        .get_data(as_text=True)
    end_request()
    assert "Su respuesta: Rechazar" in text(html)


def test_an_answer_recorded_in_arabic(client, both):
    save_language("ar")
    url = rsvp_path(both[0], "accept")
    response = client.post(url, headers=HTML, data={
        "csrf_token": csrf_token_from(get(client, url)), "comment": ""})
    end_request()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and language_of(html) == ("ar", "rtl")
    content = text(html)
    assert "شكرًا لكم — سُجِّل الرد: مقبولة" in content
    assert "موعد عرض Guyana مؤكَّد (11:10)." in content
    assert invitation_for(both[0], GUYANA_FOCAL_POINT).partstat == "ACCEPTED"


def test_a_cancelled_briefing_is_explained_in_french(client, both):
    from tests.integration.invitation_helpers import SECRETARIAT
    from nam_briefings.services import briefings

    save_language("fr")
    url = rsvp_path(both[0], "accept")
    briefings.cancel(both[0].id, SECRETARIAT)
    content = visible(get(client, url))
    assert "Cette réunion d'information est annulée" in content
    assert ("prévue le mardi 22 avril 2025, 10\u00a0h\u00a000, est annulée. Aucune réponse n'est "
            "nécessaire et rien n'a été enregistré.") in content


# --- links that cannot be used ---------------------------------------------------------------

def test_a_bad_link_is_explained_in_the_browsers_language(client, both):
    rsvp = rsvp_path(both[0])
    content = visible(get(client, rsvp[:-12] + "xyz/decline", status=400, Accept_Language="fr"))
    assert "Ce lien ne peut pas être utilisé (400)" in content
    assert "Ce lien n'est pas valide\u00a0: il a peut-être été tronqué ou modifié." in content
    assert "Rien n'a été enregistré." in content
    content = text(get(client, portal_path()[:-4] + "abcd", status=400, Accept_Language="es"))
    assert "No se puede utilizar este enlace (400)" in content
    assert "Este enlace no es válido: puede que se haya cortado o modificado." in content


def test_an_expired_portal_link_is_explained_in_arabic(client, both, monkeypatch):
    import time

    from itsdangerous import TimestampSigner

    with monkeypatch.context() as patch:
        old = int(time.time()) - 181 * 86400
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: old)
        token = portal.portal_token(contact())
    assert invitations_expired_message() == portal.EXPIRED
    content = text(get(client, f"/portal/{token}?lang=ar", status=400))
    assert "انتهت صلاحية هذا الرابط: استخدموا الرابط الوارد في رسالة أحدث من الأمانة" in content


def invitations_expired_message() -> str:
    """What the link check says of an expired portal link (the message the catalogs know)."""
    from datetime import timedelta

    from nam_briefings.domain.errors import Invalid

    token = invitations.link_serializer(portal.PORTAL_SALT).dumps([1, "x"])
    try:
        invitations.read_signed_link(token, portal.PORTAL_SALT, timedelta(seconds=-1),
                                     portal.RENEW)
    except Invalid as error:
        return str(error)
    raise AssertionError("the link did not expire")


# --- the secretariat's pages stay English -----------------------------------------------------

def test_a_secretariat_users_language_stays_on_the_secretariats_pages(client, login, both):
    """A user reading the secretariat's pages in Arabic who opens a contact's portal link
    sees the contact's page in the contact's language, and the other way round."""
    user = login("viewer")
    user.language = "ar"
    db.session.commit()
    get(client, "/missions?lang=fr")  # and a ?lang= there, for the secretariat's pages
    assert language_of(get(client, "/"))[0] == "fr"
    assert language_of(get(client, portal_path(), Accept_Language="fr")) == ("en", "ltr")
    get(client, f"{portal_path()}?lang=es")
    assert language_of(get(client, "/missions")) == ("fr", "ltr")
    assert language_of(get(client, portal_path()))[0] == "es"
