"""A presenter's decline waits for the secretariat's decision (issue 14, point 2).

Before, one presenting contact's decline released Tunisia's slot and at once sent 242
"Updated" e-mails, without anyone at the secretariat deciding. Now the slot is released,
the secretariat is told, the dashboard asks for a decision, and nothing goes to the missions
until it chooses: send the new agenda, re-plan the meeting, or cancel it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Fanout, OutboxMessage
from nam_briefings.services import briefings, dashboard, fanout, invitations
from tests.integration.invitation_helpers import (
    CONTACTS,
    SECRETARIAT,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)
from tests.integration.web_helpers import page, post, text

PRESENTER = "upr@guy.example.org"  # Guyana presents at the first briefing


@pytest.fixture
def first(app) -> Briefing:
    return confirm_session_49(app)[0]


def decline(briefing: Briefing) -> None:
    invitation = invitation_for(briefing, PRESENTER)
    briefings.answer_by_link(invitations.rsvp_token(invitation), "decline")
    db.session.expire_all()


def to_missions(briefing: Briefing) -> list[OutboxMessage]:
    """What is queued to the missions' contacts beyond the first invitations."""
    return [m for m in outbox_messages(briefing_id=briefing.id)
            if m.kind != "notice" and (m.sequence or 0) > 0]


def fresh(briefing: Briefing) -> Briefing:
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def test_a_presenter_s_decline_queues_nothing_to_the_missions_until_the_secretariat_chooses(
        app, first):
    decline(first)
    briefing = fresh(first)
    assert {i.review.state_iso3: i.slot_status for i in briefing.items}["GUY"] == "declined"
    assert briefing.agenda_pending and briefing.sequence == 0
    assert fanout.unfinished(briefing.id) == [] and to_missions(briefing) == []
    [notice] = outbox_messages(kind="notice")
    assert notice.subject.startswith("Guyana no longer presents at the NAM briefing of ")
    assert f"/briefings/{briefing.id}" in notice.body_text
    [action] = [a for a in dashboard.dashboard().actions if a.kind == "decision"]
    assert action.briefing_id == briefing.id and action.text.startswith(
        "Guyana no longer presents at the briefing of Tue 22 Apr 2025 (session 49): "
        "nothing has been sent yet")

    assert briefings.send_new_agenda(briefing.id, SECRETARIAT) == CONTACTS
    compose()
    briefing = fresh(first)
    assert not briefing.agenda_pending and briefing.sequence == 1
    assert {(m.kind, m.sequence) for m in to_missions(briefing)} == {("request", 1)}
    assert len(to_missions(briefing)) == CONTACTS
    assert [a for a in dashboard.dashboard().actions if a.kind == "decision"] == []
    with pytest.raises(Invalid, match="not waiting for a decision any more"):
        briefings.send_new_agenda(briefing.id, SECRETARIAT)  # a second click sends nothing
    assert len(to_missions(fresh(first))) == CONTACTS


def test_the_setting_restores_automatic_updates(app, first):
    app.config["AUTO_AGENDA_UPDATES"] = True
    decline(first)
    briefing = fresh(first)
    assert not briefing.agenda_pending and briefing.sequence == 1
    assert [f.kind for f in fanout.unfinished(briefing.id)] == ["update"]
    assert outbox_messages(kind="notice") == []


def test_re_planning_sends_the_new_time_with_the_new_agenda_once(app, first):
    decline(first)
    result = briefings.reschedule(first.id, first.start_at + timedelta(hours=1), None,
                                  SECRETARIAT)
    briefing = fresh(first)
    assert not briefing.agenda_pending and briefing.sequence == 1
    assert result.notified == CONTACTS
    on_agenda = [i for i in briefing.items if i.slot_status != "declined"]
    opening = min(i.start_at for i in briefing.items) - briefing.start_at
    assert on_agenda[0].start_at == briefing.start_at + opening  # closed up, then moved
    compose()
    assert len(to_missions(briefing)) == CONTACTS


def test_cancelling_instead_sends_only_the_cancellation(app, first):
    decline(first)
    briefings.cancel(first.id, SECRETARIAT)
    compose()
    briefing = fresh(first)
    assert not briefing.agenda_pending
    assert {m.kind for m in to_missions(briefing)} == {"cancel"}


def test_viewers_see_the_decision_waiting_without_its_buttons(app, client, login, first):
    decline(first)
    login("viewer")
    html = page(client, f"/briefings/{first.id}")
    assert "Your decision: Guyana no longer presents Nothing has been sent" in text(html)
    assert "An editor of the secretariat will choose" in text(html)
    assert "/new-agenda" not in html


def test_the_briefing_page_offers_the_three_choices_and_sends_on_the_first(app, client, login,
                                                                          first):
    decline(first)
    login("editor")
    html = page(client, f"/briefings/{first.id}")
    for choice in ("Keep the meeting and send the new agenda", "Re-plan the meeting…",
                   "Cancel it…"):
        assert choice in html
    assert post(client, f"/briefings/{first.id}/new-agenda").status_code == 302
    assert fresh(first).sequence == 1
    content = text(page(client, f"/briefings/{first.id}"))
    assert "New agenda queued to 8 contacts" in content
    # a shorter agenda in the same booking is explained, not left to puzzle over
    assert ("The presentations end at 11:10 CEST; the meeting is booked until 11:30 CEST, "
            "which leaves 20 minutes for questions and the Chair's closing.") in content
    again = post(client, f"/briefings/{first.id}/new-agenda")  # clicked twice
    assert again.status_code == 400
    assert "not waiting for a decision any more" in text(again.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count()).select_from(Fanout).where(
        Fanout.briefing_id == first.id, Fanout.kind == "update")) == 1
