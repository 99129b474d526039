"""Busy periods (list with filters, add with validation, remove with a confirmation step)
and rooms (list, add, edit, deactivate): editors change them, viewers only look."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import BusyPeriod, Room
from nam_briefings.services import busy
from nam_briefings.services.audit import Actor
from tests.factories import create_mission, create_room
from tests.integration.web_helpers import HTML, audit_trail, field_error, page, post, text

EDITOR = Actor("editor@chair.example.org")
CLOSURE = {"kind": "closure", "label": "UN Geneva closure (Eid al-Fitr)",
           "first_day": "2027-03-10", "last_day": "2027-03-11", "start_time": "",
           "end_time": "", "room": "", "mission": ""}


@pytest.fixture
def calendar(app):
    """Pinned to 1 March 2027: one past closure, one ahead, a room and a mission."""
    app.config["TODAY"] = date(2027, 3, 1)
    create_room("Room XXIV", 150)
    create_mission("GUY")
    busy.add_closure(date(2027, 1, 4), date(2027, 1, 4), "Past closure", EDITOR)
    busy.add_busy_period("meeting", date(2027, 3, 5), date(2027, 3, 5), "Bureau meeting",
                         EDITOR, start_time=datetime(2027, 1, 1, 10).time(),
                         end_time=datetime(2027, 1, 1, 12).time())


def periods() -> list[BusyPeriod]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(BusyPeriod).order_by(BusyPeriod.start_at)))


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [text(row) for row in body.split("</tr>")[:-1]]


# --- busy periods --------------------------------------------------------------------------


def test_the_list_shows_upcoming_periods_by_default_and_filters(client, login, calendar):
    login("viewer")
    upcoming = rows(page(client, "/busy"))
    assert upcoming == ["Bureau meeting Chair's meeting Fri 5 Mar 2027, 10:00 CET "
                        "Fri 5 Mar 2027, 12:00 CET Everyone"]
    every = rows(page(client, "/busy?when=all"))
    assert every[0] == ("Past closure Closure Mon 4 Jan 2027 Mon 4 Jan 2027 (whole days) "
                        "Everyone")
    assert len(every) == 2
    assert rows(page(client, "/busy?when=all&kind=closure")) == every[:1]
    html = page(client, "/busy?when=all&kind=closure")
    assert 'href="/busy?when=all&amp;kind=closure" class="is-current" aria-current="page"' \
        in html
    # viewers see no way to change anything
    assert "/busy/new" not in html and "Remove" not in html


def test_an_editor_adds_a_closure_over_several_days(client, login, calendar):
    login("editor")
    assert "Add a busy period" in page(client, "/busy")
    response = post(client, "/busy/new", CLOSURE)
    assert response.status_code == 302
    assert response.location == "/busy?when=all&kind=closure"
    added = periods()[-1]
    assert (added.kind, added.label, added.all_day) == ("closure", CLOSURE["label"], True)
    assert added.start_at == datetime(2027, 3, 9, 23, 0, tzinfo=timezone.utc)
    assert added.end_at == datetime(2027, 3, 11, 23, 0, tzinfo=timezone.utc)
    assert audit_trail()[-1][1] == "closure.create"
    assert "Wed 10 Mar 2027 Thu 11 Mar 2027 (whole days)" in text(page(client, "/busy"))


def test_a_room_booking_and_a_mission_blackout(client, login, calendar):
    login("editor")
    post(client, "/busy/new", {**CLOSURE, "kind": "meeting", "label": "Booked",
                               "room": "Room XXIV", "start_time": "15:00", "end_time": "18:00",
                               "last_day": ""})
    post(client, "/busy/new", {**CLOSURE, "kind": "blackout", "label": "National day",
                               "mission": "GUY"})
    by_label = {p.label: p for p in periods()}
    booked, blackout = by_label["Booked"], by_label["National day"]
    assert booked.room.name == "Room XXIV" and not booked.all_day
    assert booked.start_at == datetime(2027, 3, 10, 14, 0, tzinfo=timezone.utc)
    assert blackout.mission.state_iso3 == "GUY"
    listing = text(page(client, "/busy?when=all"))
    assert "Room Room XXIV" in listing and "Mission of State GUY (GUY)" in listing


@pytest.mark.parametrize("change, field, message", [
    ({"label": ""}, "label", "Give the period a label."),
    ({"last_day": "2027-03-09"}, "last_day",
     "the last day 2027-03-09 is before the first day 2027-03-10"),
    ({"start_time": "10:00"}, "end_time", "give both a start and an end time"),
    ({"start_time": "12:00", "end_time": "10:00"}, "end_time",
     "the end time 10:00 is not after the start 12:00"),
    ({"room": "Room XXIV", "mission": "GUY"}, "mission",
     "a busy period concerns a mission or a room, not both"),
    ({"first_day": "10.03.2027"}, "first_day", "Give the first day as YYYY-MM-DD."),
    ({"kind": "holiday"}, "kind", "Not a valid choice"),
    ({"room": "Room Nowhere"}, "room", "Not a valid choice"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_added(client, login, calendar,
                                                                     change, field, message):
    login("editor")
    before = (len(periods()), audit_trail())
    response = post(client, "/busy/new", {**CLOSURE, **change})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert (len(periods()), audit_trail()) == before


def test_removing_asks_for_confirmation_first(client, login, calendar):
    meeting = periods()[-1]
    login("editor")
    step = page(client, f"/busy/{meeting.id}/remove")
    assert "Remove the busy period “Bureau meeting”?" in text(step)
    assert len(periods()) == 2  # looking is not removing
    response = post(client, f"/busy/{meeting.id}/remove")
    assert response.status_code == 302 and response.location == "/busy"
    assert [p.label for p in periods()] == ["Past closure"]
    assert audit_trail()[-1][1] == "busy_period.delete"
    assert client.get("/busy/999/remove", headers=HTML).status_code == 404


def test_viewers_cannot_add_or_remove(client, login, calendar):
    login("viewer")
    assert client.get("/busy/new", headers=HTML).status_code == 403
    assert post(client, "/busy/new", CLOSURE).status_code == 403
    assert post(client, f"/busy/{periods()[0].id}/remove").status_code == 403
    assert len(periods()) == 2


# --- rooms -------------------------------------------------------------------------------------


def rooms() -> list[Room]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Room).order_by(Room.id)))


def test_an_editor_adds_edits_and_deactivates_a_room(client, login, calendar):
    login("editor")
    response = post(client, "/rooms/new", {"name": "Room XX", "capacity": "200",
                                          "location": "Palais des Nations"})
    assert response.status_code == 302 and response.location == "/rooms"
    added = rooms()[-1]
    assert (added.name, added.capacity, added.active) == ("Room XX", 200, True)

    response = post(client, f"/rooms/{added.id}/edit", {"name": "Room XX (Human Rights)",
                                                       "capacity": "180", "location": ""})
    assert response.status_code == 302
    assert (rooms()[-1].name, rooms()[-1].capacity) == ("Room XX (Human Rights)", 180)

    post(client, f"/rooms/{added.id}/deactivate")
    assert rooms()[-1].active is False
    listing = page(client, "/rooms")
    assert "Room XX (Human Rights) is now inactive." in text(listing)
    assert f'action="/rooms/{added.id}/activate"' in listing
    assert [a[1] for a in audit_trail()[-3:]] == ["room.create", "room.update",
                                                  "room.deactivate"]


@pytest.mark.parametrize("form, field, message", [
    ({"name": "", "capacity": "10"}, "name", "Give the room's name."),
    ({"name": "Room XXIV", "capacity": "10"}, "name", "A room named 'Room XXIV' already exists."),
    ({"name": "Room B", "capacity": "0"}, "capacity", "A room seats at least one person."),
    ({"name": "Room B", "capacity": "many"}, "capacity", "Not a valid integer value."),
])
def test_bad_room_input_is_refused_and_nothing_changes(client, login, calendar, form, field,
                                                       message):
    login("editor")
    before = [(r.name, r.capacity) for r in rooms()]
    response = post(client, "/rooms/new", {"location": "", **form})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert [(r.name, r.capacity) for r in rooms()] == before


def test_viewers_see_rooms_without_edit_buttons(client, login, calendar):
    login("viewer")
    html = page(client, "/rooms")
    assert "Room XXIV" in html
    assert "/rooms/new" not in html and "/edit" not in html and "deactivate" not in html
    room = rooms()[0]
    assert post(client, f"/rooms/{room.id}/deactivate").status_code == 403
    assert rooms()[0].active
