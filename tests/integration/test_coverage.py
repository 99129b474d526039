"""Reference data that says where it ends: what covered a proposal's window.

The shipped Human Rights Council sessions end with HRC61 (31 March 2026) and no UN Geneva
closure is shipped. A session of January 2027 planned on 2 December 2026 rests on
neither: its proposals say so, with a warning, and so do `propose --json`, the session
page and the dashboard. The "Add a session" form suggests the next session that is
neither held nor on file.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from nam_briefings.domain import coverage, planner, wording
from nam_briefings.domain.coverage import CouncilSession, window_coverage
from nam_briefings.extensions import db
from nam_briefings.domain.calendar import GENEVA
from nam_briefings.models import OutboxMessage, State, UprSession
from nam_briefings.services import briefings, forecast, sessions
from nam_briefings.services.audit import Actor
from nam_briefings.services.busy import add_busy_period, add_closure
from nam_briefings.services.calendar import import_csv, seed_reference_data
from tests.factories import create_review
from tests.integration.web_helpers import action_links, needs_action, page, post, text

HRC61 = CouncilSession(61, "HRC61", date(2026, 2, 23), date(2026, 3, 31))
HRC49 = CouncilSession(49, "HRC49", date(2022, 2, 28), date(2022, 4, 1))
#: session 54 as the rotation expects it; its window is Mon 4 – Fri 22 Jan 2027
SESSION_54 = {"start": date(2027, 1, 25), "end": date(2027, 2, 5)}
HRC_UNKNOWN = ("Human Rights Council sessions after HRC61 are not known: check the Council's "
               "programme for January 2027 before confirming")
NO_CLOSURES = "No UN Geneva closures are entered for 2027: add them under Busy & rooms"


# --- the pure function ------------------------------------------------------------------------


def test_a_window_past_the_known_council_sessions_and_closures_is_warned_about():
    found = window_coverage(date(2027, 1, 4), date(2027, 1, 22), [HRC49, HRC61], [])
    assert found.lines == ("Human Rights Council sessions known up to HRC61 (ending 31 Mar 2026)",
                           "UN Geneva closures entered for 2027: none")
    assert [w.text for w in found.warnings] == [HRC_UNKNOWN, NO_CLOSURES]
    assert [w.short for w in found.warnings] == [
        "Human Rights Council sessions after HRC61 are not known",
        "no UN Geneva closures entered for 2027"]
    assert not found.hrc_known
    assert found.to_json() == {
        "window": {"first": "2027-01-04", "last": "2027-01-22"},
        "hrc_known_until": "2026-03-31", "hrc_last_known": "HRC61",
        "closures_entered": {"2027": 0},
        "lines": list(found.lines), "warnings": [HRC_UNKNOWN, NO_CLOSURES]}


def test_a_window_within_the_known_sessions_with_closures_entered_has_no_warning():
    closures = [(date(2026, 1, 1), date(2026, 1, 2)), (date(2026, 4, 3), date(2026, 4, 6)),
                (date(2025, 12, 24), date(2025, 12, 31))]
    found = window_coverage(date(2026, 3, 2), date(2026, 3, 20), [HRC49, HRC61], closures)
    assert found.warnings == () and found.hrc_known
    assert found.lines[1] == "UN Geneva closures entered for 2026: 2"
    assert found.closures == {2026: 2}


def test_a_window_over_new_year_counts_the_closures_of_both_years():
    closures = [(date(2026, 12, 24), date(2027, 1, 2))]  # touches both years
    found = window_coverage(date(2026, 12, 14), date(2027, 1, 8), [HRC61], closures)
    assert found.lines[1:] == ("UN Geneva closures entered for 2026: 1",
                               "UN Geneva closures entered for 2027: 1")
    assert [w.kind for w in found.warnings] == ["hrc"]
    assert "programme for December 2026 and January 2027" in found.warnings[0].text
    only_2026 = window_coverage(date(2026, 12, 14), date(2027, 1, 8), [HRC61],
                                [(date(2026, 12, 24), date(2026, 12, 31))])
    assert only_2026.warnings[-1].text == ("No UN Geneva closures are entered for 2027: add them "
                                           "under Busy & rooms")


def test_windows_before_the_first_known_session_or_without_any_are_warned_about():
    early = window_coverage(date(2020, 1, 6), date(2020, 1, 17), [HRC49, HRC61], [])
    assert early.warnings[0].short == "Human Rights Council sessions before HRC49 are not known"
    assert early.lines[0] == ("Human Rights Council sessions known from HRC49 (starting "
                              "28 Feb 2022) up to HRC61 (ending 31 Mar 2026)")
    none = window_coverage(date(2027, 1, 4), date(2027, 1, 22), [], [])
    assert none.lines[0] == "Human Rights Council sessions known: none"
    assert none.warnings[0].text.startswith("No Human Rights Council session is on file")
    assert none.to_json()["hrc_known_until"] is None


def test_months_are_named_as_people_say_them():
    assert wording.months_text(date(2027, 1, 4), date(2027, 1, 22)) == "January 2027"
    assert wording.months_text(date(2027, 4, 10), date(2027, 5, 2)) == "April and May 2027"
    assert wording.months_text(date(2027, 3, 1), date(2027, 6, 2)) == "from March to June 2027"


def test_the_planner_still_says_what_coverage_qualifies():
    """`qualify_reasons` rewrites the planner's words: if they change, this must fail."""
    session = planner.SessionInfo(54, *SESSION_54.values())
    result = planner.propose(session, [planner.Presenter("KEN", "Kenya", 1)],
                             [planner.Room("Room XXIV", 150)], [])
    reason = result.proposals[0].reasons[0]
    assert coverage.NO_HRC_NEAR in reason
    unknown = window_coverage(date(2027, 1, 4), date(2027, 1, 22), [HRC61], [])
    fixed = coverage.qualify_reasons([reason], unknown)[0]
    assert coverage.NO_HRC_NEAR not in fixed
    assert "; Human Rights Council sessions after HRC61 are not known;" in fixed


# --- planning on the shipped data ---------------------------------------------------------------


def seed_without_forecast() -> None:
    """The shipped data only: the expected sessions a seed may forecast are taken out,
    so that each test says which sessions are on file and with which dates."""
    seed_reference_data(Actor.system())
    for session in db.session.scalars(db.select(UprSession).filter_by(status="expected")):
        db.session.delete(session)
    db.session.commit()


@pytest.fixture
def shipped(app):
    """The shipped data on 2 December 2026, with session 54 on file as expected."""
    app.config["TODAY"] = date(2026, 12, 2)
    seed_without_forecast()
    add_session(54, status="expected", **SESSION_54)
    return app


def add_session(number: int, start: date, end: date, status: str = "scheduled",
                states: tuple[str, ...] = ("KEN", "NOR", "GUY", "KWT")) -> UprSession:
    """A session with these states under review, in order (cycle by the rotation)."""
    session = UprSession(number=number, cycle=(number - 13) // 14 + 2, start_date=start,
                         end_date=end, status=status,
                         forecast_from=number - 14 if status == "expected" else None)
    db.session.add(session)
    db.session.commit()
    for position, iso3 in enumerate(states, start=1):
        create_review(session, db.session.get(State, iso3), position)
    return session


def propose_json(runner, number: int) -> tuple[int, dict]:
    result = runner.invoke(args=["propose", str(number), "--json"])
    return result.exit_code, json.loads(result.output)


def hrc_csv(*rows: tuple[int, str, str]) -> bytes:
    return ("number,start_date,end_date\n"
            + "".join(f"{n},{a},{b}\n" for n, a, b in rows)).encode()


def test_propose_json_says_what_covered_the_window_and_warns(shipped, runner):
    code, data = propose_json(runner, 54)
    assert code == 0, data
    assert set(data) == {"session", "proposals", "why", "coverage"}
    assert data["coverage"]["hrc_known_until"] == "2026-03-31"
    assert data["coverage"]["hrc_last_known"] == "HRC61"
    assert data["coverage"]["closures_entered"] == {"2027": 0}
    assert data["coverage"]["warnings"] == [HRC_UNKNOWN, NO_CLOSURES]
    reasons = [r for p in data["proposals"] for r in p["reasons"]]
    assert not any(coverage.NO_HRC_NEAR in r for r in reasons)
    assert any("Human Rights Council sessions after HRC61 are not known" in r for r in reasons)


def test_once_the_data_is_entered_the_warnings_go_and_the_words_are_true(shipped, runner):
    import_csv("hrc-sessions", hrc_csv((62, "2026-06-15", "2026-07-08"),
                                       (63, "2026-09-07", "2026-10-07"),
                                       (64, "2027-02-22", "2027-04-02")), Actor.system())
    add_closure(date(2027, 4, 16), date(2027, 4, 19), "UN Geneva closure (Easter)",
                Actor.system())
    code, data = propose_json(runner, 54)
    assert code == 0
    assert data["coverage"]["warnings"] == []
    assert data["coverage"]["lines"] == [
        "Human Rights Council sessions known up to HRC64 (ending 2 Apr 2027)",
        "UN Geneva closures entered for 2027: 1"]
    # HRC63 ended in October, HRC64 starts after the session: now it is known
    assert any(coverage.NO_HRC_NEAR in r for r in data["proposals"][0]["reasons"])


def test_a_council_session_entered_by_hand_counts_by_its_label(shipped, runner):
    add_busy_period("hrc_session", date(2027, 2, 22), date(2027, 4, 2), "HRC64 (expected)",
                    Actor.system())
    code, data = propose_json(runner, 54)
    assert data["coverage"]["hrc_last_known"] == "HRC64"
    assert data["coverage"]["warnings"] == [NO_CLOSURES]


def test_a_room_booking_of_kind_closure_is_not_a_un_geneva_closure(shipped, runner):
    add_busy_period("closure", date(2027, 3, 1), date(2027, 3, 1), "Room XXIV works",
                    Actor.system(), room_name="Room XXIV, Palais des Nations")
    assert propose_json(runner, 54)[1]["coverage"]["closures_entered"] == {"2027": 0}


def test_when_nothing_fits_the_why_says_what_the_window_rested_on(shipped, runner):
    add_closure(date(2026, 12, 1), date(2027, 1, 24), "Closure for the test", Actor.system())
    result = runner.invoke(args=["propose", "54"])
    assert result.exit_code == 1
    assert "Human Rights Council sessions known up to HRC61 (ending 31 Mar 2026)" in result.output
    assert f"Warning: {HRC_UNKNOWN}." in result.output
    code, data = propose_json(runner, 54)
    assert code == 1 and data["proposals"] == [] and data["why"]
    assert data["coverage"]["closures_entered"] == {"2027": 1}
    assert data["coverage"]["warnings"] == [HRC_UNKNOWN]


def test_the_text_output_carries_the_coverage(shipped, runner):
    result = runner.invoke(args=["propose", "54"])
    assert result.exit_code == 0
    assert "UN Geneva closures entered for 2027: none" in result.output
    assert f"Warning: {NO_CLOSURES}." in result.output


def test_the_secretariats_notice_of_new_proposals_carries_the_coverage(shipped):
    plans = briefings.plan_upcoming_sessions(Actor.system(), horizon_days=90,
                                             now=datetime(2026, 12, 2, 9, 0, tzinfo=GENEVA))
    assert [p.session.number for p in plans] == [54]
    assert plans[0].coverage.warnings
    notice = db.session.scalars(db.select(OutboxMessage).filter_by(kind="notice")).one()
    assert "What the proposals rest on:\n  - Human Rights Council sessions known up to HRC61" \
        in notice.body_text
    assert f"  - Warning: {HRC_UNKNOWN}." in notice.body_text


# --- the session page and the dashboard ------------------------------------------------------


def test_the_session_page_shows_what_the_proposals_rest_on(shipped, client, login):
    briefings.plan_session(54, Actor.system(), from_now=True)
    login("viewer")
    html = page(client, "/sessions/54")
    block = text(html.split('id="coverage-heading"')[1].split("</div>")[0])
    assert "What the proposals rest on" in block
    assert "Human Rights Council sessions known up to HRC61 (ending 31 Mar 2026)" in block
    assert "UN Geneva closures entered for 2027: none" in block
    assert f"Warning: {HRC_UNKNOWN}." in block and f"Warning: {NO_CLOSURES}." in block
    reasons = text(html.split('class="reasons"')[1].split("</ul>")[0])
    assert coverage.NO_HRC_NEAR not in reasons


def test_the_session_page_links_editors_to_where_the_data_is_entered(shipped, client, login):
    briefings.plan_session(54, Actor.system(), from_now=True)
    login("editor")
    block = page(client, "/sessions/54").split('id="coverage-heading"')[1].split("</div>")[0]
    assert 'href="/sessions/import"' in block and 'href="/busy"' in block


def line_about(lines, gap: str) -> str:
    """The one "needs action" line about `gap` (it names the sessions that share it)."""
    [line] = [line for line in lines if line.endswith(f": {gap}")]
    return line


def test_the_dashboard_asks_for_the_missing_reference_data(shipped, client, login):
    login("editor")
    lines = action_links(page(client, "/"))
    hrc = line_about(lines, "Human Rights Council sessions after HRC61 are not known")
    closures = line_about(lines, "no UN Geneva closures entered for 2027")
    # one line (line_about finds exactly one) for the upcoming sessions that share a gap
    assert hrc.startswith(("Session 54:", "Sessions 54, ", "Sessions 54 and "))
    assert lines[hrc] == "/sessions/import" and lines[closures] == "/busy"
    assert closures.startswith("Session") and "54" in closures
    add_closure(date(2027, 1, 1), date(2027, 1, 1), "UN Geneva closure (New Year)",
                Actor.system())
    after = needs_action(page(client, "/"))
    assert not [line for line in after if line.endswith("no UN Geneva closures entered for 2027")]
    assert hrc in after


def test_viewers_read_the_line_without_a_link(shipped, client, login):
    login("viewer")
    html = page(client, "/")
    line = line_about(needs_action(html), "no UN Geneva closures entered for 2027")
    assert line not in action_links(html)


def test_a_briefed_or_covered_session_has_no_coverage_line(shipped, client, login):
    import_csv("hrc-sessions", hrc_csv((64, "2027-02-22", "2027-04-02")), Actor.system())
    add_closure(date(2027, 4, 16), date(2027, 4, 19), "UN Geneva closure (Easter)",
                Actor.system())
    login("viewer")
    assert not any(line.startswith("Session 54:") for line in needs_action(page(client, "/")))


# --- "Add a session" ----------------------------------------------------------------------------


@pytest.fixture
def through_53(app):
    """The shipped data on 2 December 2026 and session 53 (November 2026, so held)."""
    app.config["TODAY"] = date(2026, 12, 2)
    seed_without_forecast()
    add_session(53, date(2026, 11, 2), date(2026, 11, 13))
    return app


def form_value(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


def test_the_form_suggests_the_session_after_the_held_ones(through_53, client, login):
    login("editor")
    html = page(client, "/sessions/new")
    assert form_value(html, "number") == "54" and form_value(html, "cycle") == "4"
    assert sessions.next_session_defaults().number == 54


def test_expected_sessions_on_file_are_named_and_the_next_one_is_suggested(through_53, client,
                                                                           login):
    add_session(54, status="expected", **SESSION_54)
    add_session(55, date(2027, 5, 3), date(2027, 5, 14), status="expected")
    login("editor")
    html = page(client, "/sessions/new")
    assert form_value(html, "number") == "56" and form_value(html, "cycle") == "5"
    note = text(html.split('id="expected-on-file"')[1].split("</p>")[0])
    assert ("Sessions 54 and 55 are on file as expected (from the rotation): publish them "
            "from their page when OHCHR publishes them.") in note
    assert 'href="/sessions/54"' in html and 'href="/sessions/55"' in html


def test_a_gap_among_the_sessions_on_file_is_suggested_first(through_53, client, login):
    add_session(55, date(2027, 5, 3), date(2027, 5, 14), status="expected")
    assert sessions.next_session_defaults().number == 54


def test_the_forecast_fills_in_the_dates_and_states(through_53, client, login):
    expected = forecast.forecast_session(54)
    assert expected.from_session == 40 and expected.states and expected.nam_presenters
    login("editor")
    html = page(client, "/sessions/new")
    assert form_value(html, "start_date") == expected.expected_start.isoformat()
    assert form_value(html, "end_date") == expected.expected_end.isoformat()
    note = text(html.split('id="forecast-note"')[1].split("</div>")[0])
    assert ("Session 54: the dates and states are the forecast (expected, from the rotation: "
            "check against OHCHR's published programme). It repeats session 40: "
            f"{len(expected.states)} states") in note
    assert all(f"({iso3})" in note for iso3 in expected.states)
    assert f"NAM presenters expected: {', '.join(expected.nam_presenters)}." in note

    # the next step has the expected states filled in, to be put in OHCHR's order
    added = post(client, "/sessions/new", {
        "number": "54", "cycle": "4", "start_date": expected.expected_start.isoformat(),
        "end_date": expected.expected_end.isoformat()})
    assert added.status_code == 302
    assert added.location == "/sessions/54/reviews?forecast=1"
    reviews = page(client, added.location)
    assert "put them in OHCHR's order of review" in text(reviews)
    listed = re.search(r"<textarea[^>]*>(.*?)</textarea>", reviews, re.S).group(1).split()
    assert listed == list(expected.states)
    assert db.session.scalar(db.select(UprSession).filter_by(number=54)).reviews == []


def test_without_a_forecast_only_the_number_is_suggested(through_53, client, login):
    """Session 27 repeats 13, which is not on file: neither dates nor states, no note."""
    for session in db.session.scalars(db.select(UprSession).where(UprSession.number > 26)):
        db.session.delete(session)
    db.session.commit()
    add_session(26, date(2016, 11, 7), date(2016, 11, 18))
    login("editor")
    html = page(client, "/sessions/new")
    assert form_value(html, "number") == "27" and form_value(html, "cycle") == "3"
    assert form_value(html, "start_date") == "" and 'id="forecast-note"' not in html


def test_the_session_page_says_what_the_proposals_rest_on_in_its_language(shipped, client,
                                                                          login):
    """The coverage lines and warnings are written in the page's language (the CLI's JSON
    and the secretariat's notice stay English: the tests above)."""
    briefings.plan_session(54, Actor.system(), from_now=True)
    login("viewer")
    for language, lines in COVERAGE_WORDS.items():
        html = page(client, f"/sessions/54?lang={language}")
        block = text(html.split('id="coverage-heading"')[1].split("</div>")[0])
        for line in lines:
            assert line in block, (language, line, block)
        assert "Human Rights Council sessions known" not in block


#: the session 54 page's coverage, in French and Arabic
COVERAGE_WORDS = {
    "fr": ["Sessions du Conseil des droits de l'homme connues: jusqu'à HRC61 (fin le mardi "
           "31 mars 2026)",
           "Attention: Aucune fermeture de l'ONU Genève n'est saisie pour 2027: ajoutez-les "
           "sous Indisponibilités et salles."],
    "ar": ["دورات مجلس حقوق الإنسان المعروفة: حتى HRC61 (تنتهي في الثلاثاء، 31 مارس 2026)"],
}
