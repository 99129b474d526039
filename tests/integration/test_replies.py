"""Applying iMIP replies (services/replies.py): who answers, which answer wins, what is recorded.

Briefings of session 49 from invitation_helpers: the first (Tue 22 Apr 2025 10:00, Guyana
presents) and the second (Kenya and Lao PDR present); India presents at neither. The mailbox's
server is MX (REPLY_AUTHSERV_ID); `apply` delivers a reply as it does, with its word that the
sender's domain passed DMARC, so that the other checks are what these tests exercise.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nam_briefings.domain.errors import Invalid, NotFound
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, InboundReply
from nam_briefings.services import briefings, replies
from nam_briefings.services.audit import Actor
from tests.factories import create_contact
from tests.imap_server import reply_to
from tests.integration.reply_helpers import MX, vouched, with_results
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    assert_slot_released,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)

UTC = timezone.utc
T1 = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=2)
IND = "ambassador@ind.example.org"


@pytest.fixture
def first(app) -> Briefing:
    app.config["REPLY_AUTHSERV_ID"] = MX
    return confirm_session_49(app)[0]


def apply(data: bytes) -> list[replies.Outcome]:
    """Apply a reply as the mailbox's server delivers it from a sender it verified."""
    return apply_as_delivered(vouched(data))


def apply_as_delivered(data: bytes) -> list[replies.Outcome]:
    """Apply a message as it is, whatever its Authentication-Results say."""
    result = replies.apply_message(data)
    db.session.expire_all()
    return result.outcomes


def answer(briefing: Briefing, email: str) -> tuple:
    invitation = invitation_for(briefing, email)
    return invitation.partstat, invitation.answered_via, invitation.comment


def rows() -> list[InboundReply]:
    return list(db.session.scalars(db.select(InboundReply).order_by(InboundReply.id)))


def slots(briefing: Briefing) -> dict[str, str]:
    return {item.review.state_iso3: item.slot_status for item in briefing.items}


def decline_guyana_by_link(briefing: Briefing) -> None:
    """Guyana releases its slot and the secretariat sends the new agenda: the briefing goes
    to SEQUENCE 1 (same time)."""
    token = briefings.invitations.rsvp_token(invitation_for(briefing, "ambassador@guy.example.org"))
    briefings.answer_by_link(token, "decline")
    briefings.send_new_agenda(briefing.id, SECRETARIAT)
    db.session.expire_all()
    assert briefing.sequence == 1


@pytest.mark.parametrize("fixture", ["outlook.eml", "gmail.eml", "apple.eml", "thunderbird.eml"])
def test_a_reply_from_each_client_is_applied(first, fixture):
    invitation = invitation_for(first, IND)
    [outcome] = apply(reply_to(invitation, "ACCEPTED", fixture=fixture, dtstamp=T1,
                               message_id="r1@ind.example.org"))
    assert (outcome.outcome, outcome.partstat, outcome.attendee) == ("applied", "ACCEPTED", IND)
    stored = invitation_for(first, IND)
    assert (stored.partstat, stored.answered_via, stored.answered_sequence) == ("ACCEPTED", "email", 0)
    assert stored.answered_stamp == T1 and stored.answered_at is not None
    [row] = rows()
    assert (row.message_id, row.from_address, row.event_uid, row.outcome, row.reason, row.note) == \
        ("<r1@ind.example.org>", IND, first.uid, "applied", "", "")
    assert (row.briefing_id, row.invitation_id, row.sequence, row.dtstamp) == \
        (first.id, stored.id, 0, T1)
    assert (row.authentication, row.decided_by, row.decided_at) == \
        (f"dmarc=pass for ind.example.org ({MX})", "", None)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "invitation.answer"))
    assert event.actor == f"e-mail reply: {IND}" and event.target_id == str(stored.id)
    assert event.details.startswith(f"ACCEPTED for briefing {first.id} (NAM briefing before UPR49")


def test_the_comment_is_kept(first):
    apply(reply_to(invitation_for(first, IND), "TENTATIVE", comment="Depends on the HRC vote."))
    assert answer(first, IND) == ("TENTATIVE", "email", "Depends on the HRC vote.")


def test_a_later_answer_replaces_an_earlier_one(first):
    invitation = invitation_for(first, IND)
    apply(reply_to(invitation, "ACCEPTED", dtstamp=T1))
    [outcome] = apply(reply_to(invitation, "DECLINED", dtstamp=T2))
    assert outcome.outcome == "applied"
    assert answer(first, IND)[0] == "DECLINED"


def test_an_older_sequence_does_not_overwrite_a_newer_answer(first):
    decline_guyana_by_link(first)
    invitation = invitation_for(first, IND)
    apply(reply_to(invitation, "ACCEPTED", sequence=1, dtstamp=T1))
    [outcome] = apply(reply_to(invitation, "DECLINED", sequence=0, dtstamp=T2))
    assert outcome.outcome == "stale"
    assert outcome.reason == "it answers SEQUENCE 0; the recorded answer is for SEQUENCE 1"
    assert answer(first, IND)[0] == "ACCEPTED"
    assert [r.outcome for r in rows()] == ["applied", "stale"]


def test_an_older_dtstamp_does_not_overwrite_a_newer_answer(first):
    invitation = invitation_for(first, IND)
    apply(reply_to(invitation, "DECLINED", dtstamp=T2))
    [outcome] = apply(reply_to(invitation, "ACCEPTED", dtstamp=T1))
    assert outcome.outcome == "stale"
    assert outcome.reason == ("it was made Wed 5 Mar 2025 11:00 CET, before the recorded answer "
                              "(Wed 5 Mar 2025 13:00 CET)")
    assert answer(first, IND)[0] == "DECLINED"


def test_a_reply_older_than_an_answer_by_link_is_stale(first):
    invitation = invitation_for(first, IND)
    briefings.answer_by_link(briefings.invitations.rsvp_token(invitation), "accept")
    [outcome] = apply(reply_to(invitation, "DECLINED",
                               dtstamp=datetime.now(UTC) - timedelta(hours=1)))
    assert outcome.outcome == "stale" and "before the recorded answer" in outcome.reason
    assert answer(first, IND)[:2] == ("ACCEPTED", "link")


def test_a_reply_to_the_former_time_of_a_moved_briefing_is_stale(first):
    invitation = invitation_for(first, IND)
    old_start = first.start_at
    briefings.reschedule(first.id, old_start + timedelta(hours=5), None, SECRETARIAT)
    db.session.expire_all()
    [outcome] = apply(reply_to(invitation, "ACCEPTED", sequence=0, start=old_start))
    assert outcome.outcome == "stale"
    assert outcome.reason == ("it answers the briefing at a former time (Tue 22 Apr 2025 10:00 "
                              "CEST); it now starts Tue 22 Apr 2025 15:00 CEST")
    assert answer(first, IND)[0] == "NEEDS-ACTION"
    [outcome] = apply(reply_to(invitation, "ACCEPTED", sequence=1))
    assert outcome.outcome == "applied"


def test_the_same_answer_again_is_a_duplicate(first):
    invitation = invitation_for(first, IND)
    data = vouched(reply_to(invitation, "ACCEPTED", dtstamp=T1, message_id="same@ind.example.org"))
    apply_as_delivered(data)
    answered_at = invitation_for(first, IND).answered_at
    # the same message again (e.g. read twice): recorded once
    result = replies.apply_message(data)
    assert result.already_read and [o.outcome for o in result.outcomes] == ["duplicate"]
    assert result.outcomes[0].reason.startswith("message already read on ")
    # the same answer in another message (a client that sends it twice): a duplicate row
    [outcome] = apply(reply_to(invitation, "ACCEPTED", dtstamp=T1, fixture="gmail.eml"))
    assert (outcome.outcome, outcome.reason) == ("duplicate", "this answer is already recorded")
    assert [r.outcome for r in rows()] == ["applied", "duplicate"]
    assert invitation_for(first, IND).answered_at == answered_at


def test_an_unknown_uid_is_recorded_and_changes_nothing(first):
    [outcome] = apply(reply_to(invitation_for(first, IND), uid="someone-else@x.org"))
    assert (outcome.outcome, outcome.reason, outcome.briefing_id) == \
        ("unknown", "no briefing has this UID", None)
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_reply_to_a_cancelled_briefing_is_ignored(first):
    invitation = invitation_for(first, IND)
    briefings.cancel(first.id, SECRETARIAT)
    [outcome] = apply(reply_to(invitation, "ACCEPTED", sequence=0))
    assert (outcome.outcome, outcome.reason) == \
        ("ignored", "the briefing was cancelled; answers are no longer recorded")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_forged_attendee_is_rejected(first):
    invitation = invitation_for(first, IND)
    [outcome] = apply(reply_to(invitation, "DECLINED", attendee="intruder@evil.example.com"))
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("intruder@evil.example.com is not invited and is not an address of "
                              "any mission on file")
    assert all(answer(first, e)[0] == "NEEDS-ACTION" for e in (IND, "upr@ind.example.org"))


def test_an_invited_attendee_named_by_an_outsider_is_rejected(first):
    [outcome] = apply(reply_to(invitation_for(first, IND), "DECLINED",
                               sender="intruder@evil.example.com"))
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("sent from intruder@evil.example.com, which is neither the ATTENDEE "
                              "nor an address of the mission of India")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_colleague_of_the_same_mission_may_send_the_reply(first):
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED",
                               sender="upr@ind.example.org"))
    assert outcome.outcome == "applied"
    assert answer(first, IND)[0] == "ACCEPTED"


def test_the_missions_functional_mailbox_answers_for_the_mission(app, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    [outcome] = apply(reply_to(invitation, "TENTATIVE", attendee="MISSION.IND@example.org",
                               sender="mission.ind@example.org"))
    assert outcome.outcome == "applied"
    assert outcome.note == ("answered from mission.ind@example.org (the functional mailbox), not an "
                            "invited address; recorded for Ambassador IND <ambassador@ind.example.org>"
                            " of India")
    assert answer(first, IND)[0] == "TENTATIVE"  # the ambassador's invitation comes first
    assert answer(first, "upr@ind.example.org")[0] == "NEEDS-ACTION"
    [notice] = outbox_messages(kind="notice")
    assert notice.to_address == app.config["SECRETARIAT_EMAIL"]
    assert notice.subject == "Answer by e-mail from mission.ind@example.org recorded for India"
    assert "TENTATIVE for NAM briefing before UPR49" in notice.body_text
    assert f"/briefings/{first.id}" in notice.body_text


def test_a_contact_not_invited_answers_for_the_mission_with_a_note(first):
    mission = invitation_for(first, IND).contact.mission
    former = create_contact(mission, name="Former deputy", role="deputy",
                            email="old.deputy@ind.example.org")
    former.active = False
    db.session.commit()
    [outcome] = apply(reply_to(invitation_for(first, IND), "DECLINED",
                               attendee="old.deputy@ind.example.org"))
    assert outcome.outcome == "applied"
    assert "old.deputy@ind.example.org (a contact no longer active)" in outcome.note
    assert answer(first, IND)[0] == "DECLINED"


def test_a_mission_address_of_a_mission_not_invited_is_rejected(first):
    from tests.factories import create_mission

    create_mission("CHE", email="mission.che@example.org")  # not a NAM member: not invited
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED",
                               attendee="mission.che@example.org"))
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("mission.che@example.org is the functional mailbox of Switzerland, "
                              "which is not invited to this briefing")


def test_a_presenting_mission_declining_by_email_releases_its_slot(first):
    invitation = invitation_for(first, "ambassador@guy.example.org")
    sent_before = len(outbox_messages(kind="request"))
    [outcome] = apply(reply_to(invitation, "DECLINED", comment="Our delegation is not ready."))
    assert outcome.outcome == "applied"
    assert outcome.reason == ("the mission's slot is released; the new agenda waits for the "
                              "secretariat's decision")
    db.session.expire_all()
    briefing = db.session.get(Briefing, first.id)
    assert slots(briefing)["GUY"] == "declined"
    assert "declined" not in [status for iso3, status in slots(briefing).items() if iso3 != "GUY"]
    assert briefing.agenda_pending and briefing.sequence == 0
    compose()
    assert len(outbox_messages(kind="request")) == sent_before  # nothing until it decides
    assert answer(first, "ambassador@guy.example.org") == \
        ("DECLINED", "email", "Our delegation is not ready.")


def test_a_presenting_mission_accepting_by_email_confirms_its_slot(first):
    apply(reply_to(invitation_for(first, "upr@guy.example.org"), "ACCEPTED"))
    db.session.expire_all()
    assert slots(db.session.get(Briefing, first.id))["GUY"] == "confirmed"


def test_a_sequence_never_sent_is_rejected(first):
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED", sequence=7))
    assert (outcome.outcome, outcome.reason) == \
        ("rejected", "SEQUENCE 7 is newer than any version sent (0)")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_dtstamp_in_the_future_is_rejected(first):
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED",
                               dtstamp=datetime.now(UTC) + timedelta(days=30)))
    assert outcome.outcome == "rejected" and outcome.reason.endswith("is in the future")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_hostile_message_is_recorded_as_rejected_and_changes_nothing(first):
    data = vouched(reply_to(invitation_for(first, IND), "DECLINED", fixture="thunderbird.eml",
                            message_id="two@ind.example.org"))
    two_attendees = data.replace(
        b"ATTENDEE;RSVP=TRUE", b"ATTENDEE;PARTSTAT=DECLINED:mailto:upr@ind.example.org\r\n"
                               b"ATTENDEE;RSVP=TRUE", 1)
    [outcome] = apply_as_delivered(two_attendees)
    assert (outcome.outcome, outcome.reason) == \
        ("rejected", "the reply names 2 attendees; a REPLY names the one attendee answering")
    [row] = rows()
    assert (row.message_id, row.from_address, row.event_uid) == ("<two@ind.example.org>", IND, "")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_a_message_that_is_not_a_reply_records_nothing(app, first):
    from tests.imap_server import golden_reply

    data = golden_reply("not_a_reply.eml", uid="", attendee="", organizer="x@example.org",
                        partstat="", sequence=0, dtstamp=T1, start=T1, end=T2)
    result = replies.apply_message(data)
    assert (result.is_reply, result.outcomes) == (False, [])
    assert rows() == []


# --- is the sender who the From says? (Authentication-Results) ---------------------------------

GUYANA = "ambassador@guy.example.org"
EDITOR = Actor("editor@chair.example.org")
NOTHING_SAID = f"no Authentication-Results from {MX}"


def spoofed_decline(briefing: Briefing, **options) -> bytes:
    """Guyana's presenter "declining": the From, UID and SEQUENCE every invitee can see."""
    return reply_to(invitation_for(briefing, GUYANA), "DECLINED", **options)


def assert_nothing_changed(briefing: Briefing, requests_before: int) -> None:
    db.session.expire_all()
    briefing = db.session.get(Briefing, briefing.id)
    assert briefing.sequence == 0 and slots(briefing)["GUY"] != "declined"
    assert answer(briefing, GUYANA)[0] == "NEEDS-ACTION"
    assert len(outbox_messages(kind="request")) == requests_before
    assert not db.session.scalar(db.select(AuditEvent)
                                 .where(AuditEvent.action == "invitation.answer"))


def test_a_spoofed_presenter_decline_is_held_then_applied_when_accepted(first):
    requests = len(outbox_messages(kind="request"))
    [outcome] = apply_as_delivered(spoofed_decline(first, comment="We withdraw."))
    assert (outcome.outcome, outcome.partstat, outcome.attendee) == \
        ("unverified", "DECLINED", GUYANA)
    assert outcome.reason == ("not applied: the receiving server did not vouch for the sender; "
                              "the secretariat may accept or reject it")
    [row] = rows()
    assert (row.authentication, row.decided_by, row.decided_at) == (NOTHING_SAID, "", None)
    assert (row.briefing_id, row.invitation_id) == \
        (first.id, invitation_for(first, GUYANA).id)
    assert_nothing_changed(first, requests)

    decided = replies.accept(row.id, EDITOR)
    assert (decided.outcome, decided.reason) == (
        "applied", "accepted by editor@chair.example.org (unverified sender); the mission's "
                   "slot is released; the new agenda waits for the secretariat's decision")
    assert_slot_released(first, "GUY")
    assert answer(first, GUYANA) == ("DECLINED", "email", "We withdraw.")
    [row] = rows()
    assert (row.outcome, row.decided_by) == ("applied", "editor@chair.example.org")
    assert row.decided_at is not None and row.authentication == NOTHING_SAID
    answered = db.session.scalar(db.select(AuditEvent)
                                 .where(AuditEvent.action == "invitation.answer"))
    assert answered.actor == "editor@chair.example.org"
    assert answered.details.endswith("accepted by editor@chair.example.org: e-mailed by "
                                     f"{GUYANA}, sender not verified ({NOTHING_SAID})")
    decision = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "reply.accept"))
    assert (decision.actor, decision.target_type, decision.target_id) == \
        ("editor@chair.example.org", "inbound_reply", str(row.id))
    assert decision.details == f"applied: DECLINED from {GUYANA} (briefing {first.id})"


def test_a_failing_check_is_held_with_what_the_server_said(first):
    requests = len(outbox_messages(kind="request"))
    data = with_results(spoofed_decline(first), f"{MX}; dkim=fail header.d=example.net;\r\n"
                                                "\tspf=softfail (sender not authorised) "
                                                "smtp.mailfrom=guy.example.org; "
                                                "dmarc=fail header.from=guy.example.org")
    [outcome] = apply_as_delivered(data)
    assert outcome.outcome == "unverified"
    assert rows()[0].authentication == ("dkim=fail for example.net, spf=softfail for "
                                        "guy.example.org, dmarc=fail for guy.example.org")
    assert_nothing_changed(first, requests)


def test_a_forged_authentication_results_of_another_server_is_not_trusted(first):
    requests = len(outbox_messages(kind="request"))
    data = vouched(spoofed_decline(first), authserv_id="mx.attacker.example")
    [outcome] = apply_as_delivered(data)
    assert outcome.outcome == "unverified"
    assert rows()[0].authentication == f"{NOTHING_SAID} (1 from other servers ignored)"
    assert_nothing_changed(first, requests)


def test_a_pass_for_an_unrelated_domain_is_not_trusted(first):
    requests = len(outbox_messages(kind="request"))
    data = with_results(spoofed_decline(first), f"{MX}; dkim=pass header.d=mailer.example.net; "
                                                "spf=pass smtp.mailfrom=bounce@mailer.example.net")
    [outcome] = apply_as_delivered(data)
    assert outcome.outcome == "unverified"
    assert rows()[0].authentication == ("dkim=pass for mailer.example.net, spf=pass for "
                                        "mailer.example.net (nothing for guy.example.org)")
    assert_nothing_changed(first, requests)


def test_an_aligned_spf_pass_alone_is_trusted(first):
    data = with_results(spoofed_decline(first), f"{MX}; spf=pass smtp.mailfrom=guy.example.org")
    [outcome] = apply_as_delivered(data)
    assert outcome.outcome == "applied"
    assert_slot_released(first, "GUY")


def test_without_reply_authserv_id_no_reply_is_trusted(app, first):
    app.config["REPLY_AUTHSERV_ID"] = ""
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED"))
    assert outcome.outcome == "unverified"
    assert rows()[0].authentication == \
        "REPLY_AUTHSERV_ID is not set: no e-mailed answer is trusted"
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_several_authserv_ids_may_be_trusted(app, first):
    app.config["REPLY_AUTHSERV_ID"] = "mx1.chair.example.org, mx2.chair.example.org"
    [outcome] = apply(reply_to(invitation_for(first, IND), "ACCEPTED"))
    assert outcome.outcome == "unverified"
    [outcome] = apply_as_delivered(vouched(reply_to(invitation_for(first, IND), "ACCEPTED"),
                                           authserv_id="MX2.chair.example.org"))
    assert outcome.outcome == "applied"


def test_the_other_checks_come_first(first):
    """An unverified reply that would be refused anyway says why, not merely "unverified"."""
    [outcome] = apply_as_delivered(reply_to(invitation_for(first, IND), "DECLINED",
                                            sender="intruder@evil.example.com"))
    assert outcome.outcome == "rejected" and outcome.reason.startswith("sent from intruder")
    assert rows()[0].authentication == NOTHING_SAID


def test_rejecting_an_unverified_reply_changes_nothing(first):
    requests = len(outbox_messages(kind="request"))
    apply_as_delivered(spoofed_decline(first))
    [row] = rows()
    decided = replies.reject(row.id, EDITOR)
    assert (decided.outcome, decided.reason) == \
        ("rejected", "rejected by editor@chair.example.org: unverified sender")
    [row] = rows()
    assert (row.outcome, row.decided_by) == ("rejected", "editor@chair.example.org")
    assert row.decided_at is not None
    decision = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "reply.reject"))
    assert (decision.actor, decision.target_id) == ("editor@chair.example.org", str(row.id))
    db.session.expire_all()
    briefing = db.session.get(Briefing, first.id)
    assert briefing.sequence == 0 and slots(briefing)["GUY"] != "declined"
    assert len(outbox_messages(kind="request")) == requests


def test_a_reply_is_decided_once(first):
    apply_as_delivered(spoofed_decline(first))
    [row] = rows()
    replies.reject(row.id, EDITOR)
    with pytest.raises(Invalid, match=r"^this reply is no longer waiting for a decision: it was "
                                      r"rejected by editor@chair\.example\.org on "):
        replies.accept(row.id, Actor("other@chair.example.org"))
    with pytest.raises(Invalid, match="no longer waiting"):
        replies.reject(row.id, EDITOR)
    applied = apply(reply_to(invitation_for(first, IND), "ACCEPTED"))
    with pytest.raises(Invalid, match=r"it was applied$"):
        replies.accept(rows()[-1].id, EDITOR)
    assert applied[0].outcome == "applied"
    with pytest.raises(NotFound, match="no reply 999999"):
        replies.accept(999999, EDITOR)
    db.session.expire_all()
    assert slots(db.session.get(Briefing, first.id))["GUY"] != "declined"


def test_accepting_rechecks_a_newer_answer_by_link(first):
    invitation = invitation_for(first, IND)
    apply_as_delivered(reply_to(invitation, "DECLINED",
                                dtstamp=datetime.now(UTC) - timedelta(hours=1)))
    briefings.answer_by_link(briefings.invitations.rsvp_token(invitation), "accept")
    decided = replies.accept(rows()[0].id, EDITOR)
    assert decided.outcome == "stale"
    assert decided.reason.startswith("accepted by editor@chair.example.org, but it was made ")
    assert "before the recorded answer" in decided.reason
    assert answer(first, IND)[:2] == ("ACCEPTED", "link")
    assert rows()[0].decided_by == "editor@chair.example.org"


def test_accepting_rechecks_a_newer_sequence_answered_since(first):
    decline_guyana_by_link(first)  # SEQUENCE 1
    invitation = invitation_for(first, IND)
    apply_as_delivered(reply_to(invitation, "DECLINED", sequence=0, dtstamp=T1))
    apply(reply_to(invitation, "ACCEPTED", sequence=1, dtstamp=T2))
    decided = replies.accept(rows()[0].id, EDITOR)
    assert (decided.outcome, decided.reason) == (
        "stale", "accepted by editor@chair.example.org, but it answers SEQUENCE 0; the recorded "
                 "answer is for SEQUENCE 1")
    assert answer(first, IND)[0] == "ACCEPTED"


def test_accepting_an_answer_to_a_time_the_briefing_no_longer_has_is_stale(first):
    invitation = invitation_for(first, IND)
    apply_as_delivered(reply_to(invitation, "ACCEPTED"))
    briefings.reschedule(first.id, first.start_at + timedelta(hours=5), None, SECRETARIAT)
    decided = replies.accept(rows()[0].id, EDITOR)
    assert (decided.outcome, decided.reason) == (
        "stale", "accepted by editor@chair.example.org, but the briefing was moved after the "
                 "reply was read; it now starts Tue 22 Apr 2025 15:00 CEST")
    assert answer(first, IND)[0] == "NEEDS-ACTION"


def test_accepting_an_answer_to_a_cancelled_briefing_is_ignored(first):
    apply_as_delivered(spoofed_decline(first))
    briefings.cancel(first.id, SECRETARIAT)
    decided = replies.accept(rows()[0].id, EDITOR)
    assert (decided.outcome, decided.reason) == (
        "ignored", "accepted by editor@chair.example.org, but the briefing was cancelled; "
                   "answers are no longer recorded")


def test_accepting_the_answer_already_recorded_is_a_duplicate(first):
    invitation = invitation_for(first, IND)
    apply_as_delivered(reply_to(invitation, "ACCEPTED", dtstamp=T1))
    apply(reply_to(invitation, "ACCEPTED", dtstamp=T1))  # the same answer, verified
    decided = replies.accept(rows()[0].id, EDITOR)
    assert (decided.outcome, decided.reason) == (
        "duplicate", "accepted by editor@chair.example.org, but this answer is already recorded")


def test_an_accepted_answer_from_another_address_of_the_mission_tells_the_secretariat(first):
    apply_as_delivered(reply_to(invitation_for(first, IND), "TENTATIVE",
                                attendee="mission.ind@example.org",
                                sender="mission.ind@example.org"))
    assert outbox_messages(kind="notice") == []
    decided = replies.accept(rows()[0].id, EDITOR)
    assert decided.outcome == "applied" and decided.note.startswith("answered from mission.ind@")
    assert answer(first, IND)[0] == "TENTATIVE"
    assert len(outbox_messages(kind="notice")) == 1


def test_the_unverified_count(first):
    apply_as_delivered(spoofed_decline(first))
    apply(reply_to(invitation_for(first, IND), "ACCEPTED"))
    counts = replies.outcome_counts()
    assert (counts["unverified"], counts["applied"]) == (1, 1)
    assert [r.outcome for r in replies.latest(outcome="unverified")] == ["unverified"]


# --- the command line ------------------------------------------------------------------------

def test_replies_apply_prints_the_outcome(runner, first, tmp_path):
    path = tmp_path / "reply.eml"
    path.write_bytes(vouched(reply_to(invitation_for(first, IND), "ACCEPTED")))
    result = runner.invoke(args=["replies", "apply", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"applied: ACCEPTED from {IND} (briefing {first.id})\n"
    assert answer(first, IND)[0] == "ACCEPTED"
    assert rows()[0].source == "file"
    again = runner.invoke(args=["replies", "apply", str(path)])
    assert again.exit_code == 0 and again.output.startswith(f"duplicate: ACCEPTED from {IND}")


def test_replies_apply_refuses_a_file_that_is_not_a_reply(runner, first, tmp_path):
    path = tmp_path / "note.eml"
    path.write_bytes(b"From: a@b.org\r\nSubject: hello\r\n\r\nJust a note.\r\n")
    result = runner.invoke(args=["replies", "apply", str(path)])
    assert result.exit_code == 1
    assert "is not an iMIP reply (no calendar part with METHOD:REPLY): nothing done" in result.output
    assert rows() == []


def test_replies_apply_needs_an_existing_file(runner, first, tmp_path):
    result = runner.invoke(args=["replies", "apply", str(tmp_path / "missing.eml")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_replies_fetch_without_a_mailbox_says_so(runner, first):
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "IMAP_HOST is not set: there is no mailbox to read" in result.output


def test_replies_accept_and_reject_on_the_command_line(runner, first):
    apply_as_delivered(spoofed_decline(first))
    apply_as_delivered(reply_to(invitation_for(first, IND), "ACCEPTED"))
    guyana, india = rows()
    result = runner.invoke(args=["replies", "accept", str(guyana.id)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"applied: DECLINED from {GUYANA} (briefing {first.id}) — "
                                    "accepted by cli:")
    assert result.output.endswith(" (unverified sender); the mission's slot is released; the new "
                                  "agenda waits for the secretariat's decision\n")
    result = runner.invoke(args=["replies", "reject", str(india.id)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"rejected: ACCEPTED from {IND} (briefing {first.id}) — "
                                    "rejected by cli:")
    assert result.output.endswith(": unverified sender\n")
    assert_slot_released(first, "GUY")
    assert answer(first, IND)[0] == "NEEDS-ACTION"
    again = runner.invoke(args=["replies", "reject", str(india.id)])
    assert again.exit_code == 1 and "no longer waiting for a decision" in again.output
    missing = runner.invoke(args=["replies", "accept", "999999"])
    assert missing.exit_code == 1 and "no reply 999999" in missing.output


# --- two editors deciding at the same moment ---------------------------------------------------

def _decide_in_a_process(database_url: str, decision: str, reply_id: int, barrier,
                         results) -> None:
    """One process: its own app and connection; waits for the others, then decides."""
    from nam_briefings import create_app
    from nam_briefings.domain.errors import DomainError
    from tests.conftest import app_config
    from tests.integration.invitation_helpers import TODAY

    app = create_app(app_config(database_url, TODAY=TODAY, REPLY_AUTHSERV_ID=MX))
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the start signal
        db.session.rollback()
        barrier.wait(timeout=60)
        try:
            outcome = getattr(replies, decision)(reply_id, Actor(f"{decision}@chair.example.org"))
            results.put(outcome.outcome)
        except DomainError as error:
            results.put(f"refused: {error}")
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            results.put(f"ERROR {type(error).__name__}: {error}")


@pytest.mark.slow
def test_an_unverified_reply_decided_by_several_editors_at_once_is_decided_once(app, first):
    import multiprocessing

    apply_as_delivered(spoofed_decline(first))
    [row] = rows()
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    decisions = ["accept", "reject"] * 3
    barrier, results = context.Barrier(len(decisions)), context.Queue()
    processes = [context.Process(target=_decide_in_a_process, args=(
        app.config["SQLALCHEMY_DATABASE_URI"], decision, row.id, barrier, results))
        for decision in decisions]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    decided = [o for o in outcomes if not o.startswith("refused: ")]
    assert len(decided) == 1 and decided[0] in ("applied", "rejected"), outcomes
    assert all("no longer waiting for a decision" in o for o in outcomes if o not in decided)
    db.session.expire_all()
    [row] = rows()
    assert row.outcome == decided[0]
    assert db.session.get(Briefing, first.id).agenda_pending == (row.outcome == "applied")
    compose()
    assert outbox_messages(kind="request", sequence=1) == []  # the secretariat decides that
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("reply.accept", "reply.reject")))) == 1
