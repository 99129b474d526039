"""A fresh instance on 2 December 2026, as `make run` leaves it: what a new user sees first.

The database is built as `make seed` builds it (migrate, `flask seed`, `flask demo`) with
"today" pinned to Wednesday 2 December 2026: the seed writes the rotation's forecast, so
session 54 (January 2027) is on file as expected, with its NAM presenters. The shipped
Human Rights Council sessions end with HRC61 and no UN Geneva closure is shipped, so the
dashboard asks for both before anything is confirmed.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from nam_briefings import create_app
from nam_briefings.extensions import db
from tests.browser import conftest as browser_conftest
from tests.browser.helpers import PASSWORD, USERS, login, screenshot
from tests.conftest import app_config

#: the day the issue was found, and the first day of this instance
FRESH_TODAY = date(2026, 12, 2)
NEXT_SESSION = 54


@pytest.fixture(scope="module")
def fresh_database(tmp_path_factory) -> Path:
    """A SQLite file migrated, seeded and given the demo data by the real commands, on
    2 December 2026, plus the editor the browser logs in as."""
    from flask_migrate import upgrade

    from tests.factories import create_user

    path = tmp_path_factory.mktemp("fresh-db") / "fresh.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}", TODAY=FRESH_TODAY))
    with app.app_context():
        upgrade()
        for command in ("seed", "demo"):
            result = app.test_cli_runner().invoke(args=[command])
            assert result.exit_code == 0, result.output
        create_user(email=USERS["editor"], role="editor", password=PASSWORD)
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def database_path(fresh_database: Path) -> Path:
    """The live server starts from the fresh instance."""
    return fresh_database


@pytest.fixture(autouse=True)
def _on_2_december_2026(monkeypatch) -> None:
    """The live server's "today" (the package's servers read it from their conftest)."""
    monkeypatch.setattr(browser_conftest, "TODAY", FRESH_TODAY)


def expected_presenters(live) -> list[str]:
    """Session 54's NAM presenters as the forecast names them (ISO codes)."""
    from nam_briefings.services import forecast

    with live.app.app_context():
        predicted = forecast.forecast_session(NEXT_SESSION)
        assert predicted is not None and predicted.nam_presenters
        return list(predicted.nam_presenters)


def test_the_dashboard_of_a_fresh_instance_on_2_december_2026(page, live_server):
    from playwright.sync_api import expect

    login(page, "editor")
    expect(page.get_by_text("Today is Wed 2 Dec 2026 in Geneva.")).to_be_visible()
    expect(page.get_by_text("No upcoming UPR session is known")).to_have_count(0)

    card = page.locator("article.session-status").filter(
        has=page.get_by_role("heading", name=f"UPR session {NEXT_SESSION}", exact=True))
    expect(card).to_have_count(1)
    expect(card.locator(".badge--expected")).to_have_text("Expected")
    presenters = card.locator("p", has_text="NAM presenters")
    for iso3 in expected_presenters(live_server):
        expect(presenters).to_contain_text(f"({iso3})")

    needs = page.locator("section.needs-action")
    # one line names every upcoming session that shares a gap ("Sessions 54, 55 and 56: ...")
    hrc = needs.get_by_role("link", name=re.compile(
        rf"^Sessions? {NEXT_SESSION}\b.*: Human Rights Council sessions after HRC61 are "
        "not known$"))
    expect(hrc).to_have_attribute("href", "/sessions/import")
    # the forecast puts the session in late January: its window may begin in December
    closures = needs.get_by_role("link", name=re.compile(
        rf"^Sessions? {NEXT_SESSION}\b.*: no UN Geneva closures entered for (2026 or )?2027$"))
    expect(closures).to_have_attribute("href", "/busy")
    screenshot(page, "fresh-instance-dashboard-2026-12-02")

    # the line leads to where the closures are entered
    closures.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Busy")
