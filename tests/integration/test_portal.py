"""The mission portal: a page per contact behind the signed link in every e-mail.

Session 49 with two briefings (see invitation_helpers): Guyana presents at the first
(Tue 22 Apr 2025 10:00–11:30 CEST), India presents at neither. No login anywhere here.
"""
from __future__ import annotations

import re
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, Briefing, Contact, OutboxMessage
from nam_briefings.services import briefings, feeds, invitations, missions, outbox, portal
from tests.conftest import csrf_token_from
from tests.integration.invitation_helpers import (
    SECRETARIAT,
    assert_slot_released,
    compose,
    confirm_session_49,
    invitation_for,
    outbox_messages,
)
from tests.integration.web_helpers import HTML, end_request, field_error, page, text

SECRETARIAT_EMAIL = "nam-briefings@chair.example.org"


@pytest.fixture
def both(app) -> list[Briefing]:
    """The two briefings of session 49; "today" is 3 March 2025."""
    return confirm_session_49(app)


@pytest.fixture
def first(both) -> Briefing:
    return both[0]


def contact(email: str) -> Contact:
    db.session.expire_all()
    return db.session.scalar(db.select(Contact).filter_by(email=email))


def portal_path(email: str) -> str:
    """The path of the contact's portal page, as the e-mails give it."""
    return urlsplit(portal.portal_url(contact(email))).path


def submit(client, url: str, data: dict, form_page: str):
    """POST `data` to `url` with the CSRF token of the page at `form_page` (as a browser)."""
    token = csrf_token_from(page(client, form_page))
    response = client.post(url, data={"csrf_token": token, **data}, headers=HTML)
    end_request()
    return response


def notices() -> list[OutboxMessage]:
    return outbox_messages(kind="notice", to_address=SECRETARIAT_EMAIL)


def portal_events() -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.actor.like("portal:%")).order_by(AuditEvent.id))]


# --- the link in every e-mail ------------------------------------------------------------------

PORTAL_LINE = re.compile(r"Your mission's page: (http://127\.0\.0\.1:5000/portal/\S+)")
PORTAL_HREF = re.compile(
    r'<p>Your mission\'s page: <a href="(http://127\.0\.0\.1:5000/portal/[^"]+)"')


def links_in(message: OutboxMessage) -> tuple[str, str]:
    """The portal link of a queued message, from its text and from its HTML body."""
    [in_text] = PORTAL_LINE.findall(message.body_text)
    [in_html] = PORTAL_HREF.findall(message.body_html)
    return in_text, in_html


def test_every_kind_of_email_carries_the_recipients_portal_link(client, both):
    first = both[0]
    briefings.reschedule(both[1].id, both[1].start_at + timedelta(hours=5), None, SECRETARIAT)
    # the invitations went days before (no reminder goes beside an unsent one)
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.briefing_id == first.id)
                       .values(status="sent", sent_at=first.start_at - timedelta(days=3)))
    invitations.queue_due_reminders(first.start_at - timedelta(hours=1))
    invitations.queue_due_chasers(first.start_at - timedelta(hours=1))
    db.session.commit()
    briefings.cancel(first.id, SECRETARIAT)
    compose()
    messages = outbox_messages(briefing_id=first.id) + outbox_messages(briefing_id=both[1].id)
    by_kind: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_kind.setdefault(message.kind, []).append(message)
    assert set(by_kind) == {"request", "reminder", "chaser", "cancel"}
    assert any(m.sequence == 1 and m.briefing_id == both[1].id for m in by_kind["request"])
    for message in messages:
        in_text, in_html = links_in(message)
        # the same page (each message signs afresh), the recipient's own
        for url in (in_text, in_html):
            token = urlsplit(url).path.rsplit("/", 1)[1]
            assert portal.contact_from_token(token).id == message.contact_id
    assert "(briefings, answers, contacts and calendar feed)" in by_kind["request"][0].body_text

    # and it opens the recipient's page, without logging in
    ind = next(m for m in by_kind["cancel"] if m.to_address == "upr@ind.example.org")
    content = text(page(client, urlsplit(links_in(ind)[0]).path))
    assert "Permanent Mission of India in Geneva — NAM briefings" in content
    assert "This page was sent to Focal point IND (upr@ind.example.org)" in content


def test_the_delivered_invitation_carries_the_link(first, smtp_server):
    outbox.deliver_all()
    [message] = [m for rcpt, m in smtp_server.messages
                 if rcpt == ["upr@guy.example.org"] and first.uid in m.as_string()]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [url] = PORTAL_LINE.findall(plain)
    assert f'href="{PORTAL_HREF.findall(html)[0]}"' in html
    token = urlsplit(url).path.rsplit("/", 1)[1]
    assert portal.contact_from_token(token).email == "upr@guy.example.org"


# --- the page ------------------------------------------------------------------------------------

def test_the_page_shows_the_briefings_and_where_the_mission_presents(client, both):
    html = page(client, portal_path("upr@guy.example.org"))
    content = text(html)
    assert "Permanent Mission of Guyana in Geneva — NAM briefings" in content
    assert "This page was sent to Focal point GUY (upr@guy.example.org)" in content
    cards = html.split('class="card portal-briefing"')
    first_card, second_card = text(cards[1]), text(cards[2])
    assert "Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST · before UPR session 49" in first_card
    assert ("Your Mission presents at 11:10 CEST — slot: Awaiting confirmation "
            "(accept to confirm it, decline to release it).") in first_card
    assert "Room Room XXIV, Palais des Nations" in first_card
    assert "Your answer No answer yet Your Mission's answer No answer yet" in first_card
    assert "10:00 CEST Opening by the Chair" in first_card
    assert "11:10 CEST Guyana Your Mission (to be confirmed)" in first_card
    assert "Decline (releases your slot)" in first_card
    assert "Your Mission presents" not in second_card
    assert "Decline (releases your slot)" not in second_card
    assert "Accept Tentative Decline" in second_card
    # keyboard and screen readers: the answer buttons are grouped under the briefing's heading
    assert f'role="group" aria-labelledby="briefing-{both[0].id}-heading"' in html
    assert (f'<label for="comment-{both[0].id}">Comment for the secretariat (optional)</label>'
            in html)


def test_the_page_is_private_and_shows_no_secretariat_data(client, both):
    url = portal_path("upr@guy.example.org")
    response = client.get(url, headers=HTML)
    end_request()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    content = text(html)
    # the mission's own contacts, and nobody else's
    assert "Ambassador GUY Ambassador ambassador@guy.example.org English" in content
    assert "Focal point GUY (you) Focal point upr@guy.example.org English" in content
    for other in ("ind", "ken", "lao"):
        assert f"@{other}.example.org" not in html
    # no secretariat navigation, nor links into it
    assert 'aria-label="Main"' not in html
    for path in ("/outbox", "/audit", "/missions", "/sessions", "/briefings/"):
        assert f'href="{path}' not in html


def test_the_feed_address_can_be_copied_with_or_without_javascript(client, both):
    html = page(client, portal_path("upr@guy.example.org"))
    token = feeds.mission_feed_token("GUY")
    assert (f'<input type="text" id="feed-url" readonly '
            f'value="http://127.0.0.1:5000/feeds/missions/{token}.ics"') in html
    assert f'href="webcal://127.0.0.1:5000/feeds/missions/{token}.ics"' in html
    # the Copy button appears only when the script runs (it is hidden in the HTML)
    assert re.search(r'<button type="button" class="button" data-copy-target="feed-url"'
                     r'[^>]*hidden>Copy link</button>', html)
    assert '<script src="/static/portal.js" defer></script>' in html
    assert "<script>" not in html and "cdn" not in html.lower()
    script = client.get("/static/portal.js")
    assert script.status_code == 200
    body = script.get_data(as_text=True)
    assert "button.hidden = false" in body and "clipboard" in body
    assert client.get("/static/portal.css").status_code == 200


def test_a_switched_off_feed_is_not_shown(client, both):
    feeds.revoke_mission_token("GUY", SECRETARIAT)
    content = text(page(client, portal_path("upr@guy.example.org")))
    assert "Your Mission's calendar feed is switched off." in content
    assert "/feeds/missions/" not in content


def test_past_briefings_are_listed_briefly_and_cannot_be_answered(app, client, both):
    url = portal_path("upr@guy.example.org")
    app.config["TODAY"] = date(2025, 4, 23)  # after the first briefing, before the second
    html = page(client, url)
    upcoming, past = html.split('id="past-heading"')
    assert f'id="briefing-{both[0].id}"' not in upcoming
    assert f'id="briefing-{both[1].id}"' in upcoming
    assert ("Tue 22 Apr 2025, 10:00 CEST, before UPR session 49 — your Mission presented — "
            "your Mission's answer: No answer yet") in text(past)
    response = submit(client, f"{url}/briefings/{both[0].id}/answer", {"answer": "accept"}, url)
    assert response.status_code == 400
    assert "This briefing has already taken place" in text(response.get_data(as_text=True))
    assert invitation_for(both[0], "upr@guy.example.org").partstat == "NEEDS-ACTION"


# --- answers -------------------------------------------------------------------------------------

def test_answering_from_the_portal_updates_the_roster(client, first):
    url = portal_path("upr@ind.example.org")
    response = submit(client, f"{url}/briefings/{first.id}/answer",
                      {"answer": "accept", "comment": "Deputy attends too"}, url)
    assert response.status_code == 302
    assert response.location.endswith(f"{url}#briefing-{first.id}")
    stored = invitation_for(first, "upr@ind.example.org")
    assert (stored.partstat, stored.answered_via, stored.comment) == \
        ("ACCEPTED", "portal", "Deputy attends too")
    assert stored.answered_at is not None and stored.answered_sequence == 0
    assert portal_events() == [("portal: upr@ind.example.org (IND)", "invitation.answer")]
    assert invitations.roster_counts(first)["ACCEPTED"] == 1

    content = text(page(client, url))
    assert "Your answer is recorded: Accepted." in content
    assert "Your answer Accepted" in content and "Your Mission's answer Accepted" in content
    assert "Your comment so far: “Deputy attends too”. Leave empty to keep it." in content

    # a colleague's page shows the mission's answer next to their own
    colleague = text(page(client, portal_path("ambassador@ind.example.org")))
    assert "Your answer No answer yet Your Mission's answer Accepted" in colleague


def test_a_presenter_accepting_confirms_its_slot(client, first):
    url = portal_path("ambassador@guy.example.org")
    submit(client, f"{url}/briefings/{first.id}/answer", {"answer": "accept"}, url)
    db.session.expire_all()
    briefing = db.session.get(Briefing, first.id)
    assert {i.review.state_iso3: i.slot_status for i in briefing.items}["GUY"] == "confirmed"
    assert briefing.sequence == 0
    content = text(page(client, url))
    assert "Your answer is recorded: Accepted. Your Mission's presentation slot is confirmed." \
        in content
    assert "Your Mission presents at 11:10 CEST — slot: Confirmed." in content


def test_a_presenter_declining_releases_its_slot_and_queues_the_update(client, first):
    url = portal_path("upr@guy.example.org")
    assert outbox_messages(sequence=1) == []
    submit(client, f"{url}/briefings/{first.id}/answer", {"answer": "decline"}, url)
    assert_slot_released(first, "GUY")
    content = text(page(client, url))
    assert ("Your answer is recorded: Declined. Your Mission's presentation slot has been "
            "released; the secretariat has been told and will send the new agenda.") in content
    assert "Your Mission's presentation slot was released: it is off the agenda." in content
    assert "Guyana Your Mission" not in content  # off the agenda shown


@pytest.mark.parametrize("data, message", [
    ({"answer": "maybe"}, "Unknown answer 'maybe': accept, tentative or decline"),
    ({}, "Unknown answer '': accept, tentative or decline"),
    ({"answer": "accept", "comment": "x" * 2001}, "Keep the comment under 2,000 characters."),
])
def test_a_bad_answer_changes_nothing(client, first, data, message):
    url = portal_path("upr@ind.example.org")
    response = submit(client, f"{url}/briefings/{first.id}/answer", data, url)
    assert response.status_code == 400
    assert message in text(response.get_data(as_text=True))
    assert invitation_for(first, "upr@ind.example.org").partstat == "NEEDS-ACTION"
    assert portal_events() == []


def test_an_answer_to_a_briefing_never_sent_is_refused(client, first):
    url = portal_path("upr@ind.example.org")
    response = submit(client, f"{url}/briefings/999999/answer", {"answer": "accept"}, url)
    assert response.status_code == 400
    assert "You were not sent an invitation to this briefing" in text(
        response.get_data(as_text=True))
    assert portal_events() == []


# --- the mission's contacts ---------------------------------------------------------------------

def test_adding_a_focal_point_invites_them_and_tells_the_secretariat(client, both):
    url = portal_path("upr@guy.example.org")
    form = text(page(client, f"{url}/contacts/new"))
    assert "Add a focal point" in form
    response = submit(client, f"{url}/contacts/new",
                      {"name": "Ms. Nadia Persaud", "role": "focal_point",
                       "email": "N.Persaud@guy.example.org", "language": "en"},
                      f"{url}/contacts/new")
    assert response.status_code == 302 and response.location.endswith("#contacts-heading")
    added = contact("n.persaud@guy.example.org")
    assert (added.name, added.role, added.active, added.mission.state_iso3) == \
        ("Ms. Nadia Persaud", "focal_point", True, "GUY")
    # invited to both upcoming briefings, each message with her own portal link
    sent = outbox_messages(contact_id=added.id, kind="request")
    assert {m.briefing_id for m in sent} == {b.id for b in both}
    assert portal.contact_from_token(urlsplit(links_in(sent[0])[0]).path.rsplit("/", 1)[1]) \
        .id == added.id
    # the secretariat is told, and the audit trail names the mission's person
    [notice] = notices()
    assert notice.subject == "Guyana updated its contacts: Ms. Nadia Persaud added"
    assert "Ms. Nadia Persaud <n.persaud@guy.example.org>: added" in notice.body_text
    assert "By: portal: upr@guy.example.org (GUY)" in notice.body_text
    assert "http://127.0.0.1:5000/missions/GUY" in notice.body_text
    assert portal_events() == [("portal: upr@guy.example.org (GUY)", "contact.create")]
    content = text(page(client, url))
    assert "Ms. Nadia Persaud added: they are sent the current invitations" in content
    assert "Ms. Nadia Persaud Focal point n.persaud@guy.example.org English" in content


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "x@guy.example.org"}, "name", "Give the contact's name."),
    ({"name": "X", "email": "not an address"}, "email", ""),
    ({"name": "X", "email": "ambassador@guy.example.org"}, "email",
     "ambassador@guy.example.org is already a contact of this mission."),
    ({"name": "X" * 201, "email": "x@guy.example.org"}, "name", ""),
    ({"name": "X", "email": "x@guy.example.org", "role": "president"}, "role", ""),
])
def test_a_bad_contact_is_refused_next_to_its_field_and_nothing_changes(client, both, data,
                                                                       field, message):
    url = portal_path("upr@guy.example.org")
    before = db.session.scalar(db.select(db.func.count(Contact.id)))
    queued = len(outbox_messages())
    response = submit(client, f"{url}/contacts/new",
                      {"role": "focal_point", "language": "en", **data}, f"{url}/contacts/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert "Please correct this; nothing was saved:" in text(html)
    assert db.session.scalar(db.select(db.func.count(Contact.id))) == before
    assert len(outbox_messages()) == queued and portal_events() == []


def test_editing_a_colleague_readdresses_their_invitations(client, both):
    url = portal_path("upr@guy.example.org")
    ambassador = contact("ambassador@guy.example.org")
    edit = f"{url}/contacts/{ambassador.id}/edit"
    assert 'value="ambassador@guy.example.org"' in page(client, edit)
    response = submit(client, edit, {"name": "H.E. Mr. New Ambassador", "role": "ambassador",
                                     "email": "new.ambassador@guy.example.org",
                                     "language": "fr"}, edit)
    assert response.status_code == 302
    changed = contact("new.ambassador@guy.example.org")
    assert (changed.id, changed.name, changed.language) == \
        (ambassador.id, "H.E. Mr. New Ambassador", "fr")
    resent = [m for m in outbox_messages(contact_id=ambassador.id, kind="request")
              if m.to_address == "new.ambassador@guy.example.org"]
    assert {m.briefing_id for m in resent} == {b.id for b in both}
    [notice] = notices()
    assert notice.subject == "Guyana updated its contacts: H.E. Mr. New Ambassador changed"
    assert "email: ambassador@guy.example.org → new.ambassador@guy.example.org" in notice.body_text
    assert portal_events() == [("portal: upr@guy.example.org (GUY)", "contact.update")]


def test_changing_ones_own_address_moves_the_page_to_a_new_link(client, both):
    old = portal_path("upr@guy.example.org")
    me = contact("upr@guy.example.org")
    edit = f"{old}/contacts/{me.id}/edit"
    response = submit(client, edit, {"name": me.name, "role": me.role,
                                     "email": "upr.team@guy.example.org", "language": "en"}, edit)
    assert response.status_code == 302
    new = urlsplit(response.location).path
    assert new != old
    assert "This page was sent to Focal point GUY (upr.team@guy.example.org)" in \
        text(page(client, new))
    # the old link, sent to the old address, no longer works
    assert "no longer on file" in text(page(client, old, status=404))


def test_marking_a_colleague_as_gone_and_never_the_last_one(client, both):
    url = portal_path("upr@guy.example.org")
    ambassador = contact("ambassador@guy.example.org")
    me = contact("upr@guy.example.org")
    response = submit(client, f"{url}/contacts/{ambassador.id}/remove", {}, url)
    assert response.status_code == 302
    assert contact("ambassador@guy.example.org").active is False
    [notice] = notices()
    assert notice.subject == "Guyana updated its contacts: Ambassador GUY no longer at the mission"
    content = text(page(client, url))
    assert "Ambassador GUY is no longer listed and receives nothing more" in content
    assert "ambassador@guy.example.org" not in content
    assert "Your Mission's only contact cannot be removed: add the new one first." in content
    assert "No longer at the Mission" not in content
    # the last one stays, whatever is posted
    response = submit(client, f"{url}/contacts/{me.id}/remove", {}, url)
    assert response.status_code == 400
    assert "The mission needs at least one contact" in text(response.get_data(as_text=True))
    assert contact("upr@guy.example.org").active is True
    assert len(notices()) == 1
    assert portal_events() == [("portal: upr@guy.example.org (GUY)", "contact.deactivate")]


def test_removing_oneself_ends_the_link(client, both):
    url = portal_path("upr@guy.example.org")
    me = contact("upr@guy.example.org")
    response = submit(client, f"{url}/contacts/{me.id}/remove", {}, url)
    assert response.status_code == 200
    assert "You are no longer listed as a contact" in text(response.get_data(as_text=True))
    assert contact("upr@guy.example.org").active is False
    assert "no longer listed as a contact of the mission" in text(page(client, url, status=404))
    # a colleague's link still works
    page(client, portal_path("ambassador@guy.example.org"))


def test_a_former_contact_added_again_is_listed_again(client, both):
    gone = contact("ambassador@guy.example.org")
    missions.set_contact_active(gone.id, False, SECRETARIAT)
    url = portal_path("upr@guy.example.org")
    response = submit(client, f"{url}/contacts/new",
                      {"name": "Ambassador GUY", "role": "ambassador",
                       "email": "ambassador@guy.example.org", "language": "en"},
                      f"{url}/contacts/new")
    assert response.status_code == 302
    back = contact("ambassador@guy.example.org")
    assert back.id == gone.id and back.active
    assert [n.subject for n in notices()] == ["Guyana updated its contacts: Ambassador GUY "
                                              "listed again"]


def test_another_missions_contacts_are_out_of_reach(client, both):
    url = portal_path("upr@guy.example.org")
    kenyan = contact("upr@ken.example.org")
    assert "not a current contact of your mission" in \
        text(page(client, f"{url}/contacts/{kenyan.id}/edit", status=404))
    response = submit(client, f"{url}/contacts/{kenyan.id}/remove", {}, url)
    assert response.status_code == 404
    response = submit(client, f"{url}/contacts/{kenyan.id}/edit",
                      {"name": "Hijacked", "role": "other", "email": "evil@example.org",
                       "language": "en"}, url)
    assert response.status_code == 404
    kenyan = contact("upr@ken.example.org")
    assert (kenyan.name, kenyan.active) == ("Focal point KEN", True)
    assert notices() == [] and portal_events() == []


# --- links that cannot be used ----------------------------------------------------------------

def test_a_tampered_link_is_refused(client, both):
    url = portal_path("upr@guy.example.org")
    content = text(page(client, url[:-4] + "abcd", status=400))
    assert "This link cannot be used (400)" in content
    assert "This link is not valid: it may have been cut or changed." in content
    assert "Nothing was changed." in content and SECRETARIAT_EMAIL in content
    # a valid signature with another salt (an RSVP link's token) is no portal link
    rsvp = invitations.rsvp_token(invitation_for(both[0], "upr@guy.example.org"))
    page(client, f"/portal/{rsvp}", status=400)


def test_an_expired_link_is_refused_and_a_recent_one_works(client, both, monkeypatch):
    me = contact("upr@guy.example.org")
    now = int(time.time())

    def signed(days_ago: int) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: now - days_ago * 86400)
            return portal.portal_token(me)

    content = text(page(client, f"/portal/{signed(181)}", status=400))
    assert "This link has expired: use the link in a more recent e-mail" in content
    page(client, f"/portal/{signed(179)}")


def test_links_of_inactive_contacts_or_missions_are_refused(client, both):
    url = portal_path("upr@guy.example.org")
    missions.set_mission_active("GUY", False, SECRETARIAT)
    assert "The mission no longer receives NAM invitations" in text(page(client, url, status=404))
    missions.set_mission_active("GUY", True, SECRETARIAT)
    page(client, url)
    missions.set_contact_active(contact("upr@guy.example.org").id, False, SECRETARIAT)
    assert "no longer listed as a contact of the mission" in text(page(client, url, status=404))
    # and nothing can be posted through it
    response = client.post(f"{url}/briefings/{both[0].id}/answer", headers=HTML,
                           data={"answer": "decline"})
    end_request()
    assert response.status_code in (400, 404)
    assert invitation_for(both[0], "upr@guy.example.org").partstat == "NEEDS-ACTION"


def test_forms_without_a_valid_csrf_token_change_nothing(client, first):
    url = portal_path("upr@guy.example.org")
    response = client.post(f"{url}/briefings/{first.id}/answer", headers=HTML,
                           data={"answer": "decline", "csrf_token": "forged"})
    end_request()
    assert response.status_code == 400
    assert "The page had expired, so nothing was changed. Please try again." in \
        text(response.get_data(as_text=True))
    response = client.post(f"{url}/contacts/new", headers=HTML,
                           data={"name": "X", "role": "other", "email": "x@guy.example.org",
                                 "language": "en"})
    end_request()
    assert response.status_code == 400
    ambassador = contact("ambassador@guy.example.org")
    response = client.post(f"{url}/contacts/{ambassador.id}/remove", headers=HTML)
    end_request()
    assert response.status_code == 400
    assert invitation_for(first, "upr@guy.example.org").partstat == "NEEDS-ACTION"
    assert contact("x@guy.example.org") is None and contact("ambassador@guy.example.org").active
    assert db.session.get(Briefing, first.id).sequence == 0
    assert portal_events() == [] and notices() == []


# --- support ---------------------------------------------------------------------------------

def test_the_cli_prints_portal_links(runner, both):
    result = runner.invoke(args=["portal", "url", "guy"])
    assert result.exit_code == 0, result.output
    urls = re.findall(r"http://127\.0\.0\.1:5000/portal/\S+", result.output)
    assert len(urls) == 2
    assert "GUY  Ambassador GUY <ambassador@guy.example.org>" in result.output
    emails = {portal.contact_from_token(u.rsplit("/", 1)[1]).email for u in urls}
    assert emails == {"ambassador@guy.example.org", "upr@guy.example.org"}

    result = runner.invoke(args=["portal", "url", "UPR@ken.example.org"])
    assert result.exit_code == 0 and result.output.count("/portal/") == 1
    assert "Focal point KEN <upr@ken.example.org>" in result.output

    result = runner.invoke(args=["portal", "url", "XYZ"])
    assert result.exit_code == 1
    assert "no active contact of an active mission matches 'XYZ'" in result.output
