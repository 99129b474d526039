"""The secretariat's outbox, answers-by-e-mail and audit pages in English, French, Spanish
and Arabic (issue 15, point 4): <html lang dir> (right to left in Arabic), headings, labels,
buttons and flash messages translated, the audit log's sentences written in the page's
language (the details the services recorded quoted as recorded), and the English pages as
they always were.

Session 49 confirmed (see invitation_helpers): its invitations delivered, then a notice
refused for good (550); three replies read from the mailbox; the first briefing moved and
the second cancelled.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.extensions import db
from nam_briefings.models import InboundReply, OutboxMessage
from nam_briefings.services import briefings, outbox, replies
from tests.imap_server import reply_to
from tests.integration.invitation_helpers import (
    CONTACTS,
    SECRETARIAT,
    confirm_session_49,
    invitation_for,
)
from tests.integration.reply_helpers import MX, vouched
from tests.integration.web_helpers import end_request, language_of, page, post, text, visible

REFUSED = "nobody@gone.example.org"
IND = "ambassador@ind.example.org"
WHO = SECRETARIAT.label
LANGUAGES = ["fr", "es", "ar"]
#: set NAM_DUMP_PAGES=/some/dir to keep the pages rendered here, to read them
DUMP = os.environ.get("NAM_DUMP_PAGES")


@pytest.fixture
def outbox_data(app, smtp_server):
    """Session 49's 16 invitations delivered; a notice refused (550); three replies read
    (one applied, one rejected, one for an unknown event); the first briefing moved, the
    second cancelled."""
    app.config["REPLY_AUTHSERV_ID"] = MX
    first, second = sorted(confirm_session_49(app), key=lambda briefing: briefing.start_at)
    assert outbox.deliver().sent == 2 * CONTACTS
    outbox.enqueue("notice", "notice:test:refused", REFUSED, "Proposals for UPR50",
                   "New proposals are ready.")
    db.session.commit()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    assert outbox.deliver().failed == 1
    smtp_server.refuse_with = None
    invitation = invitation_for(first, IND)
    replies.apply_message(vouched(reply_to(
        invitation, "ACCEPTED", comment="Gladly.",
        dtstamp=datetime(2025, 3, 5, 10, 0, tzinfo=timezone.utc))))
    replies.apply_message(vouched(reply_to(invitation, "DECLINED",
                                           attendee="intruder@evil.example.com")))
    replies.apply_message(vouched(reply_to(invitation, "TENTATIVE", uid="lunch@outlook.example")))
    briefings.reschedule(first.id, datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA), None,
                         SECRETARIAT)
    briefings.cancel(second.id, SECRETARIAT)
    return first, second


def failed_message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(db.select(OutboxMessage).filter_by(to_address=REFUSED))


def get(client, url: str, name: str | None = None) -> str:
    html = page(client, url)
    if DUMP and name:
        Path(DUMP).mkdir(parents=True, exist_ok=True)
        Path(DUMP, f"{name}.html").write_text(html)
        Path(DUMP, f"{name}.txt").write_text(visible(html))
    return html


def test_the_english_pages_are_unchanged(client, login, outbox_data):
    login("editor")
    listing = page(client, "/outbox")
    assert language_of(listing) == ("en", "ltr")
    content = text(listing)
    assert "Pending: 0 Sending: 0 Waiting: 0 Sent: 16 Failed: 1 Withdrawn: 0" in content
    assert "Retry all 1 failed message…" in content
    assert "17 messages, newest first." in content
    assert "Every e-mail the service sends is queued here first" in content
    failed = failed_message()
    message = text(page(client, f"/outbox/{failed.id}"))
    assert "Outbox › Message" in message and "Kind Notice Status Failed To " + REFUSED in message
    confirm = text(page(client, "/outbox/retry-failed"))
    assert "Retry 1 failed message" in confirm and "The 1 failed message goes back" in confirm
    answers = text(page(client, "/replies"))
    assert "Applied: 1" in answers and "Rejected: 1" in answers
    assert f"Accepted by {IND} SEQUENCE 0, made Wed 5 Mar 2025, 11:00 CET “Gladly.”" in answers
    audit = text(page(client, "/audit"))
    assert (f"{WHO} cancelled the briefing of Wed 23 Apr 2025, 10:00–11:30 (UPR session 49); "
            f"the cancellation went to {CONTACTS} contacts.") in audit
    assert "The latest 100 changes, newest first. When What happened" in audit
    end_request()


# --- French, Spanish and Arabic ------------------------------------------------------------

NBSP = "\u00a0"  # French typography: a no-break space before ":" and ";", inside « »
GUYANA = "ambassador@guy.example.org"
UNKNOWN = 999999

#: the outbox list: heading, the counts by status, the bulk retry button, the list's
#: summary, the page's introduction
LISTING = {
    "fr": ["Boîte d'envoi",
           f"En file d'attente{NBSP}: 0 En cours d'envoi{NBSP}: 0 En attente du relais{NBSP}: 0 "
           f"Envoyés{NBSP}: 16 En échec{NBSP}: 1 Retirés{NBSP}: 0",
           "Renvoyer 1 message en échec…", "17 messages, du plus récent au plus ancien.",
           "Chaque courriel que le service envoie est d'abord mis ici en file d'attente"],
    "es": ["Bandeja de salida",
           "En cola: 0 Enviándose: 0 En espera del servidor de correo: 0 Enviados: 16 "
           "Fallidos: 1 Retirados: 0",
           "Reintentar 1 mensaje fallido…", "17 mensajes, del más reciente al más antiguo.",
           "Cada correo electrónico que envía el servicio se pone primero aquí en cola"],
    "ar": ["صندوق الصادر",
           "في قائمة الانتظار: 0 قيد الإرسال: 0 بانتظار خادم البريد: 0 مُرسَلة: 16 فاشلة: 1 "
           "مسحوبة: 0",
           "إعادة إرسال الرسالة الفاشلة…", "17 رسالة، الأحدث أولًا.",
           "تُدرج هنا أولًا كل رسالة بريد إلكتروني يرسلها النظام في قائمة الانتظار"],
}
#: the failed message's page ({id}: its number): breadcrumb, its fields (the error in the
#: page's language, the relay's own words as it wrote them), the retry button; then the
#: flash after retrying it; the page of an unknown message ({unknown})
MESSAGE = {
    "fr": ["Boîte d'envoi › Message {id}", f"Type Avis Statut En échec À {REFUSED} Tentatives 1",
           f"Envoyé le Pas encore Dernière erreur échec définitif{NBSP}: 550 5.1.1 No such mailbox",
           "Détails techniques", "Renvoyer"],
    "es": ["Bandeja de salida › Mensaje {id}", "Tipo Aviso Situación",
           f"Para {REFUSED} Intentos 1",
           "Enviado el Todavía no Último error fallo permanente: 550 5.1.1 No such mailbox",
           "Detalles técnicos", "Reintentar"],
    "ar": ["صندوق الصادر › الرسالة {id}",
           f"النوع إشعار الحالة فاشلة إلى {REFUSED} المحاولات 1",
           "وقت الإرسال ليس بعد آخر خطأ إخفاق نهائي: 550 5.1.1 No such mailbox",
           "التفاصيل التقنية", "إعادة الإرسال"],
}
RETRIED_ONE = {
    "fr": f"Le message {{id}} à {REFUSED} est remis en file{NBSP}; il part au prochain passage "
          "d'envoi.",
    "es": f"El mensaje {{id}} a {REFUSED} vuelve a estar en cola; sale en la próxima ronda de "
          "envío.",
    "ar": f"أُعيدت الرسالة {{id}} الموجهة إلى {REFUSED} إلى قائمة الانتظار؛ وستُرسل في جولة "
          "الإرسال التالية.",
}
NOT_FOUND = {
    "fr": ["Introuvable (404)", "Il n'y a pas de message {unknown} dans la boîte d'envoi."],
    "es": ["No encontrado (404)", "No hay ningún mensaje {unknown} en la bandeja de salida."],
    "ar": ["غير موجود (404)", "لا توجد رسالة {unknown} في صندوق الصادر."],
}
#: the confirmation of the bulk retry: heading, breadcrumb, the box to tick, the button to go
#: back, what happens (in the page's HTML: the count is in bold); then the flash and the
#: counts afterwards
RETRY_FAILED = {
    "fr": ["Renvoyer 1 message en échec", "Boîte d'envoi › Renvoyer les messages en échec",
           "Envoyer aussi ceux qui concernent une réunion d'information qui a commencé",
           "Retour à la boîte d'envoi",
           "Le message en échec (<strong>1</strong>) retourne dans la file d'attente"],
    "es": ["Reintentar 1 mensaje fallido", "Bandeja de salida › Reintentar los mensajes fallidos",
           "Enviar también los relativos a una reunión informativa que ya ha comenzado",
           "Volver a la bandeja de salida",
           "El <strong>1</strong> mensaje fallido vuelve a la cola"],
    "ar": ["إعادة إرسال رسالة فاشلة واحدة", "صندوق الصادر › إعادة إرسال الرسائل الفاشلة",
           "إرسال الرسائل المتعلقة بإحاطة بدأت أيضًا", "العودة إلى صندوق الصادر",
           "تعود الرسالة الفاشلة (<strong>1</strong>) إلى قائمة الانتظار"],
}
RETRIED_ALL = {
    "fr": [f"Messages en échec{NBSP}: 1 remis en file. Ils partent au prochain passage d'envoi.",
           f"En file d'attente{NBSP}: 1 En cours d'envoi{NBSP}: 0 En attente du relais{NBSP}: 0 "
           f"Envoyés{NBSP}: 16 En échec{NBSP}: 0"],
    "es": ["Mensajes fallidos: 1 puesto de nuevo en cola. Salen en la próxima ronda de envío.",
           "En cola: 1 Enviándose: 0 En espera del servidor de correo: 0 Enviados: 16 Fallidos: 0"],
    "ar": ["الرسائل الفاشلة: أُعيدت رسالة واحدة إلى قائمة الانتظار. وستُرسل في جولة الإرسال "
           "التالية.",
           "في قائمة الانتظار: 1 قيد الإرسال: 0 بانتظار خادم البريد: 0 مُرسَلة: 16 فاشلة: 0"],
}
#: the replies page: heading, the counts by outcome, the accepted reply (its date the local
#: way, its comment quoted the local way), the unknown event's outcome
REPLIES = {
    "fr": ["Réponses par courriel", f"Appliquée{NBSP}: 1", f"Rejetée{NBSP}: 1",
           f"Événement inconnu{NBSP}: 1", f"Expéditeur non vérifié{NBSP}: 0",
           f"Acceptée par {IND} SEQUENCE 0, faite le mercredi 5 mars 2025, 11\u00a0h\u00a000 "
           f"«{NBSP}Gladly.{NBSP}»",
           "Au plus les 200 dernières, de la plus récente à la plus ancienne."],
    "es": ["Respuestas por correo electrónico", "Aplicada: 1", "Rechazada: 1",
           "Evento desconocido: 1", "Remitente no verificado: 0",
           f"Aceptada por {IND} SEQUENCE 0, emitida el miércoles, 5 de marzo de 2025, 11:00 "
           "«Gladly.»",
           "Como máximo las 200 últimas, de la más reciente a la más antigua."],
    "ar": ["الردود بالبريد الإلكتروني", "مطبَّق: 1", "مرفوض: 1", "حدث غير معروف: 1",
           "مرسل لم يُتحقَّق منه: 0",
           f"مقبولة من {IND} SEQUENCE 0، صدر يوم الأربعاء، 5 مارس 2025، 11:00 «Gladly.»",
           "أحدث 200 ردًّا على الأكثر، الأحدث أولًا."],
}
#: an unverified reply waiting for an editor: the count, the two buttons; then the start of
#: the flash once accepted ({id}: the reply, {briefing}: its briefing), what the service
#: recorded after the dash in the page's language too
UNVERIFIED = {
    "fr": [f"Expéditeur non vérifié{NBSP}: 1", f"Accepter la réponse de {GUYANA}",
           f"Rejeter la réponse de {GUYANA}",
           f"Réponse {{id}} appliquée{NBSP}: DECLINED de {GUYANA} (réunion d'information "
           "{briefing}) — acceptée par "],
    "es": ["Remitente no verificado: 1", f"Aceptar la respuesta de {GUYANA}",
           f"Rechazar la respuesta de {GUYANA}",
           f"Respuesta {{id}} aplicada: DECLINED de {GUYANA} (reunión informativa "
           "{briefing}) — aceptada por "],
    "ar": ["مرسل لم يُتحقَّق منه: 1", f"قبول رد {GUYANA}", f"رفض رد {GUYANA}",
           f"الرد {{id}} مطبَّق: DECLINED من {GUYANA} (الإحاطة {{briefing}}) — قبِله "],
}
#: ... and how it ends: who accepted it (the editor logged in) and what that did
DECIDED = {
    "fr": f" (expéditeur non vérifié){NBSP}; le créneau de présentation de la mission est "
          f"libéré{NBSP}; le nouvel ordre du jour est en attente de la décision du secrétariat.",
    "es": " (remitente no verificado); el turno de presentación de la misión ha quedado libre; "
          "el nuevo orden del día está pendiente de la decisión de la secretaría.",
    "ar": " (مرسل لم يُتحقَّق منه)؛ أُتيح موعد عرض البعثة لغيرها؛ وجدول الأعمال الجديد بانتظار "
          "قرار الأمانة.",
}
#: the audit log: heading, its header, the cancelled briefing's sentence, the moved one's,
#: the details as recorded (English, as the service wrote them)
AUDIT = {
    "fr": ["Journal d'audit",
           "Les 100 dernières modifications, de la plus récente à la plus ancienne. Quand "
           "Ce qui s'est passé",
           f"{WHO} a annulé la réunion d'information du mercredi 23 avril 2025, 10\u00a0h\u00a000–11\u00a0h\u00a030 "
           f"(session 49 de l'EPU){NBSP}; l'annulation a été envoyée à {CONTACTS} contacts.",
           f"{WHO} a déplacé la réunion d'information du mardi 22 avril 2025 (session 49 de "
           "l'EPU) au jeudi 24 avril 2025, 15\u00a0h\u00a000–16\u00a0h\u00a030.",
           "Détails tels qu'enregistrés Wed 23 Apr 2025 10:00–11:30 (KEN, KWT, LSO, LAO); "
           f"sequence 1; {CONTACTS} notified"],
    "es": ["Registro de auditoría",
           "Los 100 últimos cambios, del más reciente al más antiguo. Cuándo Qué ocurrió",
           f"{WHO} canceló la reunión informativa del miércoles, 23 de abril de 2025, "
           f"10:00–11:30 (período de sesiones 49 del EPU); la cancelación se envió a {CONTACTS} "
           "contactos.",
           f"{WHO} trasladó la reunión informativa del martes, 22 de abril de 2025 (período de "
           "sesiones 49 del EPU) al jueves, 24 de abril de 2025, 15:00–16:30.",
           "Detalles tal como se registraron Wed 23 Apr 2025 10:00–11:30 (KEN, KWT, LSO, LAO); "
           f"sequence 1; {CONTACTS} notified"],
    "ar": ["سجل التدقيق", "آخر 100 تغيير، الأحدث أولًا. الموعد ما الذي حدث",
           f"{WHO} ألغى إحاطة يوم الأربعاء، 23 أبريل 2025، 10:00–11:30 (الدورة 49 للاستعراض "
           f"الدوري الشامل)؛ وأُرسل الإلغاء إلى {CONTACTS} جهات اتصال.",
           f"{WHO} نقل إحاطة يوم الثلاثاء، 22 أبريل 2025 (الدورة 49 للاستعراض الدوري الشامل) "
           "إلى يوم الخميس، 24 أبريل 2025، 15:00–16:30.",
           "التفاصيل كما سُجّلت Wed 23 Apr 2025 10:00–11:30 (KEN, KWT, LSO, LAO); "
           f"sequence 1; {CONTACTS} notified"],
}


def direction(lang: str) -> tuple[str, str]:
    """The <html lang dir> a page in `lang` has."""
    return lang, "rtl" if lang == "ar" else "ltr"


def heading(html: str) -> str:
    """The page's first <h1>, as read."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no <h1>"
    return visible(match.group(1))


def flashes(html: str) -> list[str]:
    """The flash messages the page shows, as read."""
    return [visible(message) for message in
            re.findall(r'<p class="flash flash--\w+">(.*?)</p>', html, re.S)]


def missing(content: str, expected: list[str]) -> list[str]:
    """What of `expected` the page's text does not say (all of it, for a readable failure)."""
    return [phrase for phrase in expected if phrase not in content]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_outbox_list_in(client, login, outbox_data, lang):
    login("editor")
    html = get(client, f"/outbox?lang={lang}", f"outbox-{lang}")
    assert language_of(html) == direction(lang)
    title, *phrases = LISTING[lang]
    assert heading(html) == title
    content = visible(html)
    assert missing(content, phrases) == []
    assert "Retry all" not in content and "newest first" not in content
    end_request()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_message_page_its_retry_and_an_unknown_message_in(client, login, outbox_data, lang):
    login("editor")
    failed = failed_message()
    html = get(client, f"/outbox/{failed.id}?lang={lang}", f"message-{lang}")
    assert language_of(html) == direction(lang)
    assert '<h1 lang="en" dir="ltr">Proposals for UPR50</h1>' in html  # the subject as sent
    content = visible(html)
    expected = [phrase.format(id=failed.id) for phrase in MESSAGE[lang]]
    assert missing(content, expected) == []
    assert "Not yet" not in content and "Last error" not in content
    response = post(client, f"/outbox/{failed.id}/retry?lang={lang}", {"back": "message"})
    assert response.status_code == 302 and response.location == f"/outbox/{failed.id}"
    assert failed_message().status == "pending"
    after = get(client, response.location, f"message-retried-{lang}")
    assert language_of(after) == direction(lang)
    assert RETRIED_ONE[lang].format(id=failed.id) in flashes(after)
    unknown = page(client, f"/outbox/{UNKNOWN}?lang={lang}", status=404)
    assert language_of(unknown) == direction(lang)
    title, sentence = NOT_FOUND[lang]
    assert heading(unknown) == title
    assert sentence.format(unknown=UNKNOWN) in visible(unknown)
    end_request()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retrying_the_failed_messages_in(client, login, outbox_data, lang):
    login("editor")
    html = get(client, f"/outbox/retry-failed?lang={lang}", f"retry-failed-{lang}")
    assert language_of(html) == direction(lang)
    title, breadcrumb, tick, back, what = RETRY_FAILED[lang]
    assert heading(html) == title
    assert missing(visible(html), [breadcrumb, tick, back]) == []
    assert what in html
    response = post(client, f"/outbox/retry-failed?lang={lang}")
    assert response.status_code == 302 and response.location == "/outbox#failed"
    assert failed_message().status == "pending"
    after = get(client, f"/outbox?lang={lang}", f"outbox-retried-{lang}")
    flash, counts = RETRIED_ALL[lang]
    assert flashes(after) == [flash]
    assert counts in visible(after)
    end_request()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_replies_page_in(client, login, outbox_data, lang):
    login("viewer")
    html = get(client, f"/replies?lang={lang}", f"replies-{lang}")
    assert language_of(html) == direction(lang)
    title, *phrases = REPLIES[lang]
    assert heading(html) == title
    content = visible(html)
    assert missing(content, phrases) == []
    assert f"Accepted by {IND}" not in content and "Applied: 1" not in content
    end_request()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_deciding_an_unverified_reply_in(client, login, outbox_data, lang):
    first, _ = outbox_data
    replies.apply_message(reply_to(invitation_for(first, GUYANA), "DECLINED"))  # not vouched
    row = db.session.scalar(db.select(InboundReply).order_by(InboundReply.id.desc()))
    assert row.outcome == "unverified"
    login("editor")
    html = get(client, f"/replies?outcome=unverified&lang={lang}", f"replies-unverified-{lang}")
    assert language_of(html) == direction(lang)
    *phrases, decided = UNVERIFIED[lang]
    assert missing(visible(html), phrases) == []
    assert f'action="/replies/{row.id}/accept"' in html
    response = post(client, f"/replies/{row.id}/accept?lang={lang}")
    assert response.status_code == 302
    assert response.location == "/replies?outcome=unverified"
    db.session.expire_all()
    assert db.session.get(InboundReply, row.id).outcome == "applied"
    after = get(client, response.location, f"replies-decided-{lang}")
    assert language_of(after) == direction(lang)
    [flash] = flashes(after)
    assert flash.startswith(decided.format(id=row.id, briefing=first.id)), flash
    assert flash.endswith(DECIDED[lang]), flash
    end_request()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_audit_log_in(client, login, outbox_data, lang):
    login("viewer")
    html = get(client, f"/audit?lang={lang}", f"audit-{lang}")
    assert language_of(html) == direction(lang)
    title, *phrases = AUDIT[lang]
    assert heading(html) == title
    content = visible(html)
    assert missing(content, phrases) == []
    assert f"{WHO} cancelled the briefing" not in content and "When What happened" not in content
    end_request()
