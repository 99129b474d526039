"""Meeting rooms where briefings take place: list, add, change, deactivate.

Deactivated rooms are kept (briefings may refer to them) but never proposed again.
"""
from __future__ import annotations

from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import Room
from . import audit
from .languages import N_


def list_rooms() -> list[Room]:
    """Every room, active ones first, largest first."""
    return list(db.session.scalars(db.select(Room).order_by(
        Room.active.desc(), Room.capacity.desc(), Room.name)))


def get_room(room_id: int) -> Room:
    """The room with this id, or NotFound."""
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound(N_("There is no room %(number)s."), params={"number": room_id})
    return room


def create_room(name: str, capacity: int | None, location: str, actor: audit.Actor) -> Room:
    """Add a room; Invalid (naming the field) for an empty or taken name or no seats."""
    fields = _checked(name, capacity, location)
    _check_name_free(fields["name"])
    room = Room(**fields)
    db.session.add(room)
    db.session.flush()
    audit.record(actor, "room.create", "room", room.id, f"{room.name}, {room.capacity} seats")
    db.session.commit()
    return room


def update_room(room_id: int, name: str, capacity: int | None, location: str,
                actor: audit.Actor) -> Room:
    """Change a room's name, seats or address (briefings keep pointing at it)."""
    room = get_room(room_id)
    fields = _checked(name, capacity, location)
    _check_name_free(fields["name"], other_than=room)
    changes = [f"{key} {getattr(room, key)!s} → {value!s}" for key, value in fields.items()
               if getattr(room, key) != value]
    if changes:
        for key, value in fields.items():
            setattr(room, key, value)
        audit.record(actor, "room.update", "room", room.id, "; ".join(changes))
        db.session.commit()
    return room


def set_room_active(room_id: int, active: bool, actor: audit.Actor) -> bool:
    """Activate or deactivate a room; False when it already was."""
    room = get_room(room_id)
    if room.active == active:
        return False
    room.active = active
    audit.record(actor, "room.activate" if active else "room.deactivate", "room", room.id,
                 room.name)
    db.session.commit()
    return True


def _checked(name: str, capacity: int | None, location: str) -> dict:
    name, location = (name or "").strip(), (location or "").strip()
    if not name:
        raise Invalid(N_("Give the room's name."), field="name")
    if len(name) > 200:
        raise Invalid(N_("Keep the name under 200 characters."), field="name")
    if capacity is None or capacity < 1:
        raise Invalid(N_("A room seats at least one person."), field="capacity")
    if capacity > 10_000:
        raise Invalid(N_("%(capacity)s seats is more than any room has: check the number."),
                      field="capacity", params={"capacity": capacity})
    return {"name": name, "capacity": capacity, "location": location}


def _check_name_free(name: str, other_than: Room | None = None) -> None:
    holder = db.session.scalar(db.select(Room).filter_by(name=name))
    if holder is not None and holder is not other_than:
        raise Invalid(N_("A room named %(name)s already exists."), field="name",
                      params={"name": repr(name)})
