"""The dashboard, the login page and the pages around them in English, French, Spanish and
Arabic (issue 15, point 4): <html lang dir> (Arabic right to left), the navigation, the
"Needs action" lines the service writes, the session cards with their dates written the
local way, the outbox's counts, the login page and its refusals, the 503 page.

English stays as it was (test_web_dashboard.py and test_web_auth.py check its words).
State names stay the UN English names in every language.
"""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from nam_briefings import create_app
from nam_briefings.extensions import db
from nam_briefings.services import briefings, invitations, outbox, sessions
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.conftest import app_config, csrf_token_from
from tests.factories import create_user
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    confirm_session_49,
    invitation_for,
)
from tests.integration.test_login_security import attempt, forget_loaded_user
from tests.integration.web_helpers import (
    HTML,
    end_request,
    field_error,
    language_of,
    page,
    visible,
)

PASSWORD = "correct horse battery"


NBSP = "\u00a0"
LANGUAGES = ["en", "fr", "es", "ar"]


def items(html: str) -> list[str]:
    """The "Needs action" lines as read, French no-break spaces kept."""
    block = html.split('id="actions-heading">')[1].split("</section>")[0]
    return [visible(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def links(html: str) -> dict[str, str]:
    """The "Needs action" lines that are links: text -> URL."""
    block = html.split('id="actions-heading">')[1].split("</section>")[0]
    return {visible(label): unescape(href)
            for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', block, re.S)}


def section(html: str, heading_id: str) -> str:
    """The visible text of the section whose heading has this id (no-break spaces kept)."""
    return visible(html.split(f'id="{heading_id}">')[1].split("</section>")[0])


def nav_labels(html: str, label: str) -> list[str]:
    """The labels of the main navigation's links (the <nav> named `label`)."""
    nav = html.split(f'<nav aria-label="{label}">')[1].split("</nav>")[0]
    return [unescape(text) for text in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def switcher(html: str) -> list[tuple[str, str, str, str, bool]]:
    """The language switcher: (href, lang, dir, name, marked current) for each link."""
    nav = html.split('<nav class="languages"')[1].split("</nav>")[0]
    return [(href, code, direction, name, bool(current)) for href, code, hreflang, direction,
            current, name in re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="(\w+)" '
                                        r'dir="(\w+)"( aria-current="true")?>([^<]+)</a>', nav)]


def title(html: str) -> str:
    """The page's <title>."""
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def squeezed(markup: str) -> str:
    """Markup with its runs of spaces and line breaks made one space (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", markup).strip()


def get(client, url: str, **headers: str) -> str:
    """GET `url` as a browser (with these extra headers), expecting 200."""
    response = client.get(url, headers={**HTML, **headers})
    end_request()
    assert response.status_code == 200, (url, response.status_code, response.location)
    return response.get_data(as_text=True)


# --- the base layout and the dashboard without an upcoming session -------------------------

#: what the layout and the empty dashboard say, per language
LAYOUT = {
    "en": dict(
        title="Dashboard · NAM Briefings", h1="Dashboard", main="Main", language="Language",
        skip="Skip to content", brand="NAM Briefings",
        nav=["Dashboard", "Sessions", "States", "Missions", "Outbox", "Replies", "Calendars",
             "Busy & rooms", "Audit log", "Users", "Settings"],
        role="admin", log_out="Log out", account_title="Your account: the language of the pages",
        footer="All times are Geneva time (Europe/Zurich).",
        today="Today is Tue 1 Dec 2026 in Geneva.", needs="Needs action",
        action="No upcoming UPR session is known: add the next session",
        ended="Every session on file has ended (the last, session 51, ended on Fri 30 Jan "
              "2026).",
        buttons=["Add the next session", "Import sessions and reviews (CSV)"],
        outbox="Outbox Waiting to be sent: 0 Failed: 0 Sent: 0",
        warning_title="Links in e-mails and feeds lead elsewhere.",
        warning="You opened this page at <code>http://localhost</code>, but the links in "
                "invitations, reminders, the portal and the calendar feeds are built from "
                "<code>http://127.0.0.1:5000</code> (the setting <code>PUBLIC_BASE_URL</code>). "
                "Missions following them may not reach this service: set "
                "<code>PUBLIC_BASE_URL</code> to the address they use, then restart."),
    "fr": dict(
        title="Tableau de bord · Réunions d'information du MNA", h1="Tableau de bord",
        main="Navigation principale", language="Langue", skip="Aller au contenu",
        brand="Réunions d'information du MNA",
        nav=["Tableau de bord", "Sessions", "États", "Missions", "Boîte d'envoi", "Réponses",
             "Calendriers", "Indisponibilités et salles", "Journal d'audit", "Utilisateurs",
             "Paramètres"],
        role="administrateur", log_out="Se déconnecter",
        account_title=f"Votre compte{NBSP}: la langue des pages",
        footer="Toutes les heures sont indiquées à l'heure de Genève (Europe/Zurich).",
        today="Nous sommes le mardi 1er décembre 2026 à Genève.", needs="À traiter",
        action=f"Aucune session de l'EPU à venir n'est connue{NBSP}: ajoutez la prochaine "
               "session",
        ended="Toutes les sessions enregistrées sont terminées (la dernière, la session 51, "
              "s'est achevée le vendredi 30 janvier 2026).",
        buttons=["Ajouter la prochaine session", "Importer des sessions et des examens (CSV)"],
        outbox=f"Boîte d'envoi En attente d'envoi{NBSP}: 0 En échec{NBSP}: 0 Envoyés{NBSP}: 0",
        warning_title="Les liens des courriels et des calendriers en ligne mènent ailleurs.",
        warning="Vous avez ouvert cette page à l'adresse <code>http://localhost</code>, mais les "
                "liens des invitations, des rappels, du portail et des calendriers en ligne "
                "sont construits à partir de <code>http://127.0.0.1:5000</code> (le paramètre "
                "<code>PUBLIC_BASE_URL</code>). Les missions qui les suivent risquent de ne pas "
                f"atteindre ce service{NBSP}: donnez à <code>PUBLIC_BASE_URL</code> l'adresse "
                "qu'elles utilisent, puis redémarrez le service."),
    "es": dict(
        title="Panel · Reuniones informativas del MNOAL", h1="Panel",
        main="Navegación principal", language="Idioma", skip="Ir al contenido",
        brand="Reuniones informativas del MNOAL",
        nav=["Panel", "Períodos de sesiones", "Estados", "Misiones", "Bandeja de salida",
             "Respuestas", "Calendarios", "Indisponibilidad y salas", "Registro de auditoría",
             "Usuarios", "Configuración"],
        role="administrador", log_out="Cerrar sesión",
        account_title="Su cuenta: el idioma de las páginas",
        footer="Todas las horas se indican en hora de Ginebra (Europe/Zurich).",
        today="En Ginebra, hoy es martes, 1 de diciembre de 2026.", needs="Requiere atención",
        action="No se conoce ningún próximo período de sesiones del EPU: añada el próximo",
        ended="Todos los períodos de sesiones registrados han concluido (el último, el período "
              "de sesiones 51, concluyó el viernes, 30 de enero de 2026).",
        buttons=["Añadir el próximo período de sesiones",
                 "Importar períodos de sesiones y exámenes (CSV)"],
        outbox="Bandeja de salida Pendientes de envío: 0 Fallidos: 0 Enviados: 0",
        warning_title="Los enlaces de los correos electrónicos y de los calendarios en línea "
                      "llevan a otra dirección.",
        warning="Ha abierto esta página en <code>http://localhost</code>, pero los enlaces de "
                "las invitaciones, los recordatorios, el portal y los calendarios en línea se "
                "generan a partir de <code>http://127.0.0.1:5000</code> (el parámetro "
                "<code>PUBLIC_BASE_URL</code>). Es posible que las misiones que los sigan no "
                "lleguen a este servicio: asigne a <code>PUBLIC_BASE_URL</code> la dirección "
                "que ellas utilizan y reinicie el servicio."),
    "ar": dict(
        title="لوحة المتابعة · إحاطات حركة عدم الانحياز", h1="لوحة المتابعة",
        main="التنقل الرئيسي", language="اللغة", skip="الانتقال إلى المحتوى",
        brand="إحاطات حركة عدم الانحياز",
        nav=["لوحة المتابعة", "الدورات", "الدول", "البعثات", "صندوق الصادر", "الردود",
             "التقاويم", "أوقات الانشغال والقاعات", "سجل التدقيق", "المستخدمون", "الإعدادات"],
        role="مشرف", log_out="تسجيل الخروج", account_title="حسابكم: لغة الصفحات",
        footer="جميع الأوقات بتوقيت جنيف (Europe/Zurich).",
        today="اليوم هو الثلاثاء، 1 ديسمبر 2026 في جنيف.", needs="إجراءات مطلوبة",
        action="لا تُعرف أي دورة مقبلة للاستعراض الدوري الشامل: أضيفوا الدورة المقبلة",
        ended="انتهت جميع الدورات المسجلة (آخرها الدورة 51، التي انتهت يوم الجمعة، 30 يناير "
              "2026).",
        buttons=["إضافة الدورة المقبلة", "استيراد الدورات وعمليات الاستعراض (CSV)"],
        outbox="صندوق الصادر في انتظار الإرسال: 0 تعذّر إرسالها: 0 أُرسلت: 0",
        warning_title="الروابط الواردة في الرسائل الإلكترونية والتقاويم الإلكترونية تؤدي إلى "
                      "عنوان آخر.",
        warning="فتحتم هذه الصفحة على العنوان <code>http://localhost</code>، لكن الروابط الواردة "
                "في الدعوات والتذكيرات والبوابة والتقاويم الإلكترونية تُبنى انطلاقًا من "
                "<code>http://127.0.0.1:5000</code> (الإعداد <code>PUBLIC_BASE_URL</code>). "
                "وقد لا تصل البعثات التي تتبعها إلى هذه الخدمة: اضبطوا "
                "<code>PUBLIC_BASE_URL</code> على العنوان الذي تستخدمه، ثم أعيدوا تشغيل الخدمة."),
}
NATIVE = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")]


@pytest.fixture
def no_upcoming(app):
    """The shipped calendar without the forecast, "today" 1 December 2026: no session is
    upcoming, the last (51) ended on 30 January 2026."""
    app.config["TODAY"] = date(2026, 12, 1)
    seed_reference_data(Actor.system(), forecast=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_layout_and_the_dashboard_without_an_upcoming_session(client, login, no_upcoming,
                                                                  language):
    words = LAYOUT[language]
    user = login("admin")
    html = page(client, f"/?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert title(html) == words["title"]
    assert f"<h1>{words['h1']}</h1>" in html
    assert f'<a class="skip-link" href="#content">{words["skip"]}</a>' in unescape(html)
    assert f'<a class="brand" href="/">{words["brand"]}</a>' in unescape(html)
    # the navigation, the current page marked
    assert nav_labels(html, words["main"]) == words["nav"]
    assert re.search(rf'<a href="/"\s+aria-current="page">{words["h1"]}</a>', html)
    # the account: address, role badge, Log out
    account = html.split('<div class="account">')[1].split("</div>")[0]
    assert visible(account) == f"{user.email} {words['role']} {words['log_out']}"
    assert f'title="{words["account_title"]}"' in unescape(account)
    assert f'<button type="submit" class="button button--quiet">{words["log_out"]}</button>' \
        in account
    footer = html.split('<footer class="site-footer">')[1]
    assert visible(footer) == words["footer"]
    # the switcher: each language named in itself, written its own way, the current marked
    assert switcher(html) == [(f"/?lang={code}", code, "rtl" if code == "ar" else "ltr", name,
                               code == language) for code, name in NATIVE]
    assert f'<nav class="languages" aria-label="{words["language"]}">' in html
    # the public-URL warning (the test client is at http://localhost)
    warning = html.split('id="public-url-warning">')[1].split("</p>")[0]
    assert squeezed(unescape(warning)) == \
        f"<strong>{words['warning_title']}</strong> {words['warning']}"
    # the dashboard itself
    assert visible(html.split('<p class="muted">')[1].split("</p>")[0]) == words["today"]
    assert f'<h2 id="actions-heading">{words["needs"]}</h2>' in html
    assert links(html) == {words["action"]: "/sessions/new"}
    panel = section(html, "no-upcoming-heading")
    assert words["ended"] in panel
    no_upcoming_panel = html.split('id="no-upcoming-heading">')[1].split("</section>")[0]
    assert [unescape(label) for label in re.findall(r'<a class="button[^"]*" href="[^"]+">'
                                                    r'([^<]+)</a>', no_upcoming_panel)] == \
        words["buttons"]
    assert section(html, "outbox-heading") == words["outbox"]
    # reached at the address links are built from, the page has no warning
    response = client.get(f"/?lang={language}", headers=HTML, base_url="http://127.0.0.1:5000")
    end_request()
    assert 'id="public-url-warning"' not in response.get_data(as_text=True)
    assert f"<h1>{words['h1']}</h1>" in response.get_data(as_text=True)


# --- which language: the browser's, the user's, ?lang= -----------------------------------


@pytest.mark.parametrize("header, language", [
    ("fr-CH, fr;q=0.9, en;q=0.5", "fr"),
    ("ar-EG, ar;q=0.9, en;q=0.4", "ar"),
    ("de-CH, ru;q=0.8", "en"),  # no page in those: English
])
def test_the_dashboard_follows_the_browser(client, login, no_upcoming, header, language):
    login("viewer")
    html = get(client, "/", **{"Accept-Language": header})
    words = LAYOUT[language]
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert f"<h1>{words['h1']}</h1>" in html
    assert nav_labels(html, words["main"]) == words["nav"][:-2]  # a viewer: no Users, Settings
    assert f'<h2 id="actions-heading">{words["needs"]}</h2>' in html
    assert items(html) == [words["action"]]  # a viewer cannot act on it: no link
    assert links(html) == {}
    assert [current for *_, current in switcher(html)] == \
        [code == language for code, _ in NATIVE]


def test_the_users_language_then_a_chosen_one_for_the_browser_session(client, login,
                                                                      no_upcoming):
    user = login("editor")
    user.language = "es"
    db.session.commit()
    html = get(client, "/", **{"Accept-Language": "fr"})  # the user's choice wins
    assert language_of(html) == ("es", "ltr") and "<h1>Panel</h1>" in html
    assert visible(html.split('<div class="account">')[1].split("</div>")[0]) == \
        f"{user.email} editor Cerrar sesión"
    html = get(client, "/?lang=ar")  # a ?lang= wins, and is kept for the next pages
    assert language_of(html) == ("ar", "rtl") and "<h1>لوحة المتابعة</h1>" in html
    html = get(client, "/", **{"Accept-Language": "fr"})
    assert language_of(html) == ("ar", "rtl")
    assert visible(html.split('<div class="account">')[1].split("</div>")[0]) == \
        f"{user.email} محرر تسجيل الخروج"
    assert language_of(get(client, "/?lang=xx")) == ("ar", "rtl")  # unknown: ignored
    html = get(client, "/?lang=en")
    assert language_of(html) == ("en", "ltr") and "<h1>Dashboard</h1>" in html


# --- with real data: session 49 confirmed, its invitations refused by the relay -----------

#: the session title, the cards' dates and words, the "Needs action" lines, per language
CONFIRMED = {
    "en": dict(
        session="UPR session {}", today="Today is Mon 3 Mar 2025 in Geneva.",
        lines=["16 messages failed — retry",
               "Briefing of Tue 22 Apr 2025: 4 presenting missions have not confirmed their "
               "slot (GRD, GIN, GNB, GUY)",
               "Briefing of Wed 23 Apr 2025: 4 presenting missions have not confirmed their "
               "slot (KEN, KWT, LSO, LAO)",
               "Propose briefing times for session 50",
               "Propose briefing times for session 51",
               "Session 50: no UN Geneva closures entered for 2025",
               "Session 51: no UN Geneva closures entered for 2025 or 2026"],
        meta="28 Apr – 9 May 2025 · cycle 4 · starts in 56 days",
        presenters="NAM presenters, in order of review: Grenada (GRD), Guinea (GIN), "
                   "Guinea-Bissau (GNB), Guyana (GUY), Kenya (KEN), Kuwait (KWT), Lesotho (LSO), "
                   "Lao People's Democratic Republic (LAO)",
        stage="Briefing: 2 confirmed briefings:",
        first="Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST",
        second="Wed 23 Apr 2025, 10:00 CEST – 11:30 CEST",
        answers="Missions' answers: 0 accepted · 0 tentative · 0 declined · 4 no answer yet",
        slots="Presenters' slots: KEN Awaiting confirmation, KWT Awaiting confirmation, "
              "LSO Awaiting confirmation, LAO Awaiting confirmation",
        fifty="3 Nov – 14 Nov 2025 · cycle 4 · starts in 245 days",
        outbox="Outbox Waiting to be sent: 0 Failed: 16 Sent: 0",
        past="20 Jan – 31 Jan 2025 · cycle 4 Past"),
    "fr": dict(
        session="Session {} de l'EPU", today="Nous sommes le lundi 3 mars 2025 à Genève.",
        lines=["16 messages en échec — réessayer",
               f"Réunion d'information du mardi 22 avril 2025{NBSP}: 4 missions qui présentent "
               "n'ont pas confirmé leur créneau (GRD, GIN, GNB, GUY)",
               f"Réunion d'information du mercredi 23 avril 2025{NBSP}: 4 missions qui "
               "présentent n'ont pas confirmé leur créneau (KEN, KWT, LSO, LAO)",
               "Proposer des horaires de réunion d'information pour la session 50",
               "Proposer des horaires de réunion d'information pour la session 51",
               f"Session 50{NBSP}: aucune fermeture de l'ONU Genève saisie pour 2025",
               f"Session 51{NBSP}: aucune fermeture de l'ONU Genève saisie pour 2025 ou 2026"],
        meta="28 avr.\u2009–\u20099 mai 2025 · cycle 4 · commence dans 56 jours",
        presenters=f"États du MNA qui présentent, dans l'ordre d'examen{NBSP}: Grenada (GRD), "
                   "Guinea (GIN), Guinea-Bissau (GNB), Guyana (GUY), Kenya (KEN), Kuwait (KWT), "
                   "Lesotho (LSO), Lao People's Democratic Republic (LAO)",
        stage=f"Réunion d'information{NBSP}: 2 réunions d'information confirmées{NBSP}:",
        first="mardi 22 avril 2025, 10\u00a0h\u00a000 – 11\u00a0h\u00a030",
        second="mercredi 23 avril 2025, 10\u00a0h\u00a000 – 11\u00a0h\u00a030",
        answers=f"Réponses des missions{NBSP}: 0 acceptation · 0 réponse provisoire · 0 refus · "
                "4 sans réponse",
        slots=f"Créneaux de présentation{NBSP}: KEN En attente de confirmation, KWT En attente "
              "de confirmation, LSO En attente de confirmation, LAO En attente de confirmation",
        fifty="3–14 nov. 2025 · cycle 4 · commence dans 245 jours",
        outbox=f"Boîte d'envoi En attente d'envoi{NBSP}: 0 En échec{NBSP}: 16 "
               f"Envoyés{NBSP}: 0",
        past="20–31 janv. 2025 · cycle 4 Terminée"),
    "es": dict(
        session="Período de sesiones {} del EPU",
        today="En Ginebra, hoy es lunes, 3 de marzo de 2025.",
        lines=["16 mensajes fallidos — reintentar",
               "Reunión informativa del martes, 22 de abril de 2025: 4 misiones que presentan "
               "no han confirmado su turno (GRD, GIN, GNB, GUY)",
               "Reunión informativa del miércoles, 23 de abril de 2025: 4 misiones que "
               "presentan no han confirmado su turno (KEN, KWT, LSO, LAO)",
               "Proponer horarios de reunión informativa para el período de sesiones 50",
               "Proponer horarios de reunión informativa para el período de sesiones 51",
               "Período de sesiones 50: no se ha registrado ningún cierre de la ONU Ginebra "
               "para 2025",
               "Período de sesiones 51: no se ha registrado ningún cierre de la ONU Ginebra "
               "para 2025 o 2026"],
        meta="28 abr\u2009–\u20099 may 2025 · ciclo 4 · comienza dentro de 56 días",
        presenters="Estados del MNOAL que presentan, por orden de examen: Grenada (GRD), "
                   "Guinea (GIN), Guinea-Bissau (GNB), Guyana (GUY), Kenya (KEN), Kuwait (KWT), "
                   "Lesotho (LSO), Lao People's Democratic Republic (LAO)",
        stage="Reunión informativa: 2 reuniones informativas confirmadas:",
        first="martes, 22 de abril de 2025, 10:00 – 11:30",
        second="miércoles, 23 de abril de 2025, 10:00 – 11:30",
        answers="Respuestas de las misiones: 0 aceptaciones · 0 respuestas provisionales · "
                "0 rechazos · 4 sin respuesta",
        slots="Turnos de presentación: KEN Pendiente de confirmación, KWT Pendiente de "
              "confirmación, LSO Pendiente de confirmación, LAO Pendiente de confirmación",
        fifty="3–14 nov 2025 · ciclo 4 · comienza dentro de 245 días",
        outbox="Bandeja de salida Pendientes de envío: 0 Fallidos: 16 Enviados: 0",
        past="20–31 ene 2025 · ciclo 4 Concluido"),
    "ar": dict(
        session="الدورة {} للاستعراض الدوري الشامل",
        today="اليوم هو الاثنين، 3 مارس 2025 في جنيف.",
        lines=["تعذّر إرسال 16 رسالة — أعيدوا المحاولة",
               "إحاطة يوم الثلاثاء، 22 أبريل 2025: لم تؤكد 4 بعثات مقدِّمة موعد عرضها "
               "(GRD، GIN، GNB، GUY)",
               "إحاطة يوم الأربعاء، 23 أبريل 2025: لم تؤكد 4 بعثات مقدِّمة موعد عرضها "
               "(KEN، KWT، LSO، LAO)",
               "اقتراح مواعيد الإحاطة الخاصة بالدورة 50",
               "اقتراح مواعيد الإحاطة الخاصة بالدورة 51",
               "الدورة 50: لم يُسجَّل أي إغلاق للأمم المتحدة في جنيف لعام 2025",
               "الدورة 51: لم يُسجَّل أي إغلاق للأمم المتحدة في جنيف لعام 2025 أو 2026"],
        meta="28 أبريل – 9 مايو 2025 · الجولة 4 · تبدأ بعد 56 يومًا",
        # (visible() leaves a space where the <strong> and <span> tags were, before "،")
        presenters="الدول المقدِّمة من أعضاء حركة عدم الانحياز ، حسب ترتيب الاستعراض: "
                   "Grenada (GRD) ، Guinea (GIN) ، Guinea-Bissau (GNB) ، Guyana (GUY) ، "
                   "Kenya (KEN) ، Kuwait (KWT) ، Lesotho (LSO) ، "
                   "Lao People's Democratic Republic (LAO)",
        stage="الإحاطة: إحاطتان مؤكدتان:",
        first="الثلاثاء، 22 أبريل 2025، 10:00 – 11:30",
        second="الأربعاء، 23 أبريل 2025، 10:00 – 11:30",
        answers="ردود البعثات: قبول 0 · مبدئي 0 · اعتذار 0 · لم تردّ بعد 4",
        slots="مواعيد العرض: KEN في انتظار التأكيد ، KWT في انتظار التأكيد ، "
              "LSO في انتظار التأكيد ، LAO في انتظار التأكيد",
        fifty="3–14 نوفمبر 2025 · الجولة 4 · تبدأ بعد 245 يومًا",
        outbox="صندوق الصادر في انتظار الإرسال: 0 تعذّر إرسالها: 16 أُرسلت: 0",
        past="20–31 يناير 2025 · الجولة 4 منتهية"),
}


@pytest.fixture
def refused(app, smtp_server):
    """Session 49 confirmed ("today" 3 March 2025), its 16 invitations refused for good."""
    briefings_made = sorted(confirm_session_49(app), key=lambda briefing: briefing.start_at)
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    assert outbox.deliver_all(ignore_backoff=True).failed == 16
    return briefings_made


@pytest.mark.parametrize("language", LANGUAGES)
def test_needs_action_and_the_session_cards_with_real_data(client, login, refused, language):
    first, second = refused
    words = CONFIRMED[language]
    login("editor")
    html = page(client, f"/?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert visible(html.split('<p class="muted">')[1].split("</p>")[0]) == words["today"]
    assert items(html) == words["lines"]
    lines = words["lines"]
    assert links(html) == {lines[0]: "/outbox?status=failed",
                           lines[1]: f"/briefings/{first.id}",
                           lines[2]: f"/briefings/{second.id}",
                           lines[3]: "/sessions/50#briefing", lines[4]: "/sessions/51#briefing",
                           lines[5]: "/busy", lines[6]: "/busy"}
    upcoming = section(html, "next-heading")
    card, rest = upcoming.split(words["session"].format(50))
    assert card.split(words["session"].format(49))[1].strip().startswith(words["meta"])
    assert words["presenters"] in card
    assert words["stage"] in card
    one, two = card.split(words["first"])[1].split(words["second"])
    assert one.strip().startswith(words["answers"]) and two.strip().startswith(words["answers"])
    assert words["slots"] in two
    assert rest.strip().startswith(words["fifty"])
    assert f'<a href="/sessions/49">{words["session"].format(49)}</a>' in unescape(html)
    assert f'href="/briefings/{first.id}"' in html
    assert section(html, "outbox-heading") == words["outbox"]
    assert 'href="/outbox?status=failed" class="is-failed"' in html
    recent = section(html, "recent-heading")
    assert recent.split(words["session"].format(48))[1].strip().startswith(words["past"])


#: the same with answers, a moved session, one message refused and 17 waiting for the relay
ANSWERED = {
    "fr": dict(
        lines=["1 message en échec — réessayer",
               "17 messages en attente du relais de messagerie, injoignable — ils partiront "
               "d'eux-mêmes dès le retour du relais",
               "Réunion d'information du mardi 22 avril 2025 (session 49) à "
               f"réexaminer{NBSP}: les dates de la session ont changé",
               f"Réunion d'information du mardi 22 avril 2025{NBSP}: 3 missions qui présentent "
               "n'ont pas confirmé leur créneau (GRD, GIN, GNB)",
               "Réunion d'information du mercredi 23 avril 2025 (session 49) à "
               f"réexaminer{NBSP}: les dates de la session ont changé",
               f"Réunion d'information du mercredi 23 avril 2025{NBSP}: 2 missions qui "
               "présentent n'ont pas confirmé leur créneau (KWT, LSO)"],
        meta="5–16 mai 2025 · cycle 4 · commence dans 63 jours",
        first="mardi 22 avril 2025, 10\u00a0h\u00a000 – 11\u00a0h\u00a030 À réexaminer "
              f"Réponses des missions{NBSP}: 1 acceptation · 0 réponse provisoire · 0 refus · "
              f"3 sans réponse Créneaux de présentation{NBSP}: GRD En attente de confirmation, "
              "GIN En attente de confirmation, GNB En attente de confirmation, GUY Confirmé",
        second="mercredi 23 avril 2025, 10\u00a0h\u00a000 – 11\u00a0h\u00a030 À réexaminer "
               f"Réponses des missions{NBSP}: 2 acceptations · 0 réponse provisoire · 1 refus · "
               f"1 sans réponse Créneaux de présentation{NBSP}: KEN Confirmé, KWT En attente de "
               "confirmation, LSO En attente de confirmation, LAO Confirmé",
        outbox=f"Boîte d'envoi En attente d'envoi{NBSP}: 0 En attente du relais de "
               f"messagerie{NBSP}: 17 En échec{NBSP}: 1 Envoyés{NBSP}: 0"),
    "es": dict(
        lines=["1 mensaje fallido — reintentar",
               "17 mensajes en espera del servidor de correo, al que no se puede acceder — "
               "saldrán automáticamente cuando vuelva a estar disponible",
               "Reunión informativa del martes, 22 de abril de 2025 (período de sesiones 49) "
               "marcada para revisión tras el cambio de fechas del período de sesiones",
               "Reunión informativa del martes, 22 de abril de 2025: 3 misiones que presentan "
               "no han confirmado su turno (GRD, GIN, GNB)",
               "Reunión informativa del miércoles, 23 de abril de 2025 (período de sesiones 49) "
               "marcada para revisión tras el cambio de fechas del período de sesiones",
               "Reunión informativa del miércoles, 23 de abril de 2025: 2 misiones que "
               "presentan no han confirmado su turno (KWT, LSO)"],
        meta="5–16 may 2025 · ciclo 4 · comienza dentro de 63 días",
        first="martes, 22 de abril de 2025, 10:00 – 11:30 Requiere revisión "
              "Respuestas de las misiones: 1 aceptación · 0 respuestas provisionales · "
              "0 rechazos · 3 sin respuesta Turnos de presentación: GRD Pendiente de "
              "confirmación, GIN Pendiente de confirmación, GNB Pendiente de confirmación, "
              "GUY Confirmado",
        second="miércoles, 23 de abril de 2025, 10:00 – 11:30 Requiere revisión "
               "Respuestas de las misiones: 2 aceptaciones · 0 respuestas provisionales · "
               "1 rechazo · 1 sin respuesta Turnos de presentación: KEN Confirmado, "
               "KWT Pendiente de confirmación, LSO Pendiente de confirmación, LAO Confirmado",
        outbox="Bandeja de salida Pendientes de envío: 0 En espera del servidor de correo: 17 "
               "Fallidos: 1 Enviados: 0"),
    "ar": dict(
        lines=["تعذّر إرسال رسالة واحدة — أعيدوا المحاولة",
               "17 رسالة في انتظار خادم البريد، الذي يتعذّر الوصول إليه — ستُرسل تلقائيًا عند "
               "عودته",
               "إحاطة يوم الثلاثاء، 22 أبريل 2025 (الدورة 49) تحتاج إلى مراجعة بعد تغيّر مواعيد "
               "الدورة",
               "إحاطة يوم الثلاثاء، 22 أبريل 2025: لم تؤكد 3 بعثات مقدِّمة موعد عرضها "
               "(GRD، GIN، GNB)",
               "إحاطة يوم الأربعاء، 23 أبريل 2025 (الدورة 49) تحتاج إلى مراجعة بعد تغيّر مواعيد "
               "الدورة",
               "إحاطة يوم الأربعاء، 23 أبريل 2025: لم تؤكد بعثتان مقدِّمتان موعد عرضهما "
               "(KWT، LSO)"],
        meta="5–16 مايو 2025 · الجولة 4 · تبدأ بعد 63 يومًا",
        first="الثلاثاء، 22 أبريل 2025، 10:00 – 11:30 تحتاج إلى مراجعة "
              "ردود البعثات: قبول 1 · مبدئي 0 · اعتذار 0 · لم تردّ بعد 3 "
              "مواعيد العرض: GRD في انتظار التأكيد ، GIN في انتظار التأكيد ، "
              "GNB في انتظار التأكيد ، GUY مؤكَّد",
        second="الأربعاء، 23 أبريل 2025، 10:00 – 11:30 تحتاج إلى مراجعة "
               "ردود البعثات: قبول 2 · مبدئي 0 · اعتذار 1 · لم تردّ بعد 1 "
               "مواعيد العرض: KEN مؤكَّد ، KWT في انتظار التأكيد ، LSO في انتظار التأكيد ، "
               "LAO مؤكَّد",
        outbox="صندوق الصادر في انتظار الإرسال: 0 في انتظار خادم البريد: 17 تعذّر إرسالها: 1 "
               "أُرسلت: 0"),
}


@pytest.fixture
def answered(app, smtp_server):
    """A notice refused for good (550); session 49 confirmed, Guyana, Kenya and Lao PDR
    confirming their slots (India declining); the session moved a week later (its briefings
    flagged for review, the secretariat told); the relay then down: 17 messages waiting for
    it (the 16 invitations and the notice)."""
    from tests.conftest import free_port

    outbox.enqueue("notice", "notice:test:refused", "nobody@gone.example.org",
                   "Proposals for UPR50", "New proposals are ready.")
    db.session.commit()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    assert outbox.deliver_all(ignore_backoff=True).failed == 1
    first, second = sorted(confirm_session_49(app), key=lambda briefing: briefing.start_at)
    for briefing, email, answer in [(first, "upr@guy.example.org", "accept"),
                                    (second, "upr@ken.example.org", "accept"),
                                    (second, "upr@lao.example.org", "accept"),
                                    (second, "upr@ind.example.org", "decline")]:
        briefings.answer_by_link(invitations.rsvp_token(invitation_for(briefing, email)), answer)
    sessions.update_session(49, 4, date(2025, 5, 5), date(2025, 5, 16), SECRETARIAT)
    app.extensions["mail"].port = free_port()  # nothing listens there: the relay is down
    outbox.deliver_all(ignore_backoff=True)
    assert outbox.status_counts() == {"pending": 0, "sending": 0, "waiting": 17, "sent": 0,
                                      "failed": 1, "withdrawn": 0}
    return first, second


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_singulars_plurals_answers_and_reviews_in_each_language(client, login, answered,
                                                                language):
    first, second = answered
    words = ANSWERED[language]
    login("viewer")
    html = page(client, f"/?lang={language}")
    lines = words["lines"]
    assert items(html) == lines + CONFIRMED[language]["lines"][3:]  # then sessions 50 and 51
    assert links(html) == {lines[0]: "/outbox?status=failed",
                           lines[1]: "/outbox?status=waiting",
                           lines[2]: f"/briefings/{first.id}", lines[3]: f"/briefings/{first.id}",
                           lines[4]: f"/briefings/{second.id}",
                           lines[5]: f"/briefings/{second.id}",
                           **{line: url for line, url in zip(
                               CONFIRMED[language]["lines"][3:5],
                               ["/sessions/50#briefing", "/sessions/51#briefing"])}}
    session = CONFIRMED[language]["session"]
    card = section(html, "next-heading").split(session.format(50))[0]
    assert card.split(session.format(49))[1].strip().startswith(words["meta"])
    assert words["first"] in card and words["second"] in card
    assert section(html, "outbox-heading") == words["outbox"]


# --- the login page ------------------------------------------------------------------------

#: the login page's words, its refusal of a wrong password, and the pages after it
LOGIN = {
    "en": dict(
        title="Log in · NAM Briefings", h1="Log in",
        intro="Secretariat of the NAM Chairmanship in Geneva: pre-UPR ambassadorial briefings.",
        email="E-mail address", password="Password",
        summary="Please correct this; nothing was saved:",
        wrong="Wrong e-mail address or password.", summary_item="Password: {}",
        blank=["Give your e-mail address.", "Give your password."],
        welcome="Welcome, {}.", logged_out="You are logged out.", dashboard="Dashboard"),
    "fr": dict(
        title="Se connecter · Réunions d'information du MNA", h1="Se connecter",
        intro=f"Secrétariat de la présidence du MNA à Genève{NBSP}: réunions d'information des "
              "ambassadeurs avant l'EPU.",
        email="Adresse électronique", password="Mot de passe",
        summary=f"Veuillez corriger ce qui suit{NBSP}; rien n'a été enregistré{NBSP}:",
        wrong="Adresse électronique ou mot de passe incorrect.",
        summary_item=f"Mot de passe{NBSP}: {{}}",
        blank=["Indiquez votre adresse électronique.", "Indiquez votre mot de passe."],
        welcome="Bienvenue, {}.", logged_out="Déconnexion effectuée.",
        dashboard="Tableau de bord"),
    "es": dict(
        title="Iniciar sesión · Reuniones informativas del MNOAL", h1="Iniciar sesión",
        intro="Secretaría de la Presidencia del MNOAL en Ginebra: reuniones informativas de "
              "embajadores previas al EPU.",
        email="Dirección de correo electrónico", password="Contraseña",
        summary="Corrija lo siguiente; no se ha guardado nada:",
        wrong="Dirección de correo electrónico o contraseña incorrecta.",
        summary_item="Contraseña: {}",
        blank=None, welcome="Le damos la bienvenida, {}.", logged_out="Ha cerrado la sesión.",
        dashboard="Panel"),
    "ar": dict(
        title="تسجيل الدخول · إحاطات حركة عدم الانحياز", h1="تسجيل الدخول",
        intro="أمانة رئاسة حركة عدم الانحياز في جنيف: إحاطات على مستوى السفراء قبل الاستعراض "
              "الدوري الشامل.",
        email="عنوان البريد الإلكتروني", password="كلمة المرور",
        summary="يرجى تصحيح ما يلي؛ لم يُحفظ أي شيء:",
        wrong="عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة.",
        summary_item="كلمة المرور: {}",
        blank=["أدخلوا عنوان بريدكم الإلكتروني.", "أدخلوا كلمة المرور."],
        welcome="مرحبًا، {}.", logged_out="تم تسجيل خروجكم.", dashboard="لوحة المتابعة"),
}
EMAIL = "ed@chair.example.org"


def flashes(html: str) -> list[str]:
    return [visible(message) for message in
            re.findall(r'<p class="flash flash--\w+">(.*?)</p>', html, re.S)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_page_its_refusal_and_the_way_in_and_out(app, client, language):
    words = LOGIN[language]
    create_user(email=EMAIL, role="editor", password=PASSWORD)
    html = page(client, f"/login?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert title(html) == words["title"]
    assert f"<h1>{words['h1']}</h1>" in html
    assert visible(html.split("<h1>")[1].split("<p>")[1].split("</p>")[0]) == words["intro"]
    assert f'<label for="email">{words["email"]}</label>' in html
    assert f'<label for="password">{words["password"]}</label>' in html
    assert f'<button type="submit" class="button">{words["h1"]}</button>' in html
    assert [current for *_, current in switcher(html)] == \
        [code == language for code, _ in NATIVE]
    assert ('<nav aria-label=' not in html) and "Log out" not in html  # not logged in
    # a wrong password: said next to the field and in the summary, in the same language
    wrong = attempt(client, EMAIL, "not the password")  # GET /login: the language is kept
    assert wrong.status_code == 200
    html = wrong.get_data(as_text=True)
    assert language_of(html)[0] == language
    assert field_error(html, "password") == words["wrong"]
    summary = html.split('class="error-summary__heading">')[1].split("</div>")[0]
    assert visible(summary) == f"{words['summary']} {words['summary_item'].format(words['wrong'])}"
    if words["blank"]:
        blank = attempt(client, "", "").get_data(as_text=True)
        assert [field_error(blank, "email"), field_error(blank, "password")] == words["blank"]
    # the right one: the dashboard, in the language chosen on the login page
    right = attempt(client, EMAIL, PASSWORD)
    assert right.status_code == 302 and right.location == "/"
    html = page(client, "/")
    assert language_of(html)[0] == language and f"<h1>{words['dashboard']}</h1>" in html
    assert flashes(html) == [words["welcome"].format(EMAIL)]
    # and out again, still in that language
    forget_loaded_user()
    out = client.post("/logout", data={"csrf_token": csrf_token_from(html)}, headers=HTML)
    end_request()
    assert out.status_code == 302 and out.location == "/login"
    html = page(client, "/login")
    assert language_of(html)[0] == language and flashes(html) == [words["logged_out"]]


#: "Too many attempts: try again in N minute(s)." and why, in each language
PAUSED = {
    "en": "Logins for this account or from this computer are paused after several wrong "
          "passwords; your password was not checked.",
    "fr": "Les connexions à ce compte ou depuis cet ordinateur sont suspendues après plusieurs "
          f"mots de passe erronés{NBSP}; votre mot de passe n'a pas été vérifié.",
    "es": "Los inicios de sesión en esta cuenta o desde este equipo se suspenden tras varias "
          "contraseñas incorrectas; su contraseña no se ha comprobado.",
    "ar": "يُعلَّق تسجيل الدخول إلى هذا الحساب أو من هذا الحاسوب بعد عدة محاولات بكلمة مرور "
          "خاطئة؛ ولم يُتحقَّق من كلمة المرور التي أدخلتموها.",
}


#: (language, first block in seconds, what the page says): each plural form
WAITS = [
    ("en", 120, "Too many attempts: try again in 2 minutes."),
    ("fr", 300, f"Trop de tentatives{NBSP}: réessayez dans 5 minutes."),
    ("es", 60, "Demasiados intentos: vuelva a intentarlo dentro de 1 minuto."),
    ("ar", 60, "محاولات كثيرة جدًا: أعيدوا المحاولة بعد دقيقة واحدة."),
    ("ar", 120, "محاولات كثيرة جدًا: أعيدوا المحاولة بعد دقيقتين."),
    ("ar", 300, "محاولات كثيرة جدًا: أعيدوا المحاولة بعد 5 دقائق."),
    ("ar", 900, "محاولات كثيرة جدًا: أعيدوا المحاولة بعد 15 دقيقة."),
]


@pytest.mark.parametrize("language, block, message", WAITS,
                         ids=[f"{language}-{block // 60}min" for language, block, _ in WAITS])
def test_too_many_attempts_says_how_long_to_wait_in_each_language(app, client, language,
                                                                  block, message):
    app.config["LOGIN_FIRST_BLOCK_SECONDS"] = block
    create_user(email=EMAIL, password=PASSWORD)
    page(client, f"/login?lang={language}")
    statuses = [attempt(client, EMAIL, f"guess {n}").status_code for n in range(5)]
    assert statuses == [200] * 4 + [429]  # the fifth wrong password starts the wait
    blocked = attempt(client, EMAIL, PASSWORD)  # the right password, too late
    assert blocked.status_code == 429
    assert block - 5 <= int(blocked.headers["Retry-After"]) <= block  # seconds left
    html = blocked.get_data(as_text=True)
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    said = html.split('id="login-blocked"')[1].split("</div>")[0]
    assert visible(said.split(">", 1)[1]) == f"{message} {PAUSED[language]}"


# --- the 503 page ---------------------------------------------------------------------------


@pytest.mark.parametrize("header, language, title, message", [
    ("fr-CH, fr;q=0.9", "fr", "Service indisponible",
     "La base de données est injoignable\u00a0; réessayez dans une minute."),
    ("es", "es", "Servicio no disponible",
     "No se puede acceder a la base de datos; vuelva a intentarlo dentro de un minuto."),
    ("ar", "ar", "الخدمة غير متاحة",
     "يتعذّر الوصول إلى قاعدة البيانات؛ أعيدوا المحاولة بعد دقيقة."),
    ("de", "en", "Service unavailable", "The database is not reachable; try again in a minute."),
])
def test_the_503_page_follows_the_browser_without_the_database(tmp_path, header, language,
                                                               title, message):
    directory = tmp_path / "not-a-file.sqlite3"
    directory.mkdir()  # cannot be opened as a database
    broken = create_app(app_config(f"sqlite:///{directory}"))
    client = broken.test_client()
    response = client.get("/feeds/upr.ics", headers={**HTML, "Accept-Language": header})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    assert f"<h1>{title} <span" in html and message in html
    # a script asking for JSON reads the English
    response = client.get("/feeds/upr.ics", headers={"Accept": "application/json",
                                                     "Accept-Language": header})
    assert response.get_json() == {"error": "The database is not reachable; try again in a "
                                            "minute."}
