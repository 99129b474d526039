"""The outbox knows the present (issue 11, findings 5, 6 and 10).

What was found: after deactivating a contact and a mission and importing a state as
non-NAM, updates, reminders and the cancellation still reached them; with the relay down
during an update and the briefing then cancelled, recipients received the invitation
after the cancellation; `outbox retry` of a failed invitation of a cancelled briefing was
accepted and sent; moving a briefing 3 times inside its reminder window sent each contact
4 updates and 4 reminders. Each test here reproduces one of them against a real SMTP
server on loopback (aiosmtpd), on SQLite and PostgreSQL.

The bound the pacing gives, and that the storm test checks: per briefing and contact, at
most one update (request of a higher SEQUENCE) in any hour, the latest version last;
at most one reminder and one chaser a Geneva day, and none within a day of an update.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import icalendar
import pytest

from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Contact, OutboxMessage, State, utcnow
from nam_briefings.services import briefings, fanout, invitations, missions, outbox, portal
from nam_briefings.services.calendar import import_csv
from tests.conftest import free_port
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    compose,
    confirm_session_49,
    outbox_messages,
)
from tests.integration.web_helpers import page, post, text


class FakeClock:
    """The outbox's clock, moved by hand: hours pass in a second, nothing sleeps."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


def contact(email: str) -> Contact:
    return db.session.scalar(db.select(Contact).filter_by(email=email))


def fresh(briefing: Briefing) -> Briefing:
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def calendar_of(message) -> icalendar.Calendar | None:
    part = next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)
    return icalendar.Calendar.from_ical(part.get_content()) if part else None


def received(smtp_server, since: int = 0) -> list[tuple[str, str, str, int | None]]:
    """(recipient, METHOD or kind, UID, SEQUENCE) of each message received, in order."""
    result = []
    for recipients, message in smtp_server.messages[since:]:
        calendar = calendar_of(message)
        if calendar is None:
            result.append((recipients[0], message["Subject"], "", None))
            continue
        [event] = calendar.walk("VEVENT")
        result.append((recipients[0], str(calendar["METHOD"]), str(event["UID"]),
                       int(event["SEQUENCE"])))
    return result


def withdrawn_reasons(**filters) -> Counter:
    return Counter(m.last_error for m in outbox_messages(status="withdrawn", **filters))


# --- 5: nobody who should no longer get mail gets any ----------------------------------------

def test_deactivated_contacts_missions_and_non_members_get_nothing_more(app, smtp_server,
                                                                       monkeypatch):
    first, second = confirm_session_49(app)
    reminder = invitations.reminder_moment(second, 2)
    clock = FakeClock(reminder - timedelta(days=3))
    monkeypatch.setattr(outbox, "utcnow", clock)
    assert outbox.deliver_all(ignore_backoff=True).sent == 16
    gone_contact, gone_mission, gone_state = "upr@guy.example.org", "LAO", "IND"
    # An update of the first briefing is queued to everyone (paced: it waits an hour)...
    briefings.reschedule(first.id, first.start_at + timedelta(minutes=30), None, SECRETARIAT)
    compose()  # the delivery worker writes the updates
    # ...then a contact leaves (through the mission's portal), a mission is switched off
    # and a state is imported as no longer NAM.
    colleague = contact("ambassador@guy.example.org")
    portal.remove_contact(portal.portal_token(colleague), contact(gone_contact).id)
    missions.set_mission_active(gone_mission, False, SECRETARIAT)
    india = db.session.get(State, gone_state)
    import_csv("states", f"iso3,name,nam_status\n{gone_state},{india.name},none\n", SECRETARIAT)
    gone = {gone_contact, "ambassador@lao.example.org", "upr@lao.example.org",
            "ambassador@ind.example.org", "upr@ind.example.org"}

    # Their queued updates are withdrawn at once, each with its reason.
    reasons = withdrawn_reasons(briefing_id=first.id)
    assert sum(reasons.values()) == 5
    assert any(r.startswith(f"{gone_contact} was deactivated") for r in reasons)
    assert reasons[f"the mission of {db.session.get(State, 'LAO').name} was deactivated"] == 2
    assert reasons[f"{india.name} is no longer invited (NAM status: none)"] == 2

    # The updates, the second briefing's reminders and then its cancellation reach only
    # the others.
    since = len(smtp_server.messages)
    clock.moment = reminder + timedelta(minutes=1)
    invitations.queue_due_reminders(clock.moment)
    db.session.commit()
    outbox.deliver_all()
    briefings.cancel(second.id, SECRETARIAT)
    outbox.deliver_all()
    after = received(smtp_server, since)
    kinds = Counter((uid, kind) for _, kind, uid, _ in after)
    assert kinds[(first.uid, "REQUEST")] == 3 and kinds[(second.uid, "CANCEL")] == 3
    assert any(uid == "" for _, _, uid, _ in after), "the others were reminded"
    assert not gone & {recipient for recipient, *_ in after}, after
    assert outbox.status_counts()["pending"] == 0


def test_a_message_queued_before_the_change_is_checked_again_when_it_goes(app, smtp_server):
    """Even a message already claimed when the cause happened (withdrawing it then was not
    possible) is checked again at delivery: here the contact was re-addressed."""
    first, _ = confirm_session_49(app)
    old = contact("upr@ken.example.org")
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.contact_id == old.id).values(
        status="sending", claimed_at=utcnow() - timedelta(hours=1)))  # a dead worker's claim
    db.session.commit()
    missions.update_contact(old.id, old.name, old.role, "new.upr@ken.example.org", "en",
                            SECRETARIAT)
    outbox.deliver_all()
    recipients = Counter(recipient for recipient, *_ in received(smtp_server))
    assert recipients["upr@ken.example.org"] == 0
    assert recipients["new.upr@ken.example.org"] == 2  # the current version, at the new address
    assert withdrawn_reasons(to_address="upr@ken.example.org") == Counter(
        {"re-addressed: the contact's address is now new.upr@ken.example.org": 2})


# --- 6: nothing for a cancelled briefing but its cancellation ---------------------------------

def test_an_update_held_by_an_outage_never_follows_the_cancellation(app, smtp_server):
    first, _ = confirm_session_49(app)
    assert outbox.deliver().sent == 16
    since = len(smtp_server.messages)
    briefings.reschedule(first.id, first.start_at + timedelta(minutes=30), None, SECRETARIAT)
    live_port = app.extensions["mail"].port
    app.extensions["mail"].port = free_port()  # the relay is down during the update
    outbox.deliver_all(ignore_backoff=True)  # tried at once: the relay is down
    counts = outbox.status_counts()
    assert counts["sent"] == 16 and counts["pending"] + counts["waiting"] == 8
    briefings.cancel(first.id, SECRETARIAT)
    app.extensions["mail"].port = live_port  # back
    outbox.deliver_all(ignore_backoff=True)

    about_first = [r for r in received(smtp_server, since) if r[2] == first.uid]
    assert {(method, sequence) for _, method, _, sequence in about_first} == {("CANCEL", 2)}
    assert len(about_first) == 8
    assert withdrawn_reasons(briefing_id=first.id) == Counter(
        {f"briefing {first.id} was cancelled: its invitation is not sent; the cancellation is": 8})


def test_a_claimed_invitation_is_withdrawn_at_delivery_once_its_briefing_is_cancelled(
        app, smtp_server):
    first, _ = confirm_session_49(app)
    # The invitations are claimed by a worker that dies; the briefing is then cancelled.
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.briefing_id == first.id)
                       .values(status="sending", claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    briefings.cancel(first.id, SECRETARIAT)
    outbox.deliver_all()
    about_first = [r for r in received(smtp_server) if r[2] == first.uid]
    assert {method for _, method, _, _ in about_first} == {"CANCEL"}
    assert outbox_messages(briefing_id=first.id, kind="request")[0].last_error == (
        f"briefing {first.id} was cancelled: its invitation is not sent; the cancellation is")


def test_retrying_a_failed_invitation_of_a_cancelled_briefing_is_refused(app, smtp_server, runner,
                                                                       client, login):
    first, _ = confirm_session_49(app)
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    assert outbox.deliver().failed == 16
    smtp_server.refuse_with = None
    briefings.cancel(first.id, SECRETARIAT)
    invitation = outbox_messages(briefing_id=first.id, kind="request")[0]
    refusal = f"briefing {first.id} was cancelled: its invitation is not sent; the cancellation is"
    assert (invitation.status, invitation.last_error) == ("withdrawn", refusal)
    # even one made "failed" again by hand is refused: by the service, the CLI and the page
    invitation.status = "failed"
    db.session.commit()
    with pytest.raises(Invalid, match="its invitation is not sent; the cancellation is"):
        outbox.retry(invitation.id, SECRETARIAT)
    cli = runner.invoke(args=["outbox", "retry", str(invitation.id)])
    assert cli.exit_code == 1 and refusal in cli.output
    login("editor")
    response = post(client, f"/outbox/{invitation.id}/retry")
    assert response.location == f"/outbox/{invitation.id}"
    assert refusal in text(page(client, f"/outbox/{invitation.id}"))
    db.session.expire_all()
    assert db.session.get(OutboxMessage, invitation.id).status == "failed"
    outbox.deliver_all(ignore_backoff=True)
    assert {r[1] for r in received(smtp_server) if r[2] == first.uid} == {"CANCEL"}


# --- never an older SEQUENCE after a newer one ---------------------------------------------------

def test_a_newer_version_withdraws_the_older_unsent_one(app, smtp_server):
    first, _ = confirm_session_49(app)
    start = first.start_at
    briefings.reschedule(first.id, start + timedelta(minutes=30), None, SECRETARIAT)
    compose()
    # a worker claimed the SEQUENCE 1 updates and died; SEQUENCE 2 is queued meanwhile
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.sequence == 1).values(
        status="sending", claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    briefings.reschedule(first.id, start, None, SECRETARIAT)
    # the invitations of SEQUENCE 0 (unsent) were withdrawn when SEQUENCE 1 was queued
    assert withdrawn_reasons(briefing_id=first.id, sequence=0) == Counter(
        {"superseded by sequence 1": 8})
    outbox.deliver_all()
    about_first = [r for r in received(smtp_server) if r[2] == first.uid]
    assert Counter(sequence for *_, sequence in about_first) == Counter({2: 8})
    assert withdrawn_reasons(briefing_id=first.id, sequence=1) == Counter(
        {"superseded by sequence 2": 8})


# --- 10: a briefing moved 3 times inside its reminder window ------------------------------------

def run_jobs(clock: FakeClock, until: datetime, every: timedelta) -> None:
    """What the scheduler does, on simulated time: queue reminders and chasers, deliver."""
    while clock.moment < until:
        invitations.queue_due_reminders(clock.moment)
        invitations.queue_due_chasers(clock.moment)
        db.session.commit()
        outbox.deliver_all()
        clock.advance(seconds=every.total_seconds())


def test_moving_a_briefing_three_times_in_its_reminder_window_is_no_storm(app, smtp_server,
                                                                          monkeypatch):
    first, _ = confirm_session_49(app)
    reminder = invitations.reminder_moment(first, 2)
    # the invitations went a week before; then the chasers and reminders came due
    clock = FakeClock(reminder - timedelta(days=7))
    monkeypatch.setattr(outbox, "utcnow", clock)
    outbox.deliver_all(ignore_backoff=True)
    for due in (invitations.reminder_moment(first, 4), reminder):  # the chaser, the reminder
        clock.moment = due + timedelta(minutes=1)
        run_jobs(clock, due + timedelta(minutes=30), timedelta(minutes=5))
    before_moves = len(smtp_server.messages)
    reminded = Counter(m.to_address for m in outbox_messages(kind="reminder", status="sent",
                                                             briefing_id=first.id))
    assert len(reminded) == 8 and set(reminded.values()) == {1}

    # Three moves, ten minutes apart, the scheduler running every 5 minutes in between.
    start = first.start_at
    moves_at = clock.moment
    for offset in (30, 60, 90):
        briefings.reschedule(first.id, start + timedelta(minutes=offset), None, SECRETARIAT)
        run_jobs(clock, clock.moment + timedelta(minutes=10), timedelta(minutes=5))
    run_jobs(clock, moves_at + timedelta(hours=6), timedelta(minutes=5))

    after = [r for r in received(smtp_server, before_moves) if r[2] in (first.uid, "")]
    per_contact = Counter(recipient for recipient, *_ in after)
    updates = [m for m in outbox_messages(kind="request", status="sent", briefing_id=first.id)
               if m.sequence > 0]
    by_contact: dict[str, list[OutboxMessage]] = {}
    for message in updates:
        by_contact.setdefault(message.to_address, []).append(message)
    assert len(by_contact) == 8
    for address, sent in by_contact.items():
        assert len(sent) <= 2, (address, [m.sequence for m in sent])
        assert sent[-1].sequence == 3  # the last one they get is the current version
        for earlier, later in zip(sent, sent[1:]):
            assert later.sent_at - earlier.sent_at >= timedelta(hours=1)
    # no reminder or chaser within a day of the updates: only the updates went
    assert {kind for _, kind, uid, _ in after if uid == first.uid} == {"REQUEST"}
    assert max(per_contact.values()) <= 2
    # A presenter's address (invitation, chaser, reminder, updates) gets at most 2 + 1 + 1 more.
    presenter = "upr@guy.example.org"
    kinds = Counter(m.kind for m in outbox_messages(to_address=presenter, status="sent",
                                                    briefing_id=first.id))
    assert kinds["request"] <= 1 + 2 and kinds["reminder"] <= 1 and kinds["chaser"] <= 1
    assert sum(kinds.values()) <= 5, kinds


def test_a_reminder_waits_while_its_briefing_s_update_is_being_written(app, smtp_server,
                                                                      monkeypatch):
    """A reminder for the new time, due while a worker is still writing the move's update:
    it does not go beside the update (the update reminds); once the update is written, the
    reminder is withdrawn and each contact gets the update alone."""
    first, _ = confirm_session_49(app)
    reminder = invitations.reminder_moment(first, 2)
    clock = FakeClock(reminder - timedelta(days=7))
    monkeypatch.setattr(outbox, "utcnow", clock)
    outbox.deliver_all(ignore_backoff=True)  # the invitations went a week before
    clock.moment = reminder + timedelta(minutes=1)
    briefings.reschedule(first.id, first.start_at + timedelta(minutes=30), None, SECRETARIAT)
    [update] = fanout.unfinished(first.id)
    update.status, update.claimed_at = "composing", utcnow()  # another worker is writing it
    db.session.commit()
    assert invitations.queue_due_reminders(clock.moment) == 8
    db.session.commit()
    before = len(smtp_server.messages)

    outbox.deliver_all()
    assert len(smtp_server.messages) == before  # nothing went while the update is unwritten
    assert {m.status for m in outbox_messages(kind="reminder", sequence=1)} == {"pending"}

    update.status, update.claimed_at = "queued", None  # that worker died; this one goes on
    db.session.commit()
    outbox.deliver_all()
    reminders = outbox_messages(kind="reminder", sequence=1)
    assert {m.status for m in reminders} == {"withdrawn"}
    assert all("reminds" in m.last_error for m in reminders), reminders[0].last_error
    after = received(smtp_server, before)
    assert Counter(recipient for recipient, *_ in after) == Counter(
        dict.fromkeys({recipient for recipient, *_ in after}, 1))
    assert {kind for _, kind, _, _ in after} == {"REQUEST"} and len(after) == 8
