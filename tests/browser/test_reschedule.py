"""Rescheduling with help, in Chromium: the planner's free times for the briefing, one
chosen with a click, and the warning (with its "Move it anyway" tick) before a time that
breaks the order of review is sent.

Starts from the database in which session 49's best proposal is confirmed (two
briefings, the first on Tue 22 Apr 2025 at 10:00).
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import login, open_next_session, screenshot  # noqa: E402


@pytest.fixture
def database_path(confirmed_database):
    """Every test here starts with the next session confirmed."""
    return confirmed_database.path


def test_choosing_a_free_time_then_a_time_out_of_order_warns_before_sending(
        page, confirmed_database):
    first, second = confirmed_database.briefing_ids
    login(page, "editor")
    open_next_session(page)
    page.locator("article.briefing-card").first.get_by_role(
        "link", name=re.compile("^Roster and answers, reschedule or cancel")).click()
    page.get_by_role("link", name="Reschedule…").click()

    free = page.locator("section", has=page.get_by_role("heading",
                                                        name="Free times for this briefing"))
    times = free.locator("li.free-time")
    expect(times.first).to_be_visible()
    assert 3 <= times.count() <= 5
    expect(times.first.locator(".badge")).to_have_text("Best")
    for index in range(times.count()):
        item = times.nth(index)
        expect(item.locator(".badge").first).to_have_text(re.compile("^(Best|Good|Possible)$"))
        expect(item).to_contain_text(re.compile(r"\d working days? before the session"))
        expect(item).not_to_contain_text("Tue 22 Apr 2025, 10:00 CEST")  # its current time

    # one click fills in the form (a plain link: no script needed)
    second_best = times.nth(1)
    when = second_best.locator("strong").inner_text()  # "Thu 17 Apr 2025, 10:00 CEST – …"
    day = re.search(r"(\d+) (\w{3}) 2025, (\d\d:\d\d)", when)
    second_best.get_by_role("link", name=re.compile("^Choose")).click()
    expect(page.locator("li.free-time.is-picked")).to_contain_text(when)
    expect(page.get_by_label("New start (Geneva time)")).to_have_value(day[3])
    expect(page.get_by_label("New date")).to_have_value(
        re.compile(rf"^2025-\d\d-{int(day[1]):02d}$"))
    screenshot(page, "31-reschedule-suggestions")

    # a time over the other briefing is refused, at the top of the form
    day, start = _start_of(page, second)
    page.goto(f"/briefings/{first}/reschedule")
    page.get_by_label("New date").fill(day)
    page.get_by_label("New start (Geneva time)").fill(start)
    _move(page)
    expect(page.locator(".error-summary")).to_contain_text(
        "this time does not work: overlaps this session's briefing of")
    expect(page.locator("#order-warning")).to_have_count(0)

    # after the second briefing, whose states are reviewed later: a warning, nothing sent
    page.get_by_label("New date").fill("2025-04-24")
    page.get_by_label("New start (Geneva time)").fill("15:00")
    _move(page)
    warning = page.locator("#order-warning")
    expect(warning).to_contain_text("Out of the order of review:")
    expect(warning).to_contain_text("so this briefing should come before theirs")
    expect(page.locator(".error-summary")).to_contain_text("This time breaks the order of review")
    screenshot(page, "32-reschedule-warning")

    # only with the tick does it move
    page.get_by_label("Move it anyway").check()
    _move(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Briefing of Thu 24 Apr 2025, 15:00 CEST")
    expect(page.locator("dt:text-is('SEQUENCE') + dd")).to_have_text("1")


def _move(page) -> None:
    page.get_by_role("button", name=re.compile("^Move the briefing and notify")).click()


def _start_of(page, briefing_id: int) -> tuple[str, str]:
    """The briefing's day (YYYY-MM-DD) and start (HH:MM), as its reschedule form shows them."""
    page.goto(f"/briefings/{briefing_id}/reschedule")
    return (page.get_by_label("New date").input_value(),
            page.get_by_label("New start (Geneva time)").input_value())
