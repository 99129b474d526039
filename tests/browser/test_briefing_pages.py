"""Once the next session is confirmed: a mission answering from the e-mail it received
(the one-click link, then its own page), the roster, rescheduling and cancelling with
their previews of who is notified, what a viewer may do, answering without JavaScript,
and every page loading only from the service itself (no CDN).

These tests start from a copy of one database in which the best proposal of the next
session is already confirmed (two briefings, their invitations queued), so they do not
each pay for the fan-out to every NAM mission.
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import (  # noqa: E402
    FOCAL_POINT,
    NEXT_SESSION,
    compose,
    deliver_outbox,
    login,
    open_next_session,
    outbox_rows,
    rsvp_link,
    rsvp_page,
    screenshot,
)


@pytest.fixture
def database_path(confirmed_database):
    """Every test here starts with the next session confirmed."""
    return confirmed_database.path


@pytest.fixture
def briefing_ids(confirmed_database, live_server) -> list[int]:
    """The confirmed briefings' ids, in time order (with the live server running)."""
    return confirmed_database.briefing_ids


def test_a_mission_answers_from_the_link_in_its_email_and_the_roster_shows_it(
        page, new_context, live_server, briefing_ids):
    first, _second = briefing_ids
    invitation = deliver_outbox(live_server, until=FOCAL_POINT)[0]
    assert invitation["Subject"] == (f"NAM ambassadorial briefing before UPR{NEXT_SESSION}, "
                                     "Tue 22 Apr 2025 10:00")
    accept = rsvp_link(invitation, "accept")
    assert accept.startswith(live_server.url + "/rsvp/")

    # the mission's browser: no login, just the link from the e-mail
    mission = new_context().new_page()
    mission.goto(accept)
    expect(mission.get_by_role("heading", level=1)).to_have_text("Your answer: Accept")
    expect(mission.get_by_text("Answering for UPR focal point of Afghanistan (demo)")
           ).to_be_visible()
    screenshot(mission, "07-rsvp-page")
    mission.get_by_label("Comment for the secretariat (optional)").fill(
        "The Ambassador will attend.")
    mission.get_by_role("button", name="Confirm: Accept").click()
    expect(mission.get_by_role("heading", level=1)).to_have_text("Thank you — recorded: Accepted")
    expect(mission.get_by_role("main")).to_contain_text("Answer for UPR focal point of Afghanistan")

    # the secretariat sees the answer on the roster
    login(page, "viewer")
    page.goto(f"/briefings/{first}")
    expect(page.locator("p").filter(has_text="Missions' answers")).to_contain_text(
        re.compile(r"1\s+accepted"))
    afghanistan = page.locator("table.roster tbody tr").filter(has_text="Afghanistan AFG")
    expect(afghanistan.locator(".roster__answer")).to_have_text("Accepted")
    expect(afghanistan).to_contain_text(
        "UPR focal point of Afghanistan (demo) (Focal point, upr.afg@example.org): Accepted, ")
    expect(afghanistan).to_contain_text("via link")
    expect(afghanistan).to_contain_text("“The Ambassador will attend.”")
    expect(afghanistan).to_contain_text(
        "Ambassador of Afghanistan (demo) (Ambassador, ambassador.afg@example.org): No answer yet")
    screenshot(page, "05-briefing-roster")


def test_a_mission_opens_its_page_from_its_email_answers_and_adds_a_focal_point(
        new_context, live_server, briefing_ids):
    first, second = briefing_ids
    invitation = deliver_outbox(live_server, until=FOCAL_POINT)[0]
    body = invitation.get_body(preferencelist=("plain",)).get_content()
    portal = re.search(r"Your mission's page: (\S+)", body, re.I)
    assert portal, body
    assert portal[1].startswith(live_server.url + "/portal/")

    mission = new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    mission.goto(portal[1])
    expect(mission.get_by_role("heading", level=1)).to_contain_text(
        "Permanent Mission of Afghanistan")
    briefings = mission.locator("article.portal-briefing")
    expect(briefings).to_have_count(2)
    screenshot(mission, "11-mission-portal")

    # answer the second briefing, with a comment
    later = mission.locator(f"#briefing-{second}")
    later.get_by_label("Comment for the secretariat (optional)").fill("Our deputy will attend.")
    later.get_by_role("button", name="Tentative").click()
    expect(mission.get_by_text("Your answer is recorded: Tentative.")).to_be_visible()
    expect(mission.locator(f"#briefing-{second} dt:text-is('Your answer') + dd")).to_contain_text(
        "Tentative")
    expect(mission.locator(f"#briefing-{first} dt:text-is('Your answer') + dd")).to_have_text(
        "No answer yet")

    # add a focal point
    mission.get_by_role("link", name="Add a focal point").click()
    mission.get_by_label("Name").fill("Ms. Amina Rahimi, First Secretary")
    mission.get_by_label("E-mail address").fill("amina.rahimi@example.org")
    mission.get_by_role("button", name="Add a focal point").click()
    expect(mission.get_by_text("Ms. Amina Rahimi, First Secretary added: they are sent the "
                               "current invitations, and the secretariat is told.")).to_be_visible()
    contacts = mission.locator("table.portal-contacts tbody tr")
    expect(contacts).to_have_count(3)
    expect(contacts.filter(has_text="amina.rahimi@example.org")).to_contain_text("Focal point")

    # the calendar feed's address, to copy
    feed = mission.get_by_label("Feed address")
    expect(feed).to_have_value(
        re.compile(rf"^{re.escape(live_server.url)}/feeds/missions/\S+\.ics$"))
    mission.get_by_role("button", name="Copy link").click()
    expect(mission.locator("#feed-copy-status")).to_have_text(
        "Copied: paste it into your calendar program.")
    assert mission.evaluate("navigator.clipboard.readText()") == feed.input_value()

    # without JavaScript: no Copy button, the address stays there to select
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto(portal[1])
    expect(plain.get_by_label("Feed address")).to_have_value(feed.input_value())
    expect(plain.get_by_role("button", name="Copy link")).to_have_count(0)


def test_rescheduling_shows_who_is_notified_then_queues_the_update_with_a_higher_sequence(
        page, live_server, briefing_ids):
    first, _second = briefing_ids
    login(page, "editor")
    open_next_session(page)
    page.locator("article.briefing-card").first.get_by_role(
        "link", name=re.compile("^Roster and answers, reschedule or cancel")).click()
    page.get_by_role("link", name="Reschedule…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reschedule the briefing of Tue 22 Apr 2025, 10:00 CEST")
    preview = page.locator("section", has=page.get_by_role("heading", name="Who will be notified"))
    expect(preview).to_contain_text("Their calendars move the same entry; none is added.")
    contacts = int(re.search(r"queued to (\d+) contacts at \d+ missions", preview.inner_text())[1])
    assert contacts > 200
    expect(page.get_by_label("New date")).to_have_value("2025-04-22")
    expect(page.get_by_label("New start (Geneva time)")).to_have_value("10:00")
    screenshot(page, "08-reschedule-preview")

    page.get_by_label("New date").fill("2025-04-24")
    page.get_by_label("New start (Geneva time)").fill("15:00")
    page.get_by_role("button", name=f"Move the briefing and notify {contacts} contacts").click()
    # after the second briefing, out of the order of review: moved only with the tick
    expect(page.locator("#order-warning")).to_contain_text("Out of the order of review")
    page.get_by_label("Move it anyway").check()
    page.get_by_role("button", name=f"Move the briefing and notify {contacts} contacts").click()
    expect(page.get_by_text(f"Briefing moved to Thu 24 Apr 2025, 15:00 CEST – 16:30 CEST "
                            f"(SEQUENCE 1); update queued to {contacts} contacts — follow the "
                            "delivery.")).to_be_visible()
    expect(page.locator("dt:text-is('SEQUENCE') + dd")).to_have_text("1")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Briefing of Thu 24 Apr 2025, 15:00 CEST – 16:30 CEST")

    compose(live_server)  # the delivery worker writes the update to everyone
    page.get_by_role("link", name="See them in the outbox").click()
    rows = outbox_rows(page)
    assert rows
    for _id, kind, _to, subject, status, *_ in rows:  # newest first: the update to everyone
        assert (kind, subject, status) == (
            "Invitation SEQ 1",
            f"Updated: NAM ambassadorial briefing before UPR{NEXT_SESSION}, Thu 24 Apr 2025 15:00",
            "Pending")
    assert f"/outbox?briefing={first}" in page.url


def test_cancelling_shows_who_is_notified_and_keeping_changes_nothing(page, live_server,
                                                                      briefing_ids):
    first, _second = briefing_ids
    login(page, "editor")
    page.goto(f"/briefings/{first}")
    page.get_by_role("link", name="Cancel the briefing…").click()
    preview = page.locator("section", has=page.get_by_role("heading", name="Who will be notified"))
    expect(preview).to_contain_text("A cancellation will be queued to")
    technical = preview.locator("details.technical")
    expect(technical.get_by_text("METHOD:CANCEL")).to_be_hidden()  # folded away by default
    technical.get_by_text("Technical details").click()
    expect(technical.get_by_text("METHOD:CANCEL")).to_be_visible()
    expect(preview).to_contain_text("This cannot be undone")
    contacts = int(re.search(r"queued to (\d+) contacts", preview.inner_text())[1])
    screenshot(page, "09-cancel-preview")

    page.get_by_role("link", name="Keep the briefing").click()
    expect(page.locator("dt:text-is('Status') + dd")).to_have_text("Confirmed")
    expect(page.locator("dt:text-is('SEQUENCE') + dd")).to_have_text("0")

    page.get_by_role("link", name="Cancel the briefing…").click()
    page.get_by_role("button", name=f"Cancel the briefing and notify {contacts} contacts").click()
    expect(page.get_by_text(f"Briefing cancelled; cancellation queued to {contacts} contacts — "
                            "follow the delivery.")).to_be_visible()
    expect(page.locator("dt:text-is('Status') + dd")).to_have_text("Cancelled")
    expect(page.get_by_role("link", name="Reschedule…")).to_have_count(0)
    compose(live_server)  # the delivery worker writes the cancellations
    page.get_by_role("link", name="See them in the outbox").click()
    assert outbox_rows(page)[0][1] == "Cancellation SEQ 1"


def test_a_viewer_sees_a_briefing_without_reschedule_or_cancel(page, briefing_ids):
    first, _second = briefing_ids
    login(page, "viewer")
    page.goto(f"/briefings/{first}")
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()
    expect(page.get_by_role("link", name="Reschedule…")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel the briefing…")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for action in ("cancel", "reschedule"):
        refused = page.request.post(f"/briefings/{first}/{action}", form={"csrf_token": token})
        assert refused.status == 403, action
    page.reload()
    expect(page.locator("dt:text-is('Status') + dd")).to_have_text("Confirmed")
    expect(page.locator("dt:text-is('SEQUENCE') + dd")).to_have_text("0")


def test_without_javascript_a_mission_answers_with_the_button(new_context, live_server,
                                                               briefing_ids):
    link = rsvp_page(live_server.app, briefing_ids[1], FOCAL_POINT, "tentative")
    mission = new_context(java_script_enabled=False).new_page()
    mission.goto(link)
    expect(mission.get_by_role("heading", level=1)).to_have_text("Your answer: Tentative")
    mission.get_by_role("button", name="Confirm: Tentative").click()
    expect(mission.get_by_role("heading", level=1)).to_have_text("Thank you — recorded: Tentative")


def test_every_page_loads_only_from_the_service_itself(page, new_context, live_server,
                                                       briefing_ids):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, "admin")
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("UPR sessions")
    screenshot(page, "02-sessions-list")
    for name in ("States", "Missions", "Outbox", "Calendars", "Audit log"):
        main_nav.get_by_role("link", name=name).click()
        expect(main_nav.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
    for path in (f"/sessions/{NEXT_SESSION}", f"/briefings/{briefing_ids[0]}", "/missions/AFG",
                 "/outbox/1", f"/briefings/{briefing_ids[0]}/reschedule"):
        assert page.goto(path).ok, path

    mission = new_context().new_page()
    mission.on("pageerror", lambda error: errors.append(str(error)))
    mission.goto(rsvp_page(live_server.app, briefing_ids[0], FOCAL_POINT, "accept"))
    expect(mission.get_by_role("heading", level=1)).to_have_text("Your answer: Accept")

    assert errors == []
    origin = live_server.origin + "/"
    assert origin + "static/style.css" in live_server.requests  # the recording works
    assert [url for url in live_server.requests if not url.startswith(origin)] == []


def presenter_decline_link(app, briefing_id: int) -> tuple[str, str]:
    """A presenting mission's state name and its contact's one-click Decline link."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Invitation
    from nam_briefings.services import invitations

    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation).filter_by(
            briefing_id=briefing_id, role="presenter").order_by(Invitation.id)).first()
        return (invitation.contact.mission.state.name,
                invitations.rsvp_links(invitation)["decline"])


def test_a_presenter_s_decline_waits_for_the_secretariat_s_decision(page, new_context,
                                                                    live_server, briefing_ids):
    first, _second = briefing_ids
    deliver_outbox(live_server, until=FOCAL_POINT)  # the first missions have the invitation
    state, link = presenter_decline_link(live_server.app, first)
    mission = new_context().new_page()
    mission.goto(link)
    mission.get_by_role("button", name="Confirm: Decline").click()
    expect(mission.get_by_text("The secretariat has been told and will send")).to_be_visible()

    login(page, "editor")
    page.goto("/")
    action = page.get_by_role("link", name=re.compile(f"^{state} no longer presents at the "
                                                      "briefing of .*: nothing has been sent yet"))
    expect(action).to_be_visible()
    action.click()
    decision = page.locator("#decision")
    expect(decision.get_by_role("heading", level=2)).to_have_text(
        f"Your decision: {state} no longer presents")
    expect(decision).to_contain_text("Nothing has been sent to the missions yet.")
    for choice in ("Re-plan the meeting…", "Cancel it…"):
        expect(decision.get_by_role("link", name=choice)).to_be_visible()
    screenshot(page, "30-decision-after-a-decline")

    # keeping the meeting: first the update a mission will receive, with a note
    decision.get_by_role("link", name="Keep the meeting and send the new agenda…").click()
    preview = page.locator("#mail-preview")
    expect(preview).to_contain_text(f"What changed:\n  - {state} no longer presents.")
    page.get_by_label("A note from the secretariat (optional)").fill(
        "The Ambassador of Guyana will present first.")
    page.get_by_role("button", name="Show the e-mail with this note").click()
    expect(preview.locator("pre.mail-text").first).to_contain_text(
        "A note from the NAM Chairmanship:\n  The Ambassador of Guyana will present first.")
    expect(preview).to_contain_text("Answer asked")
    screenshot(page, "39-email-preview")
    assert outbox_rows_of_sequence(live_server.app, first, 1) == 0, "a preview sends nothing"
    page.get_by_role("button", name=re.compile(r"^Send the new agenda to \d+ contacts")).click()
    expect(page.get_by_text(re.compile(r"^New agenda queued to \d+ contacts"))).to_be_visible()
    expect(page.locator("#decision")).to_have_count(0)
    compose(live_server)
    assert outbox_rows_of_sequence(live_server.app, first, 1) > 0


def outbox_rows_of_sequence(app, briefing_id: int, sequence: int) -> int:
    """How many outbox messages carry this version of the briefing."""
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage).filter_by(
            briefing_id=briefing_id, sequence=sequence))
