"""The missions service on its own: refusals name the field at fault and change nothing."""
from __future__ import annotations

import pytest

from nam_briefings.domain.errors import Invalid, NotFound
from nam_briefings.services import missions, states
from nam_briefings.services.audit import Actor
from tests.factories import create_contact, create_mission, create_state
from tests.integration.web_helpers import audit_trail

CLI = Actor("cli:tester")


def test_a_state_has_at_most_one_mission(app):
    create_mission("GUY")
    with pytest.raises(Invalid, match="already has a mission") as refused:
        missions.create_mission("guy", "Second", "second@example.org", CLI)
    assert refused.value.field == "state"
    with pytest.raises(Invalid) as unknown:
        missions.create_mission("XYZ", "Nowhere", "x@example.org", CLI)
    assert unknown.value.field == "state"
    assert audit_trail() == []


def test_changes_made_outside_the_web_are_audited_with_their_actor(app):
    create_state("BRB", "Barbados")
    mission = missions.create_mission("brb", "Mission of Barbados", "PM@Barbados.org", CLI)
    contact = missions.create_contact("BRB", "Jane", "deputy", "jane@barbados.org", "es", CLI)
    assert (mission.email, contact.mission_id) == ("pm@barbados.org", mission.id)
    assert audit_trail() == [("cli:tester", "mission.create", "mission", "BRB"),
                             ("cli:tester", "contact.create", "contact", str(contact.id))]


def test_a_taken_email_is_refused_on_update(app):
    mission = create_mission("GUY")
    create_contact(mission, email="taken@guyana.example.org")
    other = create_contact(mission, email="free@guyana.example.org")
    with pytest.raises(Invalid) as refused:
        missions.update_contact(other.id, "Other", "other", "Taken@Guyana.example.org", "en", CLI)
    assert refused.value.field == "email"
    with pytest.raises(Invalid, match="invalid e-mail address") as bad:
        missions.create_contact("GUY", "New", "other", "new@", "en", CLI)
    assert bad.value.field == "email"
    with pytest.raises(NotFound):
        missions.update_contact(999, "Other", "other", "x@example.org", "en", CLI)


def test_the_roster_refuses_an_unknown_status(app):
    with pytest.raises(Invalid, match="unknown NAM status 'friend'"):
        states.roster(["member", "friend"])
