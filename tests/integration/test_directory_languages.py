"""The secretariat's directory pages in English, French, Spanish and Arabic (issue 15,
point 4): the missions list, a mission's page and its forms, the contact form, busy
periods and rooms, the calendars page, users and settings. Each has <html lang dir>
(Arabic right to left), its headings, labels, buttons, form choices, flash messages and
form errors in the page's language; the English pages read as before.

"Today" is Monday 1 March 2027. Guyana's mission has two contacts; two rooms (one
inactive); three busy periods: a closure over two whole days, the chair's meeting with
hours, and Guyana's blackout.
"""
from __future__ import annotations

import re
from datetime import date, time
from html import unescape

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import BusyPeriod, Contact, Room, User
from nam_briefings.services import busy
from nam_briefings.services.audit import Actor
from tests.factories import create_contact, create_mission, create_room, create_state
from tests.integration.web_helpers import HTML, end_request, field_error, language_of, post

EDITOR = Actor("editor@chair.example.org")
NBSP = "\u00a0"  # French typography: before ":", "?" and inside « »


@pytest.fixture
def directory(app):
    app.config["TODAY"] = date(2027, 3, 1)
    create_state("GUY", "Guyana", "member")
    mission = create_mission(
        "GUY", name="Permanent Mission of Guyana to the United Nations Office at Geneva")
    create_contact(mission, "H.E. Ms. Jane Doe", "ambassador", language="fr")
    create_room("Room XXIV", 150)
    create_room("Room XX", 80).active = False
    db.session.commit()
    busy.add_closure(date(2027, 3, 10), date(2027, 3, 11), "UN Geneva closure (Eid al-Fitr)",
                     EDITOR)
    busy.add_busy_period("meeting", date(2027, 3, 5), date(2027, 3, 5), "Bureau meeting",
                         EDITOR, start_time=time(10), end_time=time(12))
    busy.add_busy_period("blackout", date(2027, 3, 8), date(2027, 3, 8), "National holiday",
                         EDITOR, mission_iso3="GUY")


def closure_id() -> int:
    return db.session.scalar(db.select(BusyPeriod.id).filter_by(kind="closure"))


def room_id(name: str = "Room XXIV") -> int:
    return db.session.scalar(db.select(Room.id).filter_by(name=name))


def contact_id() -> int:
    return db.session.scalar(db.select(Contact.id))


def get(client, url: str, language: str | None = None, status: int = 200) -> str:
    """The page at `url` (with ?lang=`language`), as a browser gets it."""
    if language:
        url = f"{url}{'&' if '?' in url else '?'}lang={language}"
    response = client.get(url, headers=HTML)
    end_request()
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def visible(html: str) -> str:
    """The visible text of the page's <main> and <title>, whitespace collapsed but no-break
    spaces kept (French typography)."""
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    words = re.sub(r"<[^>]+>", " ", f"{title} <main{main}")
    return re.sub(r" ([.,])", r"\1", re.sub(r"[ \t\r\n]+", " ", unescape(words)))


#: each page (a function of the fixture's ids) and what it says in each language
PAGES = {
    "missions": (lambda: "/missions", {
        "en": ["Missions · NAM Briefings", "Permanent Missions", "New mission",
               "Search missions", "1 mission.", "Functional mailbox", "Active contacts"],
        "fr": ["Missions · Réunions d'information du MNA", "Missions permanentes",
               "Nouvelle mission", "Rechercher une mission",
               "Nom de l'État, code ISO, nom de la mission ou adresse électronique.",
               "1 mission.", "Boîte aux lettres fonctionnelle", "Statut", "Contacts actifs"],
        "es": ["Misiones · Reuniones informativas del MNOAL", "Misiones Permanentes",
               "Nueva misión", "Buscar una misión", "1 misión.", "Buzón funcional",
               "Situación", "Contactos activos"],
        "ar": ["البعثات · إحاطات حركة عدم الانحياز", "البعثات الدائمة", "بعثة جديدة",
               "البحث عن بعثة", "بعثة واحدة.", "صندوق البريد الوظيفي",
               "جهات الاتصال النشطة"],
    }),
    "missions search": (lambda: "/missions?q=zzz", {
        "en": ["0 missions matching “zzz”.", "No mission matches “zzz”.", "Show all"],
        "fr": [f"0 mission correspond à «{NBSP}zzz{NBSP}».",
               f"Aucune mission ne correspond à «{NBSP}zzz{NBSP}».", "Tout afficher"],
        "es": ["0 misiones coinciden con «zzz».", "Ninguna misión coincide con «zzz».",
               "Mostrar todas"],
        "ar": ["لا توجد أي بعثة تطابق «zzz».", "لا توجد بعثة تطابق «zzz».", "عرض الكل"],
    }),
    "mission": (lambda: "/missions/GUY", {
        "en": ["Edit mission", "Deactivate mission", "NAM member", "Calendar feed",
               "No feed address yet (one is made with the first invitation).",
               "Create a feed address", "Add a contact", "Name Role E-mail Language Status"],
        "fr": ["Modifier la mission", "Désactiver la mission", "Membre du MNA",
               "Calendrier en ligne",
               "Pas encore d'adresse de calendrier (elle est créée avec la première "
               "invitation).", "Créer une adresse de calendrier", "Ajouter un contact",
               "Nom Fonction Courriel Langue Statut", "Ambassadeur", "Français"],
        "es": ["Editar la misión", "Desactivar la misión", "Miembro del MNOAL",
               "Calendario en línea", "Crear una dirección de calendario",
               "Añadir un contacto", "Nombre Función Correo electrónico Idioma Situación",
               "Embajador", "Francés"],
        "ar": ["تعديل البعثة", "تعطيل البعثة", "عضو في حركة عدم الانحياز",
               "التقويم الإلكتروني", "إنشاء عنوان للتقويم", "إضافة جهة اتصال",
               "الاسم الصفة البريد الإلكتروني اللغة الحالة", "سفير", "الفرنسية"],
    }),
    "mission form": (lambda: "/missions/GUY/edit", {
        "en": ["Edit the mission of Guyana", "Mission name", "The mission's functional mailbox.",
               "Preferred weekdays for presenting at a briefing", "Monday Tuesday Wednesday",
               "Weekdays to avoid", "Save Cancel"],
        "fr": [f"Modifier la mission{NBSP}: Guyana", "Nom de la mission",
               "La boîte aux lettres fonctionnelle de la mission.",
               "Jours de la semaine à privilégier pour une présentation lors d'une réunion "
               "d'information", "lundi mardi mercredi jeudi vendredi",
               "Jours de la semaine à éviter", "Enregistrer Annuler"],
        "es": ["Editar la misión de Guyana", "Nombre de la misión",
               "El buzón funcional de la misión.",
               "lunes martes miércoles jueves viernes", "Días de la semana que deben evitarse",
               "Guardar Cancelar"],
        "ar": ["تعديل بعثة Guyana", "اسم البعثة", "الاثنين الثلاثاء الأربعاء الخميس الجمعة",
               "أيام الأسبوع التي ينبغي تجنّبها", "حفظ إلغاء"],
    }),
    "contact form": (lambda: "/missions/GUY/contacts/new", {
        "en": ["New contact · NAM Briefings", "e.g. H.E. Ms. Jane Doe",
               "Must not be used by another contact of this mission.",
               "The language of the messages this contact receives.", "Add contact Cancel"],
        "fr": ["Nouveau contact · Réunions d'information du MNA", "p. ex. S. E. Mme Jeanne Dupont",
               "Ne doit pas déjà être utilisée par un autre contact de cette mission.",
               "La langue des messages que reçoit ce contact.", "Ajouter le contact Annuler"],
        "es": ["Nuevo contacto · Reuniones informativas del MNOAL",
               "No debe estar ya en uso por otro contacto de esta misión.",
               "El idioma de los mensajes que recibe este contacto.",
               "Añadir el contacto Cancelar"],
        "ar": ["جهة اتصال جديدة · إحاطات حركة عدم الانحياز",
               "يجب ألا يكون مستخدمًا لجهة اتصال أخرى في هذه البعثة.",
               "لغة الرسائل التي تتلقاها جهة الاتصال هذه.", "إضافة جهة الاتصال إلغاء"],
    }),
    "contact edit": (lambda: f"/contacts/{contact_id()}/edit", {
        "en": ["Edit H.E. Ms. Jane Doe — Permanent Mission of Guyana", "Save Cancel"],
        "fr": [f"Modifier{NBSP}: H.E. Ms. Jane Doe — Permanent Mission of Guyana",
               "Enregistrer Annuler"],
        "es": ["Editar: H.E. Ms. Jane Doe — Permanent Mission of Guyana", "Guardar Cancelar"],
        "ar": ["تعديل: H.E. Ms. Jane Doe — Permanent Mission of Guyana", "حفظ إلغاء"],
    }),
    "rooms": (lambda: "/rooms", {
        "en": ["Busy periods › Rooms", "Add a room", "Rooms, active first, largest first",
               "Room Seats Address Status Actions", "Where briefings take place."],
        "fr": ["Indisponibilités › Salles", "Ajouter une salle",
               "Salles, les actives d'abord, les plus grandes en premier",
               "Salle Places Adresse Statut Actions",
               "Les salles où se tiennent les réunions d'information."],
        "es": ["Períodos de indisponibilidad › Salas", "Añadir una sala",
               "Sala Plazas Dirección Situación Acciones",
               "nunca se propone una sala inactiva."],
        "ar": ["أوقات الانشغال › القاعات", "إضافة قاعة",
               "القاعة عدد المقاعد العنوان الحالة الإجراءات",
               "ولا تقترح أبدًا قاعة غير نشطة."],
    }),
    "room form": (lambda: f"/rooms/{room_id()}/edit", {
        "en": ["Edit Room XXIV", "e.g. Room XXIV, Palais des Nations", "Seats",
               "Address or building (shown in invitations)"],
        "fr": [f"Modifier{NBSP}: Room XXIV", "p. ex. Salle XXIV, Palais des Nations", "Places",
               "Adresse ou bâtiment (indiqué dans les invitations)"],
        "es": ["Editar: Room XXIV", "p. ej., Sala XXIV, Palacio de las Naciones", "Plazas",
               "Dirección o edificio (figura en las invitaciones)"],
        "ar": ["تعديل: Room XXIV", "مثال: القاعة الرابعة والعشرون، قصر الأمم", "عدد المقاعد",
               "العنوان أو المبنى (يظهر في الدعوات)"],
    }),
    "busy periods": (lambda: "/busy?when=all", {
        "en": ["Busy periods · NAM Briefings", "Add a busy period", "Current and upcoming",
               "All, including past", "Every kind", "What Kind From To Concerns",
               "UN Geneva closure (Eid al-Fitr) Closure Wed 10 Mar 2027 Thu 11 Mar 2027 "
               "(whole days) Everyone",
               "National holiday Blackout Mon 8 Mar 2027 Mon 8 Mar 2027 (whole days) "
               "Mission of Guyana (GUY)"],
        "fr": ["Indisponibilités · Réunions d'information du MNA",
               "Ajouter une période d'indisponibilité", "En cours et à venir",
               "Toutes, y compris passées", "Tous les types", "Objet Type Du Au Concerne",
               "UN Geneva closure (Eid al-Fitr) Fermeture mercredi 10 mars 2027 jeudi 11 mars "
               "2027 (journées entières) Tout le monde",
               f"National holiday Indisponibilité de mission lundi 8 mars 2027 lundi 8 mars "
               f"2027 (journées entières) Mission{NBSP}: Guyana (GUY)",
               "Bureau meeting Réunion de la présidence vendredi 5 mars 2027, 10\u00a0h\u00a000"],
        "es": ["Períodos de indisponibilidad · Reuniones informativas del MNOAL",
               "Añadir un período de indisponibilidad", "En curso y próximos",
               "Todos los tipos", "Motivo Tipo Desde Hasta Afecta a",
               "UN Geneva closure (Eid al-Fitr) Cierre miércoles, 10 de marzo de 2027 jueves, "
               "11 de marzo de 2027 (días completos) Todos",
               "Misión de Guyana (GUY)"],
        "ar": ["أوقات الانشغال · إحاطات حركة عدم الانحياز", "إضافة فترة انشغال",
               "الجارية والمقبلة", "جميع الأنواع", "الموضوع النوع من إلى يخص",
               "UN Geneva closure (Eid al-Fitr) إغلاق الأربعاء، 10 مارس 2027 الخميس، 11 مارس "
               "2027 (أيام كاملة) الجميع", "بعثة Guyana (GUY)"],
    }),
    "no busy period": (lambda: "/busy?kind=hrc_session", {
        "en": ["No busy periods ahead of this kind."],
        "fr": ["Aucune indisponibilité de ce type à venir."],
        "es": ["No hay ningún período de indisponibilidad próximo de este tipo."],
        "ar": ["لا توجد أوقات انشغال مقبلة من هذا النوع."],
    }),
    "busy period form": (lambda: "/busy/new", {
        "en": ["Closure (no briefing anywhere)", "Leave empty for one day.",
               "Any room (not a booking)", "Every mission (not a blackout)",
               "Add the busy period Cancel"],
        "fr": ["Fermeture (aucune réunion d'information nulle part)",
               "Session du Conseil des droits de l'homme (évitée si possible)",
               f"Tel qu'il sera lu, p. ex. «{NBSP}Fermeture de l'ONU Genève (Aïd al-Fitr){NBSP}».",
               "Laissez vide pour une seule journée.", "De (heure de Genève, facultatif)",
               "Toutes les salles (pas une réservation)",
               "Ajouter la période d'indisponibilité Annuler"],
        "es": ["Cierre (ninguna reunión informativa en ningún lugar)",
               "Déjelo vacío si se trata de un solo día.", "Cualquier sala (no es una reserva)",
               "Añadir el período de indisponibilidad Cancelar"],
        "ar": ["إغلاق (لا إحاطة في أي مكان)", "اتركوا الحقل فارغًا إذا كانت الفترة يومًا واحدًا.",
               "أي قاعة (ليس حجزًا)", "إضافة فترة الانشغال إلغاء"],
    }),
    "busy period removal": (lambda: f"/busy/{closure_id()}/remove", {
        "en": ["Remove the busy period “UN Geneva closure (Eid al-Fitr)”?",
               "Remove the busy period Keep it"],
        "fr": [f"Supprimer la période d'indisponibilité «{NBSP}UN Geneva closure (Eid al-Fitr)"
               f"{NBSP}»{NBSP}?", "Supprimer la période d'indisponibilité La conserver"],
        "es": ["¿Eliminar el período de indisponibilidad «UN Geneva closure (Eid al-Fitr)»?",
               "Eliminar el período de indisponibilidad Conservarlo"],
        "ar": ["هل تريدون حذف فترة الانشغال «UN Geneva closure (Eid al-Fitr)»؟",
               "حذف فترة الانشغال الإبقاء عليها"],
    }),
    "calendars": (lambda: "/calendars", {
        "en": ["Calendar feeds", "UPR Working Group calendar (public)",
               "Your secretariat calendar (private)", "Subscribe (webcal)", "How to subscribe",
               "Google Calendar : Other calendars → From URL"],
        "fr": ["Calendriers en ligne", "Calendrier du Groupe de travail sur l'EPU (public)",
               "Votre calendrier du secrétariat (privé)", "S'abonner (webcal)",
               "Comment s'abonner", f"Google Agenda {NBSP}: Autres agendas → À partir de l'URL"],
        "es": ["Calendarios en línea", "Su calendario de la secretaría (privado)",
               "Suscribirse (webcal)", "Cómo suscribirse",
               "Google Calendar : Otros calendarios → Desde URL"],
        "ar": ["التقاويم الإلكترونية", "تقويمكم الخاص بالأمانة (خاص)", "الاشتراك (webcal)",
               "طريقة الاشتراك", "تقويم Google : تقويمات أخرى ← من عنوان URL"],
    }),
    "users": (lambda: "/admin/users", {
        "en": ["Users · NAM Briefings", "E-mail address Role Status Last login", "(you) Admin",
               "Add a user", "Viewer (reads everything, changes nothing)", "Initial password",
               "Add the user"],
        "fr": ["Utilisateurs · Réunions d'information du MNA",
               "Adresse électronique Fonction Statut Dernière connexion",
               "(vous) Administrateur", "Ajouter un utilisateur",
               "Lecteur (consulte tout, ne modifie rien)", "Mot de passe initial",
               "Ajouter l'utilisateur"],
        "es": ["Usuarios · Reuniones informativas del MNOAL",
               "Dirección de correo electrónico Función Situación Último inicio de sesión",
               "(usted) Administrador", "Añadir un usuario", "Contraseña inicial",
               "Añadir el usuario"],
        "ar": ["المستخدمون · إحاطات حركة عدم الانحياز",
               "عنوان البريد الإلكتروني الصفة الحالة آخر تسجيل دخول", "(أنتم) مشرف",
               "إضافة مستخدم", "كلمة المرور الأولية", "إضافة المستخدم"],
    }),
    "user": (lambda: f"/admin/users/{db.session.scalar(db.select(User.id))}", {
        "en": ["Last login", "Created", "Change the role", "Set the new password",
               "Deactivate the account"],
        "fr": ["Dernière connexion", "Date de création", "Changer de fonction",
               "Définir le nouveau mot de passe", "Désactiver le compte"],
        "es": ["Último inicio de sesión", "Fecha de creación", "Cambiar la función",
               "Establecer la nueva contraseña", "Desactivar la cuenta"],
        "ar": ["آخر تسجيل دخول", "تاريخ الإنشاء", "تغيير الصفة", "تعيين كلمة المرور الجديدة",
               "تعطيل الحساب"],
    }),
    "settings": (lambda: "/admin/settings", {
        "en": ["Settings · NAM Briefings", "The configuration in force.",
               "Variable Value What it does"],
        "fr": ["Paramètres · Réunions d'information du MNA", "La configuration en vigueur.",
               "Variable Valeur Usage"],
        "es": ["Configuración · Reuniones informativas del MNOAL", "La configuración vigente.",
               "Variable Valor Para qué sirve"],
        "ar": ["الإعدادات · إحاطات حركة عدم الانحياز", "الإعدادات السارية.",
               "المتغير القيمة الغرض"],
    }),
}


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_in_each_language(client, login, directory, name, language):
    login("admin")
    url, says = PAGES[name]
    html = get(client, url(), language)
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    content = visible(html)
    for expected in says[language]:
        assert expected in content, (name, language, expected)
    # nothing of the English page's own wording is left (names and addresses aside; "1
    # mission." is French too)
    for english in set(says["en"]) - set(says[language]):
        assert english not in content, (name, language, english)


@pytest.mark.parametrize("name", list(PAGES))
def test_the_english_pages_are_unchanged(client, login, directory, name):
    login("admin")
    url, says = PAGES[name]
    html = get(client, url())  # no ?lang=, no Accept-Language, no chosen language
    assert language_of(html) == ("en", "ltr")
    content = visible(html)
    for expected in says["en"]:
        assert expected in content, (name, expected)


def test_links_and_emphasis_sit_inside_the_translated_sentences(client, login, directory):
    login("admin")
    assert ("Le calendrier en ligne privé de chaque Mission figure sur sa page, sous "
            '<a href="/missions">Missions</a>.') in get(client, "/calendars", "fr")
    assert "<li><strong>Apple Calendar</strong>: File → New Calendar Subscription" in \
        get(client, "/calendars", "en")
    assert "<li><strong>تقويم Apple</strong>: ملف ← اشتراك جديد في تقويم" in \
        get(client, "/calendars", "ar")
    users = get(client, "/admin/users", "es")
    assert "Los <strong>lectores</strong> consultan todo y no modifican nada;" in users
    # the settings: the variables' names and values as configured, the words translated
    settings = get(client, "/admin/settings", "fr")
    assert '<h2 id="settings-1">Messagerie</h2>' in settings
    assert "<td>relais SMTP (host:port)</td>" in settings
    assert "<th scope=\"row\"><code>MAIL_PASSWORD</code></th><td><bdi>non défini</bdi></td>" \
        in settings
    english = get(client, "/admin/settings", "en")
    assert '<h2 id="settings-1">Mail</h2>' in english and "<td>SMTP relay (host:port)</td>" \
        in english


def test_flash_messages_follow_the_page(client, login, directory):
    login("editor")
    response = post(client, f"/rooms/{room_id()}/deactivate?lang=fr")
    assert response.status_code == 302
    assert (f"La salle «{NBSP}Room XXIV{NBSP}» est désormais inactive."
            in visible(get(client, "/rooms")))  # the browser session keeps French
    response = post(client, "/missions/GUY/deactivate?lang=es")
    assert "Misión desactivada." in visible(get(client, "/missions/GUY"))
    response = post(client, "/missions/GUY/feed/rotate?lang=ar")
    assert "أُنشئ عنوان جديد للتقويم؛ ولم يعد العنوان القديم صالحًا." in \
        visible(get(client, "/missions/GUY"))
    post(client, f"/contacts/{contact_id()}/deactivate?lang=fr")
    assert ("Le contact H.E. Ms. Jane Doe est désormais inactif."
            in visible(get(client, "/missions/GUY")))
    post(client, f"/busy/{closure_id()}/remove?lang=es")
    assert ("Se ha eliminado el período de indisponibilidad «UN Geneva closure (Eid al-Fitr)»."
            in visible(get(client, "/busy")))
    # and in English, as before
    post(client, f"/rooms/{room_id()}/activate?lang=en")
    assert "Room XXIV is now active." in visible(get(client, "/rooms"))


def test_the_admins_messages_follow_the_page(client, login, directory):
    login("admin")
    response = post(client, "/admin/users?lang=fr", {
        "email": "new.editor@chair.example.org", "role": "editor",
        "password": "several unrelated words here"})
    assert response.status_code == 302
    assert ("Compte new.editor@chair.example.org créé avec la fonction rédacteur. "
            "Transmettez le mot de passe initial de manière sûre."
            in visible(get(client, "/admin/users")))
    new = db.session.scalar(db.select(User.id).filter_by(email="new.editor@chair.example.org"))
    post(client, f"/admin/users/{new}/deactivate?lang=ar")
    assert "عُطِّل الحساب new.editor@chair.example.org." in visible(get(client, "/admin/users"))


def test_form_errors_follow_the_page(client, login, directory):
    login("editor")
    response = post(client, "/missions/GUY/edit?lang=es",
                    {"name": "", "email": "mission.guy@example.org"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "name") == "Indique el nombre de la misión."
    assert '<a href="#name">Nombre de la misión: Indique el nombre de la misión.</a>' in html
    response = post(client, "/busy/new?lang=ar", {
        "kind": "closure", "label": "", "first_day": "10/03/2027", "room": "", "mission": ""})
    html = response.get_data(as_text=True)
    assert language_of(html) == ("ar", "rtl")
    assert field_error(html, "label") == "أدخلوا وصفًا للفترة."
    assert field_error(html, "first_day") == "أدخلوا اليوم الأول بالصيغة YYYY-MM-DD."
    response = post(client, "/rooms/new?lang=fr", {"name": "Room XXV", "capacity": "9" * 12})
    assert field_error(response.get_data(as_text=True), "capacity") == (
        "Indiquez un nombre entier ne dépassant pas 2\u202f147\u202f483\u202f647.")


def test_a_missions_feed_in_each_state_of_its_life(client, login, directory):
    login("editor")
    post(client, "/missions/GUY/feed/rotate?lang=fr")
    html = visible(get(client, "/missions/GUY"))
    assert ("Le calendrier en ligne privé de la Mission, avec les réunions d'information du "
            f"MNA (et son propre examen au titre de l'EPU){NBSP}:") in html
    assert "Créer une nouvelle adresse de calendrier Désactiver le calendrier en ligne" in html
    post(client, "/missions/GUY/feed/revoke?lang=fr")
    html = visible(get(client, "/missions/GUY"))
    assert "Le calendrier en ligne est désactivé." in html  # the flash
    # (when it happened is the clock's, not the pinned day's)
    assert re.search(f"Le calendrier en ligne a été désactivé le [a-z]+ [0-9]+ [a-zéû]+ "
                     f"[0-9]{{4}}, [0-9]{{2}}{NBSP}h{NBSP}[0-9]{{2}}{NBSP}: son ancienne adresse répond "
                     f"«{NBSP}introuvable{NBSP}»", html), html
    html = visible(get(client, "/missions/GUY", "en"))
    assert re.search(r"The feed was switched off on \w{3} [0-9]+ \w{3} [0-9]{4}, [0-9:]+ "
                     r"CES?T: its old address answers “not found” and new invitations carry "
                     r"no feed link until a new address is made\.", html), html
