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
    from flask import Flask
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveServer

PASSWORD = "correct horse battery"
#: one secretariat account per role, in the seeded database
USERS = {role: f"{role}@chair.example.org" for role in ("admin", "editor", "viewer")}
#: the next session on the pinned day, and the missions that present at its first briefing
NEXT_SESSION = 49
FIRST_BRIEFING_PRESENTERS = ["Grenada", "Guinea", "Guinea-Bissau", "Guyana"]
#: the best proposal's "Confirm…" link (Chromium names it "Confirm proposal 1 …": the
#: visually hidden part is positioned absolutely, so it counts as a block of its own)
CONFIRM_FIRST_PROPOSAL = re.compile(r"^Confirm proposal 1\W")
#: the demo contact whose mail is queued first (missions are invited in the order of their
#: ISO codes: Afghanistan's, a NAM member that does not present in session 49)
FOCAL_POINT = "upr.afg@example.org"


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


def plan_next_session(app: Flask) -> str:
    """Plan the next session through the service, as the scheduler does; the best proposal's key."""
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    with app.app_context():
        return briefings.plan_session(NEXT_SESSION, Actor.system()).proposals[0].key


def confirm_next_session(app: Flask) -> list[int]:
    """Plan the next session and confirm its best proposal; the briefings' ids, in time order."""
    from nam_briefings.services import briefings, fanout
    from nam_briefings.services.audit import Actor

    key = plan_next_session(app)
    with app.app_context():
        created = briefings.confirm_proposal(key, Actor(USERS["editor"]))
        ids = [b.id for b in sorted(created, key=lambda b: b.start_at)]
        fanout.compose_pending()  # what the delivery worker does first
        return ids


def rsvp_page(app: Flask, briefing_id: int, email: str, answer: str) -> str:
    """The answer link the service makes for a contact's invitation (what its e-mail carries)."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact, Invitation
    from nam_briefings.services import invitations

    with app.app_context():
        invitation = db.session.scalar(db.select(Invitation).join(Invitation.contact).where(
            Invitation.briefing_id == briefing_id, Contact.email == email))
        return invitations.rsvp_links(invitation)[answer]


def compose(live: LiveServer) -> None:
    """What the scheduler's delivery worker does first: write the queued fan-outs' messages."""
    from nam_briefings.services import fanout

    with live.app.app_context():
        fanout.compose_pending()


def deliver_outbox(live: LiveServer, until: str) -> list[EmailMessage]:
    """Deliver queued messages, oldest first, to the test SMTP server (as the scheduler does)
    until the given address has received something; what it received.

    Batches stay small: building and sending every invitation to the 120-odd demo missions
    would take most of the browser tests' time.
    """
    from nam_briefings.services import outbox

    with live.app.app_context():
        while not received_by(live, until):
            report = outbox.deliver(batch_size=10, ignore_backoff=True)
            assert report.failed == 0 and report.retrying == 0, report
            if report.sent == 0:
                break
    received = received_by(live, until)
    assert received, f"nothing was queued for {until}"
    return received


def received_by(live: LiveServer, address: str) -> list[EmailMessage]:
    """The messages the SMTP server received for this address, in order of arrival."""
    return [message for recipients, message in live.mail.messages if address in recipients]


def rsvp_link(message: EmailMessage, answer: str) -> str:
    """The one-click answer link in an invitation e-mail's text part."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"(http\S+/rsvp/\S+/{answer})\s", body)
    assert match, f"no {answer} link in:\n{body}"
    return match.group(1)


def outbox_rows(page: Page) -> list[list[str]]:
    """The Outbox page's message rows, each as the texts of its cells (#, kind, to, subject,
    status, attempts, queued, sent), read in one go once the Outbox page has loaded (after a
    click on a link to it, the page can still be the one before)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    return page.locator("table.outbox tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.innerText.trim()))")
