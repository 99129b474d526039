"""Invitations end to end: confirm → outbox → a real SMTP server → parsed by independent parsers."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage

import icalendar
import pytest
import vobject

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Invitation, OutboxMessage
from nam_briefings.services import briefings, invitations, missions, outbox
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.factories import create_contact, create_mission
from tests.integration.invitation_helpers import add_missions, compose

#: session 49's NAM members under review, and a few other NAM missions
PRESENTERS = ["GRD", "GIN", "GNB", "GUY", "KEN", "KWT", "LSO", "LAO"]
OTHERS = ["IND", "ZAF", "CUB"]
SECRETARIAT = Actor("secretariat@chair.example.org")


@pytest.fixture
def calendar_with_missions(app):
    """Session 49 seeded, with one mission and two contacts for eleven NAM members."""
    app.config["TODAY"] = date(2025, 3, 3)  # before session 49: its briefings are ahead
    seed_reference_data(Actor.system())
    add_missions(PRESENTERS + OTHERS)
    observer = create_mission("ARM")  # an observer: not invited by default
    create_contact(observer, name="Observer", email="upr@arm.example.org")
    return app


def confirm_session_49(**overrides) -> list[Briefing]:
    """Plan and confirm session 49; the delivery worker composes the invitations."""
    plan = briefings.plan_session(49, SECRETARIAT, overrides or None)
    created = briefings.confirm_proposal(plan.proposals[0].key, SECRETARIAT)
    compose()
    return created


def calendar_part(message: EmailMessage):
    """The text/calendar alternative and the .ics attachment of an iMIP message."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    parts = alternative.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    assert attachment.get_content_type() == "application/ics"
    return parts[2], attachment


def delivered(smtp_server) -> dict[str, list[EmailMessage]]:
    """Messages received, by recipient."""
    by_recipient: dict[str, list[EmailMessage]] = {}
    for recipients, message in smtp_server.messages:
        assert len(recipients) == 1  # one recipient per message
        by_recipient.setdefault(recipients[0], []).append(message)
    return by_recipient


def check_imip(message: EmailMessage, recipient: str, method: str, uid: str, sequence: int):
    """Parse one message as the standard library, icalendar and vobject do; return the VEVENT."""
    calendar, attachment = calendar_part(message)
    assert calendar.get_param("method") == method
    assert calendar.get_content_charset() == "utf-8"
    text = calendar.get_content()
    assert attachment.get_content().decode() == text if isinstance(attachment.get_content(), bytes) \
        else attachment.get_content() == text
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["METHOD"]) == method  # the body agrees with the method= parameter
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence
    assert str(event["ORGANIZER"]).lower() == "mailto:nam-briefings@chair.example.org"
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list), "only the recipient is an attendee"
    assert str(attendees).lower() == f"mailto:{recipient}"
    if method == "REQUEST":
        assert attendees.params["RSVP"] == "TRUE"
    vcal = vobject.readOne(text)
    assert vcal.vevent.uid.value == uid
    return event, vcal


def test_confirming_invites_every_active_nam_member_contact(calendar_with_missions, smtp_server):
    created = confirm_session_49()
    expected = {c.email for c in invitations.audience()}
    assert len(expected) == 2 * len(PRESENTERS + OTHERS)  # the observer is not invited
    assert outbox.status_counts()["pending"] == len(expected) * len(created)
    report = outbox.deliver()
    assert report.sent == len(expected) * len(created)
    by_recipient = delivered(smtp_server)
    assert set(by_recipient) == expected
    first = created[0]
    for recipient, messages in by_recipient.items():
        assert len(messages) == len(created)
        message = next(m for m in messages if first.uid in calendar_part(m)[0].get_content())
        event, vcal = check_imip(message, recipient, "REQUEST", first.uid, 0)
        assert event.decoded("DTSTART") == first.start_at
        assert vcal.vevent.dtstart.value.astimezone(timezone.utc) == first.start_at
        assert "Opening by the Chair" in str(event["DESCRIPTION"])
        assert message["Message-ID"]


def test_presenters_are_marked_on_their_invitation(calendar_with_missions, smtp_server):
    [first, *_] = confirm_session_49()
    outbox.deliver()
    on_agenda = invitations.presenting_iso3s(first)
    for recipient, messages in delivered(smtp_server).items():
        message = next(m for m in messages if first.uid in calendar_part(m)[0].get_content())
        event, _ = check_imip(message, recipient, "REQUEST", first.uid, 0)
        iso3 = recipient.split("@")[1].split(".")[0].upper()
        role = event["ATTENDEE"].params["ROLE"]
        assert role == ("REQ-PARTICIPANT" if iso3 in on_agenda else "OPT-PARTICIPANT")
        body = message.get_body(("plain",)).get_content()
        assert ("on the agenda as a presenter" in body) == (iso3 in on_agenda)


def test_reschedule_keeps_the_uid_and_raises_the_sequence(calendar_with_missions, smtp_server):
    [first, *_] = confirm_session_49()
    outbox.deliver()
    smtp_server.messages.clear()
    new_start = datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA)
    result = briefings.reschedule(first.id, new_start, None, SECRETARIAT)
    assert result.briefing.uid == first.uid and result.briefing.sequence == 1
    assert result.notified == len(invitations.audience())
    # an update waits until an hour after the invitation it follows (at most one an hour)
    assert outbox.deliver().sent == 0
    outbox.deliver(now=outbox.utcnow() + timedelta(hours=1, minutes=1))
    by_recipient = delivered(smtp_server)
    assert set(by_recipient) == {c.email for c in invitations.audience()}
    for recipient, [message] in by_recipient.items():
        event, _ = check_imip(message, recipient, "REQUEST", first.uid, 1)
        assert event.decoded("DTSTART") == new_start
        assert message["Subject"].strip().startswith("Updated:")
    assert {i.partstat for i in db.session.scalars(db.select(Invitation))} == {"NEEDS-ACTION"}


def test_a_reschedule_that_breaks_a_hard_constraint_changes_nothing(calendar_with_missions):
    [first, *_] = confirm_session_49()
    pending = outbox.status_counts()["pending"]
    good_friday = datetime(2025, 4, 18, 10, 0, tzinfo=GENEVA)
    with pytest.raises(Invalid, match="Good Friday"):
        briefings.reschedule(first.id, good_friday, None, SECRETARIAT)
    db.session.expire_all()
    assert db.session.get(Briefing, first.id).sequence == 0
    assert outbox.status_counts()["pending"] == pending


def test_cancel_sends_method_cancel_with_a_higher_sequence(calendar_with_missions, smtp_server):
    [first, *_] = confirm_session_49()
    outbox.deliver()
    smtp_server.messages.clear()
    notified = briefings.cancel(first.id, SECRETARIAT).notified
    assert notified == len(invitations.audience())
    outbox.deliver()
    for recipient, [message] in delivered(smtp_server).items():
        event, _ = check_imip(message, recipient, "CANCEL", first.uid, 1)
        assert str(event["STATUS"]) == "CANCELLED"
        assert message["Subject"].strip().startswith("Cancelled:")
    again = briefings.cancel(first.id, SECRETARIAT)  # posted twice: nothing more is sent
    assert again.already and again.notified == 0


def test_the_cli_lists_reschedules_and_cancels(calendar_with_missions, runner):
    [first, *_] = confirm_session_49()
    listed = runner.invoke(args=["briefings", "list", "--json"])
    row = next(r for r in json.loads(listed.output) if r["id"] == first.id)
    assert row["uid"] == first.uid and row["sequence"] == 0 and row["session"] == 49
    moved = runner.invoke(args=["briefings", "reschedule", str(first.id),
                                "--start", "2025-04-24T15:00"])
    assert moved.exit_code == 0, moved.output
    assert "sequence 1" in moved.output and "+02:00" in moved.output
    bad = runner.invoke(args=["briefings", "reschedule", str(first.id), "--start", "soon"])
    assert bad.exit_code == 1 and "not an ISO 8601 time" in bad.output
    cancelled = runner.invoke(args=["briefings", "cancel", str(first.id), "--yes"])
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.output
    db.session.expire_all()
    assert db.session.get(Briefing, first.id).sequence == 2


def test_a_contact_added_later_receives_the_current_version(calendar_with_missions, app):
    app.config["TODAY"] = datetime(2025, 4, 1).date()
    [first, *_] = confirm_session_49()
    briefings.reschedule(first.id, datetime(2025, 4, 24, 15, 0, tzinfo=GENEVA), None, SECRETARIAT)
    contact = missions.create_contact("IND", "New deputy", "deputy", "deputy@ind.example.org",
                                      "en", SECRETARIAT)
    queued = db.session.scalars(db.select(OutboxMessage).filter_by(contact_id=contact.id)).all()
    assert {(m.briefing_id, m.sequence) for m in queued} >= {(first.id, 1)}
    assert all(m.kind == "request" for m in queued)


def test_an_observer_mission_is_invited_when_configured(calendar_with_missions, app):
    app.config["INVITE_OBSERVERS"] = True
    assert "upr@arm.example.org" in {c.email for c in invitations.audience()}


def rsvp(invitation: Invitation, answer: str):
    return briefings.answer_by_link(invitations.rsvp_token(invitation), answer)


def test_rsvp_links_record_the_answer(calendar_with_missions):
    [first, *_] = confirm_session_49()
    invitation = db.session.scalar(db.select(Invitation).filter_by(briefing_id=first.id)
                                   .where(Invitation.role == "participant"))
    rsvp(invitation, "tentative")
    db.session.expire_all()
    stored = db.session.get(Invitation, invitation.id)
    assert stored.partstat == "TENTATIVE" and stored.answered_via == "link"
    with pytest.raises(Invalid, match="not valid"):
        briefings.answer_by_link(invitations.rsvp_token(stored)[:-2] + "xx", "accept")


def test_a_presenter_declining_drops_its_slot_and_updates_everyone(calendar_with_missions):
    [first, *_] = confirm_session_49()
    agenda_before = [i.review.state_iso3 for i in invitations.agenda(first)]
    leaving = agenda_before[1]
    invitation = db.session.scalar(db.select(Invitation).join(Invitation.contact).where(
        Invitation.briefing_id == first.id, Invitation.role == "presenter",
        Invitation.contact.has(email=f"upr@{leaving.lower()}.example.org")))
    pending_before = outbox.status_counts()["pending"]
    result = rsvp(invitation, "decline")
    assert result.agenda_changed
    briefings.send_new_agenda(first.id, SECRETARIAT)  # the secretariat's decision
    compose()  # the delivery worker writes the update
    db.session.expire_all()
    briefing = db.session.get(Briefing, first.id)
    agenda_after = invitations.agenda(briefing)
    assert [i.review.state_iso3 for i in agenda_after] == [c for c in agenda_before if c != leaving]
    # The agenda closes up: each presentation starts where the previous one ended.
    for previous, following in zip(agenda_after, agenda_after[1:]):
        assert following.start_at == previous.end_at
    assert briefing.sequence == 1
    # the new version replaces the invitations not sent yet: they are withdrawn
    counts = outbox.status_counts()
    assert counts["pending"] == pending_before + 1  # and the notice to the secretariat
    assert counts["withdrawn"] == len(invitations.audience())
    roster = invitations.roster(briefing)
    assert [r.iso3 for r in roster if r.presenter][:1] == [agenda_before[0]]
    assert next(r for r in roster if r.iso3 == leaving).slot_status == "declined"


def test_a_presenter_accepting_confirms_its_slot(calendar_with_missions):
    [first, *_] = confirm_session_49()
    invitation = db.session.scalar(db.select(Invitation).filter_by(
        briefing_id=first.id, role="presenter"))
    rsvp(invitation, "accept")
    db.session.expire_all()
    row = next(r for r in invitations.roster(db.session.get(Briefing, first.id))
               if r.iso3 == invitation.contact.mission.state_iso3)
    assert row.slot_status == "confirmed" and row.partstat == "ACCEPTED"
    csv_text = invitations.roster_csv(db.session.get(Briefing, first.id))
    assert csv_text.splitlines()[0].startswith("iso3,state,presenter,slot")
    lines = csv_text.splitlines()[1:]
    assert lines[0].split(",")[2] == "yes"  # presenters come first
    assert any(line.startswith(f"{row.iso3},") and ",confirmed,ACCEPTED," in line for line in lines)


def reminders_for(briefing: Briefing, status: str | None = None) -> int:
    filters = {"status": status} if status else {}
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage).filter_by(
        kind="reminder", briefing_id=briefing.id, **filters))


def test_reminders_go_once_to_those_who_have_not_declined(calendar_with_missions, smtp_server):
    first, second = confirm_session_49()
    decliner = db.session.scalar(db.select(Invitation).filter_by(
        briefing_id=first.id, role="participant"))
    rsvp(decliner, "decline")
    moment = invitations.reminder_moment(first, 2)
    assert moment < invitations.reminder_moment(second, 2)
    assert invitations.queue_due_reminders(moment) == 0  # the invitations are not sent yet
    outbox.deliver_all(ignore_backoff=True, now=moment - timedelta(days=3))
    assert invitations.queue_due_reminders(moment - timedelta(minutes=1)) == 0
    assert invitations.queue_due_reminders(moment) == len(invitations.audience()) - 1
    assert invitations.queue_due_reminders(moment + timedelta(hours=1)) == 0  # never twice
    db.session.commit()
    # A reminder follows the briefing when it moves (everyone is asked again: answers reset),
    # but not within a day of the update, which reminds already.
    briefings.reschedule(first.id, first.start_at + timedelta(days=1, hours=5), None, SECRETARIAT)
    assert reminders_for(first, "pending") == 0  # those for the old time are withdrawn
    new_moment = invitations.reminder_moment(first, 2)
    outbox.deliver_all(ignore_backoff=True, now=new_moment - timedelta(hours=2))  # the update goes
    invitations.queue_due_reminders(new_moment)
    assert reminders_for(first, "pending") == 0
    invitations.queue_due_reminders(new_moment + timedelta(hours=23))
    assert reminders_for(first, "pending") == len(invitations.audience())


def test_chasers_go_to_presenters_who_have_not_confirmed(calendar_with_missions, smtp_server):
    [first, *_] = confirm_session_49()
    confirmed = db.session.scalar(db.select(Invitation).filter_by(
        briefing_id=first.id, role="presenter"))
    rsvp(confirmed, "accept")
    moment = invitations.reminder_moment(first, 4)
    outbox.deliver_all(ignore_backoff=True, now=moment - timedelta(days=3))  # the invitations went days before
    chased = invitations.queue_due_chasers(moment)
    waiting = [i for i in first.items if i.slot_status == "invited"]
    assert chased == 2 * len(waiting)  # both contacts of each waiting mission
    assert invitations.queue_due_chasers(moment) == 0
