"""Who may do what, and pages that work for everyone: a viewer cannot confirm, the keyboard
alone suffices, and a phone-sized screen needs no sideways scrolling. (Planning and
confirming without JavaScript: test_flows; answering without it: test_briefing_pages.)"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import (  # noqa: E402
    NEXT_SESSION,
    PASSWORD,
    USERS,
    login,
    open_next_session,
    plan_next_session,
    screenshot,
)

PHONE = {"width": 390, "height": 844}
#: names the element that sticks out furthest to the right (to say what makes a page too wide)
WIDEST_ELEMENT = """() => {
  let widest = null, right = 0;
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.right > right) { right = box.right; widest = element; }
  }
  return widest ? `${widest.tagName}.${widest.className} right=${Math.round(right)}` : "";
}"""


def test_a_viewer_sees_the_proposals_without_confirm_buttons_and_a_direct_post_is_refused(
        page, live_server):
    key = plan_next_session(live_server.app)
    login(page, "viewer")
    open_next_session(page)
    expect(page.locator("li.proposal")).to_have_count(5)
    expect(page.get_by_role("link", name=re.compile("^Confirm"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Propose times|Plan again"))).to_have_count(0)

    # the confirmation step and the confirming POST itself, with a valid CSRF token
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    confirm_url = f"/sessions/{NEXT_SESSION}/proposals/{key}/confirm"
    assert page.request.get(confirm_url).status == 403
    refused = page.request.post(confirm_url, form={"csrf_token": token})
    assert refused.status == 403
    page.reload()
    expect(page.locator("li.proposal")).to_have_count(5)
    expect(page.locator("article.briefing-card")).to_have_count(0)


def test_the_keyboard_reaches_the_skip_link_first_and_logs_in_alone(page, live_server):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")  # to the main content
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail address")).to_be_focused()
    page.keyboard.type(USERS["editor"])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Welcome, {USERS['editor']}.")).to_be_visible()

    # on every page the skip link comes first
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_a_phone_sized_screen_shows_the_main_pages_without_sideways_scrolling(
        new_context, live_server):
    plan_next_session(live_server.app)
    phone = new_context(viewport=PHONE).new_page()
    login(phone, "editor")
    open_next_session(phone)
    expect(phone.locator("li.proposal")).to_have_count(5)
    screenshot(phone, "10-phone-session")
    widths = {phone.url: phone.evaluate("document.scrollingElement.scrollWidth")}
    for path in ("/", "/sessions", "/states", "/missions", "/missions/GUY", "/outbox", "/replies",
                 "/busy", "/rooms", "/calendars", "/audit", "/login"):
        phone.goto(path)
        widths[path] = phone.evaluate("document.scrollingElement.scrollWidth")
    too_wide = {path: (width, phone.evaluate(WIDEST_ELEMENT) if phone.goto(path) else "")
                for path, width in widths.items() if width > PHONE["width"]}
    assert not too_wide, too_wide
