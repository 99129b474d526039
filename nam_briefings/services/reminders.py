"""Reminding by hand: the roster's "Remind those who have not answered".

The secretariat first sees exactly who gets a reminder, who does not and why, and the
e-mail itself (`plan`); then `send` queues one reminder each in one transaction and
records it in the audit trail. Never twice a Geneva day to one contact: the key holds
the day (a double click or a second editor queues nothing more), and the pacing of the
automatic reminders applies (`outbox_rules.History.why_no_reminder`: none beside a
queued update, none within a day of one, one a day).

"Not answered" is a mission's answer: a contact whose colleague already answered for the
mission is not reminded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import local_dates
from ..domain.calendar import to_local
from ..domain.errors import Invalid
from ..extensions import db
from ..models import Briefing, Invitation
from . import audit, clock, invitations, languages, locks, outbox, outbox_rules
from .languages import _, phrasing

KIND = "reminder"


@dataclass(frozen=True)
class Recipient:
    """One contact of a mission that has not answered, and whether a reminder goes to it."""

    invitation: Invitation
    #: why no reminder goes to this contact now ("" when one goes), in the page's language
    #: but for the pacing rules' reasons (`outbox_rules`), which are English
    why_not: str = ""
    #: "en" when `why_not` is English whatever the page's language (None: the page's)
    why_not_language: str | None = None

    @property
    def contact(self):
        return self.invitation.contact


@dataclass(frozen=True)
class Sample:
    """The reminder as the first recipient will read it."""

    to: str
    subject: str
    text: str
    #: the language it is written in (its contact's, or English)
    language: str = "en"

    @property
    def direction(self) -> str:
        """How it is written: "rtl" (Arabic) or "ltr"."""
        return local_dates.direction(self.language)


@dataclass(frozen=True)
class ReminderPlan:
    """Who a reminder by hand would reach now, who not (and why), and the e-mail."""

    briefing: Briefing
    recipients: list[Recipient]
    #: missions that have not answered
    missions: int
    sample: Sample | None

    @property
    def to_send(self) -> list[Recipient]:
        return [r for r in self.recipients if not r.why_not]

    @property
    def skipped(self) -> list[Recipient]:
        return [r for r in self.recipients if r.why_not]


def why_refused(briefing: Briefing, now: datetime) -> str:
    """Why this briefing cannot be reminded of by hand now ("" when it can), in the current
    language."""
    if briefing.status == "cancelled":
        return _("this briefing is cancelled: there is nothing to remind of")
    if briefing.status != "confirmed":
        return _("this briefing is held: there is nothing to remind of")
    if briefing.start_at <= now:
        return _("this briefing has started: it is too late to remind anyone")
    if briefing.agenda_pending:
        return _("a presenter left the agenda and it waits for your decision: decide first, "
                 "then remind")
    return ""


def plan(briefing: Briefing, now: datetime | None = None) -> ReminderPlan:
    """What `send` would queue now: each contact of a mission that has not answered."""
    now = now or clock.now()
    waiting = [row for row in invitations.roster(briefing) if row.partstat == "NEEDS-ACTION"]
    invited = invitations.audience_ids()
    histories = outbox_rules.briefing_histories(briefing.id)
    keys = outbox.existing_keys(briefing.id)
    recipients = [
        Recipient(invitation, *_why_not(invitation, invited, histories, keys, now))
        for row in waiting for invitation in row.invitations]
    first = next((r.invitation for r in recipients if not r.why_not), None)
    return ReminderPlan(briefing, recipients, len(waiting), _sample(first))


def send(briefing_id: int, actor: audit.Actor, now: datetime | None = None) -> int:
    """Queue the reminders `plan` shows (under the briefing's lock: two clicks, or two
    editors at once, queue them once). Returns how many were queued."""

    def work() -> int:
        locks.lock_briefing(briefing_id)
        briefing = db.session.get(Briefing, briefing_id)
        moment = now or clock.now()
        refused = why_refused(briefing, moment)
        if refused:
            raise Invalid(refused)
        to_send = plan(briefing, moment).to_send
        for recipient in to_send:
            _queue(recipient.invitation, moment)
        if to_send:
            audit.record(actor, "briefing.remind", "briefing", briefing.id,
                         f"{len(to_send)} reminders to the contacts of missions that have "
                         "not answered")
        db.session.commit()
        return len(to_send)

    return locks.retrying(work)


def reminder_key(invitation: Invitation, now: datetime) -> str:
    """A reminder by hand's outbox key: the contact, the Geneva day it was asked on, and the
    briefing's start (so that moving the briefing withdraws it, as automatic ones are)."""
    day = f"{to_local(now):%Y%m%d}"
    start = outbox_rules.start_stamp(invitation.briefing.start_at)
    return f"{KIND}:{invitation.briefing_id}:{invitation.contact_id}:asked-{day}:{start}"


def _why_not(invitation: Invitation, invited: set[int],
             histories: dict[int, outbox_rules.History], keys: set[str], now: datetime
             ) -> tuple[str, str | None]:
    """Why no reminder goes to the contact now (in the page's language), and None: the
    language the reason is in differs from the page's only when it is not said."""
    if invitation.contact_id not in invited:
        return _("no longer invited (the contact or the mission is inactive, or the address "
                 "left)"), None
    if invitation.last_sequence_sent is None:
        return _("the invitation itself has not been sent to this contact yet"), None
    if reminder_key(invitation, now) in keys:
        return _("already reminded by hand today"), None
    history = histories.get(invitation.contact_id, outbox_rules.History())
    if any(r.kind == KIND and r.status in outbox_rules.UNSENT for r in history.rows):
        return _("a reminder to this contact is already waiting to go"), None
    return history.why_no_reminder(KIND, now, w=phrasing()), None


def _queue(invitation: Invitation, now: datetime) -> None:
    briefing, contact = invitation.briefing, invitation.contact
    subject, text, html = invitations.render_notice(KIND, invitation)
    outbox.enqueue(KIND, reminder_key(invitation, now), contact.email, subject, text,
                   body_html=html, briefing_id=briefing.id, contact_id=contact.id,
                   sequence=briefing.sequence, language=languages.mail_language(contact))


def _sample(invitation: Invitation | None) -> Sample | None:
    if invitation is None:
        return None
    subject, text, _ = invitations.render_notice(KIND, invitation)
    return Sample(invitation.contact.email, subject, text,
                  languages.mail_language(invitation.contact))
