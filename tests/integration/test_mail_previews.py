"""Before invitations, updates or cancellations go out, the page shows the exact e-mail a
mission will receive (its text and the calendar entry in words) with the secretariat's
note; showing it saves, queues and sends nothing, and the note goes into every e-mail."""
from __future__ import annotations

from datetime import timedelta

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, BriefingVersion, Fanout, OutboxMessage
from nam_briefings.services import briefings, clock, invitations, outbox
from tests.integration.invitation_helpers import (
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
    plan_session_49,
)
from tests.integration.web_helpers import page, post, text

NOTE = "Interpretation into French and Spanish will be provided."


def nothing_changed(before: dict) -> None:
    assert counts() == before, "a preview saves, queues and sends nothing"


def counts() -> dict:
    db.session.expire_all()
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Briefing, Fanout, OutboxMessage, AuditEvent, BriefingVersion)}


def preview_section(html: str) -> str:
    content = text(html)
    assert "as a mission will receive it" in content, content[:2000]
    return content.split("as a mission will receive it", 1)[1]


@pytest.fixture
def sent(app, smtp_server) -> list[Briefing]:
    """Session 49 confirmed, its invitations delivered three days ago."""
    made = confirm_session_49(app)
    outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
    db.session.expire_all()
    return [db.session.get(Briefing, b.id) for b in made]


def test_confirming_shows_the_invitation_and_puts_the_note_into_every_one(client, login, app):
    key = plan_session_49(app)
    login("editor")
    url = f"/sessions/49/proposals/{key}/confirm"
    section = preview_section(page(client, url))
    assert "Subject NAM ambassadorial briefing before UPR49, Tue 22 Apr 2025 10:00" in section
    assert "has the honour to invite your Mission" in section
    assert "In the calendar adds the meeting" in section
    assert "Answer asked yes" in section
    assert "[Ambassador GUY's own accept link]" in section  # a placeholder, never a live link
    before = counts()
    shown = post(client, url, {"note": NOTE, "preview": "1"})
    assert shown.status_code == 200
    assert f"A note from the NAM Chairmanship: {NOTE}" in preview_section(
        shown.get_data(as_text=True))
    nothing_changed(before)

    assert post(client, url, {"note": NOTE}).status_code == 302
    compose()
    invites = outbox_messages(kind="request")
    assert invites and all(NOTE in m.body_text and NOTE in m.body_html for m in invites)


def test_a_note_too_long_is_refused_and_nothing_is_sent(client, login, app):
    key = plan_session_49(app)
    login("editor")
    before = counts()
    refused = post(client, f"/sessions/49/proposals/{key}/confirm", {"note": "x" * 2001})
    assert refused.status_code == 400
    assert "Keep the note under 2,000 characters." in text(refused.get_data(as_text=True))
    nothing_changed(before)


def test_rescheduling_shows_the_update_for_the_time_chosen(client, login, sent):
    _, second = sent
    login("editor")
    url = f"/briefings/{second.id}/reschedule"
    assert "Choose a free time, or give a new time" in text(page(client, url))
    before = counts()
    shown = post(client, url, {"day": "2025-04-24", "start_time": "15:00", "note": NOTE,
                               "preview": "1"})
    assert shown.status_code == 200
    section = preview_section(shown.get_data(as_text=True))
    assert ("What changed: - Time changed from Wed 23 Apr 2025, 10:00–11:30 to Thu 24 Apr 2025, "
            "15:00–16:30.") in section
    assert NOTE in section
    assert "When Thu 24 Apr 2025, 15:00–16:30 CEST (Geneva time)" in section
    assert "Answer asked yes" in section
    nothing_changed(before)
    db.session.expire_all()
    assert db.session.get(Briefing, second.id).sequence == 0


def test_the_new_agenda_step_shows_the_update_that_keeps_answers(client, login, sent):
    _, second = sent
    briefings.answer_by_link(invitations.rsvp_token(
        invitation_for(second, "upr@ken.example.org")), "decline")
    login("editor")
    html = page(client, f"/briefings/{second.id}/new-agenda")
    section = preview_section(html)
    assert "What changed: - Kenya no longer presents." in section
    assert "The entry's description" in section
    before = counts()
    assert post(client, f"/briefings/{second.id}/new-agenda",
                {"note": NOTE, "preview": "1"}).status_code == 200
    nothing_changed(before)
    assert post(client, f"/briefings/{second.id}/new-agenda", {"note": NOTE}).status_code == 302
    compose()
    updates = outbox_messages(kind="request", sequence=1, briefing_id=second.id)
    assert updates and all(NOTE in m.body_text for m in updates)


def test_cancelling_shows_the_cancellation(client, login, sent):
    first, _ = sent
    login("editor")
    section = preview_section(page(client, f"/briefings/{first.id}/cancel"))
    assert "has been cancelled. It will be removed from your calendar." in section
    assert "In the calendar removes the meeting" in section
    assert "Answer asked" not in section
    assert "METHOD CANCEL" in section and "SEQUENCE 1" in section


def test_a_time_set_by_hand_shows_its_invitation_first(client, login, app):
    plan_session_49(app)
    login("editor")
    form = {"day": "2025-04-22", "start_time": "10:00", "end_time": "11:30",
            "room": "Room XXIV, Palais des Nations", "states": ["GUY", "GRD"], "note": NOTE,
            "preview": "1"}
    before = counts()
    shown = post(client, "/sessions/49/briefings/manual", form)
    assert shown.status_code == 200
    section = preview_section(shown.get_data(as_text=True))
    assert "Tuesday 22 April 2025, 10:00–11:30 CEST" in section and NOTE in section
    nothing_changed(before)
    refused = post(client, "/sessions/49/briefings/manual", {**form, "day": "2025-04-18"})
    assert refused.status_code == 400
    assert "Good Friday" in text(refused.get_data(as_text=True))
    nothing_changed(before)
