"""The planner's reasons and "why nothing fits" in French, Spanish and Arabic (issue 15,
point 1): written line for line beside the English ones, which stay exactly as they were,
with every placeholder filled, the plural forms of each language, its days, times, lists,
numbers and punctuation. The phrasings come from the compiled catalogs, as the service
loads them (no Flask here: the domain is pure)."""
from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from babel.support import Translations

from nam_briefings.domain import coverage
from nam_briefings.domain.messages import N_, Said
from nam_briefings.domain.phrasing import ENGLISH, written_in
from nam_briefings.domain.planner import (
    DEFAULT_RULES,
    Busy,
    MissionPreference,
    Room,
    SessionInfo,
    propose,
    result_to_json,
)

from .test_planner import HRC43, ROOM, UPR35, UPR35_NAM, ZURICH, days, states

TRANSLATIONS = Path(__file__).resolve().parents[2] / "nam_briefings" / "translations"
NBSP = "\u00a0"
LRM = "\u200e"


@pytest.fixture(scope="module")
def words():
    """How French, Spanish and Arabic write, from their compiled catalogs."""
    return {code: written_in(code, Translations.load(str(TRANSLATIONS), [code]))
            for code in ("fr", "es", "ar")}


def friday(result):
    """UPR35's proposal on Friday 17 January 2020 (1 working day before the session)."""
    return next(p for p in result.proposals if p.meetings[0].start.date() == date(2020, 1, 17))


# --- English stays as it was -----------------------------------------------------------------


def test_the_english_reasons_and_json_are_the_same_with_or_without_other_languages(words):
    alone = propose(UPR35, states(6), [ROOM], [HRC43])
    written = propose(UPR35, states(6), [ROOM], [HRC43], phrasings=words)
    assert [p.reasons for p in written.proposals] == [p.reasons for p in alone.proposals]
    assert result_to_json(written) == result_to_json(alone)
    assert alone.proposals[0].reasons_by_language == {}
    assert alone.proposals[0].reasons_in("fr") == alone.proposals[0].reasons  # English instead
    assert set(written.proposals[0].reasons_by_language) == {"fr", "es", "ar"}
    assert propose(UPR35, states(6), [ROOM], [HRC43], phrasings={"en": ENGLISH, **words}) \
        .proposals[0].reasons == alone.proposals[0].reasons


def test_every_language_has_as_many_reasons_and_why_lines_as_english(words):
    rnd = random.Random(15)
    for _ in range(60):
        first = date(2024, 1, 8) + timedelta(days=rnd.randrange(700))
        session = SessionInfo(40, first, first + timedelta(days=11), expected=rnd.random() < 0.3)
        rules = DEFAULT_RULES.with_overrides(window_working_days=rnd.randint(1, 10),
                                             max_states_per_meeting=rnd.randint(1, 4),
                                             min_gap_working_days=rnd.randint(0, 2))
        busy = []
        for i in range(rnd.randint(0, 3)):
            last = session.start_date - timedelta(days=rnd.randint(1, 6))
            busy.append(days(last - timedelta(days=rnd.randint(0, 8)), last,
                             rnd.choice(["closure", "hrc_session", "meeting"]), f"Busy {i}"))
        result = propose(session, states(rnd.randint(0, 9)), [ROOM], busy, rules,
                         phrasings=words)
        for code in words:
            assert len(result.why_in(code)) == len(result.why)
            for p in result.proposals:
                assert len(p.reasons_in(code)) == len(p.reasons)
            for line in result.why_in(code) + [r for p in result.proposals
                                               for r in p.reasons_in(code)]:
                assert "%(" not in line and "%d" not in line, line  # every placeholder filled


# --- a proposal's reasons --------------------------------------------------------------------


def test_a_meetings_reason_in_french(words):
    reasons = friday(propose(UPR35, UPR35_NAM, [ROOM], [HRC43], phrasings=words)).reasons_in("fr")
    assert reasons == [
        f"Vendredi 17 janvier 2020, 10\u00a0h\u00a000–11\u00a0h\u00a030 (Room XXIV){NBSP}: 1 jour ouvrable avant la "
        f"session{NBSP}; en dehors de HRC43{NBSP}; le matin",
        f"Note -1,50{NBSP}: délai (écart total de 2 jours ouvrables par rapport au délai "
        "souhaité de 3) -2,00, chevauchement avec le CDH +0,00, matinée +0,50, espacement +0,00, "
        "préférences des missions +0,00."]


def test_a_meetings_reason_in_spanish(words):
    reasons = friday(propose(UPR35, UPR35_NAM, [ROOM], [HRC43], phrasings=words)).reasons_in("es")
    assert reasons == [
        "Viernes, 17 de enero de 2020, 10:00–11:30 (Room XXIV): 1 día hábil antes del período "
        "de sesiones; fuera de HRC43; por la mañana",
        "Puntuación -1,50: antelación (2 días hábiles de diferencia en total respecto de la "
        "antelación preferida de 3) -2,00, coincidencia con el CDH +0,00, mañana +0,50, "
        "separación +0,00, preferencias de las misiones +0,00."]


def test_a_meetings_reason_in_arabic(words):
    reasons = friday(propose(UPR35, UPR35_NAM, [ROOM], [HRC43], phrasings=words)).reasons_in("ar")
    assert reasons == [
        "الجمعة، 17 يناير 2020، 10:00–11:30 (Room XXIV): قبل الدورة بيوم عمل واحد؛ خارج HRC43؛ "
        "صباحًا",
        f"مجموع النقاط {LRM}-1.50: المهلة (فارق إجمالي قدره يوما عمل عن المهلة المفضّلة البالغة 3) "
        f"{LRM}-2.00، التزامن مع دورات مجلس حقوق الإنسان {LRM}+0.00، الفترة الصباحية {LRM}+0.50، "
        f"التباعد {LRM}+0.00، تفضيلات البعثات {LRM}+0.00."]


@pytest.mark.parametrize("lead, fr, es, ar", [
    (1, "1 jour ouvrable avant la session", "1 día hábil antes del período de sesiones",
     "قبل الدورة بيوم عمل واحد"),
    (2, "2 jours ouvrables avant la session", "2 días hábiles antes del período de sesiones",
     "قبل الدورة بيومي عمل"),
    (3, "3 jours ouvrables avant la session", "3 días hábiles antes del período de sesiones",
     "قبل الدورة بـ3 أيام عمل"),
    (11, "11 jours ouvrables avant la session", "11 días hábiles antes del período de sesiones",
     "قبل الدورة بـ11 يوم عمل"),
])
def test_the_lead_time_takes_each_languages_plural_forms(words, lead, fr, es, ar):
    rules = DEFAULT_RULES.with_overrides(window_working_days=12, preferred_lead_working_days=lead,
                                         max_proposals=1)
    best = propose(UPR35, UPR35_NAM, [ROOM], [HRC43], rules, phrasings=words).proposals[0]
    assert f"{lead} working day" in best.reasons[0]
    for code, expected in (("fr", fr), ("es", es), ("ar", ar)):
        facts = re.split(r"\): |\)\xa0: ", best.reasons_in(code)[0], maxsplit=1)[1]
        assert facts.startswith(expected), (code, facts)


def test_the_spacing_of_several_meetings_and_the_missions_days(words):
    wednesday = MissionPreference("S01", preferred_weekdays=frozenset({1}))
    best = propose(UPR35, states(6), [ROOM], [HRC43], preferences=[wednesday],
                   phrasings=words).proposals[0]
    assert best.reasons[0].endswith("; a day State 1 prefers")
    assert best.reasons[2] == "Between the meetings: 1 working day (preferred: 1 working day)."
    assert best.reasons_in("fr")[0].endswith(f"le matin{NBSP}; jour préféré par State 1")
    assert best.reasons_in("fr")[2] == (f"Entre les réunions{NBSP}: 1 jour ouvrable (écart "
                                        f"souhaité{NBSP}: 1 jour ouvrable).")
    assert best.reasons_in("es")[2] == ("Entre las reuniones: 1 día hábil (intervalo preferido: "
                                        "1 día hábil).")
    assert best.reasons_in("ar")[0].endswith("صباحًا؛ يوم تفضّله State 1")
    assert best.reasons_in("ar")[2] == ("بين الاجتماعات: يوم عمل واحد (الفاصل المفضّل: يوم عمل "
                                        "واحد).")


def test_an_expected_session_is_tentative_in_every_language(words):
    expected = SessionInfo(35, UPR35.start_date, UPR35.end_date, expected=True)
    best = propose(expected, UPR35_NAM, [ROOM], [HRC43], phrasings=words).proposals[0]
    assert best.reasons[0].startswith("Tentative: session 35 is expected (forecast)")
    assert best.reasons_in("fr")[0] == (f"Provisoire{NBSP}: la session 35 n'est qu'une "
                                        f"prévision{NBSP}; ses dates et son ordre d'examen ne "
                                        "sont pas encore publiés.")
    assert best.reasons_in("es")[1].startswith("(Provisional) Miércoles, 15 de enero de 2020")
    assert best.reasons_in("ar")[1].startswith("(مبدئي) الأربعاء، 15 يناير 2020")


def test_the_council_sessions_not_known_qualify_the_reasons_in_each_language(words):
    lonely = propose(UPR35, UPR35_NAM, [ROOM], phrasings=words).proposals[0]
    assert "no Human Rights Council session near the window" in lonely.reasons[0]
    covered = coverage.window_coverage(date(2019, 12, 20), date(2020, 1, 17),
                                       [coverage.CouncilSession(41, "HRC41", date(2019, 6, 24),
                                                                date(2019, 7, 12))], [])
    english = coverage.qualify_reasons(lonely.reasons, covered)
    assert "Human Rights Council sessions after HRC41 are not known" in english[0]
    french = coverage.qualify_reasons(lonely.reasons_in("fr"), covered, words["fr"])
    assert ("les sessions du Conseil des droits de l'homme après HRC41 ne sont pas connues"
            in french[0])
    assert "à proximité de la période de planification" not in french[0]
    arabic = coverage.qualify_reasons(lonely.reasons_in("ar"), covered, words["ar"])
    assert "دورات مجلس حقوق الإنسان بعد HRC41 غير معروفة" in arabic[0]


# --- why nothing fits -------------------------------------------------------------------------


def test_no_presenter_in_every_language(words):
    result = propose(UPR35, states(2, "observer"), [ROOM], phrasings=words)
    assert result.why_in("fr") == [
        f"Aucun membre du MNA n'est examiné à la session 35{NBSP}; personne n'a donc à présenter.",
        "Les observateurs du MNA examinés (State 1 et State 2) ne présentent qu'avec la règle "
        "include_observers."]
    assert result.why_in("es") == [
        "Ningún miembro del MNOAL se examina en el período de sesiones 35, por lo que nadie "
        "presenta.",
        "Los observadores del MNOAL que se examinan (State 1 y State 2) solo presentan con la "
        "regla include_observers."]
    assert result.why_in("ar")[1] == ("لا يقدّم المراقبون في حركة عدم الانحياز الخاضعون للاستعراض "
                                      "(State 1 وState 2) عروضًا إلا مع القاعدة include_observers.")


def test_no_room_big_enough_in_every_language(words):
    result = propose(UPR35, UPR35_NAM, [Room("Room VII", 40)], phrasings=words)
    assert result.why[0] == ("No room seats the expected audience of 120 (the largest, Room VII, "
                             "seats 40).")
    assert result.why_in("fr") == [
        "Aucune salle ne peut accueillir le public attendu, soit 120 (la plus grande, Room VII, "
        "a une capacité de 40).",
        f"Pour trouver un horaire{NBSP}: ajoutez une salle plus grande ou abaissez "
        "expected_audience."]
    assert result.why_in("es")[1] == ("Para encontrar un horario: añada una sala más grande o "
                                      "reduzca expected_audience.")
    assert result.why_in("ar") == [
        "لا تتسع أي قاعة لعدد الحضور المتوقع البالغ 120 (أكبر القاعات، Room VII، تتسع لـ40).",
        "لإيجاد موعد: أضيفوا قاعة أكبر أو خفّضوا expected_audience."]
    assert propose(UPR35, UPR35_NAM, [], phrasings=words).why_in("es") == [
        "No hay ninguna sala configurada: añada una sala."]


def test_a_blocked_window_in_every_language(words):
    session = SessionInfo(48, date(2025, 1, 20), date(2025, 1, 31))
    closure = days(date(2024, 12, 20), date(2025, 1, 10), "closure", "UN Geneva closure")
    retreat = days(date(2025, 1, 13), date(2025, 1, 17), "meeting", "NAM coordinators' retreat")
    result = propose(session, states(3), [ROOM], [closure, retreat], phrasings=words)
    assert result.why_in("fr") == [
        "Tous les jours ouvrables du jeudi 26 décembre 2024 au vendredi 17 janvier 2025 sont "
        "bloqués pour la réunion avec State 1, State 2 et State 3 (90 minutes)\u00a0: UN Geneva "
        "closure (10 jours ouvrables, jeudi 26 décembre 2024 – vendredi 10 janvier 2025) et "
        "NAM coordinators' retreat (5 jours ouvrables, lundi 13 janvier 2025 – vendredi 17 "
        "janvier 2025).",
        f"Les jours fériés officiels à Genève pendant cette période ne sont pas des jours "
        f"ouvrables{NBSP}: Restauration de la République (mardi 31 décembre 2024) et Nouvel An "
        "(mercredi "
        "1er janvier 2025).",
        f"Pour trouver un horaire{NBSP}: élargissez la période de planification "
        f"(window_working_days, actuellement 15){NBSP}; allongez les heures de réunion "
        f"(actuellement 10\u00a0h\u00a000–13\u00a0h\u00a000, 15\u00a0h\u00a000–18\u00a0h\u00a000){NBSP}; abaissez max_states_per_meeting "
        "(actuellement 4) pour raccourcir les réunions."]
    assert result.why_in("es")[0].startswith(
        "Todos los días hábiles del jueves, 26 de diciembre de 2024 al viernes, 17 de enero de "
        "2025 están bloqueados para la reunión de State 1, State 2 y State 3 (90 minutos): ")
    assert result.why_in("ar")[0] == (
        "جميع أيام العمل من الخميس، 26 ديسمبر 2024 إلى الجمعة، 17 يناير 2025 غير متاحة لاجتماع "
        "State 1 وState 2 وState 3 (90 دقيقة): UN Geneva closure (10 أيام عمل، الخميس، 26 ديسمبر "
        "2024 – الجمعة، 10 يناير 2025) وNAM coordinators' retreat (5 أيام عمل، الاثنين، 13 يناير "
        "2025 – الجمعة، 17 يناير 2025).")
    assert result.why_in("ar")[2].startswith("لإيجاد موعد: وسّعوا فترة التخطيط "
                                             "(window_working_days، حاليًا 15)؛ ")


def test_two_blocked_meetings_take_the_arabic_dual(words):
    session = SessionInfo(48, date(2025, 1, 20), date(2025, 1, 31))
    closure = days(date(2024, 12, 20), date(2025, 1, 17), "closure", "UN Geneva closure")
    result = propose(session, states(5), [ROOM], [closure], phrasings=words)
    assert "is blocked for the meetings of State 1, State 2 and State 3 (90 minutes); " \
           "State 4 and State 5 (60 minutes): UN Geneva closure" in result.why[0]
    assert ("bloqués pour les réunions avec State 1, State 2 et State 3 (90 minutes)\u00a0; "
            "State 4 et State 5 (60 minutes)") in result.why_in("fr")[0]
    assert "para las reuniones de State 1, State 2 y State 3 (90 minutos); State 4 y State 5 " \
           "(60 minutos)" in result.why_in("es")[0]
    assert "غير متاحة لاجتماعَي State 1 وState 2 وState 3 (90 دقيقة)؛ State 4 وState 5 (60 " \
           "دقيقة)" in result.why_in("ar")[0]


def test_a_meeting_longer_than_the_hours_in_every_language(words):
    rules = DEFAULT_RULES.with_overrides(meeting_hours="10:00-11:00", max_states_per_meeting=4)
    result = propose(UPR35, UPR35_NAM, [ROOM], rules=rules, phrasings=words)
    assert result.why_in("fr")[0] == (
        "La réunion avec Lao People's Democratic Republic, Guyana et Kuwait dure 90 minutes, "
        "mais la plus longue plage des heures de réunion (10\u00a0h\u00a000–11\u00a0h\u00a000) ne dure que 60 "
        "minutes.")
    assert result.why_in("es")[0] == (
        "La reunión de Lao People's Democratic Republic, Guyana y Kuwait requiere 90 minutos, "
        "pero el bloque más largo del horario de reuniones (10:00–11:00) es de 60 minutos.")
    assert result.why_in("ar")[0] == (
        "يتطلب اجتماع Lao People's Democratic Republic وGuyana وKuwait مدة 90 دقيقة، لكن أطول "
        "فترة في ساعات الاجتماعات (10:00–11:00) لا تتجاوز 60 دقيقة.")


def test_meetings_that_fit_one_by_one_but_not_together(words):
    rules = DEFAULT_RULES.with_overrides(window_working_days=2, max_states_per_meeting=1,
                                         meeting_hours="10:00-11:00")
    result = propose(UPR35, states(3), [ROOM], rules=rules, phrasings=words)
    assert result.why[0] == ("Each of the 3 meetings fits on its own, but they cannot all take "
                             "place in review order on different working days:")
    assert result.why[1] == "The meeting of State 1 fits on Thu 16 Jan 2020 and Fri 17 Jan 2020."
    assert result.why_in("fr")[:2] == [
        "Chacune des 3 réunions est possible isolément, mais elles ne peuvent pas toutes se "
        f"tenir dans l'ordre d'examen, un jour ouvrable différent chacune{NBSP}:",
        f"La réunion avec State 1 peut se tenir aux dates suivantes{NBSP}: jeudi 16 janvier 2020 "
        "et vendredi 17 janvier 2020."]
    assert result.why_in("es")[1] == ("La reunión de State 1 puede celebrarse en las fechas "
                                      "siguientes: jueves, 16 de enero de 2020 y viernes, 17 de "
                                      "enero de 2020.")
    assert result.why_in("ar")[0].startswith("كل اجتماع من الاجتماعات الـ3 ممكن بمفرده")
    assert result.why_in("ar")[1] == ("يمكن عقد اجتماع State 1 في اليومين التاليين: الخميس، 16 "
                                      "يناير 2020 والجمعة، 17 يناير 2020.")
    two = propose(UPR35, states(2), [ROOM], rules=rules.with_overrides(window_working_days=1),
                  phrasings=words)
    assert two.why_in("ar")[0] == ("كل من الاجتماعين ممكن بمفرده، لكن لا يمكن عقدهما وفق ترتيب "
                                   "الاستعراض في يومي عمل مختلفين:")
    assert two.why_in("ar")[1] == "يمكن عقد اجتماع State 1 يوم الجمعة، 17 يناير 2020."
    assert two.why_in("fr")[1] == ("La réunion avec State 1 peut se tenir le vendredi 17 "
                                   "janvier 2020.")


def test_a_blocked_day_names_the_room_and_the_mission_in_each_language(words):
    rules = DEFAULT_RULES.with_overrides(window_working_days=2, max_states_per_meeting=1,
                                         meeting_hours="10:00-11:00", min_gap_working_days=0)
    thursday = date(2020, 1, 16)
    booked = Busy(datetime.combine(thursday, time(9), ZURICH),
                  datetime.combine(thursday, time(12), ZURICH), "meeting", "G77 meeting",
                  room="Room XXIV")
    away = Busy(datetime.combine(thursday, time(9), ZURICH),
                datetime.combine(thursday, time(12), ZURICH), "blackout", "national day",
                mission_iso3="S02")
    result = propose(UPR35, states(3), [ROOM], [booked, away], rules, phrasings=words)
    line = next(text for text in result.why if "fits only on" in text)
    assert "(blocked: Room XXIV booked: G77 meeting (Thu 16 Jan 2020))" in line
    french = result.why_in("fr")[result.why.index(line)]
    assert french == ("La réunion avec State 1 ne peut se tenir que le vendredi 17 janvier 2020 "
                      f"(bloquée par Room XXIV réservée{NBSP}: G77 meeting (jeudi 16 janvier "
                      "2020)).")
    spanish = [text for text in result.why_in("es") if "State 2:" in text]
    assert spanish and "State 2: national day (jueves, 16 de enero de 2020)" in spanish[0]
    arabic = result.why_in("ar")[result.why.index(line)]
    assert arabic == ("لا يمكن عقد اجتماع State 1 إلا يوم الجمعة، 17 يناير 2020 (العوائق: "
                      "Room XXIV محجوزة: G77 meeting (الخميس، 16 يناير 2020)).")


def test_another_sessions_briefing_in_the_way_is_named_in_each_language(words):
    session = SessionInfo(48, date(2025, 1, 20), date(2025, 1, 31))
    closure = days(date(2024, 12, 20), date(2025, 1, 10), "closure", "UN Geneva closure")
    other = days(date(2025, 1, 13), date(2025, 1, 17), "briefing",
                 Said(N_("NAM briefing for UPR%(number)s"), number=47))
    result = propose(session, states(3), [ROOM], [closure, other], phrasings=words)
    assert "NAM briefing for UPR47 (5 working days" in result.why[0]
    named = {"fr": "Réunion d'information du MNA pour l'EPU 47",
             "es": "Reunión informativa del MNOAL para el EPU 47",
             "ar": "إحاطة حركة عدم الانحياز للدورة 47 للاستعراض الدوري الشامل"}
    for language, name in named.items():
        assert name in result.why_in(language)[0], result.why_in(language)[0]
        assert "NAM briefing for" not in result.why_in(language)[0]


# --- the phrasing ------------------------------------------------------------------------------


def test_a_phrasing_writes_days_times_lists_and_numbers_the_languages_way(words):
    moment = datetime(2027, 1, 13, 10, 5, tzinfo=ZURICH)
    assert words["fr"].day(moment.date()) == "mercredi 13 janvier 2027"
    assert words["fr"].clock(moment) == "10\u00a0h\u00a005"
    assert words["es"].names(["Chile", "Cuba", "Peru"]) == "Chile, Cuba y Peru"
    assert words["ar"].names(["Chile", "Cuba"]) == "Chile وCuba"
    assert [words[code].signed(-2.0) for code in ("fr", "es", "ar")] == ["-2,00", "-2,00",
                                                                         f"{LRM}-2.00"]
    assert words["fr"].ngettext("%(num)d working day", "%(num)d working days", 0,
                                num=0) == "0 jour ouvrable"
    assert words["ar"].ngettext("%(num)d working day", "%(num)d working days", 2) == "يوما عمل"
    assert written_in("en", Translations.load(str(TRANSLATIONS), ["fr"])) is ENGLISH
