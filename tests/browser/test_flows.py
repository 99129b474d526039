"""The secretariat's main flows in a real browser (Debian's Chromium), through a live server.

Logging in, the dashboard, the next session and its proposals, confirming one (two
steps) and the invitations in the outbox. Screenshots of the main pages are written as
test artifacts (see `helpers.screenshot`).
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import (  # noqa: E402
    CONFIRM_FIRST_PROPOSAL,
    FIRST_BRIEFING_PRESENTERS,
    NEXT_SESSION,
    USERS,
    compose,
    login,
    outbox_rows,
    open_next_session,
    screenshot,
)


def test_wrong_password_is_refused_then_the_right_one_logs_in(page, live_server):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "01-login")

    page.get_by_label("E-mail address").fill(USERS["editor"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    # in the form's error box (focused) and next to the field
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert").get_by_text("Wrong e-mail address or password.")
           ).to_be_visible()
    expect(page.get_by_text("Wrong e-mail address or password.", exact=True)).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {USERS['editor']}.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_editor_plans_the_next_session_confirms_a_proposal_and_sees_the_invitations_queued(
        new_context, live_server):
    # with JavaScript off: the secretariat's pages work without it (and confirming, which
    # fans out to every NAM mission, is the slowest step of these tests: done once)
    page = new_context(java_script_enabled=False).new_page()
    login(page, "editor")
    open_next_session(page)
    briefing = page.locator("#briefing")
    expect(briefing).to_contain_text("No briefing is confirmed and there are no proposals yet.")

    briefing.get_by_role("button", name="Propose times").click()
    expect(page.get_by_text(f"5 proposals for session {NEXT_SESSION}, best first.")).to_be_visible()
    first = page.locator("li.proposal").first
    expect(first.get_by_role("heading", name=re.compile("^Proposal 1"))).to_be_visible()
    expect(first).to_contain_text("Meeting 1: Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST")
    for state in FIRST_BRIEFING_PRESENTERS:
        expect(first.get_by_role("rowheader", name=re.compile(f"^{state} "))).to_have_count(1)
    expect(first).to_contain_text("Why this proposal")
    screenshot(page, "03-session-proposals")

    # step one: what confirming creates; nothing is stored by looking
    first.get_by_role("link", name=CONFIRM_FIRST_PROPOSAL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Confirm proposal 1 for UPR session {NEXT_SESSION}")
    expect(page.get_by_text("Confirming creates 2 briefings")).to_be_visible()
    screenshot(page, "04-confirm-step")
    page.get_by_role("link", name="Cancel and go back").click()
    expect(page.locator("li.proposal")).to_have_count(5)

    # step two: confirm for real
    page.locator("li.proposal").first.get_by_role("link", name=CONFIRM_FIRST_PROPOSAL).click()
    page.get_by_role("button", name="Confirm 2 briefings").click()
    expect(page.get_by_text(re.compile(
        rf"^Confirmed: 2 briefings for session {NEXT_SESSION}; \d+ invitations are being "
        r"prepared and sent — follow them on the briefing pages: briefing of .+, briefing of .+\.$"
    ))).to_be_visible()
    cards = page.locator("article.briefing-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Tue 22 Apr 2025, 10:00 CEST – 11:30 CEST")
    expect(cards.first.get_by_text("SEQUENCE", exact=True)).to_be_hidden()  # folded away
    expect(cards.first.locator("details.technical summary")).to_have_text("Technical details")

    # the first briefing's invitations wait in the outbox
    cards.first.get_by_role("link", name=re.compile("^Roster and answers")).click()
    invited = page.locator("dt:text-is('Invited') + dd")
    contacts = int(re.match(r"(\d+) contacts", invited.inner_text()).group(1))
    assert contacts > 200  # two demo contacts at each of the 120-odd NAM member missions
    compose(live_server)  # the scheduler's delivery worker writes them (within moments)
    page.get_by_role("link", name="See them in the outbox").click()
    expect(page.get_by_role("heading", name=re.compile("^Latest messages for briefing"))
           ).to_be_visible()
    expect(page.get_by_text(f"{contacts} messages, newest first")).to_be_visible()
    rows = outbox_rows(page)
    assert rows  # the first page of them, newest first: invitations, version 0, not sent yet
    for _id, kind, to, subject, status, *_ in rows:
        assert (kind, subject, status) == (
            "Invitation SEQ 0",
            f"NAM ambassadorial briefing before UPR{NEXT_SESSION}, Tue 22 Apr 2025 10:00",
            "Pending")
        assert to.endswith("@example.org")
    screenshot(page, "06-outbox")


def test_the_dashboard_leads_to_the_next_session_and_its_proposals(page, live_server):
    login(page, "editor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    card = page.locator("article.session-status").filter(
        has=page.get_by_role("link", name=f"UPR session {NEXT_SESSION}", exact=True))
    expect(card).to_contain_text("28 Apr – 9 May 2025")
    expect(card).to_contain_text("starts in 56 days")  # from Monday 3 March 2025
    expect(card).to_contain_text("NAM presenters, in order of review:")
    expect(card).to_contain_text("Briefing: no proposal yet.")
    screenshot(page, "00-dashboard")

    card.get_by_role("link", name=f"Propose times for session {NEXT_SESSION}").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{NEXT_SESSION}#briefing$"))
    page.locator("#briefing").get_by_role("button", name="Propose times").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    card.get_by_role("link", name=f"Review the proposals for session {NEXT_SESSION}").click()
    expect(page.locator("li.proposal")).to_have_count(5)
