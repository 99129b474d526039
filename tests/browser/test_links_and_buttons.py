"""Links that reach the service, and answers as buttons, seen in real chromium: an invitation's
HTML part shows Accept / Tentative / Decline as large buttons that open the mission's own
answer page; the dashboard warns when it is opened at another address than the one links
in e-mails are built from (PUBLIC_BASE_URL)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import FOCAL_POINT, deliver_outbox, login, screenshot  # noqa: E402

#: what WCAG 2.5.5 asks of a target, in CSS pixels
TARGET_SIZE = 44


@pytest.fixture
def database_path(confirmed_database):
    return confirmed_database.path


def test_the_invitation_s_answers_are_large_buttons_that_open_the_answer_page(
        page, new_context, live_server, confirmed_database):
    invitation = deliver_outbox(live_server, until=FOCAL_POINT)[0]
    html = invitation.get_body(preferencelist=("html",)).get_content()
    mail = new_context().new_page()
    mail.set_content(html)  # as a mail client shows the HTML part
    for label in ("Accept", "Tentative", "Decline"):
        button = mail.get_by_role("link", name=label, exact=True)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= TARGET_SIZE and box["width"] >= TARGET_SIZE, (label, box)
        href = button.get_attribute("href")
        assert href.startswith(live_server.url + "/rsvp/"), href
    screenshot(mail, "40-invitation-answer-buttons")

    accept = mail.get_by_role("link", name="Accept", exact=True).get_attribute("href")
    mail.goto(accept)
    expect(mail.get_by_role("heading", level=1)).to_have_text("Your answer: Accept")


def test_the_dashboard_warns_when_opened_at_another_address_than_the_links_use(
        browser, live_server):
    """PUBLIC_BASE_URL is http://127.0.0.1:<port>; the same server reached as localhost warns."""
    port = urlsplit(live_server.url).port
    elsewhere = f"http://localhost:{port}"
    for origin, warns in ((live_server.url, False), (elsewhere, True)):
        context = browser.new_context(base_url=origin)
        try:
            page = context.new_page()
            login(page, "viewer")
            page.goto("/")
            warning = page.locator("#public-url-warning")
            if warns:
                expect(warning).to_be_visible()
                expect(warning).to_contain_text(f"You opened this page at {elsewhere}")
                expect(warning).to_contain_text(re.compile(
                    rf"built from {re.escape(live_server.url)}"))
                screenshot(page, "41-public-url-warning")
            else:
                expect(warning).to_have_count(0)
        finally:
            context.close()
