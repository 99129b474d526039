"""A confirmed briefing with invitations, for the tests of the RSVP, roster and Outbox pages.

Session 49 (28 April – 9 May 2025) from the shipped data, "today" pinned to Monday
3 March 2025, and two contacts at each of four NAM member missions: Guyana (presents at
the first briefing), Kenya and Lao PDR (present at the second) and India (presents at
neither).
"""
from __future__ import annotations

from datetime import date

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Invitation, OutboxMessage
from nam_briefings.services import briefings, fanout
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.factories import create_contact, create_mission

SECRETARIAT = Actor("secretariat@chair.example.org")
MISSIONS = ["GUY", "KEN", "LAO", "IND"]
#: two contacts at each mission
CONTACTS = 2 * len(MISSIONS)
TODAY = date(2025, 3, 3)


def plan_session_49(app) -> str:
    """Seed, add the missions and their contacts, plan session 49; the best proposal's key."""
    app.config["TODAY"] = TODAY
    seed_reference_data(Actor.system())
    add_missions(MISSIONS)
    return briefings.plan_session(49, SECRETARIAT).proposals[0].key


def add_missions(iso3s: list[str]) -> None:
    """A mission for each state, with an ambassador (ambassador@<iso3>.example.org) and a
    focal point (upr@<iso3>.example.org)."""
    for iso3 in iso3s:
        mission = create_mission(iso3)
        create_contact(mission, name=f"Ambassador {iso3}", role="ambassador",
                       email=f"ambassador@{iso3.lower()}.example.org")
        create_contact(mission, name=f"Focal point {iso3}",
                       email=f"upr@{iso3.lower()}.example.org")


def confirm_session_49(app) -> list[Briefing]:
    """As `plan_session_49`, then confirm the best proposal (two briefings), and let the
    delivery worker compose the invitations (without sending them)."""
    created = briefings.confirm_proposal(plan_session_49(app), SECRETARIAT)
    compose()
    return created


def compose() -> None:
    """What the delivery worker does first: write the queued fan-outs' messages."""
    fanout.compose_pending()


def fresh(briefing: Briefing) -> Briefing:
    """The briefing as committed (read again from the database)."""
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def invitation_for(briefing: Briefing, email: str) -> Invitation:
    """The invitation of the contact with this address to the briefing (fresh from the database)."""
    db.session.expire_all()
    return db.session.scalar(db.select(Invitation).join(Invitation.contact).where(
        Invitation.briefing_id == briefing.id, Invitation.contact.has(email=email)))


def outbox_messages(**filters) -> list[OutboxMessage]:
    """Outbox rows matching the filters, oldest first."""
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(**filters)
                                   .order_by(OutboxMessage.id)))


def assert_slot_released(briefing: Briefing, iso3: str) -> None:
    """The mission's slot is declined and nothing goes to the missions until the secretariat
    decides; once it chooses to send the new agenda, SEQUENCE 1 is queued to every contact
    (one fan-out, which the delivery worker composes into a message each)."""
    db.session.expire_all()
    briefing = db.session.get(Briefing, briefing.id)
    assert {i.review.state_iso3: i.slot_status for i in briefing.items}[iso3] == "declined"
    assert briefing.agenda_pending and briefing.sequence == 0
    assert fanout.unfinished(briefing.id) == []
    assert outbox_messages(sequence=1, briefing_id=briefing.id) == []
    briefings.send_new_agenda(briefing.id, SECRETARIAT)
    assert [f.kind for f in fanout.unfinished(briefing.id)] == ["update"]
    compose()
    briefing = db.session.get(Briefing, briefing.id)
    assert briefing.sequence == 1 and not briefing.agenda_pending
    updates = outbox_messages(sequence=1, briefing_id=briefing.id)
    assert len(updates) == CONTACTS
    assert {(m.kind, m.status) for m in updates} == {("request", "pending")}
