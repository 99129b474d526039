"""Plain words, errors in sight (issue 14, point 5), in Chromium: a refused form shows one
error box at its top, in view and focused (with and without JavaScript); a session's five
proposals are compared in one table, the first in full; the audit log reads in sentences.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import (  # noqa: E402
    CONFIRM_FIRST_PROPOSAL,
    NEXT_SESSION,
    USERS,
    login,
    open_next_session,
    plan_next_session,
    screenshot,
)

#: the height of session 49's page with its five proposals one under the other (1280×720
#: window), measured before they were compared in one table
HEIGHT_BEFORE_TABLE = 7058


def in_sight(page, locator) -> None:
    """The box is fully inside the window as the page opened: nobody had to scroll."""
    box = locator.bounding_box()
    window = page.viewport_size
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= window["height"], box


def test_confirming_a_past_proposal_without_the_tick_shows_the_problem_in_sight(
        page, live_server):
    plan_next_session(live_server.app)
    live_server.app.config["TODAY"] = date(2025, 4, 23)  # its first meeting is over
    login(page, "editor")
    open_next_session(page)
    page.locator("li.proposal").first.get_by_role("link", name=CONFIRM_FIRST_PROPOSAL).click()
    page.get_by_role("button", name="Confirm 2 briefings").click()

    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)  # one box, not one per message
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Please correct this; nothing was saved:")
    in_sight(page, summary)
    # at the top of its form, which comes first, before the proposal it confirms
    assert summary.evaluate("box => box.closest('form') !== null && "
                            "box.compareDocumentPosition(document.getElementById('allow_past'))"
                            " === Node.DOCUMENT_POSITION_FOLLOWING")
    screenshot(page, "33-error-in-sight")

    # its link leads to the tick; ticking it confirms
    summary.get_by_role("link", name=re.compile("is in the past")).click()
    expect(page.get_by_label("I understand this briefing is in the past")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Confirm 2 briefings").click()
    expect(page.locator("article.briefing-card")).to_have_count(2)
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_bad_list_of_states_shows_one_box_in_sight_and_focused(new_context, live_server,
                                                                 javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    login(page, "editor")
    page.goto(f"/sessions/{NEXT_SESSION}/reviews")
    page.get_by_label("States under review, in order of review").fill("XXX\nGUY\nYYY")
    page.get_by_role("button", name="Save the order of review").click()

    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()  # autofocus does it without the script
    in_sight(page, summary)
    expect(summary.get_by_role("listitem")).to_have_count(3)
    summary.get_by_role("link", name=re.compile("^Line 1:")).click()
    expect(page.get_by_label("States under review, in order of review")).to_be_focused()


def test_the_proposals_are_compared_in_one_table_the_first_in_full(page, live_server):
    plan_next_session(live_server.app)
    login(page, "editor")
    open_next_session(page)
    table = page.locator("table.compared-proposals")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Proposal 1 Best")
    expect(rows.first).to_contain_text("Tue 22 Apr 2025, 10:00–11:30 CEST")
    expect(rows.nth(2)).to_contain_text("Possible")
    for rank in range(1, 6):  # each proposal's "Confirm…" is in its row
        expect(rows.nth(rank - 1).get_by_role("link", name=re.compile(
            rf"^Confirm proposal {rank}\W"))).to_be_visible()

    first, second = page.locator("li.proposal").first, page.locator("li.proposal").nth(1)
    expect(first.get_by_role("rowheader", name=re.compile("^Guyana "))).to_be_visible()
    expect(second.get_by_role("rowheader", name=re.compile("^Guyana "))).to_be_hidden()
    second_summary = second.locator("details.proposal__more > summary")
    second_summary.click()  # the others open on demand
    expect(second.get_by_role("rowheader", name=re.compile("^Guyana "))).to_be_visible()
    expect(second.get_by_role("link", name=re.compile(r"^Confirm proposal 2\W"))).to_be_visible()
    second_summary.click()

    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"session {NEXT_SESSION} page: {height} px high (before the table: "
          f"{HEIGHT_BEFORE_TABLE} px)")
    assert height < 0.65 * HEIGHT_BEFORE_TABLE, height
    screenshot(page, "34-proposals-compared")


def test_the_audit_log_reads_in_sentences(page, live_server):
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    key = plan_next_session(live_server.app)
    with live_server.app.app_context():
        editor = Actor(USERS["editor"])
        first, second = sorted(briefings.confirm_proposal(key, editor),
                               key=lambda briefing: briefing.start_at)
        briefings.reschedule(first.id, datetime.fromisoformat("2025-04-24T15:00+02:00"), None,
                             editor)
        briefings.cancel(second.id, editor)
    login(page, "viewer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows.nth(0)).to_contain_text(
        f"{USERS['editor']} cancelled the briefing of Wed 23 Apr 2025, 10:00–11:30 "
        f"(UPR session {NEXT_SESSION})")
    expect(rows.nth(1)).to_contain_text(
        f"{USERS['editor']} moved the briefing of Tue 22 Apr 2025 (UPR session "
        f"{NEXT_SESSION}) to Thu 24 Apr 2025, 15:00–16:30.")
    expect(rows.nth(2)).to_contain_text(
        f"{USERS['editor']} confirmed proposal 1 for UPR session {NEXT_SESSION}")
    # the codes only under "Technical details", folded away
    expect(page.get_by_text("briefing.reschedule")).to_be_hidden()
    codes = set(page.locator("details.technical dd code").all_text_contents())
    assert {"briefing.reschedule", "briefing.cancel", "briefing.confirm"} <= codes
    visible = page.locator("main").evaluate(
        "main => { const copy = main.cloneNode(true);"
        " copy.querySelectorAll('details.technical').forEach(d => d.remove());"
        " return copy.innerText; }")
    assert [code for code in codes if code in visible] == []
    rows.nth(1).get_by_text("Technical details").click()
    expect(rows.nth(1).get_by_text("briefing.reschedule")).to_be_visible()
    rows.nth(1).get_by_text("Technical details").click()
    screenshot(page, "35-audit-sentences")
