"""The planner's reasons and "why nothing fits" in the page's language (issue 15, point 1).

A planning run stores each proposal's reasons in English (`reasons`, as the CLI's JSON and
the e-mailed notice keep them) and, line for line, in French, Spanish and Arabic
(`reasons_by_language`); the session page and the confirm page show them in the page's
language. A proposal planned before (no translations stored) shows its English reasons.
Runs on the shipped data (session 49: 28 April – 9 May 2025), in early March 2025.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import BusyPeriod, Proposal
from nam_briefings.services import briefings, busy, proposals_view
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from nam_briefings.services.languages import in_language
from tests.integration.web_helpers import page, post, text

NBSP = "\u00a0"


@pytest.fixture
def seeded(app):
    """The shipped reference data, with "today" pinned to Monday 3 March 2025."""
    app.config["TODAY"] = date(2025, 3, 3)
    seed_reference_data(Actor.system())


def views(language: str) -> list[proposals_view.ProposalView]:
    with in_language(language):
        return proposals_view.open_proposal_views(49)


def stored() -> list[Proposal]:
    return list(db.session.scalars(db.select(Proposal).filter_by(status="open")
                                   .order_by(Proposal.rank)))


def test_a_planning_run_stores_the_reasons_in_every_language(seeded):
    plan = briefings.plan_session(49, Actor.system(), from_now=True)
    assert plan.proposals
    for proposal in stored():
        assert set(proposal.reasons_by_language) == {"fr", "es", "ar"}
        assert all(len(lines) == len(proposal.reasons)
                   for lines in proposal.reasons_by_language.values())
    best = stored()[0]
    assert best.reasons[2] == "Between the meetings: 1 working day (preferred: 1 working day)."
    assert best.reasons_by_language["fr"][2] == (f"Entre les réunions{NBSP}: 1 jour ouvrable "
                                                 f"(écart souhaité{NBSP}: 1 jour ouvrable).")
    assert best.reasons_by_language["es"][0] == (
        "Martes, 22 de abril de 2025, 10:00–11:30 (Room XXIV, Palais des Nations): 4 días "
        "hábiles antes del período de sesiones; fuera de HRC58; por la mañana")
    assert best.reasons_by_language["ar"][1] == (
        "الأربعاء، 23 أبريل 2025، 10:00–11:30 (Room XXIV, Palais des Nations): قبل الدورة بـ3 "
        "أيام عمل؛ خارج HRC58؛ صباحًا")


def test_the_proposals_read_in_the_current_language(seeded):
    briefings.plan_session(49, Actor.system(), from_now=True)
    english = views("en")[0]
    assert english.language == "en" and english.reasons == stored()[0].reasons
    assert english.main_reason == "Between the meetings: 1 working day (preferred: 1 working day)."
    assert english.score_parts.startswith("lead time (1 working day away from the preferred 3")

    french = views("fr")[0]
    assert french.language == "fr"
    assert french.reasons == stored()[0].reasons_by_language["fr"]
    assert french.plain_reasons == french.reasons[:3]  # the score's line apart
    assert french.plain_reasons[0] == (
        f"Mardi 22 avril 2025, 10\u00a0h\u00a000–11\u00a0h\u00a030 (Room XXIV, Palais des Nations){NBSP}: 4 jours "
        f"ouvrables avant la session{NBSP}; en dehors de HRC58{NBSP}; le matin")
    assert french.main_reason == (f"Entre les réunions{NBSP}: 1 jour ouvrable (écart "
                                  f"souhaité{NBSP}: 1 jour ouvrable).")
    assert french.score_parts == (
        "délai (écart total de 1 jour ouvrable par rapport au délai souhaité de 3) -1,00, "
        "chevauchement avec le CDH +0,00, matinée +1,00, espacement +0,00, préférences des "
        "missions +0,00.")

    spanish = views("es")[0]
    assert spanish.language == "es"
    assert spanish.main_reason == ("Entre las reuniones: 1 día hábil (intervalo preferido: 1 día "
                                   "hábil).")
    assert spanish.score_parts.startswith("antelación (1 día hábil de diferencia en total")

    arabic = views("ar")[0]
    assert arabic.language == "ar"
    assert arabic.main_reason == "بين الاجتماعات: يوم عمل واحد (الفاصل المفضّل: يوم عمل واحد)."
    assert arabic.score_parts.startswith("المهلة (فارق إجمالي قدره يوم عمل واحد عن المهلة المفضّلة")
    assert arabic.plain_reasons[0].startswith("الثلاثاء، 22 أبريل 2025، 10:00–11:30")


def test_a_single_meetings_main_reason_in_each_language(seeded):
    briefings.plan_session(49, Actor.system(), {"max_states_per_meeting": 8}, from_now=True)
    assert views("en")[0].main_reason == ("3 working days before the session; outside HRC58; "
                                          "morning")
    assert views("fr")[0].main_reason == (f"3 jours ouvrables avant la session{NBSP}; en dehors "
                                          f"de HRC58{NBSP}; le matin")
    assert views("es")[0].main_reason == ("3 días hábiles antes del período de sesiones; fuera "
                                          "de HRC58; por la mañana")
    assert views("ar")[0].main_reason == "قبل الدورة بـ3 أيام عمل؛ خارج HRC58؛ صباحًا"


def test_a_proposal_planned_before_the_translations_reads_in_english(seeded):
    briefings.plan_session(49, Actor.system(), from_now=True)
    old = stored()[0]
    old.reasons_by_language = None  # as every proposal stored before migration 0017
    db.session.commit()
    for language in ("fr", "es", "ar"):
        view = views(language)[0]
        assert view.language == "en"
        assert view.reasons == old.reasons
        assert view.main_reason == ("Between the meetings: 1 working day (preferred: 1 "
                                    "working day).")
        assert view.score_parts.startswith("lead time (1 working day away")
    assert views("fr")[1].language == "fr"  # the others were stored with their translations


def test_reasons_true_to_the_council_sessions_on_file_in_every_language(seeded):
    for period in db.session.scalars(db.select(BusyPeriod).filter_by(kind="hrc_session")):
        db.session.delete(period)
    db.session.commit()
    briefings.plan_session(49, Actor.system(), from_now=True)
    best = stored()[0]
    assert "no Human Rights Council session is on file" in best.reasons[0]
    assert ("aucune session du Conseil des droits de l'homme n'est enregistrée"
            in best.reasons_by_language["fr"][0])
    assert ("no hay registrado ningún período de sesiones del Consejo de Derechos Humanos"
            in best.reasons_by_language["es"][0])
    assert "لا توجد أي دورة مسجلة لمجلس حقوق الإنسان" in best.reasons_by_language["ar"][0]


def test_the_session_page_shows_the_reasons_in_its_language(client, login, seeded):
    briefings.plan_session(49, Actor.system(), from_now=True)
    login("editor")
    french = text(page(client, "/sessions/49?lang=fr"))
    assert ("Mardi 22 avril 2025, 10 h 00–11 h 30 (Room XXIV, Palais des Nations): 4 jours "
            "ouvrables avant la session; en dehors de HRC58; le matin") in french
    assert "4 working days before the session" not in french
    arabic = text(page(client, "/sessions/49?lang=ar"))
    assert "قبل الدورة بـ4 أيام عمل؛ خارج HRC58؛ صباحًا" in arabic
    english = text(page(client, "/sessions/49?lang=en"))
    assert ("Tue 22 Apr 2025, 10:00–11:30 (Room XXIV, Palais des Nations): 4 working days "
            "before the session; outside HRC58; morning") in english
    key = stored()[0].key
    spanish = text(page(client, f"/sessions/49/proposals/{key}/confirm?lang=es"))
    assert "4 días hábiles antes del período de sesiones; fuera de HRC58" in spanish


def test_why_nothing_fits_is_flashed_in_the_pages_language(client, login, seeded):
    busy.add_closure(date(2025, 3, 1), date(2025, 4, 27), "UN Geneva liquidity closure",
                     Actor.system())
    login("editor")
    page(client, "/sessions/49?lang=fr")  # the language is kept for the browser session
    assert post(client, "/sessions/49/plan").status_code == 302
    section = text(page(client, "/sessions/49"))
    assert ("Tous les jours ouvrables du jeudi 3 avril 2025 au vendredi 25 avril 2025 sont "
            "bloqués pour les réunions avec Grenada, Guinea, Guinea-Bissau et Guyana") in section
    assert "UN Geneva liquidity closure" in section  # a label stays as it was entered
    assert ("Pour trouver un horaire: élargissez la période de planification "
            "(window_working_days, actuellement 15)") in section
    assert "Every working day from" not in section

    page(client, "/sessions/49?lang=es")
    post(client, "/sessions/49/plan")
    assert "Para encontrar un horario: amplíe el período de planificación" in text(
        page(client, "/sessions/49"))


def test_the_cli_json_keeps_its_english_shape_and_stores_the_translations(seeded, runner):
    result = runner.invoke(args=["propose", "49", "--json"])
    data = json.loads(result.output)
    assert set(data) == {"session", "proposals", "why", "coverage"}
    assert set(data["proposals"][0]) == {"id", "rank", "score", "reasons", "meetings"}
    assert data["proposals"][0]["reasons"] == stored()[0].reasons
    assert data["proposals"][0]["reasons"][0].startswith("Tue 22 Apr 2025, 10:00–11:30")
    # outside a request (the CLI, the scheduler) the other languages are written too
    assert stored()[0].reasons_by_language["fr"][0].startswith("Mardi 22 avril 2025, 10\u00a0h\u00a000")
