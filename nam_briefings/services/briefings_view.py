"""Read-only helpers for a briefing's page, its reschedule / cancel steps and the RSVP pages.

`services.briefings` and `services.invitations` change briefings and answers; this
module only reads, so that the pages can say beforehand who a change will reach.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..models import Briefing, BriefingItem, Contact, Fanout, Invitation
from . import clock, invitations


@dataclass(frozen=True)
class Audience:
    """Who an update or a cancellation of a briefing goes to."""

    #: invited contacts (one message each)
    contacts: int
    #: the missions they belong to
    missions: int


def notified_audience(briefing: Briefing, cancelling: bool = False) -> Audience:
    """Everyone who was sent the briefing: an update or cancellation goes to them all.

    The same people `invitations.send_update` and `send_cancellation` write to: the
    invitations that have had a version sent (`last_sequence_sent` set).
    While its first invitations are still being composed, an update goes to the whole
    audience, and a cancellation (`cancelling`) only to those already written to.
    """
    if not cancelling and _invitations_composing(briefing):
        rows = invitations.audience_missions()
    else:
        rows = db.session.execute(
            db.select(Invitation.contact_id, Contact.mission_id).join(Invitation.contact)
            .where(Invitation.briefing_id == briefing.id,
                   Invitation.last_sequence_sent.is_not(None))).all()
    return Audience(contacts=len(rows), missions=len({mission_id for _, mission_id in rows}))


def _invitations_composing(briefing: Briefing) -> bool:
    return db.session.scalar(db.select(Fanout.id).where(
        Fanout.briefing_id == briefing.id, Fanout.kind == "invite",
        Fanout.status.in_(("queued", "composing"))).limit(1)) is not None


def mission_slot(invitation: Invitation) -> BriefingItem | None:
    """The invited contact's mission's place on the agenda (also when it was released)."""
    iso3 = invitation.contact.mission.state_iso3
    return next((item for item in invitation.briefing.items
                 if item.review.state_iso3 == iso3), None)


def is_past(briefing: Briefing) -> bool:
    """True once the briefing has started (by the service clock, which tests may pin)."""
    return briefing.start_at <= clock.now()
