"""Answers by e-mail: iMIP REPLY messages from the organizer's mailbox, applied to the roster.

`apply_message(bytes)` reads one e-mail (domain/imip.py) and records, for each reply it
carries, one `InboundReply` row with its outcome, in one transaction with the answer:

- **applied**: the ATTENDEE's invitation takes the PARTSTAT (and COMMENT) through
  `invitations.record_answer`, so a presenting mission's decline releases its slot;
- **stale**: the reply is older than the answer recorded (lower SEQUENCE, earlier DTSTAMP,
  or it answers the briefing at a time it no longer has);
- **duplicate**: this very answer is already recorded (a message read twice adds no row);
- **unknown**: no briefing has the UID; **ignored**: the briefing was cancelled or held;
- **rejected**: unreadable or hostile, with the reason (see domain/imip.py), or the
  ATTENDEE is not invited and is no address of any mission, or the message was sent from
  an address that is neither the ATTENDEE, its SENT-BY, nor an address of its mission;
- **unverified**: it passes every check above, but the mailbox's own server (an authserv-id
  of REPLY_AUTHSERV_ID) does not vouch for the From domain in its Authentication-Results
  (domain/authresults.py): a From is easy to forge, and the UID and SEQUENCE are in every
  invitation. It changes nothing until an editor decides: `accept` applies it as a verified
  reply would be (after the same checks again: the roster may have moved on), `reject`
  refuses it. Every row keeps what the server said (`authentication`).

Another address of an invited mission (its functional mailbox, or a contact of the mission
not invited to this briefing, e.g. inactive) answers for the mission: the answer is recorded
against the invitation of the mission's first contact (active first, then ambassador,
deputy, focal point, other), with a note on the roster and a notice to the secretariat.
Addresses are matched exactly (case-insensitively), never by domain: missions share public
mail domains and ministries' domains.

`fetch()` reads the mailbox over IMAP (imaplib): the messages not yet processed whose
structure holds a calendar part are downloaded (without setting \\Seen); each reply message
is applied, then marked processed: the keyword `$NamProcessed` plus \\Seen (a reply to an
unknown UID keeps its unread state: it may be about another meeting of the chair), or moved
to IMAP_PROCESSED_FOLDER. Messages that are not replies are left as they were. Applying is
idempotent (by Message-ID, then by content), so a crash between applying and marking only
means the message is read again and recorded as already read.
"""
from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from ..domain import authresults, imip
from ..domain.calendar import to_local
from ..domain.constants import CONTACT_ROLES
from ..domain.errors import Invalid, NotFound
from ..domain.messages import Moment, Said
from ..extensions import db
from ..models import AuditEvent, Briefing, Contact, InboundReply, Invitation, Mission, utcnow
from . import audit, clock, invitations, locks, outbox, outbox_rules
from .languages import N_, _

log = logging.getLogger(__name__)

#: the IMAP keyword marking a message this service has processed
PROCESSED_KEYWORD = "$NamProcessed"
#: a DTSTAMP further ahead of our clock than this is refused (it would outrank every later answer)
CLOCK_SKEW = timedelta(days=1)
#: messages whose structure is looked at per IMAP FETCH
BATCH = 100
#: what, in an IMAP BODYSTRUCTURE, suggests a calendar part (lower-cased)
_CALENDAR_HINTS = (b'"text" "calendar"', b'"application" "ics"', b'"text" "x-vcalendar"',
                   b".ics", b'"method" "reply"')
#: why an unverified reply changed nothing
UNVERIFIED = Said(N_("not applied: the receiving server did not vouch for the sender; the "
                     "secretariat may accept or reject it"))


class MailboxUnavailable(Exception):
    """The IMAP server cannot be reached, refuses the login, or the folder cannot be opened."""


@dataclass(frozen=True)
class Outcome:
    """What became of one reply (or of a message whose replies were refused)."""

    outcome: str
    reason: str = ""
    attendee: str = ""
    partstat: str = ""
    event_uid: str = ""
    briefing_id: int | None = None
    note: str = ""

    @classmethod
    def of(cls, row: InboundReply) -> Outcome:
        return cls(row.outcome, row.reason_sentence, row.attendee, row.partstat, row.event_uid,
                   row.briefing_id, row.note_sentence)

    @property
    def summary(self) -> str:
        """e.g. "applied: ACCEPTED from jane@mission.example (briefing 3)"."""
        text = self.outcome
        if self.partstat:
            text += f": {self.partstat} from {self.attendee}"
        if self.briefing_id:
            text += f" (briefing {self.briefing_id})"
        for extra in (self.reason, self.note):
            if extra:
                text += f" — {extra}"
        return text


@dataclass
class MessageResult:
    """One e-mail applied: its outcomes (none when it is not a reply)."""

    message_id: str
    is_reply: bool
    outcomes: list[Outcome] = field(default_factory=list)
    #: True when the message had been read before (nothing was recorded again)
    already_read: bool = False


# --- one message ---------------------------------------------------------------------------------

def apply_message(data: bytes, source: str = "file") -> MessageResult:
    """Read one e-mail and apply its replies; commits. Never raises on the message's content."""
    return apply_parsed(imip.parse_message(data), source)


def apply_parsed(parsed: imip.ParsedMessage, source: str) -> MessageResult:
    """Apply a parsed message's replies and record each outcome; commits."""
    if not parsed.is_reply:
        return MessageResult(parsed.message_id, is_reply=False)
    earlier = list(db.session.scalars(db.select(InboundReply)
                                      .filter_by(message_id=parsed.message_id)
                                      .order_by(InboundReply.id)))
    if earlier:
        when = _when(earlier[0].received_at)
        return MessageResult(parsed.message_id, True, [
            Outcome("duplicate", f"message already read on {when} ({row.outcome})",
                    row.attendee, row.partstat, row.event_uid, row.briefing_id)
            for row in earlier], already_read=True)
    verdict = sender_verdict(parsed)
    if parsed.rejection:
        rows = [_record(parsed, None, source, verdict, "rejected", parsed.rejection)]
    else:
        rows = [_apply_reply(parsed, reply, source, verdict) for reply in parsed.replies]
    db.session.commit()
    for row in rows:
        log.info("iMIP reply %s: %s", row.message_id, Outcome.of(row).summary)
    return MessageResult(parsed.message_id, True, [Outcome.of(row) for row in rows])


def sender_verdict(parsed: imip.ParsedMessage) -> authresults.Verdict:
    """Whether the mailbox's own server (REPLY_AUTHSERV_ID) vouches for the From domain."""
    domain = parsed.sender.rsplit("@", 1)[-1] if "@" in parsed.sender else ""
    return authresults.verify(parsed.authentication_results, domain,
                              authresults.authserv_ids(current_app.config["REPLY_AUTHSERV_ID"]))


def _apply_reply(parsed: imip.ParsedMessage, reply: imip.Reply, source: str,
                 verdict: authresults.Verdict) -> InboundReply:
    """Apply one reply (the caller commits); returns its recorded outcome."""
    def record(outcome: str, reason: str = "", briefing: Briefing | None = None,
               invitation: Invitation | None = None, note: str = "") -> InboundReply:
        return _record(parsed, reply, source, verdict, outcome, reason, briefing, invitation,
                       note)

    briefing = db.session.scalar(db.select(Briefing).filter_by(uid=reply.uid))
    if briefing is None:
        return record("unknown", Said(N_("no briefing has this UID")))
    locks.lock_briefing(briefing.id)  # the checks below read what concurrent answers wrote
    problem = _not_answerable(briefing, reply)
    if problem:
        return record(*problem, briefing)
    try:
        invitation, note = _invitation_for(briefing, reply, parsed.sender)
    except Invalid as refusal:
        return record("rejected", Said.of(refusal), briefing)
    problem = _not_new(invitation, reply)
    if problem:
        return record(*problem, briefing, invitation, note)
    row = record("unverified", UNVERIFIED, briefing, invitation, note)
    if verdict.verified:
        _apply_answer(row, invitation, reply, audit.Actor(f"e-mail reply: {reply.attendee}"))
    return row


def _not_answerable(briefing: Briefing, reply: imip.Reply) -> tuple[str, str] | None:
    """(outcome, reason) when the briefing takes no answer or the reply cannot be true."""
    if briefing.status != "confirmed":
        return "ignored", Said(N_("the briefing was %(status)s; answers are no longer recorded"),
                               status=outbox_rules.status_word(briefing.status))
    problem = _implausible(reply, briefing)
    return ("rejected", problem) if problem else None


def _not_new(invitation: Invitation, reply: imip.Reply) -> tuple[str, str] | None:
    """(outcome, reason) when the reply is older than, or the same as, the recorded answer."""
    stale = _staleness(invitation, reply)
    if stale:
        return "stale", stale
    if _already_recorded(invitation, reply):
        return "duplicate", Said(N_("this answer is already recorded"))
    return None


def _apply_answer(row: InboundReply, invitation: Invitation, reply: imip.Reply,
                  actor: audit.Actor, accepted: bool = False) -> None:
    """Record a reply's answer on its invitation and mark its row applied: the one way
    for verified replies and for unverified ones an editor (`actor`) accepted."""
    decision = (f"accepted by {actor.label}: e-mailed by {row.from_address or 'no From'}, "
                f"sender not verified ({row.authentication})") if accepted else ""
    result = invitations.record_answer(
        invitation, reply.partstat, "email", actor, reply.comment, reply.sequence,
        "; ".join(text for text in (row.note, decision) if text))
    invitation.answered_stamp = reply.dtstamp
    row.outcome = "applied"
    said = [text for text in (
        Said(N_("accepted by %(who)s (unverified sender)"), who=actor.label) if accepted else "",
        Said(N_("the mission's slot is released; the new agenda waits for the secretariat's "
                "decision") if invitation.briefing.agenda_pending
             else N_("the mission's slot is released and the agenda updated"))
        if result.agenda_changed else "") if text]
    row.reason = Said(N_("%(items)s; %(item)s"), items=said[0], item=said[1]) \
        if len(said) == 2 else said[0] if said else ""
    if row.note:
        _tell_secretariat(row, invitation)


# --- unverified replies: the secretariat decides ------------------------------------------------

def accept(reply_id: int, actor: audit.Actor) -> Outcome:
    """Apply an unverified reply as if its sender had been verified; commits.

    The checks run again first (the briefing may have been cancelled or moved, or a newer
    answer recorded since): the reply may end stale, ignored or duplicate instead. Raises
    NotFound, or Invalid when the reply is not (or no longer) waiting for a decision.
    """
    row = _claim(reply_id, actor)
    try:
        if row.briefing_id is not None:
            locks.lock_briefing(row.briefing_id)
            row = db.session.get(InboundReply, reply_id)
        problem = _no_longer_applies(row)
        if problem:
            row.outcome = problem[0]
            row.reason = Said(N_("accepted by %(who)s, but %(problem)s"), who=actor.label,
                              problem=problem[1])
        else:
            _apply_answer(row, row.invitation, _reply_of(row), actor, accepted=True)
        return _decided(row, actor, "reply.accept")
    except BaseException:
        db.session.rollback()  # undecided again
        raise


def reject(reply_id: int, actor: audit.Actor) -> Outcome:
    """Refuse an unverified reply: it stays recorded, changing nothing; commits.

    Raises NotFound, or Invalid when the reply is not (or no longer) waiting for a decision.
    """
    row = _claim(reply_id, actor)
    row.outcome = "rejected"
    row.reason = Said(N_("rejected by %(who)s: unverified sender"), who=actor.label)
    return _decided(row, actor, "reply.reject")


def _claim(reply_id: int, actor: audit.Actor) -> InboundReply:
    """Mark an unverified reply as being decided by `actor`, as the transaction's first
    write: of two decisions at once, the second waits and then finds it decided."""
    table = InboundReply.__table__
    claimed = db.session.execute(
        db.update(table).where(table.c.id == reply_id, table.c.outcome == "unverified",
                               table.c.decided_by == "")
        .values(decided_by=actor.label[:254], decided_at=utcnow())).rowcount
    db.session.expire_all()
    row = db.session.get(InboundReply, reply_id)
    if row is None:
        db.session.rollback()
        raise NotFound(N_("There is no reply %(number)s."), params={"number": reply_id})
    if not claimed:
        db.session.rollback()
        if row.decided_at:
            raise Invalid(_("this reply is no longer waiting for a decision: it was "
                            "%(outcome)s by %(who)s on %(when)s",
                            outcome=outcome_word(row.outcome), who=row.decided_by,
                            when=clock.written_instant(row.decided_at)))
        raise Invalid(_("this reply is no longer waiting for a decision: it was %(outcome)s",
                        outcome=outcome_word(row.outcome)))
    return row


#: a reply's outcome (imip.OUTCOMES) as a sentence says it: "Reply 3 applied: …"
OUTCOME_WORDS = {"applied": N_("applied"), "stale": N_("stale"), "duplicate": N_("duplicate"),
                 "unknown": N_("unknown"), "ignored": N_("ignored"), "rejected": N_("rejected"),
                 "unverified": N_("unverified")}


def outcome_word(outcome: str) -> str:
    """A reply's outcome in the current language ("applied"; an unknown one as it is)."""
    return _(OUTCOME_WORDS[outcome]) if outcome in OUTCOME_WORDS else outcome


def _no_longer_applies(row: InboundReply) -> tuple[str, str] | None:
    """(outcome, reason) when an unverified reply can no longer be applied as it stands."""
    briefing, invitation = row.briefing, row.invitation
    if briefing is None or invitation is None:
        return "unknown", Said(N_("its briefing or invitation no longer exists"))
    reply = _reply_of(row)
    return (_not_answerable(briefing, reply) or _moved_since(briefing, row.received_at)
            or _not_new(invitation, reply))


def _moved_since(briefing: Briefing, moment: datetime) -> tuple[str, str] | None:
    """("stale", why) when the briefing was moved after `moment` (the reply answered the
    time it had then; the row does not keep the reply's DTSTART)."""
    moved = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "briefing.reschedule", AuditEvent.target_type == "briefing",
        AuditEvent.target_id == str(briefing.id), AuditEvent.at >= moment))
    if not moved:
        return None
    return "stale", Said(N_("the briefing was moved after the reply was read; it now starts "
                            "%(when)s"), when=_when(briefing.start_at))


def _reply_of(row: InboundReply) -> imip.Reply:
    """The reply as recorded (without its DTSTART and SENT-BY, which are not kept)."""
    return imip.Reply(uid=row.event_uid, attendee=row.attendee, partstat=row.partstat,
                      sequence=row.sequence or 0, dtstamp=row.dtstamp, comment=row.comment)


def _decided(row: InboundReply, actor: audit.Actor, action: str) -> Outcome:
    outcome = Outcome.of(row)
    summary = f"{outcome.outcome}: {outcome.partstat} from {outcome.attendee}" \
        + (f" (briefing {outcome.briefing_id})" if outcome.briefing_id else "")
    audit.record(actor, action, "inbound_reply", row.id,
                 summary if outcome.outcome == "applied" else f"{summary}; {row.reason}")
    db.session.commit()
    log.info("iMIP reply %s (%s): %s by %s", row.id, row.message_id, outcome.summary,
             actor.label)
    return outcome


def _implausible(reply: imip.Reply, briefing: Briefing) -> str:
    """Why a reply cannot be a true answer to a version we sent ("" when it can)."""
    if reply.sequence > briefing.sequence:
        return Said(N_("SEQUENCE %(sequence)s is newer than any version sent (%(sent)s)"),
                    sequence=reply.sequence, sent=briefing.sequence)
    if reply.dtstamp > utcnow() + CLOCK_SKEW:
        return Said(N_("DTSTAMP %(when)s is in the future"), when=_when(reply.dtstamp))
    return ""


def _staleness(invitation: Invitation, reply: imip.Reply) -> str:
    """Why the reply is older than the answer recorded ("" when it is not)."""
    briefing = invitation.briefing
    if reply.start is not None and reply.start != briefing.start_at:
        return Said(N_("it answers the briefing at a former time (%(then)s); it now starts "
                       "%(now)s"), then=_when(reply.start), now=_when(briefing.start_at))
    if invitation.answered_sequence is not None and reply.sequence < invitation.answered_sequence:
        return Said(N_("it answers SEQUENCE %(sequence)s; the recorded answer is for SEQUENCE "
                       "%(recorded)s"), sequence=reply.sequence,
                    recorded=invitation.answered_sequence)
    recorded = invitation.answered_stamp if invitation.answered_via == "email" \
        else invitation.answered_at
    if recorded is not None and reply.dtstamp < recorded:
        return Said(N_("it was made %(when)s, before the recorded answer (%(recorded)s)"),
                    when=_when(reply.dtstamp), recorded=_when(recorded))
    return ""


def _already_recorded(invitation: Invitation, reply: imip.Reply) -> bool:
    return (invitation.answered_via == "email" and invitation.answered_at is not None
            and (invitation.partstat, invitation.answered_sequence, invitation.answered_stamp)
            == (reply.partstat, reply.sequence, reply.dtstamp))


def _when(moment: datetime) -> Said:
    """A moment in Geneva with its zone: "Tue 5 Feb 2025 10:00 CET"."""
    local = to_local(moment)
    return Said(N_("%(moment)s %(zone)s"), moment=Moment.of(local), zone=f"{local:%Z}")


# --- who answers --------------------------------------------------------------------------------

def _invitation_for(briefing: Briefing, reply: imip.Reply, sender: str) -> tuple[Invitation, str]:
    """The invitation a reply answers, and a note when it is not the ATTENDEE's own.

    Raises Invalid (the reply is rejected) when the ATTENDEE is neither invited nor an
    address of an invited mission, or the sender is not entitled to answer for it.
    """
    invited = list(db.session.scalars(db.select(Invitation).filter_by(briefing_id=briefing.id)
                                      .order_by(Invitation.id)))
    own = [i for i in invited if i.contact.email == reply.attendee]
    if len(own) > 1:
        raise Invalid(N_("%(address)s is invited for several missions; record the answer by "
                         "hand"), params={"address": reply.attendee})
    if own:
        invitation, mission = own[0], own[0].contact.mission
        note = Said(N_("sent by %(sender)s for %(attendee)s"), sender=reply.sent_by,
                    attendee=reply.attendee) \
            if reply.sent_by and reply.sent_by != reply.attendee else ""
    else:
        mission, kind = _mission_of(reply.attendee)
        candidates = [i for i in invited if i.contact.mission_id == mission.id]
        if not candidates:
            raise Invalid(N_("%(address)s is %(kind)s of %(state)s, which is not invited to "
                             "this briefing"), params={"address": reply.attendee, "kind": kind,
                                                       "state": mission.state.name})
        invitation = min(candidates, key=_primary_first)
        contact = invitation.contact
        note = Said(N_("answered from %(address)s (%(kind)s), not an invited address; "
                       "recorded for %(name)s <%(email)s> of %(state)s"),
                    address=reply.attendee, kind=kind, name=contact.name, email=contact.email,
                    state=mission.state.name)
    _check_sender(sender, reply, mission)
    return invitation, note


def _mission_of(address: str) -> tuple[Mission, Said]:
    """The one mission whose functional mailbox or contact (of any status) has this address,
    and what the address is there."""
    by_mailbox = list(db.session.scalars(db.select(Mission).filter_by(email=address)))
    by_contact = list(db.session.scalars(db.select(Contact).filter_by(email=address)))
    missions = {m.id: (m, Said(N_("the functional mailbox"))) for m in by_mailbox}
    for contact in by_contact:
        missions.setdefault(contact.mission_id, (contact.mission, Said(
            N_("a contact on file") if contact.active else N_("a contact no longer active"))))
    if not missions:
        raise Invalid(N_("%(address)s is not invited and is not an address of any mission on "
                         "file"), params={"address": address})
    if len(missions) > 1:
        raise Invalid(N_("%(address)s is an address of several missions; record the answer by "
                         "hand"), params={"address": address})
    return next(iter(missions.values()))


def _primary_first(invitation: Invitation) -> tuple:
    contact = invitation.contact
    return (not contact.active, CONTACT_ROLES.index(contact.role), contact.id)


def _check_sender(sender: str, reply: imip.Reply, mission: Mission) -> None:
    """The From address must be the ATTENDEE, its SENT-BY, or an address of the mission."""
    entitled = {reply.attendee, reply.sent_by, mission.email} | \
        {contact.email for contact in mission.contacts}
    if sender not in entitled - {""}:
        raise Invalid(N_("sent from %(sender)s, which is neither the ATTENDEE nor an address "
                         "of the mission of %(state)s"),
                      params={"sender": sender or Said(N_("no valid From address")),
                              "state": mission.state.name})


def _tell_secretariat(row: InboundReply, invitation: Invitation) -> None:
    """A notice: an answer came from an address that was not invited."""
    db.session.flush()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    outbox.notify_secretariat(
        f"reply:{row.id}",
        f"Answer by e-mail from {row.attendee} recorded for "
        f"{invitation.contact.mission.state.name}",
        f"{row.partstat} for {invitations.summary(invitation.briefing)}.\n\n"
        f"The {row.note}.\nIf that is not right, correct it on the roster: "
        f"{base}/briefings/{invitation.briefing_id}\n\nAll e-mail answers: {base}/replies\n")


def _record(parsed: imip.ParsedMessage, reply: imip.Reply | None, source: str,
            verdict: authresults.Verdict, outcome: str, reason: str = "",
            briefing: Briefing | None = None, invitation: Invitation | None = None,
            note: str = "") -> InboundReply:
    row = InboundReply(
        message_id=parsed.message_id, source=source, from_address=parsed.sender[:254],
        subject=parsed.subject[:300], outcome=outcome, reason=reason, note=note,
        authentication=verdict.explanation,
        briefing_id=briefing.id if briefing else None,
        invitation_id=invitation.id if invitation else None)
    if reply is not None:
        row.event_uid, row.attendee, row.partstat = reply.uid, reply.attendee, reply.partstat
        row.sequence, row.dtstamp, row.comment = reply.sequence, reply.dtstamp, reply.comment
    db.session.add(row)
    return row


# --- the mailbox ------------------------------------------------------------------------------

@dataclass
class FetchReport:
    """What one pass over the mailbox did."""

    #: messages not yet processed that were looked at
    looked_at: int = 0
    #: reply messages applied (and marked processed)
    replies: int = 0
    #: messages that are not replies, left as they were
    left_alone: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    #: messages that could not be applied (left for the next pass)
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        detail = ", ".join(f"{count} {name}" for name, count in counts.items())
        return (f"{self.replies} repl{'y' if self.replies == 1 else 'ies'}"
                + (f" ({detail})" if detail else "")
                + f", {self.left_alone} other message{'' if self.left_alone == 1 else 's'} "
                  "left alone"
                + (f", {len(self.errors)} to retry" if self.errors else ""))


def fetch() -> FetchReport:
    """One pass over the organizer's mailbox: apply each new reply, then mark it processed.

    Raises Invalid when IMAP_HOST is not set, MailboxUnavailable when the server cannot
    be used (what was applied before that stays applied and is not read again).
    """
    config = current_app.config
    if not config["IMAP_HOST"]:
        raise Invalid("IMAP_HOST is not set: there is no mailbox to read")
    report = FetchReport()
    with _mailbox(config) as imap:
        try:
            uids = _unprocessed(imap, config)
            for start in range(0, len(uids), BATCH):
                for uid, (size, structure) in _structures(imap, uids[start:start + BATCH]):
                    _fetch_one(imap, config, uid, size, structure, report)
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(f"the IMAP server failed during the pass: {error}") \
                from error
    return report


def _fetch_one(imap: imaplib.IMAP4, config, uid: bytes, size: int, structure: bytes,
               report: FetchReport) -> None:
    """Download, apply and mark one message that may be a reply."""
    report.looked_at += 1
    if not any(hint in structure.lower() for hint in _CALENDAR_HINTS):
        report.left_alone += 1
        return
    if size > imip.MAX_MESSAGE_BYTES:
        parsed = imip.too_large(_body(imap, uid, "BODY.PEEK[HEADER]"), size)
    else:
        parsed = imip.parse_message(_body(imap, uid, "BODY.PEEK[]"))
    if not parsed.is_reply:
        report.left_alone += 1
        return
    try:
        result = apply_parsed(parsed, "imap")
    except Exception as error:  # e.g. the database is away: left unmarked, read again next pass
        db.session.rollback()
        log.exception("iMIP reply %s could not be applied", parsed.message_id)
        report.errors.append(f"{parsed.message_id}: {error}")
        return
    _mark_processed(imap, config, uid, seen=any(o.outcome != "unknown" for o in result.outcomes))
    report.replies += 1
    report.outcomes.extend(result.outcomes)


@contextmanager
def _mailbox(config) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection with the replies' folder selected (read-write)."""
    where = f"{config['IMAP_USER']}@{config['IMAP_HOST']}:{config['IMAP_PORT']}"
    try:
        imap = _connect(config)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(f"cannot connect to {where}: {error}") from error
    try:
        try:
            imap.login(config["IMAP_USER"], config["IMAP_PASSWORD"])
            status, detail = imap.select(_quote(config["IMAP_FOLDER"]))
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(f"cannot log in to {where}: {error}") from error
        if status != "OK":
            raise MailboxUnavailable(f"cannot open folder {config['IMAP_FOLDER']!r} at {where}: "
                                     f"{_text(detail)}")
        _check_marking(imap, config)
        yield imap
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _connect(config) -> imaplib.IMAP4:
    """IMAP4 over implicit TLS, STARTTLS or plain TCP, as IMAP_TLS says."""
    host, port, timeout = config["IMAP_HOST"], config["IMAP_PORT"], config["IMAP_TIMEOUT_SECONDS"]
    mode = config["IMAP_TLS"]
    if mode not in ("ssl", "starttls", "none"):
        raise MailboxUnavailable(f"IMAP_TLS must be ssl, starttls or none, not {mode!r}")
    context = ssl.create_default_context(cafile=config["IMAP_CA_FILE"]) if mode != "none" \
        else None
    if mode == "ssl":
        return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
    imap = imaplib.IMAP4(host, port, timeout=timeout)
    if mode == "starttls":
        imap.starttls(ssl_context=context)
    return imap


def _check_marking(imap: imaplib.IMAP4, config) -> None:
    """Make sure processed messages can be marked (keywords kept, or the folder exists)."""
    folder = config["IMAP_PROCESSED_FOLDER"]
    if folder:
        imap.create(_quote(folder))  # "already exists" is a harmless NO
        return
    _, flags = imap.response("PERMANENTFLAGS")
    permanent = _text(flags)
    if flags and flags != [None] and "\\*" not in permanent and PROCESSED_KEYWORD not in permanent:
        raise MailboxUnavailable("the IMAP server keeps no keywords in this folder: set "
                                 "IMAP_PROCESSED_FOLDER so that processed replies are moved")


def _unprocessed(imap: imaplib.IMAP4, config) -> list[bytes]:
    """UIDs of the messages not yet processed, oldest first."""
    criteria = ("ALL",) if config["IMAP_PROCESSED_FOLDER"] else ("UNKEYWORD", PROCESSED_KEYWORD)
    status, data = imap.uid("SEARCH", *criteria)
    if status != "OK":
        raise MailboxUnavailable(f"the IMAP server refused the search: {_text(data)}")
    return sorted((data[0] or b"").split(), key=int)


def _structures(imap: imaplib.IMAP4, uids: list[bytes]) -> list[tuple[bytes, tuple[int, bytes]]]:
    """(uid, (size, BODYSTRUCTURE text)) of each message; one FETCH for the batch."""
    status, data = imap.uid("FETCH", b",".join(uids).decode(), "(RFC822.SIZE BODYSTRUCTURE)")
    if status != "OK":
        raise MailboxUnavailable(f"the IMAP server refused to fetch: {_text(data)}")
    found = []
    for text in _responses(data):
        uid, size = re.search(rb"\bUID (\d+)", text), re.search(rb"RFC822\.SIZE (\d+)", text)
        if uid and size:
            found.append((uid.group(1), (int(size.group(1)), text)))
    return found


def _responses(data: list) -> list[bytes]:
    """imaplib's FETCH data as one bytes string per message (literals included)."""
    messages: list[bytes] = []
    for item in data:
        head, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, b"")
        if not isinstance(head, bytes):
            continue
        if re.match(rb"\d+ \(", head) or not messages:
            messages.append(head + literal)
        else:
            messages[-1] += head + literal
    return messages


def _body(imap: imaplib.IMAP4, uid: bytes, item: str) -> bytes:
    """One message's bytes (or its header), without setting \\Seen (PEEK)."""
    status, data = imap.uid("FETCH", uid.decode(), f"({item})")
    if status != "OK":
        raise MailboxUnavailable(f"the IMAP server refused to fetch message {uid!r}")
    return next((part[1] for part in data if isinstance(part, tuple)), b"")


def _mark_processed(imap: imaplib.IMAP4, config, uid: bytes, seen: bool) -> None:
    """Mark a reply processed: keyword (and \\Seen), or move it to the processed folder."""
    flags = f"({PROCESSED_KEYWORD} \\Seen)" if seen else f"({PROCESSED_KEYWORD})"
    folder = config["IMAP_PROCESSED_FOLDER"]
    if not folder:
        imap.uid("STORE", uid.decode(), "+FLAGS.SILENT", flags)
        return
    if seen:
        imap.uid("STORE", uid.decode(), "+FLAGS.SILENT", "(\\Seen)")
    if "MOVE" in imap.capabilities:
        imap.uid("MOVE", uid.decode(), _quote(folder))
        return
    imap.uid("COPY", uid.decode(), _quote(folder))
    imap.uid("STORE", uid.decode(), "+FLAGS.SILENT", "(\\Deleted)")
    imap.uid("EXPUNGE", uid.decode())  # UIDPLUS: only this message, not others marked deleted


def _quote(mailbox: str) -> str:
    """An IMAP quoted string (folder names may hold spaces)."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data) -> str:
    if not data:
        return ""
    return " ".join(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
                    for item in data if item is not None)


# --- what the secretariat sees ------------------------------------------------------------------

def latest(limit: int = 200, outcome: str | None = None) -> list[InboundReply]:
    """The latest replies read, newest first (optionally of one outcome)."""
    query = db.select(InboundReply).order_by(InboundReply.received_at.desc(),
                                             InboundReply.id.desc()).limit(limit)
    if outcome:
        query = query.where(InboundReply.outcome == outcome)
    return list(db.session.scalars(query))


def outcome_counts(since: datetime | None = None, undecided: bool = False) -> dict[str, int]:
    """How many replies had each outcome (every outcome listed, zero included), all of them
    or those read `since` a moment; `undecided`: leaving out the unverified ones an editor
    has accepted or rejected."""
    counts = dict.fromkeys(imip.OUTCOMES, 0)
    query = db.select(InboundReply.outcome, db.func.count()).group_by(InboundReply.outcome)
    if since is not None:
        query = query.where(InboundReply.received_at >= since)
    if undecided:
        query = query.where(InboundReply.decided_by == "")
    for outcome, count in db.session.execute(query):
        counts[outcome] = count
    return counts
