"""Every update says what changed, in words, relative to the version each contact last
received; a change of agenda keeps each mission's answer and asks nothing (RFC 5546: only
a change of time or place is significant), a change of time asks everyone again."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, OutboxMessage
from nam_briefings.services import briefings, clock, invitations, outbox
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)

MOVED_A_DAY = timedelta(days=1, hours=5)


@pytest.fixture
def second(app, smtp_server) -> Briefing:
    """Session 49's second briefing (Wed 23 Apr 2025, 10:00–11:30; Kenya and Lao PDR
    present), its invitations delivered."""
    [_, second] = confirm_session_49(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
    return fresh(second)


def fresh(briefing: Briefing) -> Briefing:
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def update_to(briefing: Briefing, email: str, sequence: int) -> OutboxMessage:
    [message] = [m for m in outbox_messages(kind="request", briefing_id=briefing.id,
                                            sequence=sequence) if m.to_address == email]
    return message


def attendee_params(message: OutboxMessage) -> dict:
    event = Calendar.from_ical(message.ics).walk("VEVENT")[0]
    return dict(event["ATTENDEE"].params)


def answer(briefing: Briefing, email: str, reply: str) -> None:
    briefings.answer_by_link(invitations.rsvp_token(invitation_for(briefing, email)), reply)


def test_a_moved_briefing_s_update_begins_with_the_change_of_time(second):
    briefings.reschedule(second.id, second.start_at + MOVED_A_DAY, None, SECRETARIAT)
    compose()
    message = update_to(second, "upr@guy.example.org", 1)
    body = message.body_text
    assert ("has been updated. What changed:\n  - Time changed from Wed 23 Apr 2025, "
            "10:00–11:30 to Thu 24 Apr 2025, 15:00–16:30.\n") in body
    assert body.index("What changed") < body.index("Agenda:")
    assert "<li>Time changed from Wed 23 Apr 2025, 10:00–11:30 to Thu 24 Apr 2025, " \
           "15:00–16:30.</li>" in message.body_html
    # a change of time asks everyone again
    assert "Please answer (one click)" in body
    assert attendee_params(message).get("RSVP") == "TRUE"


def test_a_contact_is_told_what_changed_since_the_version_it_last_received(second):
    """Moved twice before the first update went out (updates are paced to one an hour, or
    the relay was down): the second replaces it, and tells the contact of both moves."""
    first_start = second.start_at
    briefings.reschedule(second.id, first_start + timedelta(hours=4), None, SECRETARIAT)
    compose()
    held = update_to(second, "upr@guy.example.org", 1)
    assert held.status == "pending"
    briefings.reschedule(second.id, first_start + MOVED_A_DAY, None, SECRETARIAT)
    compose()
    body = update_to(second, "upr@guy.example.org", 2).body_text
    assert ("Time changed from Wed 23 Apr 2025, 10:00–11:30 to Thu 24 Apr 2025, "
            "15:00–16:30.") in body
    assert "14:00" not in body.split("Agenda:")[0], "never the version it did not receive"


def test_an_agenda_change_keeps_each_answer_and_asks_nothing_of_those_who_answered(second):
    answer(second, "upr@guy.example.org", "accept")
    answer(second, "ambassador@ind.example.org", "tentative")
    answer(second, "upr@ken.example.org", "decline")  # Kenya presents, and now does not
    second = fresh(second)
    assert second.agenda_pending
    briefings.send_new_agenda(second.id, SECRETARIAT)
    compose()

    accepted = update_to(second, "upr@guy.example.org", 1)
    body = accepted.body_text
    assert "What changed:\n  - Kenya no longer presents.\n" in body
    assert "Your answer stays as it was: Accepted. There is nothing to do." in body
    assert "Please answer" not in body
    params = attendee_params(accepted)
    assert params["PARTSTAT"] == "ACCEPTED" and "RSVP" not in params
    tentative = update_to(second, "ambassador@ind.example.org", 1)
    assert "Your answer stays as it was: Tentative." in tentative.body_text
    assert attendee_params(tentative)["PARTSTAT"] == "TENTATIVE"
    # who had not answered is still asked
    silent = update_to(second, "ambassador@guy.example.org", 1)
    assert "Please answer (one click)" in silent.body_text
    assert attendee_params(silent) | {"RSVP": "TRUE"} == attendee_params(silent)
    assert invitation_for(second, "upr@guy.example.org").partstat == "ACCEPTED"


def test_a_contact_that_received_no_earlier_version_is_not_told_of_changes(app, smtp_server):
    """Moved before its invitations went out: the update is the first thing they get."""
    [_, second] = confirm_session_49(app)
    briefings.reschedule(second.id, second.start_at + MOVED_A_DAY, None, SECRETARIAT)
    compose()
    body = update_to(second, "upr@guy.example.org", 1).body_text
    assert "What changed" not in body
    assert "Please check the time and agenda below." in body


def test_the_secretariat_s_note_goes_into_every_e_mail_of_the_version(second):
    briefings.reschedule(second.id, second.start_at + MOVED_A_DAY, None, SECRETARIAT,
                         note="The Palais is closed on Wednesday.\nThank you for your "
                              "understanding.")
    compose()
    messages = outbox_messages(kind="request", briefing_id=second.id, sequence=1)
    assert messages and all(
        "A note from the NAM Chairmanship:\n  The Palais is closed on Wednesday.\n  Thank you "
        "for your understanding.\n" in m.body_text for m in messages)
    assert all("The Palais is closed on Wednesday." in m.body_html for m in messages)
    briefings.cancel(second.id, SECRETARIAT, note="We shall propose a new date.")
    compose()
    cancellations = outbox_messages(kind="cancel", briefing_id=second.id)
    assert cancellations and all("We shall propose a new date." in m.body_text
                                 for m in cancellations)
