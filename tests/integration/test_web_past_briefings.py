"""Briefings in the past: marked as such, and sending invitations for them (confirming,
setting by hand, rescheduling) needs an explicit extra confirmation, checked by the
services themselves (`allow_past`), the web pages and the CLI (`--allow-past`).

Session 49 is planned on 3 March 2025 (its first proposed meeting: Tue 22 April); then
"today" moves to 23 April, when that meeting is over.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.domain.errors import Invalid
from nam_briefings.extensions import db
from nam_briefings.models import Briefing
from nam_briefings.services import briefings
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49, plan_session_49
from tests.integration.web_helpers import field_error, page, post, text

PAST_LABEL = "I understand this briefing is in the past: send the invitations anyway"
ROOM = "Room XXIV, Palais des Nations"


def stored() -> list[Briefing]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Briefing).order_by(Briefing.start_at)))


@pytest.fixture
def past_proposal(app) -> str:
    """Session 49 planned on 3 March; "today" is now 23 April. The best proposal's key."""
    key = plan_session_49(app)
    app.config["TODAY"] = date(2025, 4, 23)
    return key


def test_confirming_a_past_proposal_needs_the_tick(client, login, past_proposal):
    login("editor")
    assert "In the past" in text(page(client, "/sessions/49").split('id="briefing"')[1])
    url = f"/sessions/49/proposals/{past_proposal}/confirm"
    step = page(client, url)
    assert "In the past This proposal has a meeting in the past" in text(step)
    assert PAST_LABEL in text(step)

    refused = post(client, url)
    assert refused.status_code == 400
    assert field_error(refused.get_data(as_text=True), "allow_past") == (
        "Tue 22 Apr 2025 10:00 CEST is in the past: confirm explicitly that invitations should "
        "go out for a past date. Tick the box to go ahead.")
    assert stored() == []

    response = post(client, url, {"allow_past": "y"})
    assert response.status_code == 302 and len(stored()) == 2
    html = page(client, "/sessions/49")
    first, second = html.split('id="briefing"')[1].split("Wed 23 Apr 2025, 10:00 CEST")[:2]
    assert "In the past" in first and "In the past" not in second.split("</article>")[0]
    assert "In the past" in text(page(client, f"/briefings/{stored()[0].id}"))


def test_an_upcoming_proposal_needs_no_tick(app, client, login):
    key = plan_session_49(app)
    login("editor")
    step = page(client, f"/sessions/49/proposals/{key}/confirm")
    assert PAST_LABEL not in text(step) and "In the past" not in text(step)
    assert post(client, f"/sessions/49/proposals/{key}/confirm").status_code == 302


def test_the_service_refuses_unless_allowed(past_proposal):
    with pytest.raises(Invalid) as refused:
        briefings.confirm_proposal(past_proposal, SECRETARIAT)
    assert refused.value.field == "allow_past" and stored() == []
    assert len(briefings.confirm_proposal(past_proposal, SECRETARIAT, allow_past=True)) == 2


def test_the_cli_needs_allow_past(runner, past_proposal):
    refused = runner.invoke(args=["confirm", past_proposal])
    assert refused.exit_code == 1
    assert "is in the past" in refused.output and "(give --allow-past)" in refused.output
    assert stored() == []
    done = runner.invoke(args=["confirm", past_proposal, "--allow-past"])
    assert done.exit_code == 0, done.output
    assert len(stored()) == 2

    first = stored()[0]
    moved = runner.invoke(args=["briefings", "reschedule", str(first.id),
                                "--start", "2025-04-15T10:00"])
    assert moved.exit_code == 1 and "(give --allow-past)" in moved.output
    assert stored()[0].sequence == 0
    moved = runner.invoke(args=["briefings", "reschedule", str(first.id),
                                "--start", "2025-04-15T10:00", "--allow-past"])
    assert moved.exit_code == 0, moved.output
    assert stored()[0].start_at == datetime(2025, 4, 15, 10, 0, tzinfo=GENEVA)


def test_a_time_set_by_hand_in_the_past_needs_the_tick(client, login, past_proposal):
    login("editor")
    form = {"day": "2025-04-22", "start_time": "10:00", "end_time": "11:30", "room": ROOM,
            "states": ["GRD", "GUY"]}
    assert PAST_LABEL in text(page(client, "/sessions/49"))  # the window has begun
    refused = post(client, "/sessions/49/briefings/manual", form)
    assert refused.status_code == 400
    assert "Tue 22 Apr 2025 10:00 CEST is in the past" in field_error(
        refused.get_data(as_text=True), "allow_past")
    assert stored() == []
    response = post(client, "/sessions/49/briefings/manual", {**form, "allow_past": "y"})
    assert response.status_code == 302 and len(stored()) == 1


def test_rescheduling_into_the_past_is_refused_by_the_service(app):
    first, _ = confirm_session_49(app)
    with pytest.raises(Invalid) as refused:
        briefings.reschedule(first.id, datetime(2025, 3, 1, 10, 0, tzinfo=GENEVA), None,
                             SECRETARIAT)
    assert refused.value.field == "allow_past"
    assert stored()[0].sequence == 0
