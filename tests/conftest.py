"""Shared fixtures, in the style of Flask's tutorial: `app`, `client`, `runner`.

Every test that uses `app` runs on SQLite and, when TEST_DATABASE_URL names a
PostgreSQL server, on PostgreSQL too (in a throwaway database created for the run).
The schema is built once per backend by the real Alembic migrations; between tests
every table is emptied.
"""
from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="nam-briefings-instance-"))

from nam_briefings import create_app  # noqa: E402
from nam_briefings.config import TestConfig  # noqa: E402
from nam_briefings.extensions import db  # noqa: E402

def _compile_catalogs() -> None:
    """Compile each message catalog whose .mo is missing or older than its .po, as `make
    translations` does, so that tests run by pytest alone see the translations too."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    translations = Path(__file__).resolve().parent.parent / "nam_briefings" / "translations"
    for po in translations.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")  # test processes run side by side
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


_compile_catalogs()
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
#: RUN_SLOW=1 (CI, `make test-all`) also runs the slow tests and explores more examples.
RUN_SLOW = os.environ.get("RUN_SLOW") == "1"

hypothesis_settings.register_profile("fast", max_examples=60, derandomize=True)
hypothesis_settings.register_profile("thorough", max_examples=300, derandomize=True)
hypothesis_settings.load_profile("thorough" if RUN_SLOW else "fast")
BACKENDS = ["sqlite", "postgresql"]


def app_config(database_url: str, **overrides) -> dict:
    """The configuration mapping tests give to `create_app`."""
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url, SERVER_NAME=None, **overrides)
    return config


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """Create a throwaway PostgreSQL database next to TEST_DATABASE_URL; drop it afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    from bench._support import postgres_database

    with postgres_database(POSTGRES_URL, prefix="nam_briefings_test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A brand-new empty database on each backend, for tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        with new_postgres_database() as url:
            yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """An empty database URL on each backend (SQLite always, PostgreSQL when given)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture(scope="session")
def migrated_database_url(database_url: str) -> str:
    """The same database, upgraded to the latest schema by the real migrations."""
    from flask_migrate import upgrade

    app = create_app(app_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app(migrated_database_url: str):
    """The application on a migrated, empty database."""
    app = create_app(app_config(migrated_database_url))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_every_table()
        db.engine.dispose()


def _empty_every_table() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def login(client):
    """Log the test client in as a new user with the given role; returns the user."""
    from tests.factories import create_user

    def _login(role: str = "admin", email: str | None = None):
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@chair.example.org"
        user = create_user(email=email, role=role, password="correct horse battery")
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"email": email, "password": "correct horse battery",
                  "csrf_token": csrf_token_from(page.get_data(as_text=True))},
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        return user

    return _login


def pytest_report_header(config) -> str:
    if POSTGRES_URL:
        return f"database backends: SQLite and PostgreSQL ({sa.make_url(POSTGRES_URL).render_as_string()})"
    return ("database backends: SQLite only; the PostgreSQL variants are skipped "
            "(set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test to run them)")


def pytest_collection_modifyitems(config, items) -> None:
    """Skip tests marked slow unless RUN_SLOW=1 (CI runs them)."""
    if RUN_SLOW:
        return
    skip = pytest.mark.skip(reason="slow test: set RUN_SLOW=1 (or `make test-all`) to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


class SmtpRecorder:
    """An aiosmtpd handler that keeps what it receives and can refuse on demand."""

    def __init__(self) -> None:
        self.messages: list = []
        self.envelope_senders: list[str] = []
        self.refuse_with: str | None = None  # e.g. "550 5.1.1 No such mailbox"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        from email import message_from_bytes, policy

        self.envelope_senders.append(envelope.mail_from)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                    policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback (aiosmtpd); the app sends to it."""
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    app.extensions["mail"].port = controller.port
    app.extensions["mail"].server = "127.0.0.1"
    recorder.controller = controller
    yield recorder
    controller.stop()
