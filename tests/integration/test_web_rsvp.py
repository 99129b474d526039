"""The public RSVP pages behind the one-click links of the invitation e-mail.

Opening a link shows the briefing and records nothing (mail scanners open links);
confirming records the answer; a presenting mission's decline takes it off the agenda.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, Invitation
from nam_briefings.services import briefings, invitations
from tests.conftest import csrf_token_from
from tests.integration.invitation_helpers import (
    assert_slot_released,
    SECRETARIAT,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)
from tests.integration.web_helpers import HTML, csrf_token, end_request, page, text


@pytest.fixture
def first(app) -> Briefing:
    """The first briefing of session 49: Tue 22 Apr 2025 10:00–11:30; Guyana presents."""
    return confirm_session_49(app)[0]


def link(invitation: Invitation, answer: str) -> str:
    """The path of the invitation's RSVP link for `answer`, as the e-mail gives it."""
    return urlsplit(invitations.rsvp_links(invitation)[answer]).path


def answer_via_page(client, url: str, comment: str = ""):
    """Open the link, then press the page's button (with its CSRF token)."""
    html = page(client, url)
    response = client.post(url, data={"csrf_token": csrf_token_from(html), "comment": comment},
                           headers=HTML)
    end_request()
    return response


def answers_recorded() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action)
                                   .where(AuditEvent.action == "invitation.answer")))


def test_opening_a_link_shows_the_briefing_and_records_nothing(client, first):
    invitation = invitation_for(first, "ambassador@ind.example.org")
    html = page(client, link(invitation, "accept"))  # no login needed
    content = text(html)
    assert "Your answer: Accept" in content
    assert "Answering for Ambassador IND, Permanent Mission of India in Geneva." in content
    assert "Date Tue 22 Apr 2025" in content
    assert "Time 10:00 CEST – 11:30 CEST (Geneva time)" in content
    assert "Room Room XXIV, Palais des Nations" in content
    assert "Invited to attend; India does not present at this briefing." in content
    assert "10:00 CEST Opening by the Chair" in content
    assert "11:10 CEST – 11:30 CEST Guyana (to be confirmed)" in content
    assert "Confirm: Accept" in content
    assert "Another answer? Tentative · Decline" in content
    # one click for people with JavaScript: a static script sends the form
    assert "data-auto-submit" in html and "/static/rsvp.js" in html
    assert "<script>" not in html
    stored = invitation_for(first, "ambassador@ind.example.org")
    assert (stored.partstat, stored.answered_at, stored.answered_via) == ("NEEDS-ACTION", None, "")
    assert answers_recorded() == []


def test_the_auto_submit_script_is_served(client):
    response = client.get("/static/rsvp.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    assert "navigator.webdriver" in script and "form.submit()" in script


def test_confirming_records_the_answer_and_says_so(client, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    accept = link(invitation, "accept")
    tentative = accept.replace("/accept", "/tentative")  # same token (its timestamp ticks)
    response = answer_via_page(client, accept, comment="Deputy attends too")
    assert response.status_code == 200
    content = text(response.get_data(as_text=True))
    assert "Thank you — recorded: Accepted" in content
    assert "Your comment: “Deputy attends too”" in content
    stored = invitation_for(first, "upr@ind.example.org")
    assert (stored.partstat, stored.answered_via, stored.comment) == \
        ("ACCEPTED", "link", "Deputy attends too")
    assert stored.answered_sequence == 0 and stored.answered_at is not None
    assert answers_recorded() == ["invitation.answer"]

    # the confirmation page offers the other answers, each a button of one form
    html = response.get_data(as_text=True)
    assert f'formaction="{tentative}"' in html
    changed = client.post(tentative, headers=HTML,
                          data={"csrf_token": csrf_token_from(html), "comment": ""})
    end_request()
    assert "Thank you — recorded: Tentative" in text(changed.get_data(as_text=True))
    stored = invitation_for(first, "upr@ind.example.org")
    assert stored.partstat == "TENTATIVE" and stored.comment == "Deputy attends too"


def test_a_link_for_an_answer_already_given_is_not_sent_again_by_the_script(client, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    briefings.answer_by_link(invitations.rsvp_token(invitation), "accept")
    html = page(client, link(invitation, "accept"))
    assert "Your answer so far: Accepted" in text(html)
    assert "data-auto-submit" not in html and "Confirm: Accept" in text(html)


def test_a_presenter_declining_drops_its_slot_and_everyone_gets_the_update(client, login,
                                                                         first):
    invitation = invitation_for(first, "upr@guy.example.org")
    url = link(invitation, "decline")
    html = page(client, url)
    content = text(html)
    assert "Guyana presents at 11:10 CEST (slot awaiting confirmation)." in content
    assert ("Declining releases Guyana's presentation slot. The mission is taken off the "
            "agenda and everyone invited is sent the updated invitation.") in content
    assert "data-auto-submit" not in html  # a decline with consequences needs the click
    assert outbox_messages(sequence=1) == []

    response = answer_via_page(client, url)
    content = text(response.get_data(as_text=True))
    assert "Thank you — recorded: Declined" in content
    assert ("Guyana's presentation slot has been released. It is off the agenda. The secretariat "
            "has been told and will send the new agenda to the missions invited.") in content
    assert "Guyana (to be confirmed)" not in content  # the agenda shown is the new one

    assert_slot_released(first, "GUY")

    login("viewer")
    roster = text(page(client, f"/briefings/{first.id}"))
    assert "Guyana GUY Presenter Released (off the agenda) Declined" in roster
    assert "SEQUENCE 1" in roster


def test_a_presenter_accepting_confirms_its_slot(client, first):
    invitation = invitation_for(first, "ambassador@guy.example.org")
    html = page(client, link(invitation, "accept"))
    assert "Accepting confirms Guyana's presentation slot." in text(html)
    response = answer_via_page(client, link(invitation, "accept"))
    content = text(response.get_data(as_text=True))
    assert "Thank you — recorded: Accepted" in content
    assert "Guyana's presentation slot is confirmed (11:10 CEST)." in content
    assert "Decline (releases your slot)" in content
    db.session.expire_all()
    briefing = db.session.get(Briefing, first.id)
    assert {i.review.state_iso3: i.slot_status for i in briefing.items}["GUY"] == "confirmed"
    assert briefing.sequence == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_link_shows_an_error_and_records_nothing(client, first, method):
    invitation = invitation_for(first, "upr@ind.example.org")
    token = invitations.rsvp_token(invitation)
    url = f"/rsvp/{token[:-3]}xyz/accept"
    data = {"csrf_token": csrf_token(client)} if method == "POST" else None
    response = client.open(url, method=method, data=data, headers=HTML)
    end_request()
    assert response.status_code == 400
    content = text(response.get_data(as_text=True))
    assert "This link cannot be used (400)" in content
    assert "This link is not valid: it may have been cut or changed." in content
    assert "Nothing was recorded." in content
    assert response.headers["Cache-Control"] == "no-store"
    assert invitation_for(first, "upr@ind.example.org").partstat == "NEEDS-ACTION"
    assert answers_recorded() == []


def test_an_expired_link_or_an_unknown_answer_is_explained(client, first, monkeypatch):
    invitation = invitation_for(first, "upr@ind.example.org")
    page(client, f"/rsvp/{invitations.rsvp_token(invitation)}/maybe", status=404)
    monkeypatch.setattr(invitations, "RSVP_LINK_MAX_AGE", timedelta(seconds=-1))
    content = text(page(client, link(invitation, "accept"), status=400))
    assert "This link has expired: ask the secretariat for a new invitation." in content
    assert "nam-briefings@chair.example.org" in content
    assert invitation_for(first, "upr@ind.example.org").partstat == "NEEDS-ACTION"


def test_a_cancelled_briefing_says_so_and_records_nothing(client, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    url = link(invitation, "accept")
    briefings.cancel(first.id, SECRETARIAT)
    html = page(client, url)
    content = text(html)
    assert "This briefing has been cancelled" in content
    assert "planned for Tue 22 Apr 2025, 10:00 CEST, has been cancelled" in content
    assert "No answer is needed, and nothing was recorded." in content
    assert "<form" not in html.split('id="content"')[1]
    response = client.post(url, data={"csrf_token": csrf_token(client)}, headers=HTML)
    end_request()
    assert response.status_code == 409
    assert "This briefing has been cancelled" in text(response.get_data(as_text=True))
    assert invitation_for(first, "upr@ind.example.org").partstat == "NEEDS-ACTION"
    assert answers_recorded() == []


def test_a_form_without_its_token_is_shown_again_and_records_nothing(client, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    url = link(invitation, "decline")
    response = client.post(url, data={"comment": "Travelling"}, headers=HTML)
    end_request()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The page had expired, so nothing was recorded yet." in text(html)
    assert "Travelling</textarea>" in html  # the comment is kept
    assert invitation_for(first, "upr@ind.example.org").partstat == "NEEDS-ACTION"
    retried = client.post(url, data={"csrf_token": csrf_token_from(html), "comment": "Travelling"},
                          headers=HTML)
    end_request()
    assert "Thank you — recorded: Declined" in text(retried.get_data(as_text=True))
    assert invitation_for(first, "upr@ind.example.org").partstat == "DECLINED"


def test_rsvp_pages_need_no_login_but_show_no_navigation(client, first):
    invitation = invitation_for(first, "upr@ind.example.org")
    html = page(client, link(invitation, "tentative"))
    assert 'aria-label="Main"' not in html and "/outbox" not in html
    assert client.get(f"/briefings/{first.id}", headers=HTML).status_code == 302
