"""The secretariat's sessions and states pages in English, French, Spanish and Arabic
(issue 15, point 4): <html lang dir>, translated headings, labels and buttons, and the
session's timeline laid out right to left in Arabic (day 1 at the right edge, the lane
titles on the right, the text not mirrored), while the English pages stay as they were.

The shipped data, "today" 10 April 2025: session 49 (28 April – 9 May 2025) with its
proposals; session 54 on file as expected.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from html import unescape

import pytest

from nam_briefings.services import briefings, busy
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.integration.web_helpers import HTML, csrf_token, end_request, language_of, post

SVG = "{http://www.w3.org/2000/svg}"
EDITOR = Actor("editor@chair.example.org")
NBSP = "\u00a0"
#: Babel writes a span of days with thin spaces around its dash ("28 avr. – 9 mai 2025")
THIN = "\u2009"
LANGUAGES = ("fr", "es", "ar")


@pytest.fixture
def seeded(app):
    app.config["TODAY"] = date(2025, 4, 10)
    seed_reference_data(Actor.system())
    busy.add_closure(date(2025, 4, 14), date(2025, 4, 14), "UN Geneva closure", EDITOR)
    briefings.plan_session(49, EDITOR)


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers=HTML)
    end_request()
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def shown(html: str) -> str:
    """The visible text, whitespace runs collapsed to one space, no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def svg_of(html: str) -> ET.Element:
    match = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="timeline__svg".*?</svg>',
                      html, re.S)
    assert match, "no timeline on the page"
    return ET.fromstring(match.group(0))


def texts(svg: ET.Element, css_class: str) -> list[ET.Element]:
    return [t for t in svg.iter(f"{SVG}text") if css_class in (t.get("class") or "").split()]


#: what each language's pages say (exact strings, as shown)
SESSIONS_LIST = {
    "en": ["UPR sessions", "Current and upcoming sessions", "Past sessions", "Add a session",
           "UPR session 49", "Cycle 4 · 28 Apr – 9 May 2025 · Scheduled",
           "8 NAM members under review, of 14 states."],
    "fr": ["Sessions de l'EPU", "Sessions en cours et à venir", "Ajouter une session",
           "Session 49 de l'EPU", f"Cycle 4 · 28 avr.{THIN}–{THIN}9 mai 2025 · Programmée",
           "8 membres du MNA examinés, sur 14 États.", "Importer des sessions et des examens (CSV)"],
    "es": ["Períodos de sesiones del EPU", "Períodos de sesiones en curso y próximos",
           "Añadir un período de sesiones", "Período de sesiones 49 del EPU",
           f"Ciclo 4 · 28 abr{THIN}–{THIN}9 may 2025 · Programado",
           "8 miembros del MNOAL objeto de examen, de 14 Estados."],
    "ar": ["دورات الاستعراض الدوري الشامل", "الدورات الجارية والمقبلة", "إضافة دورة",
           "الدورة 49 للاستعراض الدوري الشامل", "الجولة 4",
           "يخضع 8 أعضاء في حركة عدم الانحياز للاستعراض، من أصل 14 دولة."],
}
SESSION_PAGE = {
    "en": ["UPR session 49", "Presenting candidates", "Edit the session", "Timeline",
           "Reviews in order", "Presenting candidate",
           "8 NAM members under review in this session:", "The timeline as a table",
           "Proposed meeting (dashed: not confirmed)"],
    "fr": ["Modifier la session", "États examinés", "Candidats à la présentation", "Chronologie",
           "Examens dans l'ordre", f"8 membres du MNA sont examinés à cette session{NBSP}:",
           f"Guyana (GUY), examen n°{NBSP}5", "Lieu", "Statut au sein du MNA",
           "La chronologie sous forme de tableau", "Réunion d'information confirmée",
           f"Réunion proposée (en pointillés{NBSP}: non confirmée)", "Jour férié à Genève"],
    "es": ["Editar el período de sesiones", "Estados objeto de examen", "Candidatos a presentar",
           "Cronología", "Exámenes por orden",
           "8 miembros del MNOAL son objeto de examen en este período de sesiones:",
           "Guyana (GUY), examen n.º 5", "La cronología en forma de tabla",
           "Reunión propuesta (línea discontinua: sin confirmar)"],
    "ar": ["تعديل الدورة", "الدول قيد الاستعراض", "الدول المرشحة للعرض", "الجدول الزمني",
           "عمليات الاستعراض بالترتيب", "يخضع 8 أعضاء في حركة عدم الانحياز للاستعراض في هذه الدورة:",
           "Guyana (GUY)، الاستعراض رقم 5", "الجدول الزمني في شكل جدول", "اجتماع مقترح (خط متقطع: غير مؤكد)"],
}
#: the timeline's lane titles, its window's label, the table's rows and the first month
TIMELINE = {
    "en": (["Planning window", "Human Rights Council", "Busy periods", "Proposal 1"],
           "15 working days", "Apr 2025", "Days from left to right.",
           "Geneva public holiday: Good Friday, Fri 18 Apr 2025"),
    "fr": (["Période de planification", "Conseil des droits de l'homme", "Indisponibilités",
            "Proposition 1"], "15 jours ouvrables", "avr. 2025", "Jours de gauche à droite.",
           f"Jour férié à Genève{NBSP}: Vendredi saint, vendredi 18 avril 2025"),
    "es": (["Período de planificación", "Consejo de Derechos Humanos",
            "Períodos de indisponibilidad", "Propuesta 1"], "15 días hábiles", "abr 2025",
           "Días de izquierda a derecha.",
           "Día festivo en Ginebra: Viernes Santo, viernes, 18 de abril de 2025"),
    "ar": (["فترة التخطيط", "مجلس حقوق الإنسان", "أوقات الانشغال", "الاقتراح 1"],
           "15 يوم عمل", "أبريل 2025", "الأيام من اليمين إلى اليسار.",
           "عطلة رسمية في جنيف: الجمعة العظيمة، الجمعة، 18 أبريل 2025"),
}
STATES = {
    "en": ["States and the Non-Aligned Movement", "Members and observers", "ISO code", "Joined"],
    "fr": ["Les États et le Mouvement des pays non alignés", "Membres et observateurs",
           "Tous les États", "Code ISO", "Adhésion", "Statut au sein du MNA", "Ajouter une mission"],
    "es": ["Los Estados y el Movimiento de Países No Alineados", "Miembros y observadores",
           "Todos los Estados", "Código ISO", "Adhesión", "Añadir una misión"],
    "ar": ["الدول وحركة عدم الانحياز", "الأعضاء والمراقبون", "جميع الدول", "رمز ISO",
           "سنة الانضمام", "إضافة بعثة"],
}
#: the editors' pages: (url, heading, a button) in each language
EDITOR_PAGES = {
    "/sessions/new": {"en": ("Add a UPR session", "Add the session"),
                      "fr": ("Ajouter une session de l'EPU", "Ajouter la session"),
                      "es": ("Añadir un período de sesiones del EPU", "Añadir el período de sesiones"),
                      "ar": ("إضافة دورة للاستعراض الدوري الشامل", "إضافة الدورة")},
    "/sessions/49/edit": {"en": ("Edit UPR session 49", "Save"),
                          "fr": ("Modifier la session 49 de l'EPU", "Enregistrer"),
                          "es": ("Editar el período de sesiones 49 del EPU", "Guardar"),
                          "ar": ("تعديل الدورة 49 للاستعراض الدوري الشامل", "حفظ")},
    "/sessions/49/reviews": {"en": ("States under review in UPR session 49", "Save the order of review"),
                             "fr": ("États examinés à la session 49 de l'EPU", "Enregistrer l'ordre d'examen"),
                             "es": ("Estados objeto de examen en el período de sesiones 49 del EPU",
                                    "Guardar el orden de examen"),
                             "ar": ("الدول قيد الاستعراض في الدورة 49 للاستعراض الدوري الشامل",
                                    "حفظ ترتيب الاستعراض")},
    "/sessions/54/publish": {"en": ("Publish UPR session 54", "Publish the session"),
                             "fr": ("Publier la session 54 de l'EPU", "Publier la session"),
                             "es": ("Publicar el período de sesiones 54 del EPU",
                                    "Publicar el período de sesiones"),
                             "ar": ("نشر الدورة 54 للاستعراض الدوري الشامل", "نشر الدورة")},
    "/sessions/import": {"en": ("Import sessions and reviews (CSV)", "Check the file"),
                         "fr": ("Importer des sessions et des examens (CSV)", "Vérifier le fichier"),
                         "es": ("Importar períodos de sesiones y exámenes (CSV)", "Comprobar el archivo"),
                         "ar": ("استيراد الدورات وعمليات الاستعراض (CSV)", "فحص الملف")},
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_sessions_list_in_each_language(client, login, seeded, language):
    login("editor")
    html = get(client, f"/sessions?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    text = shown(html)
    for expected in SESSIONS_LIST[language]:
        assert expected in text, (language, expected)
    assert f"<h1>{SESSIONS_LIST[language][0]}</h1>" in html


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_a_session_page_in_each_language(client, login, seeded, language):
    login("editor")
    html = get(client, f"/sessions/49?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    text = shown(html)
    for expected in SESSION_PAGE[language]:
        assert expected in text, (language, expected)
    if language != "en":  # the venue is stored in English
        assert '<dd lang="en">Palais des Nations, Geneva</dd>' in html


def test_an_expected_session_page_in_french(client, login, seeded):
    login("editor")
    text = shown(get(client, "/sessions/54?lang=fr"))
    assert "Publier cette session" in text
    assert (f"Cette session est prévue (prévision établie à partir de la session 40{NBSP}; "
            f"dates et ordre pas encore publiés){NBSP}: ses États reprennent ceux de la "
            "session 40 selon la rotation de l'EPU.") in text
    assert "Examens (ordre d'examen pas encore publié)" in text


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_timeline_speaks_the_page_language(client, login, seeded, language):
    login("viewer")
    html = get(client, f"/sessions/49?lang={language}")
    svg = svg_of(html)
    lanes, window, month, desc, holiday = TIMELINE[language]
    assert [t.text for t in texts(svg, "lane-title")][:4] == lanes
    assert window in [t.text for t in texts(svg, "bar-label")]
    assert texts(svg, "month")[0].text == month
    assert " ".join("".join(svg.find(f"{SVG}desc").itertext()).split()).startswith(desc)
    holidays = [shape.find(f"{SVG}title").text for shape in svg.iter()
                if shape.get("class") == "holiday"]
    assert holidays[0] == holiday


def test_the_arabic_timeline_runs_right_to_left_without_mirroring_its_text(client, login,
                                                                          seeded):
    login("viewer")
    svg = svg_of(get(client, "/sessions/49?lang=ar"))
    assert svg.get("direction") == "rtl" and svg.get("transform") is None
    assert not any(shape.get("transform") for shape in svg.iter())
    width = float(svg.get("viewBox").split()[2])
    # day 1 (1 April) at the right, the last day (9 May) at the left edge
    days = texts(svg, "day-number")
    first, last = float(days[0].get("x")), float(days[-1].get("x"))
    assert (days[0].text, days[-1].text) == ("1", "9")
    assert first > last and first > width / 2 > last
    # the lane titles start at the right edge (a right-to-left text starts at its right end)
    assert {float(t.get("x")) for t in texts(svg, "lane-title")} == {width - 6}
    # April's name by its first day, at the right; May's further left
    april, may = texts(svg, "month")
    assert float(april.get("x")) > float(may.get("x"))
    assert abs(float(april.get("x")) - first) < 30
    # bars run leftwards: the session (last) is left of the window (first)
    window = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "window")
    session = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "session")
    assert float(session.get("x")) < float(window.get("x"))
    # the window's label starts at the bar's right end
    label = next(t for t in texts(svg, "bar-label") if t.text == "15 يوم عمل")
    right_end = float(window.get("x")) + float(window.get("width")) + 1
    assert float(label.get("x")) == pytest.approx(right_end - 4, abs=0.02)
    # "Today" beside its line, on the left side
    line = next(x for x in svg.iter(f"{SVG}line") if x.get("class") == "today")
    (today,) = texts(svg, "today-label")
    assert today.text == "اليوم"
    assert float(today.get("x")) == pytest.approx(float(line.get("x1")) - 3, abs=0.02)


def test_the_english_timeline_still_runs_left_to_right(client, login, seeded):
    login("viewer")
    svg = svg_of(get(client, "/sessions/49?lang=en"))
    assert svg.get("direction") is None
    days = texts(svg, "day-number")
    assert float(days[0].get("x")) < float(days[-1].get("x"))
    assert {t.get("x") for t in texts(svg, "lane-title")} == {"6.0"}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_states_page_in_each_language(client, login, seeded, language):
    login("editor")
    html = get(client, f"/states?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    text = shown(html)
    for expected in STATES[language]:
        assert expected in text, (language, expected)


def test_the_states_summary_counts_in_french_and_arabic(client, login, seeded):
    login("viewer")
    french = shown(get(client, "/states?lang=fr"))
    assert re.search(r"\d+ membres du MNA et \d+ observateurs \(\d+ autres États enregistrés\)",
                     french)
    arabic = shown(get(client, "/states?lang=ar"))
    assert re.search(r"أعضاء حركة عدم الانحياز: \d+ ، المراقبون: \d+ \(الدول الأخرى المسجلة: \d+\)",
                     arabic)


@pytest.mark.parametrize("url", list(EDITOR_PAGES))
@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_editors_pages_in_each_language(client, login, seeded, url, language):
    login("editor")
    html = get(client, f"{url}?lang={language}")
    assert language_of(html) == (language, "rtl" if language == "ar" else "ltr")
    heading, button = EDITOR_PAGES[url][language]
    assert f"<h1>{heading}</h1>" in html
    assert re.search(rf'<button type="submit" class="button">{re.escape(button)}</button>', html)


def test_a_flash_message_in_the_chosen_language(client, login, seeded):
    login("editor")
    get(client, "/sessions?lang=es")  # chosen for the browser session
    response = post(client, "/sessions/49/edit", {
        "number": "49", "cycle": "4", "start_date": "2025-04-28", "end_date": "2025-05-09"})
    assert response.status_code == 302
    assert "Período de sesiones 49 del EPU guardado." in shown(get(client, "/sessions/49"))


#: the session form's and the planner's rules form's labels and refusals (web/forms.py)
FORM_TEXTS = {
    "fr": {"number": "Numéro de la session", "number_error": "Indiquez le numéro.",
           "start_date_error": "Indiquez le premier jour au format AAAA-MM-JJ.",
           "window": "Période (jours ouvrables avant la session)",
           "window_error": "Indiquez un nombre court (ou laissez le champ vide).",
           "expected": f"Je comprends que la session 54 est prévue{NBSP}: ses dates ne sont pas "
                       "encore publiées"},
    "ar": {"number": "رقم الدورة", "number_error": "أدخلوا الرقم.",
           "start_date_error": "أدخلوا اليوم الأول بالصيغة YYYY-MM-DD.",
           "window": "الفترة (أيام العمل قبل الدورة)",
           "window_error": "أدخلوا رقماً قصيراً (أو اتركوا الحقل فارغاً).",
           "expected": "أدرك أن الدورة 54 متوقعة: لم تُنشر مواعيدها بعد"},
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_session_forms_labels_and_refusals_in_the_page_language(client, login, seeded,
                                                                    language):
    words = FORM_TEXTS[language]
    login("editor")
    get(client, f"/sessions?lang={language}")  # chosen for the browser session
    response = post(client, "/sessions/new", {"number": "", "cycle": "4",
                                              "start_date": "2025-13-01", "end_date": "2025-05-09"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<label for="number">{words["number"]}</label>' in html
    assert f'<p class="error" id="number-error">{words["number_error"]}</p>' in html
    assert f'<p class="error" id="start_date-error">{words["start_date_error"]}</p>' in html
    # the session page's rules form, refused
    response = post(client, "/sessions/49/plan", {"change_rules": "1",
                                                  "window_working_days": "1" * 30})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert f'<label for="window_working_days">{words["window"]}</label>' in html
    assert (f'<p class="error" id="window_working_days-error">{words["window_error"]}</p>'
            in html)
    # the tick for an expected session names it, in the page's language
    assert words["expected"] in shown(get(client, "/sessions/54"))


#: the CSV import page: a file with bad rows (its problems by line, the dates written the
#: page's way) and a good file's preview (what it would add and change), in each language
IMPORT_PAGE = {
    "en": {"refused": "2 problems found; nothing was imported. Expected header: "
                      "session,iso3,position[,start[,end]]",
           "problems": ["Line 2: unknown state 'XYZ': import it with the states first",
                        "Line 3: review day 2025-05-20 is outside session 49 (2025-04-28 to "
                        "2025-05-09)"],
           "summary": "sessions: would add 1, would change 1, 1 unchanged",
           "added": ["session 70"],
           "changed": ["session 49: end_date 2025-05-09 → 2025-05-10"],
           "imported": "Imported. sessions: added 1, changed 1, 1 unchanged."},
    "fr": {"refused": f"2 problèmes trouvés{NBSP}; rien n'a été importé. En-tête attendu{NBSP}: "
                      "session,iso3,position[,start[,end]]",
           "problems": [f"Ligne 2{NBSP}: État 'XYZ' inconnu{NBSP}: importez-le d'abord avec les "
                        "États",
                        f"Ligne 3{NBSP}: le jour d'examen, mardi 20 mai 2025, est en dehors de "
                        "la session 49 (du lundi 28 avril 2025 au vendredi 9 mai 2025)"],
           "summary": f"sessions{NBSP}: 1 à ajouter, 1 à modifier, 1 sans changement",
           "added": ["session 70"],
           "changed": [f"session 49{NBSP}: end_date vendredi 9 mai 2025 → samedi 10 mai 2025"],
           "imported": f"Importation effectuée. sessions{NBSP}: 1 ajout(s), 1 modification(s), "
                       "1 sans changement."},
    "ar": {"refused": "عُثر على مشكلتين؛ لم يُستورد أي شيء. سطر العناوين المتوقع: "
                      "session,iso3,position[,start[,end]]",
           "problems": ["السطر 2: الدولة 'XYZ' غير معروفة: استوردوها أولًا مع الدول",
                        "السطر 3: يوم الاستعراض، الثلاثاء، 20 مايو 2025، خارج الدورة 49 (من "
                        "الاثنين، 28 أبريل 2025 إلى الجمعة، 9 مايو 2025)"],
           "summary": "sessions: ما سيُضاف 1، ما سيتغيّر 1، دون تغيير 1",
           "added": ["الدورة 70"],
           "changed": ["الدورة 49: end_date الجمعة، 9 مايو 2025 → السبت، 10 مايو 2025"],
           "imported": "تم الاستيراد. sessions: ما أُضيف 1، ما تغيّر 1، دون تغيير 1."},
}
BAD_REVIEWS = "session,iso3,position,start\n49,XYZ,1,\n49,GUY,2,2025-05-20\n"
#: session 48 unchanged, 49 a day longer, 70 new
GOOD_SESSIONS = ("number,cycle,start_date,end_date\n48,4,2025-01-20,2025-01-31\n"
                 "49,4,2025-04-28,2025-05-10\n70,6,2031-01-27,2031-02-07\n")


def upload(client, kind: str, content: str):
    response = client.post("/sessions/import", headers=HTML, data={
        "csrf_token": csrf_token(client), "kind": kind,
        "file": (io.BytesIO(content.encode()), f"{kind}.csv")},
        content_type="multipart/form-data")
    end_request()
    return response


def items(html: str, heading: str) -> list[str]:
    """The list items after the <h3> `heading`."""
    after = html.split(f"<h3>{heading}</h3>")[1].split("</ul>")[0]
    return [shown(item).strip() for item in re.findall(r"<li>(.*?)</li>", after, re.S)]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_import_page_reports_in_the_page_language(client, login, seeded, language):
    """Translated only once the import's messages are in the catalogs (English now)."""
    words = IMPORT_PAGE[language]
    headings = {"en": ("Would add", "Would change"), "fr": ("Ajouts prévus", "Modifications prévues"),
                "ar": ("ما سيُضاف", "ما سيتغيّر")}[language]
    login("editor")
    get(client, f"/sessions/import?lang={language}")  # chosen for the browser session

    refused = upload(client, "reviews", BAD_REVIEWS)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    problems = html.split('id="import-problems"')[1].split("</div>")[0]
    assert [shown(item).strip() for item in re.findall(r"<li>(.*?)</li>", problems, re.S)] \
        == [words["refused"], *words["problems"]]
    assert 'lang="en"' not in problems

    checked = upload(client, "sessions", GOOD_SESSIONS)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    preview = html.split('id="preview"')[1].split("</section>")[0]
    assert f"<strong>{words['summary']}</strong>." in unescape(preview)
    assert items(preview, headings[0]) == words["added"]
    assert items(preview, headings[1]) == words["changed"]
    assert 'lang="en"' not in preview

    data = re.search(r'<textarea name="text" hidden aria-hidden="true">(.*?)</textarea>',
                     html, re.S).group(1)
    response = post(client, "/sessions/import", {"kind": "sessions", "apply": "1",
                                                 "text": unescape(data)})
    assert response.status_code == 302
    assert words["imported"] in shown(get(client, "/sessions"))


def test_the_cli_and_the_audit_log_keep_the_import_in_english(app, seeded, tmp_path):
    """What the CLI prints and the audit log records stays the English text, byte for byte
    (an integrator contract), however the pages write the same report."""
    from nam_briefings.extensions import db
    from nam_briefings.models import AuditEvent

    runner = app.test_cli_runner()
    path = tmp_path / "sessions.csv"
    path.write_text(GOOD_SESSIONS)
    result = runner.invoke(args=["import", "sessions", str(path), "--dry-run"])
    assert result.exit_code == 0 and result.output == (
        "would add: session 70\n"
        "would change: session 49: end_date 2025-05-09 → 2025-05-10\n"
        "sessions: would add 1, would change 1, 1 unchanged (dry run: nothing was written)\n")
    bad = tmp_path / "reviews.csv"
    bad.write_text(BAD_REVIEWS)
    result = runner.invoke(args=["import", "reviews", str(bad)])
    assert result.exit_code == 1
    assert (f"{bad}:line 2: unknown state 'XYZ': import it with the states first\n"
            f"{bad}:line 3: review day 2025-05-20 is outside session 49 (2025-04-28 to "
            "2025-05-09)\n") in result.output
    assert runner.invoke(args=["import", "sessions", str(path)]).exit_code == 0
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="import.sessions")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details == "sessions: added 1, changed 1, 1 unchanged"
