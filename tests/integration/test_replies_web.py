"""The secretariat's view of answers by e-mail: the /replies page and the roster."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, InboundReply
from nam_briefings.services import replies
from nam_briefings.services.audit import Actor
from tests.imap_server import reply_to
from tests.integration.invitation_helpers import (
    assert_slot_released,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)
from tests.integration.reply_helpers import MX, vouched
from tests.integration.web_helpers import HTML, action_links, page, post, text

IND = "ambassador@ind.example.org"


@pytest.fixture
def first(app) -> Briefing:
    app.config["REPLY_AUTHSERV_ID"] = MX
    return confirm_session_49(app)[0]


def apply_verified(data: bytes) -> replies.MessageResult:
    return replies.apply_message(vouched(data))


def test_the_replies_page_needs_a_login(client, first):
    response = client.get("/replies", headers=HTML)
    assert response.status_code == 302 and "/login" in response.location


def test_a_viewer_sees_every_reply_and_its_outcome_newest_first(client, login, first):
    invitation = invitation_for(first, IND)
    apply_verified(reply_to(invitation, "ACCEPTED", comment="Gladly.",
                            dtstamp=datetime(2025, 3, 5, 10, 0, tzinfo=timezone.utc)))
    apply_verified(reply_to(invitation, "DECLINED", attendee="intruder@evil.example.com"))
    apply_verified(reply_to(invitation, "TENTATIVE", uid="lunch@outlook.example"))
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
    assert f"Sender check: dmarc=pass for ind.example.org ({MX})" in content
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
    apply_verified(reply_to(invitation_for(first, IND), "DECLINED",
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
    apply_verified(reply_to(invitation, "ACCEPTED"))
    login("viewer")
    assert not any("refused" in action for action in action_links(page(client, "/")))
    replies.apply_message(reply_to(invitation, "DECLINED", attendee="intruder@evil.example.com"))
    replies.apply_message(reply_to(invitation, "DECLINED", attendee="other@evil.example.com"))
    links = action_links(page(client, "/"))
    assert links["2 e-mailed answers refused in the last 7 days — check who meant what"] \
        == "/replies?outcome=rejected"


# --- unverified senders -------------------------------------------------------------------

GUYANA = "ambassador@guy.example.org"


def spoofed_decline(first: Briefing) -> InboundReply:
    replies.apply_message(reply_to(invitation_for(first, GUYANA), "DECLINED"))
    return db.session.scalar(db.select(InboundReply).order_by(InboundReply.id.desc()))


def test_an_unverified_reply_shows_why_and_a_viewer_cannot_decide(client, login, first):
    row = spoofed_decline(first)
    login("viewer")
    content = text(page(client, "/replies?outcome=unverified"))
    assert "Unverified sender: 1" in content
    assert (f"Unverified sender not applied: the receiving server did not vouch for the sender; "
            f"the secretariat may accept or reject it Sender check: no Authentication-Results "
            f"from {MX}") in content
    assert "until an editor accepts or rejects them" in content
    html = page(client, "/replies")
    assert f"/replies/{row.id}/accept" not in html and f"/replies/{row.id}/reject" not in html
    assert post(client, f"/replies/{row.id}/accept").status_code == 403
    assert post(client, f"/replies/{row.id}/reject").status_code == 403
    db.session.expire_all()
    assert db.session.get(InboundReply, row.id).outcome == "unverified"


def test_an_editor_accepts_an_unverified_reply(client, login, first):
    row = spoofed_decline(first)
    editor = login("editor")
    html = page(client, "/replies?outcome=unverified")
    assert (f'action="/replies/{row.id}/accept"' in html
            and f'action="/replies/{row.id}/reject"' in html)
    assert "Accept the answer of ambassador@guy.example.org" in text(html)
    response = post(client, f"/replies/{row.id}/accept")
    assert response.status_code == 302
    assert response.location.endswith("/replies?outcome=unverified")
    assert_slot_released(first, "GUY")
    db.session.expire_all()
    row = db.session.get(InboundReply, row.id)
    assert (row.outcome, row.decided_by) == ("applied", editor.email)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "reply.accept")
                             ).user_id == editor.id
    content = text(page(client, "/replies", ))
    assert f"Reply {row.id} applied: DECLINED from {GUYANA}" in content  # the flash
    assert f"Decided by {editor.email}," in content
    # deciding again: refused with the reason, nothing changes
    requests = len(outbox_messages(kind="request"))
    post(client, f"/replies/{row.id}/reject")
    assert "this reply is no longer waiting for a decision: it was applied by" in \
        text(page(client, "/replies"))
    assert len(outbox_messages(kind="request")) == requests


def test_an_editor_rejects_an_unverified_reply(client, login, first):
    row = spoofed_decline(first)
    editor = login("editor")
    post(client, f"/replies/{row.id}/reject")
    db.session.expire_all()
    row = db.session.get(InboundReply, row.id)
    assert (row.outcome, row.reason) == ("rejected", f"rejected by {editor.email}: unverified sender")
    assert db.session.get(Briefing, first.id).sequence == 0
    assert post(client, "/replies/999999/accept").status_code == 404


def test_without_reply_authserv_id_the_page_says_nothing_is_trusted(app, client, login, first):
    app.config["REPLY_AUTHSERV_ID"] = ""
    login("viewer")
    assert "REPLY_AUTHSERV_ID is not set, so no e-mailed answer is trusted" in \
        text(page(client, "/replies"))


def test_the_dashboard_calls_out_unverified_answers(client, login, first):
    login("viewer")
    assert not any("unverified" in action for action in action_links(page(client, "/")))
    spoofed_decline(first)
    links = action_links(page(client, "/"))
    assert links["1 e-mailed answer from an unverified sender — accept or reject"] \
        == "/replies?outcome=unverified"


def test_the_settings_page_names_the_trusted_server(app, client, login, first):
    login("admin")
    assert f"REPLY_AUTHSERV_ID {MX} the mailbox's server" in text(page(client, "/admin/settings"))
    app.config["REPLY_AUTHSERV_ID"] = ""
    assert "REPLY_AUTHSERV_ID not set: no e-mailed answer is trusted (each waits on /replies)" \
        in text(page(client, "/admin/settings"))


def test_an_unverified_reply_an_editor_rejected_needs_no_further_action(client, login, first):
    row = spoofed_decline(first)
    replies.reject(row.id, Actor("editor@chair.example.org"))
    login("viewer")
    assert not any("refused" in action or "unverified" in action
                   for action in action_links(page(client, "/")))
