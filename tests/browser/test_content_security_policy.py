"""Under the Content-Security-Policy nothing the pages need is refused: Chromium reports
no violation on the main pages (the timeline's SVG, the outbox's e-mail preview, the
mission portal with its copy button, the RSVP page), and the scripts still run."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import (  # noqa: E402
    FOCAL_POINT,
    NEXT_SESSION,
    deliver_outbox,
    login,
    rsvp_page,
)

#: collects every policy violation a page reports, with what was refused
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def database_path(confirmed_database):
    return confirmed_database.path


def violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def watched(context):
    """A new page of `context` that records CSP violations and console errors."""
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error"
            and page.console_errors.append(message.text))
    return page


def test_no_page_breaks_the_policy(new_context, live_server, confirmed_database):
    first = confirmed_database.briefing_ids[0]
    page = watched(new_context())
    login(page, "admin")
    seen = {}
    for path in ("/", "/sessions", f"/sessions/{NEXT_SESSION}", f"/briefings/{first}",
                 "/missions", "/missions/AFG", "/outbox", "/outbox/1", "/calendars",
                 "/admin/users", f"/briefings/{first}/reschedule"):
        assert page.goto(path).ok, path
        page.wait_for_load_state("load")
        seen[path] = violations(page)
    assert {path: found for path, found in seen.items() if found} == {}
    assert [m for m in page.console_errors if "Content Security Policy" in m] == []
    page.goto(f"/sessions/{NEXT_SESSION}")
    expect(page.locator("svg.timeline__svg")).to_be_visible()
    assert page.locator("svg.timeline__svg rect").count() > 10

    # the secretariat's feed field selects itself when focused (select-on-focus.js)
    page.goto("/missions/AFG")
    field = page.get_by_label("Feed address")
    field.focus()
    assert field.evaluate("f => [f.selectionStart, f.selectionEnd]") == [
        0, len(field.input_value())]


def test_the_email_preview_keeps_its_styles(new_context, live_server):
    page = watched(new_context())
    login(page, "admin")
    page.goto("/outbox/1")
    body = page.frame_locator("iframe.mail-html").locator("body")
    expect(body).to_have_css("font-family", re.compile("Arial"))
    assert violations(page) == []


def test_the_portal_copy_button_and_the_rsvp_page_work_under_the_policy(
        new_context, live_server, confirmed_database):
    invitation = deliver_outbox(live_server, until=FOCAL_POINT)[0]
    body = invitation.get_body(preferencelist=("plain",)).get_content()
    portal = re.search(r"Your mission's page: (\S+)", body, re.I)[1]
    mission = watched(new_context(permissions=["clipboard-read", "clipboard-write"]))
    mission.goto(portal)
    mission.get_by_role("button", name="Copy link").click()
    expect(mission.locator("#feed-copy-status")).to_have_text(
        "Copied: paste it into your calendar program.")
    assert violations(mission) == []

    # the one-click answer: rsvp.js sends the form by itself (it holds back for automated
    # browsers, so this one says it is not automated)
    person = new_context()
    person.add_init_script(
        "Object.defineProperty(navigator, 'webdriver', {get: function () { return false; }});")
    answer = watched(person)
    answer.goto(rsvp_page(live_server.app, confirmed_database.briefing_ids[0], FOCAL_POINT,
                          "accept"))
    expect(answer.get_by_role("heading", level=1)).to_have_text("Thank you — recorded: Accepted")
    assert violations(answer) == []
