"""The services' refusals in the page's language (issue 15, point 4): a refusal that carries
values (a busy period ending before it starts, a room of 20 000 seats, a contact's e-mail
address already listed, the last administrator) is shown on its page in French, Spanish
and Arabic with its values filled in, and reads in English exactly as before (the English
text is also what the CLI prints: `str(error)`).

"Today" is Monday 1 March 2027. Guyana's mission has one contact; there is one room.
"""
from __future__ import annotations

import re
from datetime import date, time
from html import unescape

import pytest

from nam_briefings import i18n
from nam_briefings.domain.errors import DomainError, Invalid
from nam_briefings.domain.validation import normalise_email
from nam_briefings.extensions import db
from nam_briefings.models import User
from nam_briefings.services import busy, calendar, missions, rooms, states, users
from nam_briefings.services.audit import Actor
from tests.factories import create_contact, create_mission, create_room, create_state
from tests.integration.web_helpers import HTML, end_request, field_error, post, visible

NBSP = "\u00a0"  # French typography: before ":" and ";", inside « »
LANGUAGES = ("fr", "es", "ar")
ADMIN = "admin@chair.example.org"
EDITOR = Actor("editor@chair.example.org")
TAKEN = "jane.doe@guyana.example.org"


@pytest.fixture
def directory(app):
    app.config["TODAY"] = date(2027, 3, 1)
    create_state("GUY", "Guyana", "member")
    mission = create_mission("GUY", name="Permanent Mission of Guyana")
    create_contact(mission, "H.E. Ms. Jane Doe", "ambassador", email=TAKEN)
    create_room("Room XXIV", 150)


def html_of(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.get_data(as_text=True)


def summary(html: str) -> list[str]:
    """The items of the error summary, as read."""
    block = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def flashes(client, url: str) -> str:
    """The page at `url` as read (its flash messages among it)."""
    response = client.get(url, headers=HTML)
    end_request()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


# --- busy periods ----------------------------------------------------------------------------

ENDS_BEFORE = {
    "en": "the last day 2027-03-08 is before the first day 2027-03-10",
    "fr": "le dernier jour (2027-03-08) est antérieur au premier jour (2027-03-10)",
    "es": "el último día (2027-03-08) es anterior al primer día (2027-03-10)",
    "ar": "اليوم الأخير (2027-03-08) يسبق اليوم الأول (2027-03-10)",
}
HOURS_BACKWARDS = {
    "en": "the end time 10:00 is not after the start 12:00",
    "fr": "l'heure de fin (10:00) n'est pas postérieure à l'heure de début (12:00)",
    "es": "la hora de fin (10:00) no es posterior a la hora de inicio (12:00)",
    "ar": "وقت الانتهاء (10:00) ليس بعد وقت البدء (12:00)",
}
ROOM_AND_MISSION = {
    "en": "a busy period concerns a mission or a room, not both",
    "fr": "une période d'indisponibilité concerne une mission ou une salle, pas les deux",
    "es": "un período de indisponibilidad se refiere a una misión o a una sala, no a ambas",
    "ar": "تخص فترة الانشغال بعثةً أو قاعةً، لا الاثنتين معًا",
}


def busy_form(**fields) -> dict:
    return {"kind": "closure", "label": "UN Geneva closure", "first_day": "2027-03-10",
            "last_day": "", "start_time": "", "end_time": "", "room": "", "mission": "",
            **fields}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_a_busy_period_refused_in_the_pages_language(client, login, directory, language):
    login("editor")
    url = f"/busy/new?lang={language}"
    html = html_of(post(client, url, busy_form(last_day="2027-03-08")))
    assert field_error(html, "last_day") == ENDS_BEFORE[language]
    html = html_of(post(client, url, busy_form(kind="meeting", start_time="12:00",
                                               end_time="10:00")))
    assert field_error(html, "end_time") == HOURS_BACKWARDS[language]
    html = html_of(post(client, url, busy_form(kind="meeting", room="Room XXIV",
                                               mission="GUY")))
    assert field_error(html, "mission") == ROOM_AND_MISSION[language]
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html


# --- rooms -----------------------------------------------------------------------------------

NO_SEATS = {
    "en": "A room seats at least one person.",
    "fr": "Une salle doit pouvoir accueillir au moins une personne.",
    "es": "Una sala debe tener capacidad para al menos una persona.",
    "ar": "يجب أن تتسع القاعة لشخص واحد على الأقل.",
}
TOO_MANY_SEATS = {
    "en": "20000 seats is more than any room has: check the number.",
    "fr": f"Aucune salle ne compte 20000 places{NBSP}: vérifiez le nombre.",
    "es": "Ninguna sala tiene 20000 plazas: compruebe el número.",
    "ar": "عدد المقاعد (20000) يفوق سعة أي قاعة: تحققوا من العدد.",
}
NAME_TAKEN = {
    "en": "A room named 'Room XXIV' already exists.",
    "fr": "Il existe déjà une salle nommée 'Room XXIV'.",
    "es": "Ya existe una sala llamada 'Room XXIV'.",
    "ar": "توجد بالفعل قاعة باسم 'Room XXIV'.",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_a_room_refused_in_the_pages_language(client, login, directory, language):
    login("editor")
    url = f"/rooms/new?lang={language}"
    html = html_of(post(client, url, {"name": "Room XXV", "capacity": "0", "location": ""}))
    assert field_error(html, "capacity") == NO_SEATS[language]
    html = html_of(post(client, url, {"name": "Room XXV", "capacity": "20000", "location": ""}))
    assert field_error(html, "capacity") == TOO_MANY_SEATS[language]
    html = html_of(post(client, url, {"name": "Room XXIV", "capacity": "20", "location": ""}))
    assert field_error(html, "name") == NAME_TAKEN[language]


# --- missions and contacts -------------------------------------------------------------------

EMAIL_TAKEN = {
    "en": f"{TAKEN} is already a contact of this mission.",
    "fr": f"{TAKEN} figure déjà parmi les contacts de cette mission.",
    "es": f"{TAKEN} ya figura entre los contactos de esta misión.",
    "ar": f"العنوان {TAKEN} مسجَّل بالفعل ضمن جهات الاتصال لهذه البعثة.",
}
BOTH_WEEKDAYS = {  # the days' names are the domain's English ones
    "en": "Monday, Friday cannot be both preferred and avoided",
    "fr": f"un même jour ne peut pas être à la fois à privilégier et à éviter{NBSP}: "
          "Monday, Friday",
    "es": "un mismo día no puede ser a la vez preferido y evitado: Monday, Friday",
    "ar": "لا يمكن أن يكون اليوم مفضلًا وواجب التجنب في آن واحد: Monday, Friday",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_a_contact_refused_in_the_pages_language(client, login, directory, language):
    login("editor")
    html = html_of(post(client, f"/missions/GUY/contacts/new?lang={language}", {
        "name": "Mr. John Roe", "role": "deputy", "email": TAKEN.upper(), "language": "en"}))
    assert field_error(html, "email") == EMAIL_TAKEN[language]
    html = html_of(post(client, f"/missions/GUY/edit?lang={language}", {
        "name": "Permanent Mission of Guyana", "email": "mission.guy@example.org",
        "preferred_weekdays": ["0", "4"], "avoided_weekdays": ["0", "4"]}))
    assert field_error(html, "avoided_weekdays") == BOTH_WEEKDAYS[language]


# --- accounts --------------------------------------------------------------------------------

LAST_ADMIN_ROLE = {
    "en": f"{ADMIN} is the last active administrator: make another user an administrator "
          "before you take the administrator role from this account",
    "fr": f"{ADMIN} est le dernier administrateur actif{NBSP}: donnez la fonction "
          "d'administrateur à un autre utilisateur avant de la retirer à ce compte",
    "es": f"{ADMIN} es el último administrador activo: asigne la función de administrador a "
          "otro usuario antes de retirársela a esta cuenta",
    "ar": f"{ADMIN} هو آخر مشرف نشط: امنحوا صفة المشرف لمستخدم آخر قبل سحبها من هذا الحساب",
}
LAST_ADMIN_ACTIVE = {
    "en": "Admin@chair.example.org is the last active administrator: make another user an "
          "administrator before you deactivate this account. Nothing was changed.",
    "fr": "Admin@chair.example.org est le dernier administrateur actif : donnez la fonction "
          "d'administrateur à un autre utilisateur avant de désactiver ce compte. Rien n'a été "
          "modifié.",
    "es": "Admin@chair.example.org es el último administrador activo: asigne la función de "
          "administrador a otro usuario antes de desactivar esta cuenta. No se ha modificado "
          "nada.",
    "ar": "Admin@chair.example.org هو آخر مشرف نشط: امنحوا صفة المشرف لمستخدم آخر قبل تعطيل "
          "هذا الحساب. لم يُغيَّر أي شيء.",
}
USER_TAKEN = {
    "en": f"a user {ADMIN} already exists",
    "fr": f"un utilisateur {ADMIN} existe déjà",
    "es": f"ya existe un usuario {ADMIN}",
    "ar": f"يوجد بالفعل مستخدم بالعنوان {ADMIN}",
}
REPEATED_PASSWORD = {
    "en": "the password repeats a few characters or a shorter part (like aaaa or abcabc): "
          "choose a longer passphrase, e.g. a few unrelated words",
    "fr": "le mot de passe répète quelques caractères ou un fragment plus court (comme aaaa "
          f"ou abcabc){NBSP}: choisissez une phrase de passe plus longue, p. ex. quelques mots "
          "sans rapport entre eux",
    "es": "la contraseña repite unos pocos caracteres o una parte más corta (como aaaa o "
          "abcabc): elija una frase de contraseña más larga, p. ej., unas cuantas palabras sin "
          "relación entre sí",
    "ar": "تكرر كلمة المرور بضعة أحرف أو جزءًا أقصر منها (مثل aaaa أو abcabc): اختاروا عبارة "
          "مرور أطول، مثل بضع كلمات لا رابط بينها",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_last_administrator_in_the_pages_language(client, login, directory, language):
    login("admin", email=ADMIN)
    me = db.session.scalar(db.select(User.id).filter_by(email=ADMIN))
    html = html_of(post(client, f"/admin/users/{me}/role?lang={language}", {"role": "editor"}))
    assert LAST_ADMIN_ROLE[language] in summary(html)
    response = post(client, f"/admin/users/{me}/deactivate?lang={language}")
    assert response.status_code == 302
    # the flash's text collapsed (the no-break space too: \s)
    shown = flashes(client, f"/admin/users/{me}").replace(NBSP, " ")
    assert LAST_ADMIN_ACTIVE[language] in shown
    assert db.session.get(User, me).active and db.session.get(User, me).role == "admin"


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_an_account_refused_in_the_pages_language(client, login, directory, language):
    login("admin", email=ADMIN)
    url = f"/admin/users?lang={language}"
    html = html_of(post(client, url, {"email": ADMIN, "role": "viewer",
                                      "password": "several unrelated words here"}))
    assert field_error(html, "email") == USER_TAKEN[language]
    html = html_of(post(client, url, {"email": "new@chair.example.org", "role": "viewer",
                                      "password": "abcdeabcdeabcde"}))
    assert field_error(html, "password") == REPEATED_PASSWORD[language]


# --- every other refusal of these services: its template is translated, its values kept -------

def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def test_the_refusals_the_pages_seldom_show_are_translated_too(app, directory):
    """The CLI's and a hand-made request's refusals: their English text is as before, and
    their template with the values in each language."""
    from flask_babel import force_locale

    cases = {
        lambda: missions.get_mission("XYZ"): (
            "There is no mission for the state 'XYZ'.",
            "Il n'existe pas de mission pour l'État 'XYZ'.",
            "No existe ninguna misión para el Estado 'XYZ'.",
            "لا توجد بعثة للدولة 'XYZ'."),
        lambda: missions.create_mission("GUY", "A mission", "a@example.org", EDITOR): (
            "Guyana already has a mission.", "Guyana a déjà une mission.",
            "Guyana ya tiene una misión.", "لدى Guyana بعثة بالفعل."),
        lambda: missions.update_mission("GUY", "x" * 301, "a@example.org", EDITOR): (
            "Keep the mission's name under 300 characters.",
            "Le nom de la mission ne doit pas dépasser 300 caractères.",
            "El nombre de la misión no debe superar los 300 caracteres.",
            "يجب ألا يتجاوز عدد أحرف اسم البعثة 300."),
        lambda: busy.add_busy_period("holiday", date(2027, 3, 1), date(2027, 3, 1), "x",
                                     EDITOR): (
            "kind 'holiday' must be one of hrc_session, closure, meeting, blackout",
            f"le type 'holiday' doit être l'un des suivants{NBSP}: hrc_session, closure, "
            "meeting, blackout",
            "el tipo 'holiday' debe ser uno de los siguientes: hrc_session, closure, meeting, "
            "blackout",
            "يجب أن يكون النوع 'holiday' أحد الأنواع التالية: hrc_session, closure, meeting, "
            "blackout"),
        lambda: busy.add_busy_period("meeting", date(2027, 3, 28), date(2027, 3, 28), "x",
                                     EDITOR, start_time=time(2, 30), end_time=time(3, 30)): (
            "2027-03-28 02:30 does not exist in Europe/Zurich (clock change)",
            "2027-03-28 02:30 n'existe pas dans le fuseau horaire Europe/Zurich (changement "
            "d'heure)",
            "2027-03-28 02:30 no existe en la zona horaria Europe/Zurich (cambio de hora)",
            "الوقت 2027-03-28 02:30 غير موجود في المنطقة الزمنية Europe/Zurich (بسبب تغيير "
            "التوقيت)"),
        lambda: busy.get_busy_period(999): (
            "no busy period with id 999",
            "aucune période d'indisponibilité ne porte l'identifiant 999",
            "no hay ningún período de indisponibilidad con el identificador 999",
            "لا توجد فترة انشغال بالمعرِّف 999"),
        lambda: rooms.get_room(42): (
            "There is no room 42.", "Il n'existe pas de salle numéro 42.",
            "No existe la sala número 42.", "لا توجد قاعة رقمها 42."),
        lambda: users.set_password("nobody@chair.example.org", "x", EDITOR): (
            "no user nobody@chair.example.org", "aucun utilisateur nobody@chair.example.org",
            "no existe el usuario nobody@chair.example.org",
            "لا يوجد مستخدم بالعنوان nobody@chair.example.org"),
        lambda: users.check_password_policy("short", ADMIN): (
            "the password must have at least 12 characters: choose a longer passphrase, e.g. "
            "a few unrelated words",
            f"le mot de passe doit compter au moins 12 caractères{NBSP}: choisissez une phrase "
            "de passe plus longue, p. ex. quelques mots sans rapport entre eux",
            "la contraseña debe tener al menos 12 caracteres: elija una frase de contraseña "
            "más larga, p. ej., unas cuantas palabras sin relación entre sí",
            "يجب أن تتألف كلمة المرور من 12 حرفًا على الأقل: اختاروا عبارة مرور أطول، مثل بضع "
            "كلمات لا رابط بينها"),
        lambda: states.roster(["friend"]): (
            "unknown NAM status 'friend': use one of member, observer, none",
            f"statut au sein du MNA inconnu ('friend'){NBSP}; utilisez l'un des "
            f"suivants{NBSP}: member, observer, none",
            "condición en el MNOAL desconocida ('friend'); utilice una de las siguientes: "
            "member, observer, none",
            "الوضع في حركة عدم الانحياز غير معروف ('friend')؛ استخدموا أحد الأوضاع التالية: "
            "member, observer, none"),
        lambda: calendar.import_review_order(99, ["KWT"], EDITOR): (
            "no UPR session 99", "il n'existe pas de session 99 de l'EPU",
            "no existe el período de sesiones 99 del EPU",
            "لا توجد الدورة 99 للاستعراض الدوري الشامل"),
        lambda: normalise_email(""): (
            "an e-mail address is required", "une adresse électronique est requise",
            "se requiere una dirección de correo electrónico", "عنوان البريد الإلكتروني مطلوب"),
    }
    for call, (english, *translations) in cases.items():
        error = refusal(call)
        assert str(error) == english
        with app.test_request_context():
            assert i18n.translated(error) == english
        for language, expected in zip(LANGUAGES, translations):
            with app.test_request_context(), force_locale(language):
                assert i18n.translated(error) == expected, (english, language)


def test_an_invalid_address_keeps_the_reason_of_the_validator(app):
    from flask_babel import force_locale

    error = refusal(lambda: normalise_email("jane@"))
    assert str(error).startswith("invalid e-mail address 'jane@': ")
    reason = error.params["reason"]  # email_validator's own words, in English
    assert str(error) == f"invalid e-mail address 'jane@': {reason}"
    with app.test_request_context(), force_locale("es"):
        assert i18n.translated(error) == (
            f"dirección de correo electrónico 'jane@' no válida: {reason}")
    # a contact's field keeps the template (the form shows it next to the address)
    with pytest.raises(Invalid) as raised:
        missions._email("jane@")
    assert raised.value.field == "email" and raised.value.template == error.template


#: the "Not found" page of an address no route matches: its title, then its sentence
NOT_FOUND = {"fr": ("Introuvable (404)", "Il n'y a rien à cette adresse."),
             "es": ("No encontrado (404)", "No hay nada en esta dirección."),
             "ar": ("غير موجود (404)", "لا يوجد شيء على هذا العنوان.")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_address_no_route_matches_is_not_found_in_the_browsers_language(client, language):
    response = client.get("/no/such/page", headers={"Accept-Language": f"{language},en;q=0.5"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}"' in html
    title, sentence = NOT_FOUND[language]
    assert title in visible(html) and sentence in visible(html), html
    end_request()


def test_an_address_no_route_matches_is_not_found_in_english_by_default(client):
    html = client.get("/no/such/page").get_data(as_text=True)
    assert '<html lang="en" dir="ltr"' in html and "There is nothing at this address." in html
    end_request()
