"""Missions' stated weekday preferences: stored, validated, and weighed by the planner."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import Mission
from nam_briefings.services import briefings, missions
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from nam_briefings.services.demo import create_demo_data
from tests.integration.web_helpers import post

TUESDAY = 1


@pytest.fixture
def seeded(app):
    app.config["TODAY"] = date(2025, 3, 3)  # before session 49: its briefings are ahead
    seed_reference_data(Actor.system())
    create_demo_data(Actor.system())


def weekday_of_guyanas_meeting(plan: briefings.Plan) -> int:
    best = plan.result.proposals[0]
    meeting = next(m for m in best.meetings if any(a.iso3 == "GUY" for a in m.agenda))
    return meeting.start.weekday()


def test_an_avoided_weekday_steers_the_best_proposal_away(seeded):
    before = briefings.plan_session(49, Actor("test"))
    assert weekday_of_guyanas_meeting(before) == TUESDAY
    mission = missions.get_mission("GUY")
    missions.update_mission("GUY", mission.name, mission.email, Actor("test"),
                            preferred_weekdays=[], avoided_weekdays=[TUESDAY])
    after = briefings.plan_session(49, Actor("test"))
    assert weekday_of_guyanas_meeting(after) != TUESDAY
    tuesday_plans = [p for p in after.result.proposals
                     if any(m.start.weekday() == TUESDAY and any(a.iso3 == "GUY" for a in m.agenda)
                            for m in p.meetings)]
    assert all(p.score_parts["mission_preferences"] < 0 for p in tuesday_plans)


def test_a_day_cannot_be_both_preferred_and_avoided(seeded):
    mission = missions.get_mission("GUY")
    with pytest.raises(Invalid, match="Tuesday cannot be both"):
        missions.update_mission("GUY", mission.name, mission.email, Actor("test"),
                                preferred_weekdays=[1, 2], avoided_weekdays=[1])
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).preferred_weekdays == []


def test_editor_sets_weekdays_on_the_mission_form(client, login, seeded):
    login("editor")
    response = post(client, "/missions/GUY/edit", {
        "name": "Permanent Mission of Guyana", "email": "pm@guyana.example.org",
        "preferred_weekdays": ["3", "4"], "avoided_weekdays": ["0"]})
    assert response.status_code == 302
    db.session.expire_all()
    mission = missions.get_mission("GUY")
    assert mission.preferred_weekdays == [3, 4] and mission.avoided_weekdays == [0]
    refused = post(client, "/missions/GUY/edit", {
        "name": "Permanent Mission of Guyana", "email": "pm@guyana.example.org",
        "preferred_weekdays": ["0"], "avoided_weekdays": ["0"]})
    assert refused.status_code == 400 and "Monday cannot be both" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert missions.get_mission("GUY").preferred_weekdays == [3, 4]


def test_set_by_hand_warns_about_an_avoided_day(seeded):
    mission = missions.get_mission("GUY")
    missions.update_mission("GUY", mission.name, mission.email, Actor("test"), [], [TUESDAY])
    tuesday = datetime(2025, 4, 22, 10, 0, tzinfo=GENEVA)
    result = briefings.set_by_hand(49, tuesday, tuesday.replace(hour=11),
                                   "Room XXIV, Palais des Nations", ["GUY"], Actor("test"))
    assert any("GUY" in w or "Guyana" in w for w in result.warnings)
