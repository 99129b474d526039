"""The timeline picture on a session's page: inline SVG drawn on the server, with a table.

Session 49 of the shipped data (28 April – 9 May 2025): its window runs from 3 April,
HRC58 ends on 4 April, Good Friday and Easter Monday fall inside it.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from nam_briefings.services import briefings, busy
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.factories import create_mission
from tests.integration.web_helpers import page, text

SVG = "{http://www.w3.org/2000/svg}"
EDITOR = Actor("editor@chair.example.org")


@pytest.fixture
def seeded(app):
    app.config["TODAY"] = date(2025, 4, 10)
    seed_reference_data(Actor.system())
    busy.add_closure(date(2025, 4, 14), date(2025, 4, 14), "UN Geneva closure", EDITOR)


def svg_of(html: str) -> ET.Element:
    """The page's timeline, parsed as XML (it must be well-formed)."""
    match = re.search(r"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline__svg\".*?</svg>",
                      html, re.S)
    assert match, "no timeline on the page"
    return ET.fromstring(match.group(0))


def titles(svg: ET.Element, css_class: str) -> list[str]:
    """The tooltips (<title>) of the shapes with this class, in document order."""
    return [shape.find(f"{SVG}title").text for shape in svg.iter()
            if css_class in (shape.get("class") or "").split()
            and shape.find(f"{SVG}title") is not None]


def test_the_session_page_draws_the_timeline_with_everything_around_the_session(
        client, login, seeded):
    briefings.plan_session(49, EDITOR)
    login("viewer")
    html = page(client, "/sessions/49")
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("width") == "100%"
    assert svg.get("viewBox").startswith("0 0 1000 ")
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    assert title.get("id") == title_id
    assert title.text == "Timeline of UPR session 49, Tue 1 Apr 2025 to Fri 9 May 2025"
    desc = " ".join(svg.find(f"{SVG}desc").itertext())
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert "5 open proposals, 0 confirmed briefings" in " ".join(desc.split())
    assert "Today is Thu 10 Apr 2025." in " ".join(desc.split())

    weekends = titles(svg, "weekend")
    assert weekends[0] == "Weekend: Sat 5 Apr 2025" and len(weekends) == 10
    assert titles(svg, "holiday") == [
        "Geneva public holiday: Good Friday, Fri 18 Apr 2025",
        "Geneva public holiday: Easter Monday, Mon 21 Apr 2025"]
    assert titles(svg, "hrc") == ["Human Rights Council session: HRC58, Tue 1 Apr 2025 – "
                                  "Fri 4 Apr 2025 (hrc session, whole days)"]
    assert titles(svg, "busy") == ["Busy period: UN Geneva closure, Mon 14 Apr 2025 "
                                   "(closure, whole days)"]
    assert titles(svg, "window") == [
        "Planning window: 15 working days, Thu 3 Apr 2025 – Fri 25 Apr 2025 (briefings take "
        "place on the 15 working days before the session)"]
    proposals = titles(svg, "proposal")
    assert len(proposals) == 10  # five proposals of two meetings each
    assert proposals[0] == ("Proposal 1: 10:00, Tue 22 Apr 2025 (10:00–11:30 CEST, Room XXIV, "
                            "Palais des Nations; presenting: GRD, GIN, GNB, GUY)")
    assert titles(svg, "session") == ["UPR session 49: UPR49, Mon 28 Apr 2025 – Fri 9 May 2025 "
                                      "(14 states under review)"]
    assert titles(svg, "briefing") == []
    assert titles(svg, "today") == ["Today, Thu 10 Apr 2025"]
    lanes = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "lane-title"]
    assert lanes == ["Planning window", "Human Rights Council", "Busy periods", "Proposal 1",
                     "Proposal 2", "Proposal 3", "Proposal 4", "Proposal 5", "UPR session 49"]
    # proposals are dashed, briefings solid: the legend says so
    assert "Proposed meeting (dashed: not confirmed)" in text(html)
    assert re.search(r"\.timeline \.proposal \{[^}]*stroke-dasharray", page(
        client, "/static/style.css"))


def test_confirmed_briefings_replace_the_proposals_and_the_table_lists_them(
        client, login, seeded):
    key = briefings.plan_session(49, EDITOR).proposals[0].key
    briefings.confirm_proposal(key, EDITOR)
    login("viewer")
    html = page(client, "/sessions/49")
    svg = svg_of(html)
    assert titles(svg, "proposal") == []
    assert titles(svg, "briefing") == [
        "Confirmed briefing: 10:00, Tue 22 Apr 2025 (10:00–11:30 CEST, Room XXIV, Palais des "
        "Nations; presenting: GRD, GIN, GNB, GUY)",
        "Confirmed briefing: 10:00, Wed 23 Apr 2025 (10:00–11:30 CEST, Room XXIV, Palais des "
        "Nations; presenting: KEN, KWT, LSO, LAO)"]
    table = text(html.split("The timeline as a table")[1].split("</details>")[0])
    assert ("Confirmed briefing 10:00 Tue 22 Apr 2025 10:00–11:30 CEST, Room XXIV, Palais des "
            "Nations; presenting: GRD, GIN, GNB, GUY") in table
    assert "Geneva public holiday Good Friday Fri 18 Apr 2025" in table
    assert table.index("Good Friday") < table.index("Tue 22 Apr 2025") \
        < table.index("UPR session 49 UPR49")


def test_only_the_blackouts_of_missions_under_review_are_drawn(client, login, seeded):
    for iso3 in ("GUY", "FRA"):
        create_mission(iso3)
    busy.add_busy_period("blackout", date(2025, 4, 16), date(2025, 4, 16), "National day",
                         EDITOR, mission_iso3="GUY")
    busy.add_busy_period("blackout", date(2025, 4, 17), date(2025, 4, 17), "Elsewhere",
                         EDITOR, mission_iso3="FRA")
    login("viewer")
    busy_titles = titles(svg_of(page(client, "/sessions/49")), "busy")
    assert "Busy period: National day (mission of GUY), Wed 16 Apr 2025 (blackout, whole days)" \
        in busy_titles
    assert not any("Elsewhere" in title for title in busy_titles)


def test_a_past_session_still_has_its_timeline_without_a_today_line(app, client, login,
                                                                      seeded):
    app.config["TODAY"] = date(2026, 12, 1)
    login("viewer")
    html = page(client, "/sessions/49")
    svg = svg_of(html)
    assert titles(svg, "today") == []
    assert "Today (Tue 1 Dec 2026) is after the days shown." in " ".join(
        "".join(svg.find(f"{SVG}desc").itertext()).split())
    assert "This session is over." in text(html)
