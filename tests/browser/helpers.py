"""What the browser tests do again and again: log in, follow links, take screenshots,
and set the stage through the services (as the scheduler or another user would)."""
from __future__ import annotations

import os
import re
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from nam_briefings import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

PASSWORD = "correct horse battery"
#: one secretariat account per role, in the seeded database
USERS = {role: f"{role}@chair.example.org" for role in ("admin", "editor", "viewer")}
#: the next session on the pinned day, and the missions that present at its first briefing
NEXT_SESSION = 49
FIRST_BRIEFING_PRESENTERS = ["Grenada", "Guinea", "Guinea-Bissau", "Guyana"]
#: the demo contacts of Guyana's mission (a presenter at the first briefing)
GUYANA_FOCAL_POINT = "upr.guy@example.org"


def artifacts_dir() -> Path:
    """Where screenshots go: TEST_ARTIFACTS_DIR, or test-artifacts/screenshots in the project."""
    named = os.environ.get("TEST_ARTIFACTS_DIR")
    return Path(named) if named else PROJECT_ROOT / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of what the page shows now, as a test artifact."""
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, role: str = "editor") -> None:
    """Log in through the login form as the seeded user with this role."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("E-mail address").fill(USERS[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {USERS[role]}.")).to_be_visible()


def open_next_session(page: Page) -> None:
    """From any logged-in page, follow the visible links to the next session's page."""
    from playwright.sync_api import expect

    main_nav = page.get_by_role("navigation", name="Main")
    dashboard = main_nav.get_by_role("link", name="Dashboard")
    if dashboard.count():
        dashboard.click()
    else:
        main_nav.get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name=f"UPR session {NEXT_SESSION}", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"UPR session {NEXT_SESSION}")


def plan_next_session(live: LiveServer) -> str:
    """Plan the next session through the service, as the scheduler does; the best proposal's key."""
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    with live.app.app_context():
        return briefings.plan_session(NEXT_SESSION, Actor.system()).proposals[0].key


def confirm_next_session(live: LiveServer) -> list[int]:
    """Plan the next session and confirm its best proposal; the briefings' ids, in time order."""
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    key = plan_next_session(live)
    with live.app.app_context():
        created = briefings.confirm_proposal(key, Actor(USERS["editor"]))
        return [b.id for b in sorted(created, key=lambda b: b.start_at)]


def deliver_outbox(live: LiveServer) -> int:
    """Deliver every queued message to the test SMTP server, as the scheduler does."""
    from nam_briefings.services import outbox

    with live.app.app_context():
        report = outbox.deliver_all(ignore_backoff=True)
    assert report.failed == 0 and report.retrying == 0, report
    return report.sent


def received_by(live: LiveServer, address: str) -> list[EmailMessage]:
    """The messages the SMTP server received for this address, in order of arrival."""
    return [message for recipients, message in live.mail.messages if address in recipients]


def rsvp_link(message: EmailMessage, answer: str) -> str:
    """The one-click answer link in an invitation e-mail's text part."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"(http\S+/rsvp/\S+/{answer})\s", body)
    assert match, f"no {answer} link in:\n{body}"
    return match.group(1)
