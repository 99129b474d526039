"""Invitations: who is invited to a briefing, what they are sent, and what they answer.

Every function here works inside the caller's transaction: the outbox rows are written
with the change that causes them, and the caller commits (or rolls back) both at once.
"""
from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import inspect
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import changes, ical, local_dates, wording
from ..domain.calendar import local_to_utc, to_local, working_days_before
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    Briefing,
    BriefingItem,
    BriefingVersion,
    Contact,
    InboundReply,
    Invitation,
    Mission,
    OutboxMessage,
    Review,
    State,
    utcnow,
)
from . import audit, clock, locks, outbox, portal  # portal uses this module too: portal.x
from . import outbox_rules, versions
from .feed_links import ensure_mission_token, feed_url, mission_feed_path, public_url
from .languages import (
    _,
    current_language,
    in_language,
    local_time,
    mail_language,
    phrasing,
)

#: how long an RSVP link stays valid
RSVP_LINK_MAX_AGE = timedelta(days=120)
ANSWERS = {"accept": "ACCEPTED", "tentative": "TENTATIVE", "decline": "DECLINED"}


# --- the audience --------------------------------------------------------------------------

def invited_statuses() -> tuple[str, ...]:
    """The NAM statuses whose missions are invited: members, and observers if configured."""
    return outbox_rules.invited_statuses()


def audience() -> list[Contact]:
    """Active contacts of the active missions of NAM members (and observers if configured)."""
    return list(db.session.scalars(_audience_query()))


def _audience_query():
    return (_invited(Contact).order_by(Mission.state_iso3, Contact.email)
            .options(contains_eager(Contact.mission)))


def _invited(*columns):
    """SELECT `columns` of the audience's contacts (joined to their missions and states)."""
    return (db.select(*columns).select_from(Contact).join(Contact.mission).join(Mission.state)
            .where(Contact.active, Mission.active, State.nam_status.in_(invited_statuses())))


def _audience_behind(briefing: Briefing, limit: int | None) -> list[Contact]:
    """The audience's contacts not yet sent the briefing's current SEQUENCE, in the
    audience's order (the first `limit`): a chunk of a fan-out reads only its own."""
    sent = db.select(Invitation.contact_id).where(
        Invitation.briefing_id == briefing.id, Invitation.last_sequence_sent == briefing.sequence)
    query = _audience_query().where(Contact.id.not_in(sent))
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def audience_ids() -> set[int]:
    """The ids of the contacts `audience()` lists, in one query."""
    return set(db.session.scalars(_invited(Contact.id)))


def audience_missions() -> list[tuple[int, int]]:
    """(contact id, mission id) of each contact `audience()` lists, in one query."""
    return [tuple(row) for row in db.session.execute(_invited(Contact.id, Contact.mission_id))]


def withdraw_for_contacts(contact_ids: list[int], reason: str) -> int:
    """Withdraw every unsent message to these contacts (deactivated, their mission too, or
    their state no longer invited); the caller commits. Returns how many.

    Their invitations then remember only what really went, so that a contact who comes
    back is sent the current version.
    """
    if not contact_ids:
        return 0
    withdrawn = outbox.withdraw(reason, OutboxMessage.contact_id.in_(contact_ids),
                                OutboxMessage.kind.in_(outbox_rules.CONTACT_KINDS))
    went = dict(db.session.execute(
        db.select(Invitation.id, db.func.max(OutboxMessage.sequence))
        .join(OutboxMessage, db.and_(OutboxMessage.briefing_id == Invitation.briefing_id,
                                     OutboxMessage.contact_id == Invitation.contact_id))
        .where(Invitation.contact_id.in_(contact_ids),
               OutboxMessage.kind.in_(outbox_rules.VERSION_KINDS),
               OutboxMessage.status.in_(("sent", "sending")))
        .group_by(Invitation.id)).all())
    for invitation in db.session.scalars(db.select(Invitation).where(
            Invitation.contact_id.in_(contact_ids), Invitation.last_sequence_sent.is_not(None))):
        invitation.last_sequence_sent = went.get(invitation.id)
    return withdrawn


def in_audience(contact: Contact) -> bool:
    """True when the contact is one `audience()` would list."""
    mission = contact.mission
    return (contact.active and mission.active
            and mission.state.nam_status in invited_statuses())


def presenting_iso3s(briefing: Briefing) -> set[str]:
    """The states still on the briefing's agenda."""
    return {item.review.state_iso3 for item in briefing.items if item.slot_status != "declined"}


def invite_everyone(briefing: Briefing, limit: int | None = None) -> int:
    """Invite the whole audience to the briefing's current version; returns how many were
    queued. Those already sent it are skipped, so that a fan-out composed in chunks of
    `limit` (services/fanout.py) resumes where it stopped."""
    version = _Version.for_fanout(briefing)
    contacts = _audience_behind(briefing, limit)
    ids = [contact.id for contact in contacts]
    existing = {i.contact_id: i for i in db.session.scalars(db.select(Invitation).where(
        Invitation.briefing_id == briefing.id, Invitation.contact_id.in_(ids)))}
    histories = {contact_id: history for (_, contact_id), history in
                 outbox_rules.histories((briefing.id, contact_id) for contact_id in ids).items()}
    with db.session.no_autoflush:
        queued = sum(_invite(version, contact, existing, histories) for contact in contacts)
    version.write_new()
    db.session.flush()
    return queued


def invite_contact(contact: Contact) -> int:
    """Send a contact (new or reactivated) the current version of every upcoming briefing."""
    if contact.id is None:
        db.session.flush()
    if not in_audience(contact):
        return 0
    upcoming = db.session.scalars(db.select(Briefing).where(
        Briefing.status == "confirmed", Briefing.start_at > clock.now()))
    queued = 0
    for briefing in upcoming:
        existing = {i.contact_id: i for i in db.session.scalars(db.select(Invitation).filter_by(
            briefing_id=briefing.id, contact_id=contact.id))}
        queued += _invite(_Version.of(briefing), contact, existing)
    return queued


def readdress(contact: Contact) -> int:
    """A contact's address changed: send the current version of upcoming briefings there."""
    outbox.withdraw(outbox_rules.readdressed(contact.email),
                    OutboxMessage.contact_id == contact.id,
                    OutboxMessage.to_address != contact.email)
    for invitation in db.session.scalars(db.select(Invitation).filter_by(contact_id=contact.id)):
        invitation.token = secrets.token_urlsafe(24)  # links sent to the old address die
    for invitation in db.session.scalars(db.select(Invitation).join(Invitation.briefing).where(
            Invitation.contact_id == contact.id, Briefing.status == "confirmed",
            Briefing.start_at > clock.now())):
        invitation.last_sequence_sent = None
    return invite_contact(contact)


def _invite(version: _Version, contact: Contact, existing: dict[int, Invitation],
            histories: dict[int, outbox_rules.History] | None = None) -> bool:
    briefing = version.briefing
    invitation = existing.get(contact.id)
    if invitation is None:
        invitation = Invitation(briefing=briefing, contact=contact,
                                role=version.role_of(contact), partstat="NEEDS-ACTION",
                                token=secrets.token_urlsafe(24))
        version.add_invitation(invitation)
    if invitation.last_sequence_sent == briefing.sequence:
        return False
    history = None if histories is None else histories.get(contact.id, outbox_rules.History())
    queue_request(invitation, version, history=history)
    return True


@dataclass
class _Version:
    """One version of a briefing, computed once for all the messages of a fan-out."""

    briefing: Briefing
    event: ical.EventData
    presenters: set[str]

    #: the calendar of this version with the recipient left out, serialised once a
    #: (METHOD, RSVP, language)
    calendars: dict[tuple[str, bool, str], ical.CalendarForAttendee] = field(
        default_factory=dict)
    #: the event in each language it was written in (English: `event`)
    events: dict[str, ical.EventData] = field(default_factory=dict)
    #: the e-mails of this version with the personal parts left out, rendered once a variant
    letters: dict[tuple, tuple[str, str, str]] = field(default_factory=dict)
    #: the outbox keys of the briefing's messages, when a fan-out read them (`is_new`)
    keys: set[str] | None = None
    #: the messages with new keys, written together by `write_new` (fan-outs only)
    new_messages: outbox.NewMessages = field(default_factory=outbox.NewMessages)
    #: the new invitations, written together by `write_new` (fan-outs only)
    new_invitations: list[Invitation] = field(default_factory=list)
    #: SEQUENCE -> what that version said (`services.versions`)
    recorded: dict[int, BriefingVersion] = field(default_factory=dict)

    @property
    def note(self) -> str:
        """The secretariat's note for this version's e-mails ("" for none)."""
        current = self.recorded.get(self.briefing.sequence)
        return current.note if current else ""

    def changes_since(self, received: int | None, language: str = "en") -> tuple[str, ...]:
        """What changed, in words (in `language`), since the version a contact last
        received (nothing when it received none, or that version was sent before versions
        were recorded)."""
        before = self.recorded.get(received)
        if received is None or received == self.briefing.sequence or before is None:
            return ()
        with in_language(language):
            return tuple(changes.what_changed(versions.facts(before),
                                              versions.facts_of(self.briefing), phrasing()))

    @classmethod
    def for_fanout(cls, briefing: Briefing) -> _Version:
        """The version, with the keys of the messages already queued (one query)."""
        version = cls.of(briefing)
        version.keys = outbox.existing_keys(briefing.id)
        return version

    def is_new(self, key: str) -> bool:
        """True when no message has this key yet (known without a query in a fan-out)."""
        if self.keys is None or key in self.keys:
            return False
        self.keys.add(key)
        return True

    def enqueue(self, kind: str, key: str, to_address: str, subject: str, body_text: str,
                **fields) -> None:
        """Queue one message of this version (`outbox.enqueue`'s arguments): a key the
        fan-out knows to be new waits in `new_messages` for `write_new`, without a lookup."""
        if self.is_new(key):
            self.new_messages.add(kind, key, to_address, subject, body_text, **fields)
        else:
            outbox.enqueue(kind, key, to_address, subject, body_text, **fields)

    def add_invitation(self, invitation: Invitation) -> None:
        """Add a new invitation: a fan-out's wait for `write_new`, others join the session."""
        if self.keys is None:
            db.session.add(invitation)
        else:
            self.new_invitations.append(invitation)

    def write_new(self) -> None:
        """Write the invitations and messages kept back, one INSERT each (the caller
        commits). The invitations go by a Core INSERT, not as ORM objects: on SQLite the
        ORM inserts those one statement each (to learn each id), and a chunk needs none."""
        invitations, self.new_invitations = self.new_invitations, []
        if invitations:  # the columns left out take their defaults
            db.session.execute(Invitation.__table__.insert(), [
                {"briefing_id": i.briefing.id, "contact_id": i.contact.id, "role": i.role,
                 "partstat": i.partstat, "token": i.token,
                 "last_sequence_sent": i.last_sequence_sent} for i in invitations])
        self.new_messages.write()

    @classmethod
    def of(cls, briefing: Briefing) -> _Version:
        load_agenda(briefing)  # with its reviews and states: one query, not two an item
        return cls(briefing, event_data(briefing), presenting_iso3s(briefing),
                   recorded=versions.of_briefing(briefing.id))

    def role_of(self, contact: Contact) -> str:
        return "presenter" if contact.mission.state_iso3 in self.presenters else "participant"

    def calendar(self, method: str, invitation: Invitation) -> str:
        """This version's METHOD:REQUEST or CANCEL calendar for one invited contact: a
        request asks for an answer (RSVP=TRUE) only of a contact without one on record
        (an agenda change keeps the answers and asks nothing)."""
        rsvp = method == "REQUEST" and invitation.partstat == "NEEDS-ACTION"
        language = mail_language(invitation.contact)
        key = (method, rsvp, language)
        if key not in self.calendars:
            self.calendars[key] = ical.for_attendees(self.event_in(language), method, rsvp=rsvp)
        return self.calendars[key](attendee(invitation))

    def event_in(self, language: str) -> ical.EventData:
        """This version's event, its texts written in `language`."""
        if local_dates.is_english(language):
            return self.event
        if language not in self.events:
            self.events[language] = event_data(self.briefing, language)
        return self.events[language]

    def render(self, template: str, invitation: Invitation, **extra) -> tuple[str, str, str]:
        """Subject, text and HTML of one e-mail of this version, as `_render` gives them.

        The templates are rendered once for each variant that changes their shape (role,
        answer, whether the mission has a feed) with markers for what is personal (name,
        links); each recipient's values are then put in (HTML-escaped in the HTML part).
        """
        personal = _personal(invitation)
        language = mail_language(invitation.contact)
        key = (template, language, invitation.role, invitation.partstat,
               bool(personal[_FEED]), tuple(sorted(extra.items())))
        if key not in self.letters:
            marked = {**_MARKERS, _FEED: _MARKERS[_FEED] if personal[_FEED] else ""}
            self.letters[key] = _render(template, invitation, marked, language=language,
                                        **extra)
        return _fill(self.letters[key], personal)


# --- what is sent ------------------------------------------------------------------------------

def queue_request(invitation: Invitation, version: _Version | None = None,
                  kind: str = "request", history: outbox_rules.History | None = None) -> None:
    """Queue the current version of the briefing (METHOD:REQUEST) to one invited contact.

    Coalesced: older versions not yet sent to the contact are withdrawn ("superseded by
    sequence n"), and the new one waits until an hour after the last one sent
    (`outbox_rules.UPDATE_INTERVAL`), so a briefing moved three times in a row makes at
    most one update an hour. `history` is the contact's messages of this briefing (read
    here when not given).
    """
    briefing, contact = invitation.briefing, invitation.contact
    version = version or _Version.of(briefing)
    if history is None and contact.id is not None:
        history = outbox_rules.histories([(briefing.id, contact.id)])[(briefing.id, contact.id)]
    history = history or outbox_rules.History()
    older = [r.id for r in history.unsent_versions() if (r.sequence or 0) < briefing.sequence]
    if older:
        outbox.withdraw(outbox_rules.superseded(briefing.sequence), OutboxMessage.id.in_(older))
    ics = version.calendar("REQUEST", invitation)
    subject, text, html = version.render(
        "invitation", invitation, kind=kind, note=version.note,
        changes=version.changes_since(history.last_version_received(),
                                      mail_language(contact)))
    key = f"{kind}:{briefing.id}:{contact.id}:{briefing.sequence}:{contact.email}"
    version.enqueue(kind, key, contact.email, subject, text, body_html=html, ics=ics,
                    ics_method="REQUEST", briefing_id=briefing.id, contact_id=contact.id,
                    sequence=briefing.sequence,
                    not_before=history.due_at_for_update(outbox.utcnow()),
                    language=mail_language(contact))
    invitation.last_sequence_sent = briefing.sequence


def send_update(briefing: Briefing, limit: int | None = None) -> int:
    """After `briefing.sequence` went up: queue the new version to everyone still invited
    who has not had it yet (at most `limit` of them); returns how many were queued.

    Unsent reminders and chasers of the briefing are withdrawn (the update reminds), and
    so are older versions; each contact's update is paced (see `queue_request`).
    """
    version, invitations, todo = _to_bring_up_to_date(briefing, limit)
    for invitation in invitations:
        invitation.role = version.role_of(invitation.contact)
    histories = outbox_rules.histories((briefing.id, i.contact_id) for i in todo)
    with db.session.no_autoflush:
        for invitation in todo:
            queue_request(invitation, version, history=histories[(briefing.id,
                                                                  invitation.contact_id)])
    version.write_new()
    db.session.flush()
    return len(todo)


def send_cancellation(briefing: Briefing, limit: int | None = None) -> int:
    """After a cancellation (status and sequence already set): METHOD:CANCEL to everyone
    still invited who has not had it yet (at most `limit` of them), at once (a
    cancellation is never held back); returns how many were queued. Every other unsent
    message of the briefing is withdrawn.
    """
    version, _presenters, todo = _to_bring_up_to_date(briefing, limit)
    with db.session.no_autoflush:
        for invitation in todo:
            contact = invitation.contact
            ics = version.calendar("CANCEL", invitation)
            subject, text, html = version.render("cancellation", invitation, note=version.note)
            key = f"cancel:{briefing.id}:{contact.id}:{briefing.sequence}:{contact.email}"
            version.enqueue("cancel", key, contact.email, subject, text, body_html=html,
                            ics=ics, ics_method="CANCEL", briefing_id=briefing.id,
                            contact_id=contact.id, sequence=briefing.sequence,
                            language=mail_language(contact))
            invitation.last_sequence_sent = briefing.sequence
    version.write_new()
    db.session.flush()
    return len(todo)


def withdraw_outdated(briefing: Briefing) -> int:
    """Withdraw the briefing's unsent messages that its current version makes wrong: after
    a cancellation every invitation, reminder and chaser; after an update the reminders
    and chasers (the update reminds) and the older versions. One statement a kind, run
    in the request that makes the change (the outbox is right at once) and again when
    the fan-out is composed. Returns how many."""
    of_briefing = OutboxMessage.briefing_id == briefing.id
    if briefing.status == "cancelled":
        return sum(outbox.withdraw(outbox_rules.cancelled_instead(briefing.id, kind),
                                   of_briefing, OutboxMessage.kind == kind)
                   for kind in ("request", "reminder", "chaser"))
    return (outbox.withdraw(outbox_rules.updated_instead(briefing.id, briefing.sequence),
                            of_briefing, OutboxMessage.kind.in_(("reminder", "chaser")))
            + outbox.withdraw(outbox_rules.superseded(briefing.sequence), of_briefing,
                              OutboxMessage.kind == "request",
                              OutboxMessage.sequence < briefing.sequence))


def _invitations(briefing: Briefing) -> list[Invitation]:
    """Everyone who was sent this briefing (an update or cancellation goes to them all),
    with their contacts and missions."""
    return list(db.session.scalars(
        db.select(Invitation).filter_by(briefing_id=briefing.id)
        .where(Invitation.last_sequence_sent.is_not(None)).order_by(Invitation.id)
        .options(joinedload(Invitation.contact).joinedload(Contact.mission))))


def _to_bring_up_to_date(briefing: Briefing, limit: int | None
                         ) -> tuple[_Version, list[Invitation], list[Invitation]]:
    """What an update or cancellation chunk needs: the version, everyone who was sent the
    briefing, and those of them still invited who lack its current SEQUENCE (the first
    `limit`), once what the version makes wrong is withdrawn."""
    version = _Version.for_fanout(briefing)
    invitations = _invitations(briefing)
    invited = audience_ids()
    withdraw_outdated(briefing)
    behind = [i for i in invitations
              if i.contact_id in invited and i.last_sequence_sent != briefing.sequence]
    return version, invitations, behind if limit is None else behind[:limit]


def event_data(briefing: Briefing, language: str = "en") -> ical.EventData:
    """The briefing as an iCalendar event, its texts written in `language` (marked with
    LANGUAGE= unless English, which calendars have always been written in)."""
    config = current_app.config
    room = briefing.room
    with in_language(language):
        location = (", ".join(part for part in (room.name, room.location) if part) if room
                    else _("Geneva"))
        texts = {"summary": summary(briefing), "location": location,
                 "description": agenda_text(briefing)}
    return ical.EventData(
        uid=briefing.uid, sequence=briefing.sequence,
        start=to_local(briefing.start_at), end=to_local(briefing.end_at), **texts,
        organizer=ical.Organizer(config["ORGANIZER_EMAIL"], config["ORGANIZER_NAME"]),
        dtstamp=utcnow().replace(microsecond=0),
        status="CANCELLED" if briefing.status == "cancelled" else "CONFIRMED",
        language=None if local_dates.is_english(language) else language,
    )


def attendee(invitation: Invitation) -> ical.Attendee:
    """The invited contact as an iCalendar attendee."""
    return ical.Attendee(invitation.contact.email, invitation.contact.name,
                         presenter=invitation.role == "presenter", partstat=invitation.partstat)


def summary(briefing: Briefing) -> str:
    """e.g. 'NAM briefing before UPR49: Grenada, Guinea, Guinea-Bissau, Guyana'."""
    states = ", ".join(item.review.state.name for item in agenda(briefing))
    return _("NAM briefing before UPR%(number)s: %(states)s", number=briefing.session.number,
             states=states or _("no presenter"))


def agenda(briefing: Briefing) -> list[BriefingItem]:
    """The presentations still on the agenda, in order."""
    return [item for item in briefing.items if item.slot_status != "declined"]


def agenda_text(briefing: Briefing) -> str:
    """The agenda as plain text, in Geneva time (the DESCRIPTION of the event)."""
    session = briefing.session
    language = current_language()
    lines = [_("Ambassadorial meeting of the Non-Aligned Movement before the %(ordinal)s "
               "session of the UPR Working Group (%(dates)s).",
               ordinal=local_dates.ordinal(session.number, language),
               dates=local_dates.date_range(session.start_date, session.end_date, language)),
             "", _("Agenda (Geneva time):"),
             f"{local_time(briefing.start_at)}  {_('Opening by the Chair')}"]
    lines += [f"{local_time(item.start_at)}  {item.review.state.name}"
              + (" " + _("(to be confirmed)") if item.slot_status == "invited" else "")
              for item in agenda(briefing)]
    return "\n".join(lines)


def _feed_link(mission: Mission) -> str:
    """The mission's feed URL for an e-mail ("" while the secretariat has switched it off)."""
    token = ensure_mission_token(mission)
    return feed_url(mission_feed_path(token)) if token else ""


def _render(template: str, invitation: Invitation, marked: dict[str, str] | None = None,
            language: str = "en", **extra) -> tuple[str, str, str]:
    """Subject, text and HTML of one e-mail to an invited contact, written in `language`;
    with `marked`, those personal parts instead of the contact's (`_Version.render` fills
    them in later)."""
    with in_language(language):
        return _render_now(template, invitation, marked, language, **extra)


def _render_now(template: str, invitation: Invitation, marked: dict[str, str] | None,
                language: str, **extra) -> tuple[str, str, str]:
    personal = marked or _personal(invitation)
    context = {"invitation": invitation, "briefing": invitation.briefing,
               "language": language, "text_direction": local_dates.direction(language),
               "answer_names": _answer_names(),
               "contact": _Named(personal[_NAME]), "agenda": agenda(invitation.briefing),
               "links": {answer: personal[answer] for answer in ANSWERS},
               "start": to_local(invitation.briefing.start_at),
               "end": to_local(invitation.briefing.end_at),
               "feed": personal[_FEED], "portal": personal[_PORTAL], **extra}
    subject = render_template(f"email/{template}.subject.txt", **context).strip()
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    return subject, text, html


def _answer_names() -> dict[str, str]:
    """Each PARTSTAT as the e-mails name the answer, in the current language."""
    return {"ACCEPTED": _("Accepted"), "TENTATIVE": _("Tentative"),
            "DECLINED": _("Declined"), "NEEDS-ACTION": _("No answer yet")}


_NAME, _FEED, _PORTAL = "name", "feed", "portal"
#: what differs from one recipient to the next, as it stands in a template rendered once
_MARKERS = {key: f"\x00{key}\x00" for key in (_NAME, *ANSWERS, _FEED, _PORTAL)}


@dataclass(frozen=True)
class _Named:
    """What the e-mail templates may read of the contact: the name (`contact.name`)."""

    name: str


def preview_letter(invitation: Invitation, template: str, method: str, received: int | None,
                   note: str) -> tuple[str, str, str]:
    """Subject, text and calendar of the e-mail the invitation's contact would get for the
    briefing as it stands in the session (unsaved changes included), `received` being the
    version the contact last received. The personal links are placeholders, never a link
    that works."""
    version = _Version.of(invitation.briefing)
    language = mail_language(invitation.contact)
    placeholders = {_NAME: invitation.contact.name,
                    **{answer: f"[{invitation.contact.name}'s own {answer} link]"
                       for answer in ANSWERS},
                    _FEED: "[the mission's own calendar feed]"
                    if _feed_link(invitation.contact.mission) else "",
                    _PORTAL: "[the mission's own page]"}
    extra: dict[str, Any] = {"note": note}
    if template == "invitation":
        extra |= {"kind": "request", "changes": version.changes_since(received, language)}
    subject, text, _html = _render(template, invitation, placeholders, language=language,
                                   **extra)
    return subject, text, version.calendar(method, invitation)


def _personal(invitation: Invitation) -> dict[str, str]:
    """The recipient's own parts of an e-mail: name, RSVP links, feed and portal."""
    contact = invitation.contact
    return {_NAME: contact.name, **rsvp_links(invitation),
            _FEED: _feed_link(contact.mission), _PORTAL: portal.portal_url(contact)}


def _fill(letter: tuple[str, str, str], personal: dict[str, str]) -> tuple[str, str, str]:
    subject, text, html = letter
    for key, marker in _MARKERS.items():
        value = personal[key]
        subject = subject.replace(marker, value)
        text = text.replace(marker, value)
        html = html.replace(marker, str(escape(value)))
    return subject, text, html


# --- RSVP links ----------------------------------------------------------------------------------

RSVP_SALT = "nam-briefings-rsvp"


def link_serializer(salt: str) -> URLSafeTimedSerializer:
    """The signer of one kind of personal link (RSVP, mission portal): one salt per kind."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def read_signed_link(token: str, salt: str, max_age: timedelta, renew: str) -> Any:
    """The payload of a signed link; Invalid when tampered with or expired.

    `renew` says where to get a new link, e.g. "ask the secretariat for a new invitation".
    """
    try:
        return link_serializer(salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise Invalid(f"this link has expired: {renew}") from None
    except BadSignature:
        raise Invalid("this link is not valid: it may have been cut or changed") from None


def email_digest(email: str) -> str:
    """A short digest of an address: a link that carries it dies when the address changes."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def rsvp_token(invitation: Invitation) -> str:
    """A signed, expiring token naming the invitation (by its random key, not its id) and,
    by digest, the address it was sent to."""
    return link_serializer(RSVP_SALT).dumps([invitation.token,
                                             email_digest(invitation.contact.email)])


def rsvp_links(invitation: Invitation) -> dict[str, str]:
    """answer -> absolute URL of the one-click RSVP link."""
    token = rsvp_token(invitation)
    return {answer: public_url(f"/rsvp/{token}/{answer}") for answer in ANSWERS}


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, while its contact may still answer.

    Invalid when tampered with or expired; NotFound when the invitation is gone, the
    contact's address changed since the link was sent, the contact or their mission was
    deactivated, or the state is no longer invited (e.g. no longer a NAM member). Links
    sent before links carried the address (a bare key) are checked for all but the
    address; a change of address gives the contact's invitations new keys (`readdress`).
    """
    payload = read_signed_link(token, RSVP_SALT, RSVP_LINK_MAX_AGE,
                               "ask the secretariat for a new invitation")
    key, digest = payload if _is_key_and_digest(payload) else (payload, None)
    if not isinstance(key, str):
        raise Invalid("this link is not valid: it may have been cut or changed")
    invitation = db.session.scalar(db.select(Invitation).filter_by(token=key))
    if invitation is None:
        raise NotFound("this invitation no longer exists")
    contact = invitation.contact
    if digest is not None and digest != email_digest(contact.email):
        raise NotFound("this link was sent to an address that is no longer on file: use the "
                       "link in a more recent e-mail, or write to the secretariat")
    if not in_audience(contact):
        raise NotFound("this link belongs to someone who no longer receives NAM invitations "
                       "(no longer listed for the mission, or the mission is no longer "
                       "invited): a colleague's link still works, or write to the secretariat")
    return invitation


def _is_key_and_digest(payload: Any) -> bool:
    return (isinstance(payload, list) and len(payload) == 2
            and all(isinstance(part, str) for part in payload))


# --- answers ---------------------------------------------------------------------------------------

@dataclass
class AnswerResult:
    invitation: Invitation
    changed: bool
    #: True when the agenda changed (a presenting mission declined its slot)
    agenda_changed: bool = False


def record_answer(invitation: Invitation, partstat: str, via: str, actor: audit.Actor,
                  comment: str = "", sequence: int | None = None, note: str = "") -> AnswerResult:
    """Record an answer and its audit event (the caller commits).

    A presenter's ACCEPTED confirms the mission's slot; DECLINED takes the mission off
    the agenda, and the new agenda waits for the secretariat's decision (`agenda_pending`,
    a notice is queued to it), or is sent to everyone at once with AUTO_AGENDA_UPDATES.
    `note` is added to the audit event (e.g. who answered for the mission). The briefing's row is locked first, so
    answers to one briefing are applied one after the other, each on the current agenda
    (two presenters declining at once both come off it, with no deadlock).
    """
    if partstat not in ANSWERS.values():
        raise Invalid(f"unknown answer {partstat!r}")
    locks.lock_briefing(invitation.briefing_id)
    briefing = invitation.briefing
    if briefing.status != "confirmed":
        raise Invalid(f"this briefing has been {briefing.status}; no answer is needed")
    changed = (invitation.partstat, invitation.comment) != (partstat, comment or invitation.comment)
    invitation.partstat, invitation.answered_via = partstat, via
    invitation.answered_at = utcnow()
    invitation.answered_sequence = briefing.sequence if sequence is None else sequence
    if comment:
        invitation.comment = comment
    agenda_changed = False
    if invitation.role == "presenter":
        agenda_changed = _answer_for_slot(invitation, partstat)
    released = ""
    if agenda_changed:
        released = ("slot declined, new agenda waiting for the secretariat's decision"
                    if briefing.agenda_pending else "slot declined, agenda updated")
    audit.record(actor, "invitation.answer", "invitation", invitation.id,
                 f"{partstat} for briefing {briefing.id} ({summary(briefing)})"
                 + "".join(f"; {text}" for text in (released, note) if text))
    return AnswerResult(invitation, changed, agenda_changed)


def _answer_for_slot(invitation: Invitation, partstat: str) -> bool:
    briefing = invitation.briefing
    iso3 = invitation.contact.mission.state_iso3
    item = next((i for i in briefing.items if i.review.state_iso3 == iso3), None)
    if item is None or item.slot_status == "declined":
        return False
    if partstat == "ACCEPTED":
        item.slot_status = "confirmed"
        return False
    if partstat != "DECLINED":
        return False
    item.slot_status = "declined"
    if current_app.config.get("AUTO_AGENDA_UPDATES"):
        send_new_agenda(briefing)
    else:
        briefing.agenda_pending = True
        _ask_for_a_decision(briefing, item)
    return True


def send_new_agenda(briefing: Briefing, note: str = "") -> int:
    """The agenda without the missions that left it, to everyone invited: the presentations
    laid end to end again, SEQUENCE up, one fan-out (the caller locked the briefing and
    commits). Returns how many contacts will be told."""
    from . import fanout  # fanout composes with this module's functions

    apply_new_agenda(briefing)
    return fanout.queue(briefing, "update", note).recipients


def apply_new_agenda(briefing: Briefing) -> None:
    """Close up the agenda after a presenter left, at the next SEQUENCE (answers kept)."""
    repack_agenda(briefing)
    briefing.sequence += 1
    briefing.agenda_pending = False


def _ask_for_a_decision(briefing: Briefing, item: BriefingItem) -> None:
    state = item.review.state.name
    when = wording.short_datetime(to_local(briefing.start_at))
    outbox.notify_secretariat(
        f"agenda:{briefing.id}:{item.review.state_iso3}:{briefing.sequence}",
        f"{state} no longer presents at the NAM briefing of {when}: your decision",
        f"{state} declined its presentation slot at the NAM briefing before UPR session "
        f"{briefing.session.number} ({when}, Geneva time).\n\nNothing has been sent to the "
        "missions yet. On the briefing's page, choose: keep the meeting and send the new "
        "agenda, re-plan the meeting, or cancel it:\n"
        f"{public_url(f'/briefings/{briefing.id}')}\n")


def repack_agenda(briefing: Briefing) -> None:
    """Lay the presentations still on the agenda end to end after the opening."""
    opening = min(item.start_at for item in briefing.items) - briefing.start_at
    cursor = briefing.start_at + opening
    for item in agenda(briefing):
        length = item.end_at - item.start_at
        item.start_at, item.end_at = cursor, cursor + length
        cursor += length


# --- reminders and chasers ------------------------------------------------------------------------

def reminder_moment(briefing: Briefing, working_days: int) -> datetime:
    """09:00 Geneva on the working day `working_days` before the briefing's day."""
    day = working_days_before(to_local(briefing.start_at).date(), working_days)[0]
    return local_to_utc(datetime.combine(day, time(9, 0)))


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue reminders to everyone still invited who has not declined, once per briefing
    time, at most one a contact per Geneva day, and none within a day of an update (see
    `outbox_rules.History.why_no_reminder`)."""
    now = now or clock.now()
    count = 0
    invited = audience_ids()
    for briefing in _upcoming(now):
        if reminder_moment(briefing, current_app.config["REMINDER_WORKING_DAYS"]) > now:
            continue
        histories = _reminder_histories(briefing, "reminder")
        for invitation in _invitations(briefing):
            if invitation.partstat != "DECLINED" and invitation.contact_id in invited:
                count += _queue_notice(invitation, "reminder", now, histories)
    return count


def queue_due_chasers(now: datetime | None = None) -> int:
    """Queue a chaser to presenting missions that have not confirmed their slot (the
    reminders' pacing applies)."""
    now = now or clock.now()
    count = 0
    invited = audience_ids()
    for briefing in _upcoming(now):
        if reminder_moment(briefing, current_app.config["CHASER_WORKING_DAYS"]) > now:
            continue
        waiting = {i.review.state_iso3 for i in briefing.items if i.slot_status == "invited"}
        histories = _reminder_histories(briefing, "chaser")
        for invitation in _invitations(briefing):
            if (invitation.contact.mission.state_iso3 in waiting
                    and invitation.contact_id in invited and invitation.partstat != "DECLINED"):
                count += _queue_notice(invitation, "chaser", now, histories)
    return count


def _reminder_histories(briefing: Briefing, kind: str) -> dict[int, outbox_rules.History]:
    """The briefing's messages by contact, once the unsent reminders (or chasers) for an
    earlier time of the briefing are withdrawn."""
    stamp = outbox_rules.start_stamp(briefing.start_at)
    outbox.withdraw(outbox_rules.moved_away(kind, briefing.start_at),
                    OutboxMessage.briefing_id == briefing.id, OutboxMessage.kind == kind,
                    ~OutboxMessage.idempotency_key.endswith(f":{stamp}"))
    return outbox_rules.briefing_histories(briefing.id)


def _upcoming(now: datetime) -> list[Briefing]:
    return list(db.session.scalars(db.select(Briefing).where(
        Briefing.status == "confirmed", Briefing.start_at > now).order_by(Briefing.start_at)))


def _queue_notice(invitation: Invitation, kind: str, now: datetime,
                  histories: dict[int, outbox_rules.History]) -> int:
    """A reminder or chaser; keyed by the briefing's start, so it moves when the briefing moves."""
    briefing, contact = invitation.briefing, invitation.contact
    key = f"{kind}:{briefing.id}:{contact.id}:{outbox_rules.start_stamp(briefing.start_at)}"
    history = histories.get(contact.id, outbox_rules.History())
    if any(row.key == key for row in history.rows) or history.why_no_reminder(kind, now):
        return 0
    if db.session.scalar(db.select(OutboxMessage.id).filter_by(idempotency_key=key)):
        return 0  # sent or withdrawn before: never twice
    subject, text, html = render_notice(kind, invitation)
    outbox.enqueue(kind, key, contact.email, subject, text, body_html=html,
                   briefing_id=briefing.id, contact_id=contact.id, sequence=briefing.sequence,
                   language=mail_language(contact))
    return 1


def render_notice(kind: str, invitation: Invitation) -> tuple[str, str, str]:
    """Subject, text and HTML of a reminder or chaser to one invited contact, in their
    language."""
    return _render(kind, invitation, language=mail_language(invitation.contact))


# --- the roster ---------------------------------------------------------------------------------------

@dataclass
class RosterRow:
    """One mission's place on a briefing's roster."""

    iso3: str
    state_name: str
    presenter: bool
    #: the presenting mission's answer about its slot ("" for other missions)
    slot_status: str
    #: the mission's overall answer: the best of its contacts' answers
    partstat: str
    invitations: list[Invitation]
    #: invitation id -> how its answer by e-mail came, when not from the invited address
    #: (e.g. "answered from the mission's functional mailbox...")
    notes: dict[int, str] = field(default_factory=dict)


_PARTSTAT_RANK = {"ACCEPTED": 3, "TENTATIVE": 2, "DECLINED": 1, "NEEDS-ACTION": 0}


def mission_answer(partstats) -> str:
    """A mission's answer from its contacts' answers: the most positive one."""
    return max(partstats, key=_PARTSTAT_RANK.__getitem__, default="NEEDS-ACTION")


def roster(briefing: Briefing) -> list[RosterRow]:
    """Each invited mission with its contacts' answers; presenters first, in agenda order."""
    by_mission: dict[str, list[Invitation]] = {}
    for invitation in _roster_invitations(briefing):
        by_mission.setdefault(invitation.contact.mission.state_iso3, []).append(invitation)
    slots = {item.review.state_iso3: (position, item.slot_status)
             for position, item in enumerate(load_agenda(briefing))}
    notes = _email_notes([i for invited in by_mission.values() for i in invited])
    rows = []
    for iso3, invited in by_mission.items():
        position, slot = slots.get(iso3, (None, ""))
        best = mission_answer(i.partstat for i in invited)
        rows.append(RosterRow(iso3, invited[0].contact.mission.state.name, position is not None,
                              slot, best, invited,
                              {i.id: notes[i.id] for i in invited if i.id in notes}))
    return sorted(rows, key=lambda r: (not r.presenter, slots.get(r.iso3, (0,))[0], r.state_name))


def _roster_invitations(briefing: Briefing) -> list[Invitation]:
    """The briefing's invitations with their contacts, missions and states, in one query
    (of the mission and state only what the roster shows)."""
    return list(db.session.scalars(
        db.select(Invitation).filter_by(briefing_id=briefing.id).order_by(Invitation.id)
        .options(joinedload(Invitation.contact).joinedload(Contact.mission)
                 .load_only(Mission.id, Mission.state_iso3)
                 .joinedload(Mission.state).load_only(State.iso3, State.name))))


def load_agenda(briefing: Briefing) -> list[BriefingItem]:
    """The briefing's agenda, loaded as `load_agendas` does."""
    return load_agendas([briefing])[briefing.id]


def load_agendas(briefings: list[Briefing]) -> dict[int, list[BriefingItem]]:
    """briefing id -> its agenda, with each review and state: one query for all of them,
    then none when a page reads `briefing.items`, their reviews or their states."""
    missing = [briefing for briefing in briefings if not _agenda_loaded(briefing)]
    agendas: dict[int, list[BriefingItem]] = {briefing.id: [] for briefing in missing}
    if missing:
        for item in db.session.scalars(
                db.select(BriefingItem).where(BriefingItem.briefing_id.in_(agendas))
                .order_by(BriefingItem.briefing_id, BriefingItem.position)
                .options(joinedload(BriefingItem.review).joinedload(Review.state))):
            agendas[item.briefing_id].append(item)
    for briefing in missing:
        if "items" in inspect(briefing).unloaded:
            set_committed_value(briefing, "items", agendas[briefing.id])
    return {briefing.id: list(briefing.items) for briefing in briefings}


def _agenda_loaded(briefing: Briefing) -> bool:
    return "items" not in inspect(briefing).unloaded and all(
        "review" not in inspect(item).unloaded for item in briefing.items)


def _email_notes(invited: list[Invitation]) -> dict[int, str]:
    """invitation id -> the note of the e-mail reply that gave its current answer, if any."""
    ids = [i.id for i in invited if i.answered_via == "email"]
    if not ids:
        return {}
    latest = db.session.execute(
        db.select(InboundReply.invitation_id, InboundReply.note)
        .where(InboundReply.invitation_id.in_(ids), InboundReply.outcome == "applied")
        .order_by(InboundReply.id))
    notes = dict(latest.all())  # the last applied reply of each invitation wins
    return {invitation_id: note for invitation_id, note in notes.items() if note}


def roster_counts(briefing: Briefing) -> dict[str, int]:
    """How many missions answered each way (by their best answer)."""
    return roster_counts_of([briefing.id])[briefing.id]


def roster_counts_of(briefing_ids: list[int]) -> dict[int, dict[str, int]]:
    """`roster_counts` of each of these briefings, in one grouped query."""
    rank = db.case(_PARTSTAT_RANK, value=Invitation.partstat, else_=0)
    best = (db.select(Invitation.briefing_id, db.func.max(rank).label("best"))
            .join(Invitation.contact).where(Invitation.briefing_id.in_(briefing_ids))
            .group_by(Invitation.briefing_id, Contact.mission_id).subquery())
    answer_of = {value: partstat for partstat, value in _PARTSTAT_RANK.items()}
    counts = {briefing_id: dict.fromkeys(_PARTSTAT_RANK, 0) for briefing_id in briefing_ids}
    for briefing_id, value, missions in db.session.execute(
            db.select(best.c.briefing_id, best.c.best, db.func.count())
            .group_by(best.c.briefing_id, best.c.best)):
        counts[briefing_id][answer_of[value]] = missions
    return counts


def roster_csv(briefing: Briefing) -> str:
    """The roster as CSV: one line per invited contact, presenters first (formulas as text)."""
    from ..domain.csv_safety import safe_row

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iso3", "state", "presenter", "slot", "mission_answer", "contact", "role",
                     "email", "answer", "answered_at", "answered_via", "comment"])
    for row in roster(briefing):
        for invitation in row.invitations:
            contact = invitation.contact
            # names and comments come from outside: never a formula in a spreadsheet
            writer.writerow(safe_row([row.iso3, row.state_name, "yes" if row.presenter else "no",
                                      row.slot_status, row.partstat, contact.name, contact.role,
                                      contact.email, invitation.partstat,
                                      to_local(invitation.answered_at).isoformat()
                                      if invitation.answered_at else "",
                                      invitation.answered_via, invitation.comment]))
    return out.getvalue()

