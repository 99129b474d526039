"""The mission portal: one page per contact, reached from a signed link in every e-mail.

From it a mission sees its briefings (and whether it presents), answers them (by the same
rule as the one-click RSVP links), keeps its contacts up to date (the secretariat is
told) and finds its calendar feed address. A link names the contact and a digest of
their e-mail address, so re-addressing or deactivating the contact, or deactivating the
mission, voids it; every new e-mail carries a fresh one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from ..domain.errors import Invalid, NotFound
from ..domain.validation import normalise_email
from ..extensions import db
from ..i18n import LANGUAGES, N_
from ..models import Briefing, BriefingItem, Contact, Invitation, Mission
from . import audit, briefings_view, clock, invitations, missions
from .feed_links import feed_url, mission_feed_path, public_url
from .languages import LANGUAGE_REFUSED

PORTAL_SALT = "nam-briefings-portal"
#: how many past briefings the page lists
PAST_SHOWN = 10
COMMENT_MAX = 2000
RENEW = ("use the link in a more recent e-mail from the secretariat, "
         "or write to the secretariat for a new one")
# The messages below are marked for the catalogs (N_): the portal shows them in its
# language, the CLI and the logs in English.
#: what `invitations.read_signed_link` says of an expired portal link
EXPIRED = N_("this link has expired: use the link in a more recent e-mail from the "
             "secretariat, or write to the secretariat for a new one")
NOT_VALID = N_("this link is not valid: it may have been cut or changed")
NO_LONGER_ON_FILE = N_("this link was sent to an address that is no longer on file: use the "
                       "link in a more recent e-mail from the secretariat, or write to the "
                       "secretariat for a new one")
NO_LONGER_LISTED = N_("this link belongs to someone no longer listed as a contact of the "
                      "mission: a colleague's link still works, or write to the secretariat")
MISSION_OFF = N_("the mission no longer receives NAM invitations: write to the secretariat")
COMMENT_TOO_LONG = N_("Keep the comment under 2,000 characters.")
NOT_INVITED = N_("you were not sent an invitation to this briefing: write to the secretariat")
ALREADY_HELD = N_("this briefing has already taken place: no answer is needed")
NOT_A_COLLEAGUE = N_("this person is not a current contact of your mission")
LAST_CONTACT = N_("the mission needs at least one contact: add the new one first, "
                  "then remove this one")


# --- links ---------------------------------------------------------------------------------

def portal_token(contact: Contact) -> str:
    """A signed, expiring token naming the contact (and, by digest, their address)."""
    payload = [contact.id, invitations.email_digest(contact.email)]
    return invitations.link_serializer(PORTAL_SALT).dumps(payload)


def portal_url(contact: Contact) -> str:
    """The absolute address of the contact's portal page."""
    return public_url(f"/portal/{portal_token(contact)}")


def link_max_age() -> timedelta:
    """How long a portal link stays valid (PORTAL_LINK_MAX_AGE_DAYS)."""
    return timedelta(days=current_app.config["PORTAL_LINK_MAX_AGE_DAYS"])


def contact_from_token(token: str) -> Contact:
    """The contact a portal link names.

    Invalid when the link was tampered with or has expired; NotFound when the contact
    has changed address, is no longer active, or their mission is switched off.
    """
    payload = invitations.read_signed_link(token, PORTAL_SALT, link_max_age(), RENEW)
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise Invalid(NOT_VALID)
    contact = db.session.get(Contact, payload[0])
    if contact is None or invitations.email_digest(contact.email) != payload[1]:
        raise NotFound(NO_LONGER_ON_FILE)
    if not contact.active:
        raise NotFound(NO_LONGER_LISTED)
    if not contact.mission.active:
        raise NotFound(MISSION_OFF)
    return contact


def actor(contact: Contact) -> audit.Actor:
    """Who the audit trail names for a change made through a contact's portal link."""
    return audit.Actor(f"portal: {contact.email} ({contact.mission.state_iso3})")


# --- the page ------------------------------------------------------------------------------

@dataclass
class BriefingView:
    """One briefing as a mission sees it."""

    briefing: Briefing
    #: the presentations still on the agenda
    agenda: list[BriefingItem]
    #: the mission's own place on the agenda (also when released), or None
    slot: BriefingItem | None
    #: this contact's invitation (None: none was sent to them)
    invitation: Invitation | None
    #: the mission's answer: the most positive of its contacts' answers
    mission_answer: str

    @property
    def presents(self) -> bool:
        """True while the mission is on the agenda."""
        return self.slot is not None and self.slot.slot_status != "declined"


@dataclass
class PortalPage:
    """Everything the portal page shows to one contact."""

    contact: Contact
    mission: Mission
    upcoming: list[BriefingView]
    past: list[BriefingView]
    #: the mission's active contacts
    contacts: list[Contact]
    #: the mission's private feed (https and webcal://), "" when switched off
    feed_url: str
    feed_webcal: str


def page(token: str) -> PortalPage:
    """The portal page of the contact a link names (reads only)."""
    contact = contact_from_token(token)
    mission = contact.mission
    now = clock.now()
    upcoming = list(db.session.scalars(db.select(Briefing).where(
        Briefing.status == "confirmed", Briefing.start_at > now).order_by(Briefing.start_at)))
    past = list(db.session.scalars(db.select(Briefing).where(
        Briefing.status.in_(("confirmed", "held")), Briefing.start_at <= now)
        .order_by(Briefing.start_at.desc()).limit(PAST_SHOWN)))
    by_briefing: dict[int, list[Invitation]] = {}
    for invitation in db.session.scalars(db.select(Invitation).join(Invitation.contact).where(
            Contact.mission_id == mission.id,
            Invitation.briefing_id.in_([b.id for b in upcoming + past]))):
        by_briefing.setdefault(invitation.briefing_id, []).append(invitation)
    path = mission_feed_path(mission.feed_token) if mission.feed_token else ""
    return PortalPage(
        contact=contact, mission=mission,
        upcoming=[_view(b, contact, by_briefing.get(b.id, [])) for b in upcoming],
        past=[_view(b, contact, by_briefing.get(b.id, [])) for b in past],
        contacts=active_contacts(mission),
        feed_url=feed_url(path) if path else "",
        feed_webcal=feed_url(path, webcal=True) if path else "")


def _view(briefing: Briefing, contact: Contact, invited: list[Invitation]) -> BriefingView:
    iso3 = contact.mission.state_iso3
    return BriefingView(
        briefing=briefing, agenda=invitations.agenda(briefing),
        slot=next((item for item in briefing.items if item.review.state_iso3 == iso3), None),
        invitation=next((i for i in invited if i.contact_id == contact.id), None),
        mission_answer=invitations.mission_answer(i.partstat for i in invited))


def active_contacts(mission: Mission) -> list[Contact]:
    """The mission's active contacts, by name."""
    return list(db.session.scalars(db.select(Contact).filter_by(mission_id=mission.id, active=True)
                                   .order_by(Contact.name, Contact.id)))


# --- answers -------------------------------------------------------------------------------

def answer(token: str, briefing_id: int, answer: str,
           comment: str = "") -> invitations.AnswerResult:
    """Record the contact's answer to a briefing, by the RSVP links' rule.

    A presenting mission's accept confirms its slot; its decline releases the slot and
    sends everyone the updated invitation. Raises Invalid or NotFound; nothing changes then.
    """
    contact = contact_from_token(token)
    if answer not in invitations.ANSWERS:
        raise Invalid(f"unknown answer {answer!r}: accept, tentative or decline")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid(COMMENT_TOO_LONG, field="comment")
    invitation = db.session.scalar(db.select(Invitation).filter_by(
        briefing_id=briefing_id, contact_id=contact.id))
    if invitation is None:
        raise NotFound(NOT_INVITED)
    if briefings_view.is_past(invitation.briefing):
        raise Invalid(ALREADY_HELD)
    partstat = invitations.ANSWERS[answer]
    result = invitations.record_answer(invitation, partstat, "portal", actor(contact), comment)
    db.session.commit()
    return result


# --- the mission's contacts ----------------------------------------------------------------

def colleague(token: str, contact_id: int) -> Contact:
    """An active contact of the link's mission (the person themself included); else NotFound."""
    return _colleague(contact_from_token(token), contact_id)


def _colleague(me: Contact, contact_id: int) -> Contact:
    other = db.session.get(Contact, contact_id)
    if other is None or other.mission_id != me.mission_id or not other.active:
        raise NotFound(NOT_A_COLLEAGUE)
    return other


def add_contact(token: str, name: str, role: str, email: str, language: str) -> Contact:
    """Add a contact to the link's mission; they are sent the current invitations.

    An address the mission had before is listed again rather than refused. The
    secretariat is told. Raises Invalid (naming the field) or NotFound.
    """
    me = contact_from_token(token)
    iso3, who = me.mission.state_iso3, actor(me)
    former = _former_contact(me.mission, email)
    if former is None:
        return missions.create_contact(iso3, name, role, email, language, who,
                                       tell_secretariat=True)
    missions.update_contact(former.id, name, role, email, language, who)
    missions.set_contact_active(former.id, True, who, tell_secretariat=True)
    return former


def _former_contact(mission: Mission, email: str) -> Contact | None:
    try:
        address = normalise_email(email)
    except Invalid:
        return None  # the create step reports it next to the field
    return db.session.scalar(db.select(Contact).filter_by(mission_id=mission.id, email=address,
                                                          active=False))


def edit_contact(token: str, contact_id: int, name: str, role: str, email: str,
                 language: str) -> str:
    """Change a contact of the link's mission; the secretariat is told.

    Returns the token to go on with: a new one when the person changed their own
    address (the old link stops working). Raises Invalid (naming the field) or NotFound.
    """
    me = contact_from_token(token)
    other = _colleague(me, contact_id)
    missions.update_contact(other.id, name, role, email, language, actor(me),
                            tell_secretariat=True)
    return portal_token(me) if other.id == me.id else token


def remove_contact(token: str, contact_id: int) -> Contact:
    """Mark a contact as no longer at the mission (never the last one); the secretariat is told.

    Raises Invalid for the mission's last active contact, NotFound for anyone else's.
    """
    me = contact_from_token(token)
    other = _colleague(me, contact_id)
    if len(active_contacts(me.mission)) <= 1:
        raise Invalid(LAST_CONTACT)
    missions.set_contact_active(other.id, False, actor(me), tell_secretariat=True)
    return other


# --- the contact's language --------------------------------------------------------------------

def set_language(token: str, language: str) -> Contact:
    """Save the language the link's contact reads the portal and the answer pages in (and
    is written to in), one of i18n.LANGUAGES; the audit trail names the contact.

    Anything else is Invalid (field "language") and changes nothing; the secretariat is
    not told (a person's own preference, not a change to the mission's contacts).
    """
    me = contact_from_token(token)
    if language not in LANGUAGES:
        raise Invalid(LANGUAGE_REFUSED, field="language")
    if me.language != language:
        audit.record(actor(me), "contact.update", "contact", me.id,
                     f"language: {me.language} → {language}")
        me.language = language
        db.session.commit()
    return me


# --- support ---------------------------------------------------------------------------------

def links_for(key: str) -> list[tuple[Contact, str]]:
    """(contact, portal URL) for each active contact of a mission (ISO3) or with an address.

    For support staff; raises NotFound when no active contact matches.
    """
    key = (key or "").strip()
    query = db.select(Contact).join(Contact.mission).where(Contact.active, Mission.active)
    if "@" in key:
        query = query.where(Contact.email == key.lower())
    else:
        query = query.where(Mission.state_iso3 == key.upper())
    contacts = list(db.session.scalars(query.order_by(Mission.state_iso3, Contact.name)))
    if not contacts:
        raise NotFound(f"no active contact of an active mission matches {key!r}")
    return [(contact, portal_url(contact)) for contact in contacts]
