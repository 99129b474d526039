"""The dashboard (`/`): the next sessions, what needs action, the outbox's health.

Runs on the shipped data: sessions 38–51, the last ending on 30 January 2026. On the
real "today" of the service (1 December 2026) no session is upcoming; pinned to 3 March
2025, sessions 49 and 50 are.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from nam_briefings.services import briefings, invitations, outbox, sessions
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    confirm_session_49,
    invitation_for,
    plan_session_49,
)
from tests.integration.web_helpers import HTML, action_links, needs_action, page, text


@pytest.fixture
def shipped(app):
    """The shipped calendar without the rotation's forecast, "today" pinned to 1 December
    2026: no upcoming session is known (as before the forecast, or where it is not applied)."""
    app.config["TODAY"] = date(2026, 12, 1)
    seed_reference_data(Actor.system(), forecast=False)


def section(html: str, heading_id: str) -> str:
    """The visible text of the section whose heading has this id."""
    return text(html.split(f'id="{heading_id}">')[1].split("</section>")[0])


# --- getting there -------------------------------------------------------------------------


def test_the_home_page_is_the_dashboard_and_login_lands_there(client, login, shipped):
    assert client.get("/", headers=HTML).location.startswith("/login")
    login("viewer")
    html = page(client, "/")
    assert "<h1>Dashboard</h1>" in html
    nav = html.split('aria-label="Main">')[1].split("</nav>")[0]
    assert text(nav).startswith("Dashboard Sessions")
    assert re.search(r'<a href="/"\s+aria-current="page">Dashboard</a>', nav)


# --- no upcoming session -----------------------------------------------------------------


def test_without_an_upcoming_session_it_says_so_and_offers_to_add_one(client, login, shipped):
    login("editor")
    html = page(client, "/")
    panel = section(html, "no-upcoming-heading")
    assert panel.startswith("No upcoming UPR session is known")
    assert "the last, session 51, ended on Fri 30 Jan 2026" in panel
    assert "The form suggests session 52 (cycle 4)." in panel
    assert '<a class="button" href="/sessions/new">Add the next session</a>' in html
    assert 'href="/sessions/import">Import sessions and reviews (CSV)</a>' in html
    assert action_links(html) == {
        "No upcoming UPR session is known: add the next session": "/sessions/new"}
    # past sessions stay browsable and plannable from here
    recent = section(html, "recent-heading")
    assert recent.index("UPR session 51") < recent.index("UPR session 50") \
        < recent.index("UPR session 49")
    assert "UPR session 48" not in recent
    assert "19 Jan – 30 Jan 2026 · cycle 4 Past" in recent
    assert 'href="/sessions/51"' in html


def test_viewers_see_the_dashboard_without_action_buttons(client, login, shipped):
    login("viewer")
    html = page(client, "/")
    assert "No upcoming UPR session is known" in text(html)
    assert "Ask an editor or an administrator to add it." in text(html)
    assert "/sessions/new" not in html and "/sessions/import" not in html
    assert needs_action(html) == ["No upcoming UPR session is known: add the next session"]
    assert action_links(html) == {}  # a viewer cannot act on it: no link
    assert "<button" not in html.split("</header>")[1]  # only the header's "Log out"


# --- upcoming sessions -------------------------------------------------------------------


def test_an_upcoming_session_without_proposal_lists_its_presenters(app, client, login):
    app.config["TODAY"] = date(2025, 3, 3)
    seed_reference_data(Actor.system())
    login("editor")
    html = page(client, "/")
    assert "No upcoming UPR session is known" not in text(html)
    upcoming = section(html, "next-heading")
    card = upcoming.split("UPR session 50")[0]
    assert card.startswith("Next sessions UPR session 49 28 Apr – 9 May 2025 · cycle 4 · "
                           "starts in 56 days")
    assert ("NAM presenters, in order of review: Grenada (GRD), Guinea (GIN), "
            "Guinea-Bissau (GNB), Guyana (GUY), Kenya (KEN), Kuwait (KWT), Lesotho (LSO), "
            "Lao People's Democratic Republic (LAO)") in card
    assert "Briefing: no proposal yet." in card
    assert action_links(html)["Propose briefing times for session 49"] == \
        "/sessions/49#briefing"
    assert "Propose briefing times for session 50" in action_links(html)
    # the link the browser tests follow
    assert '<a href="/sessions/49">UPR session 49</a>' in html


def test_open_proposals_ask_for_a_confirmation(app, client, login):
    plan_session_49(app)
    login("editor")
    html = page(client, "/")
    card = section(html, "next-heading").split("UPR session 50")[0]
    assert "Briefing: 5 open proposals, none confirmed yet. Review the proposals" in card
    assert action_links(html)["Confirm a proposal for session 49"] == "/sessions/49#briefing"


def test_a_confirmed_briefing_shows_answers_and_unconfirmed_slots(app, client, login):
    first, second = confirm_session_49(app)
    guyana = invitation_for(first, "upr@guy.example.org")
    briefings.answer_by_link(invitations.rsvp_token(guyana), "accept")
    kenya = invitation_for(second, "ambassador@ken.example.org")
    briefings.answer_by_link(invitations.rsvp_token(kenya), "tentative")
    india = invitation_for(second, "upr@ind.example.org")
    briefings.answer_by_link(invitations.rsvp_token(india), "decline")
    login("viewer")
    html = page(client, "/")
    card = section(html, "next-heading").split("UPR session 50")[0]
    assert "Briefing: 2 confirmed briefings:" in card
    one, two = card.split("Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST")[1].split(
        "Wed 23 Apr 2025, 10:00 CEST – 11:30 CEST")
    assert ("Missions' answers: 1 accepted · 0 tentative · 0 declined · 3 no answer yet "
            "Presenters' slots: GRD Awaiting confirmation, GIN Awaiting confirmation, "
            "GNB Awaiting confirmation, GUY Confirmed") in one
    assert "Missions' answers: 0 accepted · 1 tentative · 1 declined · 2 no answer yet" in two
    assert f'href="/briefings/{first.id}"' in html
    actions = action_links(html)
    assert actions["Briefing of Tue 22 Apr 2025: 3 presenting missions have not confirmed their "
                   "slot (GRD, GIN, GNB)"] == f"/briefings/{first.id}"  # Guyana accepted
    assert actions["Briefing of Wed 23 Apr 2025: 4 presenting missions have not confirmed their "
                   "slot (KEN, KWT, LSO, LAO)"] == f"/briefings/{second.id}"
    for iso3 in ("KEN", "LAO"):
        briefings.answer_by_link(invitations.rsvp_token(
            invitation_for(second, f"upr@{iso3.lower()}.example.org")), "accept")
    actions = action_links(page(client, "/"))
    assert actions["Briefing of Wed 23 Apr 2025: 2 presenting missions have not confirmed their "
                   "slot (KWT, LSO)"] == f"/briefings/{second.id}"
    assert not any("Confirm a proposal" in action for action in actions)
    outbox_counts = section(html, "outbox-heading")
    assert f"Waiting to be sent: {outbox.status_counts()['pending']}" in outbox_counts
    assert "Failed: 0" in outbox_counts


def test_a_briefing_in_the_past_is_marked_and_needs_no_action(app, client, login):
    first, second = confirm_session_49(app)
    app.config["TODAY"] = date(2025, 4, 23)  # the first briefing (22 Apr) is over
    login("editor")
    html = page(client, "/")
    card = section(html, "next-heading").split("UPR session 50")[0]
    one, two = card.split("Wed 23 Apr 2025, 10:00 CEST")
    assert "In the past" in one and "In the past" not in two
    actions = action_links(html)
    assert not any(url == f"/briefings/{first.id}" for url in actions.values())
    assert any(url == f"/briefings/{second.id}" for url in actions.values())


def test_a_briefing_flagged_after_the_session_moved_needs_review(app, client, login):
    first, second = confirm_session_49(app)
    sessions.update_session(49, 4, date(2025, 5, 5), date(2025, 5, 16), SECRETARIAT)
    login("editor")
    html = page(client, "/")
    actions = action_links(html)
    assert actions["Briefing of Tue 22 Apr 2025 (session 49) flagged for review after the "
                   "session's dates changed"] == f"/briefings/{first.id}"
    assert actions["Briefing of Wed 23 Apr 2025 (session 49) flagged for review after the "
                   "session's dates changed"] == f"/briefings/{second.id}"
    assert "Needs review" in section(html, "next-heading")


# --- the outbox ----------------------------------------------------------------------------


def test_failed_messages_are_counted_and_linked_to_retry(app, client, login, smtp_server):
    confirm_session_49(app)
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    report = outbox.deliver_all(ignore_backoff=True)
    assert report.failed > 0
    login("editor")
    html = page(client, "/")
    failed = outbox.status_counts()["failed"]
    assert action_links(html)[f"{failed} messages failed — retry"] == "/outbox?status=failed"
    assert needs_action(html)[0] == f"{failed} messages failed — retry"
    assert f"Failed: {failed}" in section(html, "outbox-heading")
    assert 'href="/outbox?status=failed" class="is-failed"' in html
    # the retry button waits on the page linked to
    assert "Retry" in text(page(client, "/outbox?status=failed"))


def test_messages_waiting_for_the_relay_are_said_and_linked(app, client, login):
    from tests.conftest import free_port

    confirm_session_49(app)
    app.extensions["mail"].port = free_port()  # nothing listens there: the relay is down
    report = outbox.deliver_all(ignore_backoff=True)
    assert report.sent == 0
    waiting = outbox.status_counts()["waiting"]
    assert waiting > 0 and outbox.status_counts()["failed"] == 0
    login("viewer")
    html = page(client, "/")
    line = (f"{waiting} messages waiting for the mail relay, which cannot be reached — "
            "they go out by themselves when it is back")
    assert action_links(html)[line] == "/outbox?status=waiting"
    assert f"Waiting for the mail relay: {waiting}" in section(html, "outbox-heading")


def test_a_session_in_progress_asks_for_nothing(app, client, login):
    app.config["TODAY"] = date(2025, 5, 1)  # session 49 runs from 28 April to 9 May
    seed_reference_data(Actor.system())
    login("editor")
    html = page(client, "/")
    card = section(html, "next-heading").split("UPR session 50")[0]
    assert "28 Apr – 9 May 2025 · cycle 4 In progress" in card
    assert not any("session 49" in action for action in needs_action(html))
    assert "Propose briefing times for session 50" in needs_action(html)
