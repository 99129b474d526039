"""With the database unreachable the app answers 503 (with Retry-After, no traceback) and
`/healthz` fails, so a load balancer or a monitor sees it; when it is back, all is well again.

Real failures, nothing stopped: a PostgreSQL port nothing listens on, a SQLite "file" that
cannot be opened (a directory), a SQLite file that is not a database, and a real PostgreSQL
database that stops accepting connections while a user is logged in.
"""
from __future__ import annotations

import logging
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from nam_briefings import create_app
from nam_briefings.extensions import db
from tests.conftest import app_config, csrf_token_from, free_port, new_postgres_database
from tests.factories import create_user

UNREACHABLE = "The database is not reachable; try again in a minute."


def broken_app(url: str):
    """The app (not in an app context) pointed at a database that cannot be reached."""
    return create_app(app_config(url))


def unreachable_urls(tmp_path: Path) -> dict[str, str]:
    directory = tmp_path / "not-a-file.sqlite3"
    directory.mkdir()
    return {
        "postgresql, nothing listening": f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere",
        "sqlite, cannot be opened": f"sqlite:///{directory}",
    }


@pytest.mark.parametrize("case", ["postgresql, nothing listening", "sqlite, cannot be opened"])
def test_a_page_that_reads_the_database_answers_503_with_retry_after(tmp_path, case, caplog,
                                                                   monkeypatch):
    client = broken_app(unreachable_urls(tmp_path)[case]).test_client()
    # Alembic's env.py (fileConfig) disables the loggers that exist when a migration runs.
    monkeypatch.setattr(logging.getLogger("nam_briefings.web.health"), "disabled", False)
    caplog.set_level(logging.WARNING)

    for path in ("/feeds/upr.ics", "/feeds/missions/no-such-token.ics", "/feeds/upr.ics"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:500])
        assert response.headers["Retry-After"] == "60"
        body = response.get_data(as_text=True)
        assert UNREACHABLE in body
        assert "Traceback" not in body and "sqlalchemy" not in body.lower()
        assert "text/html" in response.headers["Content-Type"]

    # Logged once (not once a request), and without a traceback.
    records = [r for r in caplog.records if "database" in r.getMessage().lower()]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].exc_info is None


@pytest.mark.parametrize("case", ["postgresql, nothing listening", "sqlite, cannot be opened"])
def test_a_client_asking_for_json_gets_json(tmp_path, case):
    client = broken_app(unreachable_urls(tmp_path)[case]).test_client()
    response = client.get("/feeds/upr.ics", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json() == {"error": UNREACHABLE}


@pytest.mark.parametrize("case", ["postgresql, nothing listening", "sqlite, cannot be opened"])
def test_healthz_fails_when_the_database_is_unreachable(tmp_path, case):
    client = broken_app(unreachable_urls(tmp_path)[case]).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    payload = response.get_json()
    assert payload["status"] == "unavailable"
    assert payload["database"] and payload["database"] != "ok"
    assert "password" not in payload["database"]
    assert client.head("/healthz").status_code == 503


def test_healthz_fails_on_a_sqlite_file_that_is_not_a_database(tmp_path):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database\n" * 100)
    response = broken_app(f"sqlite:///{garbage}").test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_healthz_says_ok_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert client.head("/healthz").status_code == 200


def test_other_database_errors_still_give_the_500_page(app, client, monkeypatch):
    """Only "cannot reach the database" is a 503: a bug (here an integrity error) is not."""
    from nam_briefings.services import feeds

    def integrity_error(*args, **kwargs):
        raise sa.exc.IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(feeds, "upr_feed", integrity_error)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/feeds/upr.ics")
    assert response.status_code == 500


@pytest.mark.parametrize("orig", [
    sqlite3.OperationalError("database is locked"),  # a writer held it past busy_timeout
    type("DeadlockDetected", (Exception,), {"sqlstate": "40P01"})("deadlock detected"),
    type("QueryCanceled", (Exception,), {"sqlstate": "57014"})("canceling statement"),
], ids=["sqlite locked", "postgresql deadlock", "postgresql statement timeout"])
def test_a_busy_database_answers_503_busy(app, client, monkeypatch, orig):
    from nam_briefings.services import feeds

    def busy(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT ...", {}, orig)

    monkeypatch.setattr(feeds, "upr_feed", busy)
    response = client.get("/feeds/upr.ics")
    assert response.status_code == 503
    assert "The database is busy; try again in a minute." in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"


def test_a_database_without_the_schema_is_a_500_not_a_503(tmp_path):
    """"no such table" is an OperationalError on SQLite, yet a setup mistake, not an outage."""
    app = broken_app(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/feeds/upr.ics").status_code == 500


# --- a real database going away while a user is logged in, and coming back -------------------

def log_in(app, client) -> None:
    email = f"editor-{uuid.uuid4().hex[:6]}@chair.example.org"
    with app.app_context():
        create_user(email=email, role="editor", password="correct horse battery")
    page = client.get("/login")
    response = client.post("/login", data={
        "email": email, "password": "correct horse battery",
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code in (302, 303)


def migrated_app(url: str):
    from flask_migrate import upgrade

    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def assert_down_then_back(app, client, take_down, bring_back) -> None:
    """Each request in its own app context, as in production (a fresh database session)."""
    log_in(app, client)
    assert client.get("/").status_code == 200
    take_down()
    response = client.get("/")
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert UNREACHABLE in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503
    bring_back()
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200  # still logged in
    with app.app_context():
        db.engine.dispose()


def test_sqlite_database_gone_while_logged_in_then_back(tmp_path):
    path = tmp_path / "live.sqlite3"
    app = migrated_app(f"sqlite:///{path}")
    moved = tmp_path / "moved-away.sqlite3"

    def take_down() -> None:
        with app.app_context():
            db.engine.dispose()
        path.rename(moved)
        path.mkdir()  # what is there now cannot be opened as a database

    def bring_back() -> None:
        path.rmdir()
        moved.rename(path)

    assert_down_then_back(app, app.test_client(), take_down, bring_back)


def test_postgresql_database_refusing_connections_while_logged_in_then_back():
    with new_postgres_database() as url:
        name = sa.make_url(url).database
        admin = sa.create_engine(sa.make_url(url).set(database="postgres"),
                                 isolation_level="AUTOCOMMIT")
        app = migrated_app(url)

        def take_down() -> None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name})

        def bring_back() -> None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

        try:
            assert_down_then_back(app, app.test_client(), take_down, bring_back)
        finally:
            bring_back()
            admin.dispose()
