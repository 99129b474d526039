"""Permanent Missions and their contacts: the directory, and every change to it (audited)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..domain.constants import CONTACT_ROLES, LANGUAGES, WEEKDAY_NAMES
from ..domain.errors import Invalid, NotFound
from ..domain.messages import Said
from ..domain.validation import normalise_email
from ..extensions import db
from ..models import AuditEvent, Contact, Mission, State
from . import audit, invitations
from .feed_links import public_url
from .languages import N_
from .outbox import notify_secretariat

MISSION_NAME_MAX = 300
CONTACT_NAME_MAX = 200
SUBJECT_MAX = 250


@dataclass(frozen=True)
class MissionListing:
    """One line of the missions directory."""

    mission: Mission
    active_contacts: int


# --- reading ---------------------------------------------------------------------------


def list_missions(query: str = "") -> list[MissionListing]:
    """Missions by state name; `query` matches state name, iso3, mission name or any e-mail."""
    active_contacts = (
        db.select(db.func.count(Contact.id))
        .where(Contact.mission_id == Mission.id, Contact.active.is_(True))
        .correlate(Mission)
        .scalar_subquery()
    )
    statement = (
        db.select(Mission, active_contacts)
        .join(Mission.state)
        .options(selectinload(Mission.state))
        .order_by(State.name)
    )
    query = query.strip()
    if query:
        statement = statement.where(_matches(query))
    return [MissionListing(mission, count) for mission, count in db.session.execute(statement)]


def _matches(query: str) -> ColumnElement[bool]:
    contact_email = (
        db.select(Contact.id)
        .where(Contact.mission_id == Mission.id, Contact.email.icontains(query, autoescape=True))
        .exists()
    )
    return db.or_(
        State.name.icontains(query, autoescape=True),
        State.iso3.icontains(query, autoescape=True),
        Mission.name.icontains(query, autoescape=True),
        Mission.email.icontains(query, autoescape=True),
        contact_email,
    )


def get_mission(iso3: str) -> Mission:
    """The mission of the state `iso3`, with its contacts; raises NotFound."""
    mission = db.session.scalar(
        db.select(Mission)
        .options(selectinload(Mission.state), selectinload(Mission.contacts))
        .filter_by(state_iso3=(iso3 or "").strip().upper())
    )
    if mission is None:
        raise NotFound(N_("There is no mission for the state %(iso3)s."),
                       params={"iso3": repr(iso3)})
    return mission


def states_without_mission() -> list[State]:
    """States that have no mission yet, by name (the choices for a new mission)."""
    return list(
        db.session.scalars(
            db.select(State).where(~State.mission.has()).order_by(State.name)
        )
    )


def get_contact(contact_id: int) -> Contact:
    """The contact with this id; raises NotFound."""
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(N_("There is no contact number %(number)s."),
                       params={"number": contact_id})
    return contact


# --- missions --------------------------------------------------------------------------


def create_mission(iso3: str, name: str, email: str, actor: audit.Actor) -> Mission:
    """Create the mission of a state that has none; raises Invalid."""
    iso3 = (iso3 or "").strip().upper()
    state = db.session.get(State, iso3) if iso3 else None
    if state is None:
        raise Invalid(N_("Choose the state the mission represents."), field="state")
    if state.mission is not None:
        raise _mission_taken(state)
    mission = Mission(state=state, **_mission_fields(name, email))
    db.session.add(mission)
    _flush_or_invalid(_mission_taken(state))
    audit.record(actor, "mission.create", "mission", iso3, f"{mission.name} <{mission.email}>")
    db.session.commit()
    return mission


def _mission_taken(state: State) -> Invalid:
    return Invalid(N_("%(state)s already has a mission."), field="state",
                   params={"state": state.name})


def update_mission(iso3: str, name: str, email: str, actor: audit.Actor,
                   preferred_weekdays: list[int] | None = None,
                   avoided_weekdays: list[int] | None = None) -> Mission:
    """Change a mission's name, functional mailbox and (when given) its preferred and
    avoided weekdays for presenting; raises NotFound or Invalid."""
    mission = get_mission(iso3)
    fields = _mission_fields(name, email)
    if preferred_weekdays is not None or avoided_weekdays is not None:
        fields.update(_weekday_fields(preferred_weekdays or [], avoided_weekdays or []))
    changes = _apply(mission, fields)
    if changes:
        audit.record(actor, "mission.update", "mission", mission.state_iso3, changes)
        db.session.commit()
    return mission


def _weekday_fields(preferred: list[int], avoided: list[int]) -> dict[str, list[int]]:
    days = {int(day) for day in (*preferred, *avoided)}
    if not days <= set(range(5)):
        raise Invalid(N_("weekdays are Monday (0) to Friday (4)"), field="preferred_weekdays")
    both = set(map(int, preferred)) & set(map(int, avoided))
    if both:
        # the days' names stay English (WEEKDAY_NAMES): a refusal's values are not translated
        names = ", ".join(WEEKDAY_NAMES[day] for day in sorted(both))
        raise Invalid(N_("%(days)s cannot be both preferred and avoided"),
                      field="avoided_weekdays", params={"days": names})
    return {"preferred_weekdays": sorted(set(map(int, preferred))),
            "avoided_weekdays": sorted(set(map(int, avoided)))}


def set_mission_active(iso3: str, active: bool, actor: audit.Actor) -> bool:
    """Activate or deactivate a mission; returns False when it already was so.

    Deactivating withdraws every unsent message to its contacts; activating sends them
    the current version of each upcoming briefing.
    """
    mission = get_mission(iso3)
    if mission.active == active:
        return False
    mission.active = active
    action = "mission.activate" if active else "mission.deactivate"
    audit.record(actor, action, "mission", mission.state_iso3, mission.name)
    if active:
        for contact in mission.contacts:
            invitations.invite_contact(contact)
    else:
        invitations.withdraw_for_contacts([c.id for c in mission.contacts],
                                          Said(N_("the mission of %(state)s was deactivated"),
                                               state=mission.state.name))
    db.session.commit()
    return True


def _mission_fields(name: str, email: str) -> dict[str, Any]:
    return {
        "name": _required_text(name, "name", N_("Give the mission's name."),
                               N_("Keep the mission's name under %(limit)s characters."),
                               MISSION_NAME_MAX),
        "email": _email(email),
    }


# --- contacts --------------------------------------------------------------------------


def create_contact(iso3: str, name: str, role: str, email: str, language: str,
                   actor: audit.Actor, tell_secretariat: bool = False) -> Contact:
    """Add a contact to the mission of `iso3`; raises NotFound or Invalid (e.g. taken e-mail).

    With `tell_secretariat` (a change the mission made itself, through its portal),
    the secretariat is sent a notice.
    """
    mission = get_mission(iso3)
    fields = _contact_fields(name, role, email, language)
    _check_email_free(mission, fields["email"])
    contact = Contact(mission=mission, **fields)
    db.session.add(contact)
    _flush_or_invalid(_email_taken(fields["email"]))
    event = audit.record(actor, "contact.create", "contact", contact.id,
                         f"{contact.name} <{contact.email}>, {contact.role}, "
                         f"mission {mission.state_iso3}")
    if tell_secretariat:
        _tell_secretariat(event, contact, "added")
    invitations.invite_contact(contact)
    db.session.commit()
    return contact


def update_contact(contact_id: int, name: str, role: str, email: str, language: str,
                   actor: audit.Actor, tell_secretariat: bool = False) -> Contact:
    """Change a contact; raises NotFound or Invalid (e.g. an e-mail taken in the mission).

    With `tell_secretariat` (a change the mission made itself, through its portal),
    the secretariat is sent a notice.
    """
    contact = get_contact(contact_id)
    # a language outside LANGUAGES may come from an import: keeping it is not a change
    fields = _contact_fields(name, role, email, language, (*LANGUAGES, contact.language))
    _check_email_free(contact.mission, fields["email"], other_than=contact)
    old_email = contact.email
    changes = _apply(contact, fields)
    if changes:
        _flush_or_invalid(_email_taken(fields["email"]))
        event = audit.record(actor, "contact.update", "contact", contact.id, changes)
        if tell_secretariat:
            _tell_secretariat(event, contact, "changed")
        if contact.email != old_email:
            invitations.readdress(contact)
        db.session.commit()
    return contact


def set_contact_active(contact_id: int, active: bool, actor: audit.Actor,
                       tell_secretariat: bool = False) -> bool:
    """Activate or deactivate a contact; returns False when it already was so.

    With `tell_secretariat` (a change the mission made itself, through its portal),
    the secretariat is sent a notice. Deactivating withdraws every unsent message to the
    contact; activating sends the current version of each upcoming briefing.
    """
    contact = get_contact(contact_id)
    if contact.active == active:
        return False
    contact.active = active
    action = "contact.activate" if active else "contact.deactivate"
    event = audit.record(actor, action, "contact", contact.id, f"{contact.name} <{contact.email}>")
    if tell_secretariat:
        _tell_secretariat(event, contact, "listed again" if active else "no longer at the mission")
    if active:
        invitations.invite_contact(contact)
    else:
        invitations.withdraw_for_contacts([contact.id],
                                          Said(N_("%(email)s was deactivated (%(who)s)"),
                                               email=contact.email, who=actor.label))
    db.session.commit()
    return True


def _tell_secretariat(event: AuditEvent, contact: Contact, what: str) -> None:
    """Queue a notice to the secretariat of a change a mission made to its own contacts."""
    mission = contact.mission
    db.session.flush()  # the audit event's id keys the notice: one notice per change
    notify_secretariat(
        f"contact:{event.id}",
        f"{mission.state.name} updated its contacts: {contact.name} {what}"[:SUBJECT_MAX],
        f"{mission.name} ({mission.state_iso3}) updated its contacts through the mission "
        f"portal.\n\n"
        f"{contact.name} <{contact.email}>: {what}\n{event.details}\n\nBy: {event.actor}\n\n"
        f"The mission's contacts: {public_url(f'/missions/{mission.state_iso3}')}\n")


def _contact_fields(name: str, role: str, email: str, language: str,
                    languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    if role not in CONTACT_ROLES:
        raise Invalid(N_("Choose a role among %(roles)s."), field="role",
                      params={"roles": ", ".join(CONTACT_ROLES)})
    if language not in languages:
        raise Invalid(N_("Choose a language among %(languages)s."), field="language",
                      params={"languages": ", ".join(LANGUAGES)})
    return {
        "name": _required_text(name, "name", N_("Give the contact's name."),
                               N_("Keep the contact's name under %(limit)s characters."),
                               CONTACT_NAME_MAX),
        "role": role,
        "email": _email(email),
        "language": language,
    }


def _check_email_free(mission: Mission, email: str, other_than: Contact | None = None) -> None:
    taken = db.session.scalar(
        db.select(Contact).filter_by(mission_id=mission.id, email=email)
    )
    if taken is not None and taken is not other_than:
        raise _email_taken(email)


def _email_taken(email: str) -> Invalid:
    return Invalid(N_("%(email)s is already a contact of this mission."), field="email",
                   params={"email": email})


# --- shared checks ---------------------------------------------------------------------


def _required_text(value: str, field: str, missing: str, too_long: str, max_length: int) -> str:
    """`value` with its spaces tidied; Invalid (`field`) with `missing` when it is empty, with
    `too_long` (its %(limit)s: `max_length`) when it is longer."""
    value = " ".join((value or "").split())
    if not value:
        raise Invalid(missing, field=field)
    if len(value) > max_length:
        raise Invalid(too_long, field=field, params={"limit": max_length})
    return value


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except Invalid as error:
        raise Invalid(error.template, field="email", params=error.params) from None


def _apply(target: Mission | Contact, fields: dict[str, Any]) -> str:
    """Set `fields` on `target`; returns a summary of what changed ("" when nothing did)."""
    changes = []
    for key, value in fields.items():
        old = getattr(target, key)
        if old != value:
            changes.append(f"{key}: {old} → {value}")
            setattr(target, key, value)
    return "; ".join(changes)


def _flush_or_invalid(refusal: Invalid) -> None:
    """Flush, turning a unique-constraint race into `refusal` (the transaction is rolled
    back)."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise refusal from None
