"""The e-mail a mission will receive, shown to the secretariat before anything goes out.

Before invitations, updates or cancellations are sent, the page shows one of them exactly
as the worker will write it (text, and the calendar entry in words) with the secretariat's
note in it. The change is made in the database session, the e-mail rendered, and the
session rolled back: nothing is saved, queued or sent, and the wording cannot drift from
what the fan-out writes. Personal links are placeholders.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from ..domain import local_dates, wording
from ..domain.calendar import to_local
from ..extensions import db
from ..models import Briefing, Contact, Invitation, Proposal
from . import briefings, invitations, outbox_rules
from .languages import N_, _, current_language, mail_language

_METHOD_WORDS = {"REQUEST": N_("adds the meeting, or updates the one already there (same "
                               "entry)"),
                 "CANCEL": N_("removes the meeting")}


@dataclass(frozen=True)
class MailPreview:
    """One e-mail as its recipient will read it (technical rows for the disclosure).

    The e-mail (subject, text, description, the entry's title and place) is in its
    contact's `language`; the words about it (labels, what the calendar does) in the page's.
    """

    to_name: str
    to_address: str
    mission: str
    subject: str
    text: str
    #: the calendar entry in words: (label, value, the e-mail's language for a value taken
    #: from the entry, else None)
    calendar: list[tuple[str, str, str | None]]
    description: str
    #: (label, value, monospace) for `technical_details`
    technical: list[tuple[str, str, bool]]
    #: the language the e-mail is written in (its contact's, or English)
    language: str = "en"

    @property
    def direction(self) -> str:
        """How the e-mail is written: "rtl" (Arabic) or "ltr"."""
        return local_dates.direction(self.language)


def invitation(proposal_key: str, note: str) -> MailPreview | None:
    """The invitation to the first meeting of a proposal, as the first mission invited
    will receive it (None when nobody would be invited)."""
    proposal = db.session.scalar(db.select(Proposal).filter_by(key=proposal_key))
    audience = invitations.audience()
    if proposal is None or not proposal.meetings or not audience:
        return None

    def change() -> Invitation:
        return _invited(briefings.draft_briefing(proposal, 0), audience[0])

    return _preview(change, "invitation", "REQUEST", note)


def _invited(briefing: Briefing, contact: Contact) -> Invitation:
    """The invitation a new briefing gives the contact (not saved)."""
    role = "presenter" if contact.mission.state_iso3 in invitations.presenting_iso3s(briefing) \
        else "participant"
    return Invitation(briefing=briefing, contact=contact, role=role, partstat="NEEDS-ACTION")


def invitation_by_hand(number: int, start: datetime, end: datetime, room_name: str,
                       iso3s: list[str], note: str) -> MailPreview | None:
    """The invitation a time set by hand sends (Invalid, as `set_by_hand`, when it does not
    work)."""
    audience = invitations.audience()
    if not audience:
        return None

    def change() -> Invitation:
        briefing, _ = briefings.draft_by_hand(number, start, end, room_name, iso3s)
        return _invited(briefing, audience[0])

    return _preview(change, "invitation", "REQUEST", note)


def update_after_move(briefing_id: int, start: datetime, end: datetime, note: str
                      ) -> MailPreview | None:
    """The update a move to `start`–`end` sends (everyone asked to answer again)."""
    def change() -> Invitation | None:
        sample = _first_sent(briefing_id)
        if sample is not None:
            briefings.apply_move(sample.briefing, start, end)
            sample.partstat = "NEEDS-ACTION"
        return sample

    return _preview(change, "invitation", "REQUEST", note)


def new_agenda(briefing_id: int, note: str) -> MailPreview | None:
    """The update that keeps the meeting and sends the closed-up agenda (answers kept)."""
    def change() -> Invitation | None:
        sample = _first_sent(briefing_id)
        if sample is not None:
            invitations.apply_new_agenda(sample.briefing)
        return sample

    return _preview(change, "invitation", "REQUEST", note)


def cancellation(briefing_id: int, note: str) -> MailPreview | None:
    """The cancellation of a briefing."""
    def change() -> Invitation | None:
        sample = _first_sent(briefing_id)
        if sample is not None:
            briefings.apply_cancel(sample.briefing)
        return sample

    return _preview(change, "cancellation", "CANCEL", note)


def _first_sent(briefing_id: int) -> Invitation | None:
    """The first contact the briefing was sent to (the first mission, by its code)."""
    return db.session.scalar(
        db.select(Invitation).join(Invitation.contact).join(Contact.mission)
        .where(Invitation.briefing_id == briefing_id,
               Invitation.last_sequence_sent.is_not(None))
        .order_by(Contact.mission_id, Invitation.id).limit(1))


def _preview(change: Callable[[], Invitation | None], template: str, method: str,
             note: str) -> MailPreview | None:
    with _rolled_back():
        invitation = change()
        if invitation is None:
            return None
        received = None
        if invitation.contact_id is not None and invitation.briefing_id is not None:
            pair = (invitation.briefing_id, invitation.contact_id)
            received = outbox_rules.histories([pair])[pair].last_version_received()
        subject, text, ics = invitations.preview_letter(invitation, template, method,
                                                        received, note)
        contact = invitation.contact
        language = mail_language(contact)
        return MailPreview(contact.name, contact.email, contact.mission.state.name, subject,
                           text, *_readable(ics, language), language=language)


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Whatever the block changes in the session is undone (and was never committed)."""
    try:
        with db.session.no_autoflush:
            yield
    finally:
        db.session.rollback()


def _readable(ics: str, language: str = "en") -> tuple[list[tuple[str, str, str | None]], str,
                                                      list[tuple[str, str, bool]]]:
    """The calendar entry in words (in the page's language; its title and place as the
    e-mail's `language` writes them), its description, and its technical fields."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(ics)
    event = calendar.walk("VEVENT")[0]
    method = str(calendar["METHOD"])
    start, end = to_local(event.decoded("DTSTART")), to_local(event.decoded("DTEND"))
    asks = event["ATTENDEE"].params.get("RSVP") == "TRUE"
    rows: list[tuple[str, str, str | None]] = [
        (_("In the calendar"), _(_METHOD_WORDS[method]), None),
        (_("Title"), str(event["SUMMARY"]), language),
        (_("When"), _when(start, end), None),
        (_("Where"), str(event.get("LOCATION", "")), language)]
    if method == "REQUEST":
        rows.append((_("Answer asked"),
                     _("yes: Accept, Tentative or Decline in the calendar") if asks
                     else _("no: the answer on record stays"), None))
    technical = [("METHOD", method, False), ("UID", str(event["UID"]), True),
                 ("SEQUENCE", str(event["SEQUENCE"]), False)]
    return rows, str(event.get("DESCRIPTION", "")), technical


def _when(start: datetime, end: datetime) -> str:
    """The entry's day and hours, Geneva time, as the page's language writes them."""
    page = current_language()
    if local_dates.is_english(page):
        return f"{wording.day_and_time(start)}–{end:%H:%M} {end:%Z} (Geneva time)"
    span = _("%(day)s, %(start)s–%(end)s", day=local_dates.long_day(start.date(), page),
             start=local_dates.clock_time(start, page), end=local_dates.clock_time(end, page))
    return f"{span} {_('(Geneva time)')}"
