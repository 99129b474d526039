"""The missions directory, mission and contact pages, and editing them (editors only)."""
from __future__ import annotations

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Contact, Mission
from tests.factories import create_contact, create_mission, create_state
from tests.integration.web_helpers import audit_trail, field_error, page, post, text

CONTACT = {"name": "H.E. Ms. Jane Doe", "role": "ambassador",
           "email": "Jane.Doe@Mission.example.org", "language": "fr"}


@pytest.fixture
def guyana():
    """The mission of Guyana with one focal point."""
    mission = create_mission("GUY", email="guyana@example.org",
                             name="Permanent Mission of Guyana")
    create_contact(mission, name="Focal Point", email="focal@guyana.example.org")
    return mission


def missions_on_file() -> list[tuple[str, str, str, bool]]:
    """Every mission as (iso3, name, email, active)."""
    return [(m.state_iso3, m.name, m.email, m.active)
            for m in db.session.scalars(db.select(Mission).order_by(Mission.state_iso3))]


def contacts_on_file() -> list[tuple[str, str, str, str, str, bool]]:
    """Every contact as (mission iso3, name, role, email, language, active)."""
    contacts = db.session.scalars(db.select(Contact).order_by(Contact.id))
    return [(c.mission.state_iso3, c.name, c.role, c.email, c.language, c.active)
            for c in contacts]


# --- viewers read, editors change ------------------------------------------------------


def test_a_viewer_sees_missions_but_no_editing_controls(client, login, guyana):
    login("viewer")
    html = page(client, "/missions/GUY")
    assert "Permanent Mission of Guyana" in html and "focal@guyana.example.org" in html
    for control in ("Edit mission", "Deactivate", "Add a contact", "/contacts/"):
        assert control not in html
    assert "New mission" not in page(client, "/missions")


def test_an_editor_sees_the_editing_controls(client, login, guyana):
    login("editor")
    html = page(client, "/missions/GUY")
    for control in ("Edit mission", "Deactivate mission", "Add a contact", "Edit"):
        assert control in html
    assert "New mission" in page(client, "/missions")


@pytest.mark.parametrize("url, data", [
    ("/missions/new", {"state": "BRB", "name": "Mission of Barbados", "email": "b@example.org"}),
    ("/missions/GUY/edit", {"name": "Renamed", "email": "renamed@example.org"}),
    ("/missions/GUY/deactivate", {}),
    ("/missions/GUY/contacts/new", CONTACT),
    ("/contacts/{contact}/edit", CONTACT),
    ("/contacts/{contact}/deactivate", {}),
])
def test_a_viewer_cannot_change_anything(client, login, guyana, url, data):
    create_state("BRB", "Barbados")
    login("viewer")
    url = url.format(contact=guyana.contacts[0].id)
    before = (missions_on_file(), contacts_on_file())
    if url.endswith(("/new", "/edit")):
        page(client, url, status=403)
    response = post(client, url, data)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)
    assert (missions_on_file(), contacts_on_file()) == before
    assert audit_trail() == []


# --- missions --------------------------------------------------------------------------


def test_an_editor_creates_a_mission_for_a_state_without_one(client, login, guyana):
    create_state("BRB", "Barbados")
    editor = login("editor")
    form = page(client, "/missions/new?state=BRB")
    assert '<option selected value="BRB">Barbados (BRB)</option>' in form
    assert 'value="GUY"' not in form  # Guyana already has its mission

    response = post(client, "/missions/new", {
        "state": "BRB", "name": "  Permanent Mission of Barbados ", "email": "PM@Barbados.org"})
    assert response.status_code == 302 and response.location == "/missions/BRB"
    assert ("BRB", "Permanent Mission of Barbados", "pm@barbados.org", True) in missions_on_file()
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.actor, event.user_id, event.action, event.target_type, event.target_id) == \
        (editor.email, editor.id, "mission.create", "mission", "BRB")
    assert "Mission of Barbados created." in page(client, "/missions/BRB")


def test_a_second_mission_for_a_state_is_refused(client, login, guyana):
    create_state("BRB", "Barbados")
    login("editor")
    html = post(client, "/missions/new", {"state": "GUY", "name": "Another",
                                          "email": "other@example.org"}).get_data(as_text=True)
    assert "Not a valid choice" in field_error(html, "state")
    assert len(missions_on_file()) == 1


def test_an_admin_may_edit_too(client, login, guyana):
    admin = login("admin")
    response = post(client, "/missions/GUY/edit",
                    {"name": "Permanent Mission of the Co-operative Republic of Guyana",
                     "email": "pm.guyana@example.org"})
    assert response.status_code == 302
    assert missions_on_file() == [("GUY", "Permanent Mission of the Co-operative Republic of "
                                   "Guyana", "pm.guyana@example.org", True)]
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.actor, event.action) == (admin.email, "mission.update")
    assert "guyana@example.org → pm.guyana@example.org" in event.details


def test_saving_a_mission_unchanged_records_nothing(client, login, guyana):
    login("editor")
    post(client, "/missions/GUY/edit", {"name": guyana.name, "email": guyana.email})
    assert audit_trail() == []


def test_an_invalid_mission_mailbox_is_shown_next_to_the_field(client, login, guyana):
    login("editor")
    response = post(client, "/missions/GUY/edit", {"name": "Renamed", "email": "not-an-address"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "invalid e-mail address 'not-an-address'" in field_error(html, "email")
    assert 'aria-invalid="true"' in html
    assert missions_on_file() == [("GUY", "Permanent Mission of Guyana", "guyana@example.org", True)]
    assert audit_trail() == []


def test_an_editor_deactivates_and_activates_a_mission(client, login, guyana):
    editor = login("editor")
    assert post(client, "/missions/GUY/deactivate").location == "/missions/GUY"
    assert missions_on_file()[0][3] is False
    html = page(client, "/missions/GUY")
    assert "Mission deactivated." in html and "Activate mission" in html
    post(client, "/missions/GUY/deactivate")  # already inactive: no change, no event
    post(client, "/missions/GUY/activate")
    assert missions_on_file()[0][3] is True
    assert audit_trail() == [(editor.email, "mission.deactivate", "mission", "GUY"),
                             (editor.email, "mission.activate", "mission", "GUY")]


def test_an_unknown_mission_is_404(client, login):
    login("editor")
    assert "no mission for the state 'XYZ'" in text(page(client, "/missions/XYZ", status=404))
    assert post(client, "/missions/XYZ/deactivate").status_code == 404
    assert page(client, "/contacts/999/edit", status=404)


# --- contacts --------------------------------------------------------------------------


def test_an_editor_adds_edits_and_deactivates_a_contact(client, login, guyana):
    editor = login("editor")
    response = post(client, "/missions/GUY/contacts/new", CONTACT)
    assert response.status_code == 302 and response.location == "/missions/GUY"
    assert contacts_on_file()[-1] == ("GUY", "H.E. Ms. Jane Doe", "ambassador",
                                      "jane.doe@mission.example.org", "fr", True)
    jane = db.session.scalar(db.select(Contact).filter_by(email="jane.doe@mission.example.org"))
    assert "Contact H.E. Ms. Jane Doe added." in page(client, "/missions/GUY")

    edit = page(client, f"/contacts/{jane.id}/edit")
    assert 'value="H.E. Ms. Jane Doe"' in edit and '<option selected value="fr">' in edit
    post(client, f"/contacts/{jane.id}/edit", {**CONTACT, "role": "deputy", "language": "en"})
    post(client, f"/contacts/{jane.id}/deactivate")
    assert contacts_on_file()[-1] == ("GUY", "H.E. Ms. Jane Doe", "deputy",
                                      "jane.doe@mission.example.org", "en", False)
    assert "Inactive" in page(client, "/missions/GUY")
    post(client, f"/contacts/{jane.id}/activate")
    assert contacts_on_file()[-1][-1] is True

    assert audit_trail() == [(editor.email, action, "contact", str(jane.id)) for action in
                             ("contact.create", "contact.update", "contact.deactivate",
                              "contact.activate")]
    update = db.session.scalar(db.select(AuditEvent).filter_by(action="contact.update"))
    assert update.details == "role: ambassador → deputy; language: fr → en"


@pytest.mark.parametrize("field, value, message", [
    ("email", "jane.doe@", "invalid e-mail address 'jane.doe@'"),
    ("email", "", "Give the contact's e-mail address."),
    ("name", "   ", "Give the contact's name."),
    ("role", "secretary", "Not a valid choice"),
    ("language", "xx", "Not a valid choice"),
])
def test_an_invalid_contact_shows_the_error_next_to_the_field(client, login, guyana,
                                                              field, value, message):
    login("editor")
    before = contacts_on_file()
    response = post(client, "/missions/GUY/contacts/new", {**CONTACT, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert "nothing was saved" in html
    assert contacts_on_file() == before
    assert audit_trail() == []


def test_every_field_error_shows_at_once(client, login, guyana):
    login("editor")
    html = post(client, "/missions/GUY/contacts/new",
                {**CONTACT, "name": "", "email": "nobody"}).get_data(as_text=True)
    assert field_error(html, "name") == "Give the contact's name."
    assert "invalid e-mail address 'nobody'" in field_error(html, "email")


def test_a_duplicate_contact_email_is_a_form_error(client, login, guyana):
    login("editor")
    before = contacts_on_file()
    response = post(client, "/missions/GUY/contacts/new",
                    {**CONTACT, "email": "FOCAL@guyana.example.org"})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "email") == \
        "focal@guyana.example.org is already a contact of this mission."
    assert contacts_on_file() == before


def test_editing_a_contact_onto_a_taken_email_is_a_form_error(client, login, guyana):
    login("editor")
    other = create_contact(guyana, name="Deputy", role="deputy", email="deputy@guyana.example.org")
    before = contacts_on_file()
    response = post(client, f"/contacts/{other.id}/edit",
                    {"name": "Deputy", "role": "deputy", "email": "focal@guyana.example.org",
                     "language": "en"})
    assert response.status_code == 400
    assert "already a contact" in field_error(response.get_data(as_text=True), "email")
    assert contacts_on_file() == before
    assert audit_trail() == []


def test_the_same_email_may_serve_two_missions(client, login, guyana):
    create_mission("BRB")
    login("editor")
    response = post(client, "/missions/BRB/contacts/new",
                    {**CONTACT, "email": "focal@guyana.example.org"})
    assert response.status_code == 302
    assert [c[0] for c in contacts_on_file() if c[3] == "focal@guyana.example.org"] == \
        ["GUY", "BRB"]


def test_editing_keeps_an_imported_language_outside_the_usual_list(client, login, guyana):
    contact = create_contact(guyana, name="Imported", email="it@guyana.example.org",
                             language="it")
    login("editor")
    assert '<option selected value="it">' in page(client, f"/contacts/{contact.id}/edit")
    post(client, f"/contacts/{contact.id}/edit",
         {"name": "Imported Person", "role": "focal_point", "email": "it@guyana.example.org",
          "language": "it"})
    assert contacts_on_file()[-1] == ("GUY", "Imported Person", "focal_point",
                                      "it@guyana.example.org", "it", True)


# --- the directory ---------------------------------------------------------------------


def test_the_directory_lists_missions_with_their_active_contacts(client, login, guyana):
    inactive = create_contact(guyana, name="Former", email="former@guyana.example.org")
    inactive.active = False
    db.session.commit()
    barbados = create_mission("BRB", name="Permanent Mission of Barbados")
    barbados.active = False
    db.session.commit()
    login("viewer")
    rows = text(page(client, "/missions"))
    assert "2 missions." in rows
    assert "State GUY GUY Permanent Mission of Guyana guyana@example.org Active 1" in rows
    assert "State BRB BRB Permanent Mission of Barbados mission.brb@example.org Inactive 0" in rows


@pytest.mark.parametrize("query, found", [
    ("guyana", ["GUY"]),           # state and mission name, any case
    ("brb", ["BRB"]),              # iso3
    ("barbados.example", ["BRB"]),  # functional mailbox
    ("focal@guy", ["GUY"]),        # a contact's e-mail
    ("Mission of", ["BRB", "GUY"]),
    ("%", []),                     # LIKE wildcards are taken literally
    ("zzz", []),
])
def test_the_directory_search(client, login, guyana, query, found):
    create_state("BRB", "Barbados")
    create_mission("BRB", email="pm@barbados.example.org", name="Permanent Mission of Barbados")
    login("viewer")
    html = page(client, f"/missions?q={query.replace('%', '%25')}")
    listed = sorted(iso3 for iso3 in ("GUY", "BRB") if f"/missions/{iso3}" in html)
    assert listed == sorted(found)
    assert f'value="{query}"' in html
