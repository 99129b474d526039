"""The delivery panel in a real browser: it follows a delivery by itself (its script polls
the panel's JSON), announces the change in its live region, and without JavaScript the
page still shows the figures, a reload the latest ones.

The next session is confirmed through the service as the test starts: its two fan-outs
(one per briefing, to every contact of the demo's NAM missions) wait for the delivery
worker, whose steps the test runs itself, between the page's polls or in a thread.
"""
from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from nam_briefings.services import briefings, outbox  # noqa: E402
from nam_briefings.services.audit import Actor  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    USERS, compose, login, plan_next_session, screenshot,
)


def confirm_next_session(app) -> list[int]:
    """Confirm the next session's best proposal, its invitations left to the delivery
    worker (queued fan-outs); the two briefings' ids, in time order."""
    key = plan_next_session(app)
    with app.app_context():
        made = briefings.confirm_proposal(key, Actor(USERS["editor"]))
        return [briefing.id for briefing in made]


def deliver(live, batch_size: int | None = None) -> None:
    """The worker's second step: one batch, or everything due."""
    with live.app.app_context():
        if batch_size:
            outbox.deliver(batch_size=batch_size, ignore_backoff=True)
        else:
            outbox.deliver_all(ignore_backoff=True)


def invitations_row(page):
    """The first (only) fan-out of the briefing: its invitations."""
    return page.locator("#delivery tr[data-fanout]").first


def figure(row, name: str):
    return row.locator(f'[data-figure="{name}"]')


def test_the_panel_follows_the_delivery_by_itself(page, live_server):
    first, _second = confirm_next_session(live_server.app)
    problems: list[str] = []  # script errors, and what the Content-Security-Policy refused
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None)  # a failed request is checked by its response:
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    login(page, "editor")
    page.goto(f"/briefings/{first}")
    row = invitations_row(page)
    expect(figure(row, "phase")).to_have_text("Waiting for the delivery worker")
    recipients = int(figure(row, "recipients").inner_text())
    assert recipients > 200
    summary = page.locator("#delivery [data-progress-summary]")
    expect(summary).to_have_attribute("aria-live", "polite")
    expect(summary).to_have_text(re.compile(r"^In progress: 0 sent, \d+ to go\.$"))
    page.evaluate("window.stillTheSamePage = true")  # gone if the page were reloaded

    compose(live_server)
    expect(figure(row, "phase")).to_have_text(f"Sending: 0 of {recipients} sent")
    expect(figure(row, "composed")).to_have_text(str(recipients))
    expect(figure(row, "messages.pending")).to_have_text(str(recipients))

    deliver(live_server, batch_size=40)  # the oldest messages: this briefing's
    expect(figure(row, "messages.sent")).to_have_text("40")
    expect(figure(row, "phase")).to_have_text(f"Sending: 40 of {recipients} sent")
    expect(summary).to_have_text(f"In progress: 40 sent, {recipients - 40} to go.")
    screenshot(page, "20-delivery-progress-sending")

    worker = threading.Thread(target=deliver, args=(live_server,), name="delivery-worker")
    worker.start()
    try:
        expect(figure(row, "phase")).to_have_text(f"Finished: {recipients} sent",
                                                  timeout=60_000)
    finally:
        worker.join(timeout=120)
    expect(figure(row, "messages.sent")).to_have_text(str(recipients))
    expect(figure(row, "messages.pending")).to_have_text("0")
    expect(summary).to_have_text(f"Finished: {recipients} sent.")
    expect(page.locator('[data-briefing-count="sent"]')).to_have_text(str(recipients))  # "E-mails"
    expect(page.locator("#delivery [data-progress-failed]")).to_be_hidden()
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("#delivery .delivery-panel")).to_have_attribute(
        "data-progress-unfinished", "false")
    screenshot(page, "21-delivery-progress-finished")
    assert problems == []


def test_the_outbox_panel_follows_every_briefing_by_itself(page, live_server):
    first, second = confirm_next_session(live_server.app)
    login(page, "viewer")
    page.goto("/outbox")
    panel = page.locator("#delivery")
    expect(panel.locator("[data-briefing]")).to_have_count(2)
    expect(panel.locator("tr[data-fanout]").filter(
        has_text="Waiting for the delivery worker")).to_have_count(2)
    page.evaluate("window.stillTheSamePage = true")

    compose(live_server)
    deliver(live_server, batch_size=25)
    sent = page.locator('[data-outbox-count="sent"]')
    expect(sent).to_have_text("25")
    first_row = panel.locator(f'[data-briefing="{first}"] tr[data-fanout]')
    expect(figure(first_row, "messages.sent")).to_have_text("25")
    expect(figure(panel.locator(f'[data-briefing="{second}"] tr[data-fanout]'),
                  "messages.pending")).not_to_have_text("0")
    screenshot(page, "22-outbox-delivery-progress")
    assert page.evaluate("window.stillTheSamePage") is True


def test_without_javascript_the_page_shows_the_figures_and_a_reload_the_latest(
        new_context, live_server):
    first, _second = confirm_next_session(live_server.app)
    page = new_context(java_script_enabled=False).new_page()
    login(page, "viewer")
    compose(live_server)
    deliver(live_server, batch_size=30)
    page.goto(f"/briefings/{first}")
    row = invitations_row(page)
    recipients = int(figure(row, "recipients").inner_text())
    expect(figure(row, "phase")).to_have_text(f"Sending: 30 of {recipients} sent")
    expect(figure(row, "messages.sent")).to_have_text("30")
    # Playwright turns scripts off after parsing, so Chromium does not render <noscript>
    # here (a browser with scripts off does): check that the page carries the line
    assert "Reload the page to see the latest figures." in page.locator(
        "#delivery noscript").inner_html()
    screenshot(page, "23-delivery-progress-without-javascript")

    deliver(live_server, batch_size=30)
    page.reload()
    expect(figure(invitations_row(page), "messages.sent")).to_have_text("60")

    page.get_by_role("link", name=re.compile("^Show each recipient")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invitations, version 0: each recipient")
    expect(page.locator("table.recipients tbody tr")).to_have_count(100)  # the first page
    expect(page.get_by_role("navigation", name="Pages of recipients")).to_contain_text(
        f"Page 1 of {-(-recipients // 100)}")
