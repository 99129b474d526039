"""A briefing's roster at the Movement's size: narrowed, searched, ordered; and reminding,
by hand, those who have not answered (a preview of who gets what, then once a day)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, OutboxMessage
from nam_briefings.services import briefings, clock, invitations, outbox, reminders
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)
from tests.integration.web_helpers import page, post, text


@pytest.fixture
def second(app, smtp_server) -> Briefing:
    """Session 49's second briefing (Kenya and Lao PDR present; Guyana and India do not),
    its invitations sent three days before "today" (so that reminders may go), and
    answers from Lao PDR (accepts) and India (declines)."""
    [_, second] = confirm_session_49(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
    for email, reply in (("upr@lao.example.org", "accept"), ("ambassador@ind.example.org",
                                                              "decline")):
        briefings.answer_by_link(invitations.rsvp_token(invitation_for(second, email)), reply)
    db.session.expire_all()
    return db.session.get(Briefing, second.id)


def roster_of(client, briefing: Briefing, query: str = "", status: int = 200) -> str:
    """The roster part of the briefing's page (its text), with the query string given."""
    content = text(page(client, f"/briefings/{briefing.id}?{query}", status))
    return content.split("Contacts' answers", 1)[1] if "Contacts' answers" in content else ""


def reminders_queued(briefing: Briefing) -> list[OutboxMessage]:
    return outbox_messages(kind="reminder", briefing_id=briefing.id)


# --- narrowing the roster ---------------------------------------------------------------------

def test_the_roster_narrows_by_the_mission_s_answer(client, login, second):
    login("viewer")
    assert _missions(roster_of(client, second, "answer=none")) == ["Kenya", "Guyana"]
    assert _missions(roster_of(client, second, "answer=accepted")) == ["Lao"]
    assert _missions(roster_of(client, second, "answer=declined")) == ["India"]
    content = text(page(client, f"/briefings/{second.id}?answer=none"))
    assert "2 of 4 missions match." in content


def test_the_roster_narrows_to_presenters_to_a_role_and_by_search(client, login, second):
    login("viewer")
    assert _missions(roster_of(client, second, "presenting=yes")) == ["Kenya", "Lao"]
    assert _missions(roster_of(client, second, "presenting=no")) == ["Guyana", "India"]
    ambassadors = roster_of(client, second, "role=ambassador")
    assert "Ambassador KEN" in ambassadors and "Focal point KEN" not in ambassadors
    # a search finds a state by name or code, or one contact by name or address
    assert _missions(roster_of(client, second, "q=lao")) == ["Lao"]
    assert _missions(roster_of(client, second, "q=GUY")) == ["Guyana"]
    found = roster_of(client, second, "q=upr%40ind")
    assert _missions(found) == ["India"]
    assert "Focal point IND" in found and "Ambassador IND" not in found
    assert "No mission matches" in text(page(client, f"/briefings/{second.id}?q=atlantis"))


def test_the_roster_sorts_by_name_answer_and_latest_answer(client, login, second):
    login("viewer")
    assert _missions(roster_of(client, second)) == ["Kenya", "Lao", "Guyana", "India"]
    assert _missions(roster_of(client, second, "sort=name")) == ["Guyana", "India", "Kenya",
                                                                  "Lao"]
    assert _missions(roster_of(client, second, "sort=answer")) == ["Guyana", "Kenya", "India",
                                                                    "Lao"]
    # India answered last (after Lao PDR); those without an answer come after
    assert _missions(roster_of(client, second, "sort=answered"))[:2] == ["India", "Lao"]


def test_an_unknown_filter_value_is_refused_with_a_message_and_the_whole_roster(client, login,
                                                                                 second):
    login("viewer")
    content = text(page(client, f"/briefings/{second.id}?answer=maybe", 400))
    assert "Unknown answer 'maybe': one of accepted, tentative, declined, none." in content
    assert "The whole roster is shown." in content
    assert _missions(content.split("Contacts' answers", 1)[1]) == ["Kenya", "Lao", "Guyana",
                                                                   "India"]


def _missions(roster: str) -> list[str]:
    """The missions a roster's text lists, in order (by their first word)."""
    names = {"Kenya": "Kenya KEN", "Lao": "Lao People's Democratic Republic LAO",
             "Guyana": "Guyana GUY", "India": "India IND"}
    found = [(roster.index(full), short) for short, full in names.items() if full in roster]
    return [short for _, short in sorted(found)]


# --- reminding those who have not answered ---------------------------------------------------

def test_the_preview_says_exactly_who_gets_a_reminder_and_shows_it(client, login, second):
    login("editor")
    content = text(page(client, f"/briefings/{second.id}/remind"))
    assert "2 missions have not answered yet" in content
    assert "4 reminders will go" in content
    for email in ("ambassador@ken.example.org", "upr@ken.example.org",
                  "ambassador@guy.example.org", "upr@guy.example.org"):
        assert email in content
    # a mission that answered through one contact is not reminded through the other
    assert "ambassador@lao.example.org" not in content and "@ind.example.org" not in content
    assert "Subject Reminder: NAM ambassadorial briefing before UPR49, Wed 23 Apr 2025" in content
    assert "We have not yet received your answer" in content
    assert reminders_queued(second) == []  # looking sends nothing


def test_reminding_queues_one_each_and_a_double_click_queues_nothing_more(client, login,
                                                                          second):
    login("editor")
    response = post(client, f"/briefings/{second.id}/remind")
    assert response.status_code == 302
    queued = reminders_queued(second)
    assert sorted(m.to_address for m in queued) == [
        "ambassador@guy.example.org", "ambassador@ken.example.org", "upr@guy.example.org",
        "upr@ken.example.org"]
    assert all(m.status == "pending" and "We have not yet received your answer" in m.body_text
               for m in queued)
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="briefing.remind")).one()
    assert event.target_id == str(second.id) and event.details.startswith("4 reminders")

    again = post(client, f"/briefings/{second.id}/remind")  # the second click of a double click
    assert again.status_code == 302
    assert len(reminders_queued(second)) == 4
    content = text(page(client, f"/briefings/{second.id}/remind"))
    assert "0 reminders will go" in content and "Already reminded by hand today." in content


def test_two_editors_reminding_at_once_queue_each_reminder_once(app, second):
    """Two requests at the same moment (each in its own app context and session)."""
    barrier = threading.Barrier(2)
    results: list[int | BaseException] = []

    def remind() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(reminders.send(second.id, SECRETARIAT))
            except BaseException as error:  # noqa: BLE001 - reported below
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=remind) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=str) == [0, 4], results
    db.session.expire_all()
    assert len(reminders_queued(second)) == 4


def test_no_reminder_by_hand_on_a_day_the_contact_was_reminded_or_beside_an_update(app,
                                                                                    second):
    automatic = invitations.queue_due_reminders(invitations.reminder_moment(second, 2))
    assert automatic  # the automatic reminders of two working days before
    db.session.commit()
    outbox.deliver_all(ignore_backoff=True, now=clock.now())  # they go today
    plan = reminders.plan(second)
    assert plan.to_send == []
    assert {r.why_not for r in plan.skipped} == {"a reminder already went to this contact today"}
    assert reminders.send(second.id, SECRETARIAT) == 0
    assert not [m for m in reminders_queued(second) if ":asked-" in m.idempotency_key]


def test_a_cancelled_briefing_or_one_waiting_for_a_decision_is_not_reminded_of(app, second):
    invitation = invitation_for(second, "upr@ken.example.org")
    briefings.answer_by_link(invitations.rsvp_token(invitation), "decline")
    db.session.expire_all()
    waiting = db.session.get(Briefing, second.id)
    assert waiting.agenda_pending, "Kenya's presenter declined: the agenda waits"
    assert "decide first" in reminders.why_refused(waiting, clock.now())
    with pytest.raises(Invalid, match="decide first"):
        reminders.send(second.id, SECRETARIAT)
    briefings.cancel(second.id, SECRETARIAT)
    db.session.expire_all()
    assert "cancelled" in reminders.why_refused(db.session.get(Briefing, second.id), clock.now())
    assert reminders_queued(second) == []


def test_just_after_the_invitation_nobody_is_reminded_and_the_page_says_why(client, login,
                                                                             app, smtp_server):
    [_, second] = confirm_session_49(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now())  # the invitations go "today"
    login("editor")
    content = text(page(client, f"/briefings/{second.id}/remind"))
    assert "0 reminders will go" in content
    assert ("The invitation was sent Mon 3 Mar 2025 00:00 (it reminds); no reminder within a "
            "day of it.") in content  # the dates as written, not lower-cased


def test_the_page_says_why_nobody_is_reminded_in_its_language(client, login, app, smtp_server):
    """The pacing rules' reasons are written in the page's language (the outbox stores them
    in English)."""
    [_, second] = confirm_session_49(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now())
    login("editor")
    french = text(page(client, f"/briefings/{second.id}/remind?lang=fr"))
    assert ("L'invitation a été envoyée le lundi 3 mars 2025 à 00 h 00 (elle fait office de "
            "rappel)") in french, french
    arabic = page(client, f"/briefings/{second.id}/remind?lang=ar")
    assert "it reminds" not in arabic and 'lang="en"' not in arabic.split("<main")[1]
