"""The secretariat's view of answers by e-mail: the /replies page and the roster."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nam_briefings.models import Briefing
from nam_briefings.services import replies
from tests.imap_server import reply_to
from tests.integration.invitation_helpers import confirm_session_49, invitation_for
from tests.integration.web_helpers import HTML, action_links, page, text

IND = "ambassador@ind.example.org"


@pytest.fixture
def first(app) -> Briefing:
    return confirm_session_49(app)[0]


def test_the_replies_page_needs_a_login(client, first):
    response = client.get("/replies", headers=HTML)
    assert response.status_code == 302 and "/login" in response.location


def test_a_viewer_sees_every_reply_and_its_outcome_newest_first(client, login, first):
    invitation = invitation_for(first, IND)
    replies.apply_message(reply_to(invitation, "ACCEPTED", comment="Gladly.",
                                   dtstamp=datetime(2025, 3, 5, 10, 0, tzinfo=timezone.utc)))
    replies.apply_message(reply_to(invitation, "DECLINED", attendee="intruder@evil.example.com"))
    replies.apply_message(reply_to(invitation, "TENTATIVE", uid="lunch@outlook.example"))
    login("viewer")
    html = page(client, "/replies")
    content = text(html)
    assert "Applied: 1" in content and "Rejected: 1" in content and "Unknown event: 1" in content
    assert "Stale: 0" in content
    rows = content.split("Why")[1]
    assert rows.index("Unknown event") < rows.index("Rejected") < rows.index("Applied")
    assert (f"Accepted by {IND} SEQUENCE 0, made Wed 5 Mar 2025, 11:00 CET “Gladly.”"
            in content)
    assert "intruder@evil.example.com is not invited and is not an address of any mission on file" \
        in content
    assert "UID lunch@outlook.example Unknown event no briefing has this UID" in content
    assert f'href="/briefings/{first.id}">Briefing of Tue 22 Apr 2025</a>' in html

    only_rejected = text(page(client, "/replies?outcome=rejected"))
    assert "intruder@evil.example.com" in only_rejected
    assert "Gladly" not in only_rejected and "lunch@outlook.example" not in only_rejected
    assert "No stale replies yet." in text(page(client, "/replies?outcome=stale"))


def test_an_empty_page_says_whether_the_mailbox_is_read(app, client, login, first):
    login("viewer")
    assert "The mailbox is not read: set IMAP_HOST" in text(page(client, "/replies"))
    app.config["IMAP_HOST"] = "imap.chair.example.org"
    content = text(page(client, "/replies"))
    assert "No replies yet." in content and "IMAP_HOST" not in content


def test_the_roster_shows_the_comment_and_who_answered_for_the_mission(client, login, first):
    replies.apply_message(reply_to(invitation_for(first, IND), "DECLINED",
                                   attendee="mission.ind@example.org",
                                   comment="The Ambassador is travelling."))
    login("viewer")
    roster = text(page(client, f"/briefings/{first.id}"))
    assert ("Ambassador IND (Ambassador, ambassador@ind.example.org): Declined" in roster)
    assert "via email “The Ambassador is travelling.” Note: answered from mission.ind@example.org " \
        "(the functional mailbox), not an invited address; recorded for Ambassador IND " \
        "<ambassador@ind.example.org> of India" in roster
    assert "Focal point IND (Focal point, upr@ind.example.org): No answer yet" in roster


def test_the_dashboard_calls_out_refused_answers(client, login, first):
    invitation = invitation_for(first, IND)
    replies.apply_message(reply_to(invitation, "ACCEPTED"))
    login("viewer")
    assert not any("refused" in action for action in action_links(page(client, "/")))
    replies.apply_message(reply_to(invitation, "DECLINED", attendee="intruder@evil.example.com"))
    replies.apply_message(reply_to(invitation, "DECLINED", attendee="other@evil.example.com"))
    links = action_links(page(client, "/"))
    assert links["2 e-mailed answers refused in the last 7 days — check who meant what"] \
        == "/replies?outcome=rejected"
