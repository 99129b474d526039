"""Feeds in English, French, Spanish and Arabic (issue 15, point 3): `?lang=` chooses; a
mission's feed is in the mission's language by default; each language keeps stable bytes
and its own ETag; an unknown language is refused with the languages there are.

Session 49 ("today" is 3 March 2025, before it), confirmed with the first proposal.
"""
from __future__ import annotations

import icalendar
import pytest
import vobject

from nam_briefings.extensions import db
from nam_briefings.models import Contact
from nam_briefings.services import feeds
from tests.integration.test_feeds import calendar, confirm_49, events, ical_js  # noqa: F401

UPR = "/feeds/upr.ics"
#: how each language titles session 49 in the UPR feed
SESSION_49 = {
    "en": "UPR Working Group, 49th session",
    "fr": "Groupe de travail sur l'EPU, 49e session",
    "es": "Grupo de Trabajo sobre el EPU, 49.º período de sesiones",
    "ar": "الفريق العامل المعني بالاستعراض الدوري الشامل، الدورة 49",
}
#: how each language says the mission presents, at the start of a briefing's title
PRESENTS = {"en": "Your Mission presents – ", "fr": "Votre Mission présente son rapport – ",
            "es": "Su Misión presenta su informe – ", "ar": "بعثتكم تقدّم تقريرها – "}


def mission_path(iso3: str = "GUY") -> str:
    return f"/feeds/missions/{feeds.mission_feed_token(iso3)}.ics"


def session_49(body: bytes) -> icalendar.Event:
    return events(body)["upr-session-49@nam-briefings"]


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_upr_feed_in_each_language_says_so_and_keeps_its_own_stable_etag(calendar, client,
                                                                             language):
    english = client.get(UPR)
    first = client.get(f"{UPR}?lang={language}")
    assert first.status_code == 200
    event = session_49(first.data)
    assert str(event["SUMMARY"]) == SESSION_49[language]
    assert event["SUMMARY"].params["LANGUAGE"] == language
    assert first.headers["ETag"] != english.headers["ETag"]
    again = client.get(f"{UPR}?lang={language}")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    conditional = client.get(f"{UPR}?lang={language}",
                             headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304
    # English's own ETag does not answer 304 for another language, nor the other way round
    assert client.get(f"{UPR}?lang={language}",
                      headers={"If-None-Match": english.headers["ETag"]}).status_code == 200


def test_english_is_the_default_and_says_no_language(calendar, client):
    default, english = client.get(UPR), client.get(f"{UPR}?lang=en")
    assert english.data == default.data and english.headers["ETag"] == default.headers["ETag"]
    event = session_49(default.data)
    assert str(event["SUMMARY"]) == SESSION_49["en"] and "LANGUAGE" not in event["SUMMARY"].params


def test_a_mission_feed_is_in_the_missions_language_unless_asked_otherwise(calendar, client):
    confirm_49()
    assert _presenting_titles(client.get(mission_path()).data, "en")
    for contact in db.session.scalars(db.select(Contact).filter_by(email="upr@guy.example.org")):
        contact.language = "es"
    db.session.commit()
    default = client.get(mission_path())
    assert _presenting_titles(default.data, "es")
    assert default.data == client.get(f"{mission_path()}?lang=es").data
    assert _presenting_titles(client.get(f"{mission_path()}?lang=en").data, "en")
    arabic = client.get(f"{mission_path()}?lang=ar")
    assert _presenting_titles(arabic.data, "ar")
    assert "ردّ بعثتكم: بانتظار الرد" in _descriptions(arabic.data)


def test_arabic_and_french_text_survive_every_parser(calendar, client):
    confirm_49()
    for language in ("ar", "fr"):
        body = client.get(f"{mission_path()}?lang={language}").data
        titles = {str(e["SUMMARY"]) for e in events(body).values()}
        assert PRESENTS[language].strip(" –") in " ".join(titles)
        parsed = vobject.readOne(body.decode("utf-8"))
        assert {e.summary.value for e in parsed.vevent_list} == titles
        by_ical_js = ical_js(body)
        if by_ical_js is not None:
            assert {e["summary"] for e in by_ical_js.values()} == titles


@pytest.mark.parametrize("asked", ["FR", "fr-CH", "fr_CH"])
def test_a_language_written_another_way_is_the_same_feed(calendar, client, asked):
    french = client.get(f"{UPR}?lang=fr")
    other = client.get(f"{UPR}?lang={asked}")
    assert other.data == french.data and other.headers["ETag"] == french.headers["ETag"]


@pytest.mark.parametrize("asked", ["de", "", "zz-FR", "x" * 300])
def test_an_unknown_language_is_refused_with_the_ones_there_are(calendar, client, asked):
    for path in (UPR, mission_path()):
        response = client.get(f"{path}?lang={asked}")
        assert response.status_code == 400, (path, asked)
        text = response.get_data(as_text=True)
        assert "en, fr, es, ar" in text and "x" * 30 not in text


def _presenting_titles(body: bytes, language: str) -> list[str]:
    """The titles of the feed's briefings where the mission presents, in `language`."""
    titles = [str(e["SUMMARY"]) for e in events(body).values()
              if str(e["SUMMARY"]).startswith(PRESENTS[language])]
    for event in events(body).values():
        if str(event["SUMMARY"]).startswith(PRESENTS[language]) and language != "en":
            assert event["SUMMARY"].params["LANGUAGE"] == language
    return titles


def _descriptions(body: bytes) -> str:
    return "\n".join(str(e.get("DESCRIPTION", "")) for e in events(body).values())


def test_the_secretariat_feed_follows_its_user_s_language_or_lang(calendar, client, login):
    """The secretariat's feed is in the language its user chose for the pages (English until
    then); ?lang= asks for another. Its proposals carry their reasons in that language."""
    from nam_briefings.models import User
    from nam_briefings.services import briefings
    from tests.integration.test_feeds import SECRETARIAT

    user = login("editor")
    briefings.plan_session(49, SECRETARIAT)
    path = f"/feeds/secretariat/{feeds.user_feed_token(user.id)}.ics"

    def proposal(body: bytes) -> icalendar.Event:
        return next(e for uid, e in sorted(events(body).items()) if uid.startswith("proposal-"))

    english = proposal(client.get(path).data)
    assert str(english["SUMMARY"]).startswith("Proposal #1 for UPR49: ")
    french = client.get(path + "?lang=fr")
    assert french.status_code == 200
    event = proposal(french.data)
    assert str(event["SUMMARY"]).startswith("Proposition n°\u00a01 pour l'EPU 49\u00a0: ")
    assert event["SUMMARY"].params["LANGUAGE"] == "fr"
    assert "jours ouvrables avant la session" in str(event["DESCRIPTION"])
    db.session.get(User, user.id).language = "ar"
    db.session.commit()
    arabic = proposal(client.get(path).data)
    assert arabic["SUMMARY"].params["LANGUAGE"] == "ar"
    assert "أيام عمل" in str(arabic["DESCRIPTION"])
    vobject.readOne(client.get(path).data.decode())  # an independent parser reads it
