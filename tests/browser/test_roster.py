"""The roster of a briefing at the Movement's real size (121 missions, 242 contacts): counts
that filter, a search, an order, a phone layout with each mission's answer in sight, and
reminding those who have not answered after a preview of exactly who gets what."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import login, screenshot  # noqa: E402

#: the missions that answer before the secretariat looks (ISO code -> answer)
ANSWERS = {"AFG": "accept", "DZA": "accept", "AGO": "tentative", "BHR": "decline",
           "BGD": "accept", "BLZ": "accept", "BEN": "decline"}


@pytest.fixture
def database_path(confirmed_database):
    return confirmed_database.path


@pytest.fixture
def first(confirmed_database, live_server) -> int:
    """The first briefing of the next session: its invitations went out three days ago, and
    a few missions answered (through one contact each)."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact, Invitation, Mission
    from nam_briefings.services import briefings, clock, invitations, outbox

    briefing_id = confirmed_database.briefing_ids[0]
    with live_server.app.app_context():
        report = outbox.deliver_all(ignore_backoff=True, now=clock.now() - timedelta(days=3))
        assert report.failed == 0, report
        for iso3, answer in ANSWERS.items():
            invitation = db.session.scalars(
                db.select(Invitation).join(Invitation.contact).join(Contact.mission)
                .where(Invitation.briefing_id == briefing_id, Mission.state_iso3 == iso3)
                .order_by(Invitation.id)).first()
            briefings.answer_by_link(invitations.rsvp_token(invitation), answer)
    return briefing_id


def test_the_roster_of_121_missions_filters_searches_and_sorts(page, first):
    login(page, "viewer")
    page.goto(f"/briefings/{first}")
    counts = page.locator("p").filter(has_text="Missions' answers")
    expect(counts).to_contain_text(re.compile(r"4\s+accepted · 1\s+tentative · 2\s+declined · "
                                              r"114\s+no answer yet"))
    expect(page.locator("#roster-shown")).to_have_text("121 missions.")
    rows = page.locator("table.roster tbody tr")
    expect(rows).to_have_count(121)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"roster page height at 121 missions, 1280 px wide: {height} px")
    screenshot(page, "36-roster-121-missions")

    # the count of declines is a link that narrows the roster to them
    counts.get_by_role("link", name=re.compile(r"2\s+declined")).click()
    expect(page.locator("#roster-shown")).to_have_text("2 of 121 missions match.")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Bahrain")
    expect(rows.nth(1)).to_contain_text("Benin")

    # a search, with the answer filter kept, then everyone again
    page.get_by_label("Answer").select_option("none")
    page.get_by_label("Search").fill("guinea")
    page.get_by_role("button", name="Show").click()
    # the text before the click ends the same way: wait for the new page itself
    expect(page).to_have_url(re.compile(r"[?&]q=guinea"))
    expect(page.locator("#roster-shown")).to_contain_text("of 121 missions match.")
    texts = rows.all_inner_texts()
    assert texts and all("Guinea" in row for row in texts), texts
    page.get_by_role("link", name="Show everyone").click()
    expect(rows).to_have_count(121)

    # no answer first: the seven that answered come last
    page.get_by_label("Order").select_option("answer")
    page.get_by_role("button", name="Show").click()
    expect(rows.nth(0).locator(".roster__answer")).to_have_text("No answer yet")
    expect(rows.nth(120).locator(".roster__answer")).to_have_text("Accepted")


def test_on_a_phone_each_mission_s_answer_is_beside_its_name(new_context, first):
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True).new_page()
    login(phone, "viewer")
    phone.goto(f"/briefings/{first}")
    row = phone.locator("table.roster tbody tr").filter(has_text="Bahrain BHR")
    answer = row.locator(".roster__answer")
    expect(answer).to_have_text("Declined")
    name_box, answer_box = row.locator("th").bounding_box(), answer.bounding_box()
    assert answer_box["x"] + answer_box["width"] <= 390, answer_box
    assert abs(answer_box["y"] - name_box["y"]) < 24, (name_box, answer_box)  # one line
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    height = phone.evaluate("document.documentElement.scrollHeight")
    print(f"roster page height at 121 missions, 390 px wide: {height} px")
    screenshot(phone, "37-roster-phone")


def test_reminding_those_who_have_not_answered_shows_who_gets_what_then_sends_once(
        page, live_server, first):
    login(page, "editor")
    page.goto(f"/briefings/{first}")
    page.get_by_role("link", name="Remind those who have not answered…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remind those who have not answered")
    expect(page.get_by_role("main")).to_contain_text("114 missions have not answered yet")
    heading = page.get_by_role("heading", name=re.compile(r"^\d+ reminders will go$"))
    going = int(heading.inner_text().split()[0])
    assert going >= 2 * 114 - 10, going  # two contacts at nearly every demo mission
    expect(page.get_by_role("main")).not_to_contain_text("ambassador.afg@example.org")
    expect(page.locator("pre.mail-text")).to_contain_text("We have not yet received your answer")
    screenshot(page, "38-remind-preview")

    page.get_by_role("button", name=f"Send {going} reminders").click()
    expect(page.get_by_text(f"{going} reminders queued to the contacts of missions that have "
                            "not answered")).to_be_visible()
    page.goto(f"/briefings/{first}/remind")  # later the same day: nobody twice
    expect(page.get_by_role("heading", name="0 reminders will go")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Already reminded by hand today.")
