"""Browser tests: Playwright (Python) driving Debian's `chromium` against a live server.

The browser is the one Debian installs (`apt-get install chromium`), found on the PATH
(or named by CHROMIUM_PATH) and given to Playwright as `executable_path`; Playwright's
own browser downloads are never used. Without it, every browser test is skipped with
the reason.

Each test gets its own live server: the real app (CSRF on, real forms) on a copy of one
SQLite file that was migrated, seeded with the shipped data and the demo missions and
contacts, and given one user per role, with "today" pinned to Monday 3 March 2025, so
that session 49 (28 April – 9 May 2025) is the next session and can be planned. A module
may start from a copy in which that session is already confirmed (`confirmed_database`).
The servers take turns on one loopback address; mail goes to a real SMTP server on
loopback (aiosmtpd). Screenshots: `helpers.screenshot`.
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from nam_briefings import create_app
from nam_briefings.extensions import db
from tests.browser.helpers import PASSWORD, USERS
from tests.conftest import SmtpRecorder, app_config, free_port

#: "today" for every browser test: session 49 is the next one, and can still be planned
TODAY = date(2025, 3, 3)
#: how Chromium runs here: headless in a container, nothing phoning home
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
NO_CHROMIUM = "Debian chromium not found on PATH: apt-get install chromium"
#: generous, for a CI machine shared with other jobs: confirming fans out ~500 invitations
ACTION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    """The Chromium to drive: CHROMIUM_PATH, else `chromium` or `chromium-browser` on the PATH."""
    named = os.environ.get("CHROMIUM_PATH")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def no_browser(reason: str) -> None:
    """Skip the browser tests, or fail them where they must run (REQUIRE_BROWSER_TESTS=1, CI)."""
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"browser tests required (REQUIRE_BROWSER_TESTS=1): {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """Debian's Chromium, headless, for all the browser tests (skips them all without it)."""
    executable = chromium_path()
    if executable is None:
        named = os.environ.get("CHROMIUM_PATH")
        no_browser(f"CHROMIUM_PATH={named} is not a file" if named else NO_CHROMIUM)
    try:
        from playwright.sync_api import Error, expect, sync_playwright
    except ImportError:
        no_browser("Playwright is not installed: make dev-venv (requirements-dev.txt)")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                                  args=CHROMIUM_ARGS)
        except Error as error:
            no_browser(f"Playwright could not launch {executable}: "
                       f"{error.message.splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _skip_without_browser(browser) -> None:
    """Every test here needs the browser: skip before building anything when it is missing."""


@pytest.fixture(scope="package")
def seeded_database(tmp_path_factory) -> Path:
    """One SQLite file, migrated, with the shipped data, demo missions and a user per role.

    Built once; each test's live server works on its own copy.
    """
    from flask_migrate import upgrade

    from nam_briefings.services.audit import Actor
    from nam_briefings.services.calendar import seed_reference_data
    from nam_briefings.services.demo import create_demo_data
    from tests.factories import create_user

    path = tmp_path_factory.mktemp("browser-db") / "seeded.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        seed_reference_data(Actor.system())
        create_demo_data(Actor.system())
        for role, email in USERS.items():
            create_user(email=email, role=role, password=PASSWORD)
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(scope="package")
def listening_socket() -> Iterator[socket.socket]:
    """One loopback socket that every live server listens on, one after the other.

    The address never changes, so links in e-mails queued by one app (the confirmed
    database's invitations) work on the next; and no port is given up and taken again.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield sock
    sock.close()


@pytest.fixture(scope="package")
def live_url(listening_socket: socket.socket) -> str:
    """The live servers' address, e.g. http://127.0.0.1:41234 (also their PUBLIC_BASE_URL)."""
    host, port = listening_socket.getsockname()
    return f"http://{host}:{port}"


@dataclass
class ConfirmedSession:
    """A seeded database in which the next session's best proposal is confirmed."""

    path: Path
    #: the two briefings' ids, in time order
    briefing_ids: list[int]


@pytest.fixture(scope="package")
def confirmed_database(seeded_database: Path, live_url: str,
                       tmp_path_factory) -> ConfirmedSession:
    """The seeded database with the next session planned and its best proposal confirmed,
    the invitations queued (not sent), their links pointing at the live servers."""
    from tests.browser.helpers import confirm_next_session

    path = tmp_path_factory.mktemp("browser-db") / "confirmed.sqlite3"
    copy_database(seeded_database, path)
    app = create_app(app_config(f"sqlite:///{path}", TODAY=TODAY, PUBLIC_BASE_URL=live_url))
    briefing_ids = confirm_next_session(app)
    with app.app_context():
        db.engine.dispose()
    return ConfirmedSession(path, briefing_ids)


@pytest.fixture
def database_path(seeded_database: Path) -> Path:
    """The database each test's live server starts from (a module may override this)."""
    return seeded_database


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's own backup (safe with WAL files around)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@dataclass
class LiveServer:
    """The app served over HTTP on loopback, and the SMTP server it sends mail to."""

    url: str
    app: Flask
    mail: SmtpRecorder
    #: every URL the browser requested during the test (see `new_context`)
    requests: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def mail_server() -> Iterator[SmtpRecorder]:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.controller = controller
    yield recorder
    controller.stop()


@pytest.fixture
def live_server(database_path: Path, mail_server: SmtpRecorder, listening_socket: socket.socket,
                live_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app on a fresh copy of the test's database, served by werkzeug in a thread."""
    database = tmp_path / "live.sqlite3"
    copy_database(database_path, database)
    app = create_app(app_config(
        f"sqlite:///{database}", TODAY=TODAY, PUBLIC_BASE_URL=live_url, WTF_CSRF_ENABLED=True,
        MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.controller.port))
    host, port = listening_socket.getsockname()
    server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                         fd=listening_socket.fileno())
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=live_url, app=app, mail=mail_server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def new_context(browser, live_server: LiveServer) -> Iterator:
    """Open browser contexts (fresh cookies) on the live server; all closed at the end.

    Every request any page makes is recorded in `live_server.requests`, and the test
    fails if one went anywhere but the live server (no CDN, no outside fonts or scripts).
    """
    contexts = []

    def _new_context(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("request", lambda request: live_server.requests.append(request.url))
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()
    elsewhere = [url for url in live_server.requests
                 if not url.startswith(live_server.origin + "/") and not url.startswith("data:")]
    assert elsewhere == [], f"pages requested something outside the app: {elsewhere}"


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context (no cookies), with JavaScript on."""
    return new_context().new_page()
