"""`flask --app app backup` and `restore --yes`: seed data, back up, change and delete rows,
restore, and the data is back (SQLite through the online backup API, PostgreSQL through
pg_dump / pg_restore); then the migrations are checked to be at head.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from nam_briefings import create_app
from nam_briefings.extensions import db
from nam_briefings.models import Contact, Mission, User
from nam_briefings.services import backup
from tests.conftest import app_config
from tests.factories import create_contact, create_mission, create_user


def seed() -> dict:
    guyana = create_mission("GUY", email="mission.guy@example.org")
    create_contact(guyana, name="Ambassador of Guyana", role="ambassador",
                   email="amb.guy@example.org")
    create_contact(create_mission("KWT"), name="Focal point of Kuwait",
                   email="fp.kwt@example.org")
    create_user(email="editor@chair.example.org", role="editor")
    return snapshot()


def snapshot() -> dict:
    db.session.remove()
    return {
        "missions": sorted((m.state_iso3, m.email) for m in db.session.scalars(sa.select(Mission))),
        "contacts": sorted((c.name, c.email) for c in db.session.scalars(sa.select(Contact))),
        "users": sorted(u.email for u in db.session.scalars(sa.select(User))),
    }


def change_and_delete_rows() -> None:
    mission = db.session.scalar(sa.select(Mission).filter_by(state_iso3="GUY"))
    mission.email = "someone.else@example.net"
    db.session.delete(db.session.scalar(sa.select(Contact).filter_by(email="fp.kwt@example.org")))
    db.session.add(User(email="intruder@example.net", role="admin", password_hash="x"))
    db.session.commit()


def test_backup_change_restore_and_the_data_is_back(app, runner, tmp_path):
    before = seed()
    suffix = ".dump" if db.engine.dialect.name == "postgresql" else ".sqlite3"
    path = tmp_path / f"nightly{suffix}"

    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output and str(path) in result.output
    assert path.stat().st_size > 0 and path.stat().st_mode & 0o077 == 0  # owner only

    change_and_delete_rows()
    assert snapshot() != before

    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "restored" in result.output and "migrations at head" in result.output
    assert snapshot() == before


def test_restore_refuses_without_yes(app, runner, tmp_path):
    before = seed()
    path = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    change_and_delete_rows()
    changed = snapshot()

    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert "--yes" in result.output and "replaces" in result.output
    assert snapshot() == changed != before


def test_backup_goes_to_the_instance_folder_by_default(app, runner):
    seed()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    suffix = "dump" if db.engine.dialect.name == "postgresql" else "sqlite3"
    match = re.search(rf"(\S+/backups/nam-briefings-\d{{8}}-\d{{6}}\.{suffix})", result.output)
    assert match, result.output
    written = Path(match.group(1))
    assert written.parent == Path(app.instance_path) / "backups" and written.exists()
    written.unlink()


def test_a_backup_of_the_other_kind_is_refused_with_the_reason(app, runner, tmp_path):
    seed()
    other = tmp_path / "other"
    if db.engine.dialect.name == "postgresql":
        other.write_bytes(b"SQLite format 3\x00" + bytes(100))
        expected = "SQLite"
    else:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        expected = "pg_dump"
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code != 0
    assert expected in result.output


def test_sqlite_backup_is_consistent_while_another_connection_writes(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite online backup")
    before = seed()
    writer = sqlite3.connect(db.engine.url.database, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a write transaction in progress, not committed
        writer.execute("UPDATE missions SET email = 'half-done@example.net'")
        path = backup.backup_database(str(db.engine.url), tmp_path / "during-write.sqlite3")
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(path)
    assert sorted(copy.execute("SELECT state_iso3, email FROM missions")) == before["missions"]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_restoring_an_older_backup_asks_for_db_upgrade(tmp_path):
    from flask_migrate import upgrade

    old = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with old.app_context():
        upgrade(revision="0008")
        old_backup = backup.backup_database(str(db.engine.url), tmp_path / "old-backup.sqlite3")
        db.engine.dispose()
    current = create_app(app_config(f"sqlite:///{tmp_path / 'current.sqlite3'}"))
    with current.app_context():
        upgrade()
        result = current.test_cli_runner().invoke(args=["restore", str(old_backup), "--yes"])
        assert result.exit_code != 0
        assert "restored" in result.output
        assert "0008" in result.output and "db upgrade" in result.output
        db.engine.dispose()


def test_a_missing_pg_dump_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it
    with pytest.raises(backup.BackupError, match="pg_dump.*not found.*postgresql-client"):
        backup.backup_database("postgresql+psycopg://nam@127.0.0.1/nam_briefings",
                               tmp_path / "x.dump")
