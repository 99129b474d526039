"""The secretariat's briefing pages in English, French, Spanish and Arabic (issue 15, point 4):
the briefing page with its roster and delivery panel, the confirmation of a proposal, and
the reschedule and cancel steps, chosen by ?lang= (kept for the browser session); <html lang
dir> (Arabic right to left); labels, buttons, counts and flash messages in the page's
language, the e-mail previewed in its contact's; English exactly as before.

Session 49 (see invitation_helpers): the first briefing on Tuesday 22 April 2025,
10:00–11:30 CEST, where Grenada, Guinea, Guinea-Bissau and Guyana present; eight contacts
at four missions, their invitations composed, none sent.
"""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Contact
from tests.integration.invitation_helpers import confirm_session_49, plan_session_49
from tests.integration.web_helpers import end_request, language_of, page, post, text

LANGUAGES = ("en", "fr", "es", "ar")

#: what each language's briefing page says: heading, status, roster heading, the audience,
#: the delivery summary, the answers line, the buttons
BRIEFING = {
    "en": ["Briefing of Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST Confirmed",
           "Reschedule…", "Cancel the briefing…", "Roster", "Invited 8 contacts at 4 missions",
           "In progress: 0 sent, 8 to go.",
           "Missions' answers (each mission counts by its contacts' best answer): 0 accepted · "
           "0 tentative · 0 declined · 4 no answer yet.",
           "E-mails 8 pending · 0 sending · 0 waiting · 0 sent · 0 failed · 0 withdrawn",
           "Download the roster (CSV)", "Presenters first, in agenda order", "4 missions."],
    "fr": ["Réunion d'information du mardi 22 avril 2025, 10 h 00 – 11 h 30 Confirmée",
           "Déplacer…", "Annuler la réunion d'information…", "Liste des invités",
           "Invités 8 contacts de 4 missions", "En cours: 0 envoyé, 8 restants.",
           "Réponses des missions (chaque mission compte selon la meilleure réponse de ses "
           "contacts): 0 a accepté · 0 a répondu provisoirement · 0 a refusé · 4 sans réponse.",
           "Télécharger la liste des invités (CSV)", "Missions qui présentent d'abord, dans "
           "l'ordre du jour", "4 missions.", "Ouverture par la présidence"],
    "es": ["Reunión informativa del martes, 22 de abril de 2025, 10:00 – 11:30 Confirmada",
           "Reprogramar…", "Cancelar la reunión informativa…", "Lista de invitados",
           "Invitados 8 contactos de 4 misiones", "En curso: 0 enviados, 8 pendientes.",
           "Respuestas de las misiones (cada misión cuenta según la mejor respuesta de sus "
           "contactos): 0 han aceptado · 0 han respondido provisionalmente · 0 han rechazado "
           "· 4 sin respuesta todavía.", "Descargar la lista de invitados (CSV)",
           "4 misiones."],
    "ar": ["إحاطة يوم الثلاثاء، 22 أبريل 2025، 10:00 – 11:30 مؤكَّدة", "إعادة الجدولة…",
           "إلغاء الإحاطة…", "قائمة المدعوين", "المدعوون 8 جهات اتصال لدى 4 بعثات",
           "جارٍ: أُرسلت 0، تبقى 8.",
           "قبول: 0 · رد مبدئي: 0 · اعتذار: 0 · لم يصل رد بعد: 4.",
           "تنزيل قائمة المدعوين (CSV)", "4 بعثات."],
}
#: the roster narrowed to the presenting missions (Guyana only, of four)
NARROWED = {"en": "1 of 4 missions match.", "fr": "Missions correspondantes: 1 sur 4.",
            "es": "Misiones que coinciden: 1 de 4.", "ar": "البعثات المطابقة: 1 من 4."}
#: the confirmation of the best proposal (two meetings)
CONFIRM = {
    "en": ["Confirm proposal 1 for UPR session 49", "Confirm 2 briefings", "Why this proposal",
           "Confirming creates 2 briefings, each one calendar entry that stays the same entry "
           "through every later change.",
           "The invitation to the first briefing, as a mission will receive it"],
    "fr": ["Confirmer la proposition 1 pour la session 49 de l'EPU",
           "Confirmer 2 réunions d'information", "Pourquoi cette proposition",
           "Les invitations à chacune sont adressées aux 8 contacts actifs des missions du MNA "
           "invitées (mises en file d'attente dans la boîte d'envoi).",
           "L'invitation à la première réunion d'information, telle qu'une mission la recevra"],
    "es": ["Confirmar la propuesta 1 para el período de sesiones 49 del EPU",
           "Confirmar 2 reuniones informativas", "Por qué esta propuesta",
           "La invitación a la primera reunión informativa, tal como la recibirá una misión"],
    "ar": ["تأكيد المقترح 1 للدورة 49 للاستعراض الدوري الشامل", "تأكيد الإحاطتين",
           "لماذا هذا المقترح", "كل منهما مدخل واحد في التقويم يبقى هو نفسه مع كل تغيير لاحق.",
           "الدعوة إلى الإحاطة الأولى كما ستتلقاها البعثة"],
}
RESCHEDULE = {
    "en": ["Reschedule the briefing of Tue 22 Apr 2025, 10:00 CEST", "Who will be notified",
           "Free times for this briefing", "Move the briefing and notify 8 contacts",
           "Keep the current time", "Best"],
    "fr": ["Déplacer la réunion d'information du mardi 22 avril 2025, 10 h 00",
           "Qui sera prévenu", "Horaires libres pour cette réunion d'information",
           "Déplacer la réunion d'information et prévenir 8 contacts", "Garder l'horaire actuel",
           "Premier choix", "Laisser vide pour garder la durée (90 minutes)."],
    "es": ["Reprogramar la reunión informativa del martes, 22 de abril de 2025, 10:00",
           "A quién se notificará", "Horarios libres para esta reunión informativa",
           "Trasladar la reunión informativa y notificar a 8 contactos", "Primera opción"],
    "ar": ["إعادة جدولة إحاطة يوم الثلاثاء، 22 أبريل 2025، 10:00", "من سيُبلَّغ",
           "المواعيد المتاحة لهذه الإحاطة", "نقل الإحاطة وإبلاغ 8 جهات اتصال",
           "الخيار الأفضل", "اتركوه فارغاً للإبقاء على المدة (90 دقيقة)."],
}
CANCEL = {
    "en": ["Cancel the briefing of Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST",
           "A cancellation will be queued to 8 contacts at 4 missions; their calendars remove "
           "the event.", "Cancel the briefing and notify 8 contacts", "Keep the briefing",
           "The cancellation, as a mission will receive it", "In the calendar removes the meeting"],
    "fr": ["Annuler la réunion d'information du mardi 22 avril 2025, 10 h 00 – 11 h 30",
           "Une annulation sera mise en file d'attente pour 8 contacts de 4 missions; leurs "
           "calendriers suppriment l'événement.",
           "Annuler la réunion d'information et prévenir 8 contacts",
           "Maintenir la réunion d'information", "L'annulation, telle qu'une mission la recevra",
           "Dans le calendrier supprime la réunion",
           "Quand mardi 22 avril 2025, de 10 h 00 à 11 h 30 (heure de Genève)"],
    "es": ["Cancelar la reunión informativa del martes, 22 de abril de 2025, 10:00 – 11:30",
           "Se pondrá en cola una cancelación para 8 contactos de 4 misiones; sus calendarios "
           "eliminan el evento.", "Cancelar la reunión informativa y notificar a 8 contactos",
           "Mantener la reunión informativa", "En el calendario elimina la reunión"],
    "ar": ["إلغاء إحاطة يوم الثلاثاء، 22 أبريل 2025، 10:00 – 11:30",
           "سيُدرج إلغاء في قائمة الانتظار إلى 8 جهات اتصال لدى 4 بعثات", "وتحذف تقاويمهم الحدث.",
           "إلغاء الإحاطة وإبلاغ 8 جهات اتصال", "الإبقاء على الإحاطة", "في التقويم يحذف الاجتماع"],
}
#: the flash message after cancelling (its start: the count is the composed invitations')
CANCELLED = {"en": "Briefing cancelled; cancellation queued to 8 contacts — follow the delivery.",
             "fr": "Réunion d'information annulée; annulation mise en file d'attente pour 8 "
                   "contacts — suivre l'envoi.",
             "es": "Reunión informativa cancelada; cancelación en cola para 8 contactos — "
                   "seguir el envío.",
             "ar": "أُلغيت الإحاطة؛ وأُدرج الإلغاء في قائمة الانتظار إلى 8 جهات اتصال — "
                   "متابعة الإرسال."}


@pytest.fixture
def first(app) -> Briefing:
    """The first briefing of session 49 ("today" is 3 March 2025)."""
    return confirm_session_49(app)[0]


def expected_direction(language: str) -> tuple[str, str]:
    return language, "rtl" if language == "ar" else "ltr"


def missing(html: str, expected: list[str]) -> list[str]:
    """The expected strings the page's text does not contain."""
    content = text(html)
    return [string for string in expected if string not in content]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_briefing_page_and_its_roster_in_each_language(client, login, first, language):
    login("editor")
    html = page(client, f"/briefings/{first.id}?lang={language}")
    assert language_of(html) == expected_direction(language)
    assert missing(html, BRIEFING[language]) == []
    narrowed = page(client, f"/briefings/{first.id}?presenting=yes")  # ?lang= kept
    assert language_of(narrowed) == expected_direction(language)
    assert NARROWED[language] in text(narrowed)
    # the state names stay the UN English names; the badge's class stays the status
    assert 'class="badge badge--confirmed"' in html and "Guyana" in text(narrowed)


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_delivery_panel_s_figures_come_in_the_page_s_language(client, login, first,
                                                                   language):
    """static/delivery-progress.js writes no words: the JSON it polls brings them."""
    login("viewer")
    page(client, f"/briefings/{first.id}?lang={language}")
    response = client.get(f"/briefings/{first.id}/progress")
    end_request()
    figures = json.loads(response.get_data(as_text=True))
    summary = text(figures["summary"])
    assert summary == BRIEFING[language][5]
    assert figures["fanouts"][0]["label"] == {"fr": "Invitations, version 0",
                                              "es": "Invitaciones, versión 0",
                                              "ar": "الدعوات، النسخة 0"}[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirming_a_proposal_in_each_language(app, client, login, language):
    key = plan_session_49(app)
    login("editor")
    html = page(client, f"/sessions/49/proposals/{key}/confirm?lang={language}")
    assert language_of(html) == expected_direction(language)
    assert missing(html, CONFIRM[language]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reschedule_step_in_each_language(client, login, first, language):
    login("editor")
    html = page(client, f"/briefings/{first.id}/reschedule?lang={language}")
    assert language_of(html) == expected_direction(language)
    assert missing(html, RESCHEDULE[language]) == []
    # the planner's reasons for a free time, in the page's language
    reasons = re.findall(r'<p class="free-time__reason">(.*?)</p>', unescape(html))
    assert reasons[0] == FREE_TIME_REASON[language]
    assert 'class="badge badge--score-best"' in html  # the class stays the English label


#: why the best free time for the first briefing suits
FREE_TIME_REASON = {
    "en": "4 working days before the session; outside HRC58; morning; 1 working day before "
          "the next meeting.",
    "fr": "4 jours ouvrables avant la session\u00a0; en dehors de HRC58\u00a0; le matin\u00a0; 1 jour "
          "ouvrable avant la réunion suivante.",
    "es": "4 días hábiles antes del período de sesiones; fuera de HRC58; por la mañana; 1 día "
          "hábil antes de la reunión siguiente.",
    "ar": "قبل الدورة بـ4 أيام عمل؛ خارج HRC58؛ صباحًا؛ يوم عمل واحد قبل الاجتماع التالي.",
}
#: a move to a Saturday, refused; a move after the next briefing, out of the order of review
MOVE_REFUSED = {
    "fr": ("cet horaire ne convient pas\u00a0: le samedi 26 avril 2025 tombe un week-end",
           "Grenada, Guinea, Guinea-Bissau et Guyana passent à l'examen avant Kenya, Kuwait, "
           "Lesotho et Lao People's Democratic Republic, donc cette réunion d'information "
           "devrait se tenir avant celle de Kenya, Kuwait, Lesotho et Lao People's Democratic "
           "Republic (mercredi 23 avril 2025 à 10\u00a0h\u00a000)."),
    "ar": ("هذا الموعد غير ممكن: السبت، 26 أبريل 2025 من أيام عطلة نهاية الأسبوع",
           "يأتي استعراض Grenada وGuinea وGuinea-Bissau وGuyana قبل استعراض Kenya وKuwait "
           "وLesotho وLao People's Democratic Republic، ولذا ينبغي أن تُعقد هذه الإحاطة قبل "
           "إحاطتها (الأربعاء، 23 أبريل 2025، الساعة 10:00)."),
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_refused_or_out_of_order_move_says_why_in_the_page_s_language(client, login, first,
                                                                       language):
    """The planner's checks of a time set by hand (problems and the order of review) are
    written in the page's language; nothing moves."""
    weekend, out_of_order = MOVE_REFUSED[language]
    login("editor")
    page(client, f"/briefings/{first.id}/reschedule?lang={language}")  # kept for the session
    saturday = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "2025-04-26", "start_time": "10:00", "end_time": ""})
    assert saturday.status_code == 400 and weekend in unescape(saturday.get_data(as_text=True))
    late = post(client, f"/briefings/{first.id}/reschedule",
                {"day": "2025-04-25", "start_time": "15:00", "end_time": ""})
    assert late.status_code == 400
    warnings = re.search(r'<div class="notice" id="order-warning">.*?<ul><li>(.*?)</li>',
                         unescape(late.get_data(as_text=True)), re.S)
    assert warnings and warnings.group(1) == out_of_order
    db.session.expire_all()
    assert db.session.get(Briefing, first.id).sequence == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cancel_step_and_its_flash_in_each_language(client, login, first, language):
    login("editor")
    html = page(client, f"/briefings/{first.id}/cancel?lang={language}")
    assert language_of(html) == expected_direction(language)
    assert missing(html, CANCEL[language]) == []
    response = post(client, f"/briefings/{first.id}/cancel", {"note": ""})
    assert response.status_code in (302, 303)
    after = page(client, response.location)
    assert CANCELLED[language] in text(after)
    status = {"en": "Cancelled", "fr": "Annulée", "es": "Cancelada", "ar": "ملغاة"}[language]
    assert f'<span class="badge badge--cancelled">{status}</span>' in after


def test_the_e_mail_previewed_is_in_its_contact_s_language_the_page_around_it_in_the_user_s(
        client, login, first):
    contact = db.session.scalar(db.select(Contact).filter_by(email="ambassador@guy.example.org"))
    contact.language = "ar"
    db.session.commit()
    login("editor")
    html = page(client, f"/briefings/{first.id}/cancel?lang=fr")
    preview = html.split('id="mail-preview"')[1]
    assert "L'entrée de calendrier jointe" in unescape(preview)
    assert '<pre class="mail-text" lang="ar" dir="rtl">' in preview
    subject = re.search(r'<dd lang="ar" dir="rtl">([^<]+)</dd>', preview)
    assert subject and "Cancelled" not in subject.group(1)


def test_a_refused_roster_filter_says_why_in_the_page_s_language(client, login, first):
    login("viewer")
    html = page(client, f"/briefings/{first.id}?answer=maybe&lang=es", status=400)
    assert ("Valor desconocido para answer: 'maybe'; valores posibles: accepted, tentative, "
            "declined, none. Se muestra la lista completa.") in text(html)


def test_the_english_pages_are_unchanged_without_a_choice(client, login, first):
    """No ?lang=, no Accept-Language, a user who chose nothing: English, as before."""
    login("editor")
    html = page(client, f"/briefings/{first.id}")
    assert language_of(html) == ("en", "ltr")
    assert missing(html, BRIEFING["en"]) == []
    assert missing(page(client, f"/briefings/{first.id}/cancel"), CANCEL["en"]) == []


#: the reschedule form's labels and refusals (web/forms.py RescheduleForm)
RESCHEDULE_FORM = {
    "fr": ("Nouvelle fin (heure de Genève, facultatif)",
           "La fin doit être postérieure au début (le même jour).",
           "Nouvelle date", "Indiquez la date."),
    "ar": ("النهاية الجديدة (بتوقيت جنيف، اختيارية)",
           "يجب أن تكون النهاية بعد البداية (في اليوم نفسه).",
           "التاريخ الجديد", "أدخلوا التاريخ."),
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_reschedule_form_s_labels_and_refusals_in_each_language(client, login, first,
                                                                   language):
    end_label, end_error, day_label, day_error = RESCHEDULE_FORM[language]
    login("editor")
    page(client, f"/briefings/{first.id}/reschedule?lang={language}")  # kept for the session
    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "2025-04-23", "start_time": "10:00", "end_time": "09:00"})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert language_of(html) == expected_direction(language)
    assert f'<label for="end_time">{end_label}</label>' in html
    assert f'<p class="error" id="end_time-error">{end_error}</p>' in html
    response = post(client, f"/briefings/{first.id}/reschedule",
                    {"day": "", "start_time": "10:00", "end_time": ""})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert f'<label for="day">{day_label}</label>' in html
    assert f'<p class="error" id="day-error">{day_error}</p>' in html
