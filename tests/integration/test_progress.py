"""The delivery panels: how far a briefing's e-mails have got, on its page, in its JSON and
on the Outbox page, from the confirmation through composing and sending to failures, and
each recipient on demand."""
from __future__ import annotations

import re


from bench.pages import log_in
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, State
from nam_briefings.services import briefings, outbox, progress
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.integration.invitation_helpers import (
    CONTACTS,
    SECRETARIAT,
    TODAY,
    add_missions,
    compose,
    plan_session_49,
)
from tests.conftest import _empty_every_table
from tests.integration.test_query_counts import MOST, counted
from tests.integration.web_helpers import HTML, JSON, end_request, page, post, text


def confirm_through_the_web(app, client, login) -> tuple[list[Briefing], str]:
    """Plan session 49, confirm its best proposal as an editor; the briefings and the
    session page shown after the redirect."""
    key = plan_session_49(app)
    login("editor")
    post(client, f"/sessions/49/proposals/{key}/confirm")
    after = page(client, "/sessions/49")
    made = list(db.session.scalars(db.select(Briefing).order_by(Briefing.start_at)))
    return made, after


def progress_json(client, briefing: Briefing) -> dict:
    response = client.get(f"/briefings/{briefing.id}/progress", headers=JSON)
    end_request()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def panel(client, briefing: Briefing) -> str:
    """The text of the briefing page's delivery section."""
    html = page(client, f"/briefings/{briefing.id}")
    section = re.search(r'<section aria-labelledby="delivery-heading".*?</section>', html, re.S)
    assert section, "no delivery panel on the briefing page"
    return text(section.group(0))


def test_confirming_says_how_many_invitations_go_and_links_to_each_briefing(app, client,
                                                                           login):
    made, after = confirm_through_the_web(app, client, login)
    assert (f"Confirmed: 2 briefings for session 49; {2 * CONTACTS} invitations are being "
            "prepared and sent — follow them on the briefing pages: briefing of "
            "Tue 22 Apr 2025, 10:00 CEST, briefing of Wed 23 Apr 2025, 10:00 CEST.") in text(after)
    for briefing in made:
        assert f'<a href="/briefings/{briefing.id}#delivery">' in after


def test_the_panel_follows_a_confirmation_from_queued_to_sent(app, client, login, smtp_server):
    (first, _second), _ = confirm_through_the_web(app, client, login)

    content = panel(client, first)
    assert ("Invitations, version 0 Show each recipient of the invitations, version 0 "
            f"Waiting for the delivery worker {CONTACTS} 0 0 0 0 0 0 0") in content
    assert "Waiting for the delivery worker" in content
    assert "In progress: 0 sent, 8 to go." in content
    assert "Reload the page to see the latest figures" in content
    figures = progress_json(client, first)
    assert figures["unfinished"] is True
    [invitations] = figures["fanouts"]
    assert (invitations["status"], invitations["recipients"], invitations["composed"]) == \
        ("queued", CONTACTS, 0)
    assert invitations["phase"] == "Waiting for the delivery worker"

    compose()
    content = panel(client, first)
    # recipients, composed, then queued, sending, waiting, sent, failed, withdrawn
    assert f"Sending: 0 of {CONTACTS} sent {CONTACTS} {CONTACTS} {CONTACTS} 0 0 0 0 0" in content
    invitations = progress_json(client, first)["fanouts"][0]
    assert invitations["status"] == "done" and invitations["composed"] == CONTACTS
    assert invitations["messages"]["pending"] == CONTACTS

    outbox.deliver_all()
    content = panel(client, first)
    assert f"Finished: {CONTACTS} sent {CONTACTS} {CONTACTS} 0 0 0 {CONTACTS} 0 0" in content
    assert "<p class=\"delivery__failed\" data-progress-failed hidden>" in page(
        client, f"/briefings/{first.id}")
    figures = progress_json(client, first)
    assert figures["unfinished"] is False
    assert figures["fanouts"][0]["messages"]["sent"] == CONTACTS
    assert figures["summary"] == f"Finished: {CONTACTS} sent."
    assert figures["totals"] == {"pending": 0, "sending": 0, "waiting": 0, "sent": CONTACTS,
                                 "failed": 0, "withdrawn": 0}


def test_a_failed_message_shows_as_failed_with_the_retry_link(app, client, login, smtp_server):
    (first, _second), _ = confirm_through_the_web(app, client, login)
    compose()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    outbox.deliver(batch_size=1, ignore_backoff=True)
    smtp_server.refuse_with = None
    outbox.deliver_all()

    figures = progress_json(client, first)
    failed = figures["failed"]
    assert failed >= 1 and figures["fanouts"][0]["messages"]["failed"] == failed
    html = page(client, f"/briefings/{first.id}")
    assert f'href="/outbox/retry-failed?briefing={first.id}"' in html
    assert "<p class=\"delivery__failed\" data-progress-failed>" in html
    assert f"{failed} failed: Retry failed" in text(html)
    assert f"Finished: {CONTACTS - failed} sent, {failed} failed" in text(html)


def test_a_viewer_sees_the_failures_but_no_retry_link(app, client, login, smtp_server):
    made = briefings.confirm_proposal(plan_session_49(app), SECRETARIAT)
    compose()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    outbox.deliver(batch_size=1, ignore_backoff=True)
    login("viewer")
    html = page(client, f"/briefings/{made[0].id}")
    assert "retry-failed" not in html
    assert "1 failed: see them in the outbox" in text(html)


def test_each_recipient_is_listed_on_demand_with_mission_status_and_error(app, client, login,
                                                                         smtp_server):
    (first, _second), _ = confirm_through_the_web(app, client, login)
    compose()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    outbox.deliver(batch_size=1, ignore_backoff=True)
    [fanout] = progress.for_briefing(first.id).fanouts
    html = page(client, f"/briefings/{first.id}")
    url = f"/briefings/{first.id}/delivery/{fanout.id}"
    assert f'href="{url}"' in html

    content = text(page(client, url))
    assert "Invitations, version 0: each recipient" in content
    for iso3 in ("guy", "ken", "lao", "ind"):
        assert f"ambassador@{iso3}.example.org" in content
        assert f"upr@{iso3}.example.org" in content
    assert "Guyana" in content and "Kenya" in content
    assert content.count("Queued") >= CONTACTS - 1
    assert "Failed 1" in content and "No such mailbox" in content
    only_failed = text(page(client, f"{url}?status=failed"))
    assert "1 message, by mission" in only_failed and "No such mailbox" in only_failed
    page(client, f"/briefings/{first.id}/delivery/{fanout.id + 1000}", status=404)


def test_a_reschedule_and_a_cancellation_link_to_the_delivery(app, client, login):
    (first, _second), _ = confirm_through_the_web(app, client, login)
    compose()
    post(client, f"/briefings/{first.id}/reschedule",
         {"day": "2025-04-24", "start_time": "15:00", "move_anyway": "y"})
    html = page(client, f"/briefings/{first.id}")
    assert (f"update queued to {CONTACTS} contacts — follow the delivery.") in text(html)
    assert f'<a href="/briefings/{first.id}#delivery">follow the delivery</a>' in html
    figures = progress_json(client, first)
    assert [(f["label"], f["status"]) for f in figures["fanouts"]] == [
        ("Update, version 1", "queued"), ("Invitations, version 0", "done")]

    post(client, f"/briefings/{first.id}/cancel", {"confirm": "y"})
    html = page(client, f"/briefings/{first.id}")
    assert f"cancellation queued to {CONTACTS} contacts — follow the delivery." in text(html)
    compose()
    labels = [f["label"] for f in progress_json(client, first)["fanouts"]]
    assert labels[0] == "Cancellation"


def test_the_outbox_page_shows_every_briefing_with_unfinished_work(app, client, login,
                                                                  smtp_server):
    made = briefings.confirm_proposal(plan_session_49(app), SECRETARIAT)
    login("viewer")
    content = text(page(client, "/outbox"))
    assert "Deliveries in progress" in content
    assert content.count("Waiting for the delivery worker") == 2
    assert "In progress: 0 sent, 16 to go." in content

    response = client.get("/outbox/progress", headers=JSON)
    figures = response.get_json()
    assert [b["briefing_id"] for b in figures["briefings"]] == [b.id for b in made]  # by time
    assert figures["unfinished"] is True and figures["counts"]["pending"] == 0

    compose()
    outbox.deliver_all()
    assert "No delivery in progress." in text(page(client, "/outbox"))
    # a page that showed them asks for them by id, and sees them finish
    response = client.get(f"/outbox/progress?briefing={made[0].id}", headers=JSON)
    figures = response.get_json()
    assert figures["unfinished"] is False
    [shown] = figures["briefings"]
    assert shown["briefing_id"] == made[0].id
    assert shown["fanouts"][0]["messages"]["sent"] == CONTACTS
    assert figures["counts"]["sent"] == 2 * CONTACTS


def test_the_json_of_an_unknown_briefing_is_a_404(client, login):
    login("viewer")
    response = client.get("/briefings/999999/progress", headers=JSON)
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_the_pages_load_the_progress_script_from_the_site(app, client, login):
    made = briefings.confirm_proposal(plan_session_49(app), SECRETARIAT)
    login("viewer")
    for url in (f"/briefings/{made[0].id}", "/outbox"):
        html = page(client, url)
        assert '<script src="/static/delivery-progress.js" defer></script>' in html
        assert 'aria-live="polite"' in html


def delivery_queries(app, missions: int) -> dict[str, int]:
    """On an empty database: seed, `missions` NAM member missions with two contacts each,
    confirm session 49, compose and send some; the statements each delivery view runs."""
    app.config["TODAY"] = TODAY
    seed_reference_data(Actor.system())
    members = db.session.scalars(db.select(State.iso3).filter_by(nam_status="member")
                                 .order_by(State.iso3).limit(missions)).all()
    add_missions(list(members))
    made = briefings.confirm_proposal(briefings.plan_session(49, SECRETARIAT).proposals[0].key,
                                      SECRETARIAT)
    compose()
    outbox.deliver(batch_size=missions, ignore_backoff=True)  # some sent, some still queued
    client = app.test_client()
    fanout_id = progress.for_briefing(made[0].id).fanouts[0].id
    with app.app_context():  # a request context of its own (no user left in `g`)
        log_in(client)
    found = {}
    for name, url, accept in (("page", f"/briefings/{made[0].id}", HTML),
                              ("json", f"/briefings/{made[0].id}/progress", JSON),
                              ("outbox", "/outbox", HTML),
                              ("outbox json", "/outbox/progress", JSON),
                              ("recipients", f"/briefings/{made[0].id}/delivery/{fanout_id}",
                               HTML)):
        with app.app_context(), counted() as statements:
            response = client.get(url, headers=accept)
        assert response.status_code == 200, (url, response.status_code)
        found[name] = len(statements)
    return found


def test_the_delivery_views_run_as_many_queries_for_4_contacts_as_for_40(app):
    small = delivery_queries(app, missions=2)
    db.session.remove()
    _empty_every_table()
    large = delivery_queries(app, missions=20)
    assert small == large, f"queries (4 contacts, 40 contacts): {small}, {large}"
    assert max(large.values()) <= MOST, large
