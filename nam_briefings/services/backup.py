"""Backups and restores of the whole database, consistent while the service runs.

- SQLite: the sqlite3 online backup API (a consistent copy even while others write), into a
  file that is renamed into place only once complete; restored through the same API.
- PostgreSQL: `pg_dump --format=custom` (one snapshot) and `pg_restore --clean --if-exists
  --no-owner` in a single transaction (a failed restore changes nothing). Both are the
  PostgreSQL client programs found on PATH; the password goes through the environment,
  never the command line.

Backups hold personal data and password hashes: they are written readable by the owner only.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done, with the reason in the user's words."""


@dataclass(frozen=True)
class MigrationCheck:
    """Where the database's schema stands against this version's migrations."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def message(self) -> str:
        if self.at_head:
            return f"migrations at head ({', '.join(self.heads)})"
        current = ", ".join(self.current) or "none"
        return (f"the database is at revision {current} and this version of NAM Briefings needs "
                f"{', '.join(self.heads)}: run `flask --app app db upgrade` before starting it "
                "(a backup from a newer version needs that version)")


def describe(url: str) -> str:
    """The database named without its password, for messages."""
    return sa.make_url(url).render_as_string(hide_password=True)


def default_backup_path(instance_path: Path, url: str, now: datetime | None = None) -> Path:
    """instance/backups/nam-briefings-YYYYmmdd-HHMMSS.sqlite3 (or .dump), in UTC."""
    now = now or datetime.now(timezone.utc)
    suffix = "dump" if _backend(url) == "postgresql" else "sqlite3"
    return instance_path / "backups" / f"nam-briefings-{now:%Y%m%d-%H%M%S}.{suffix}"


def backup_database(url: str, target: Path) -> Path:
    """Write a consistent backup of the database at `url` to `target`; returns `target`."""
    target = Path(target).absolute()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _private_empty_file(partial)
    try:
        if _backend(url) == "postgresql":
            _run(_client("pg_dump"), "--format=custom", "--no-password", f"--file={partial}",
                 url=url)
        else:
            _sqlite_copy(_sqlite_file(url, must_exist=True), partial)
        os.replace(partial, target)  # only a complete backup ever has the name
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore_database(url: str, source: Path) -> None:
    """Replace everything in the database at `url` with the backup in `source`."""
    source = Path(source)
    kind = _backup_kind(source)
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a lock or an old schema
    if _backend(url) == "postgresql":
        if kind != "pg_dump":
            raise BackupError(f"{source} is a {kind} file, not a pg_dump backup: it cannot be "
                              "restored into PostgreSQL")
        _run(_client("pg_restore"), "--clean", "--if-exists", "--no-owner",
             "--single-transaction", "--no-password", str(source), url=url)
    else:
        if kind != "SQLite":
            raise BackupError(f"{source} is a {kind} file, not a SQLite backup: restore it into "
                              "PostgreSQL (DATABASE_URL) instead")
        _sqlite_copy(source, _sqlite_file(url, must_exist=False), check_source=True)


def check_migrations() -> MigrationCheck:
    """Compare the database's Alembic revision with this version's head."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = tuple(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = tuple(MigrationContext.configure(connection).get_current_heads())
    return MigrationCheck(current=current, heads=heads)


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_file(url: str, must_exist: bool) -> Path:
    database = sa.make_url(url).database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"cannot back up or restore {describe(url)}: not a database file")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"there is no database file at {path}")
    return path


def _sqlite_copy(source: Path, target: Path, check_source: bool = False) -> None:
    """Copy one SQLite database onto another through the online backup API."""
    try:
        origin = sqlite3.connect(source, timeout=30)
        try:
            if check_source and origin.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{source} is damaged (PRAGMA quick_check): nothing was restored")
            destination = sqlite3.connect(target, timeout=30)
            try:
                origin.backup(destination)  # retries by itself while a writer holds the lock
            finally:
                destination.close()
        finally:
            origin.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"cannot copy {source} to {target}: {error}") from error


# --- PostgreSQL --------------------------------------------------------------------------

def _client(program: str) -> str:
    found = shutil.which(program)
    if not found:
        raise BackupError(f"{program} was not found on PATH: install the PostgreSQL client "
                          "programs of the server's major version or newer (Debian: "
                          "apt-get install postgresql-client)")
    return found


def _run(program: str, *arguments: str, url: str) -> None:
    """Run a PostgreSQL client program on the database at `url` (password in PGPASSWORD)."""
    parsed = sa.make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    result = subprocess.run([program, *arguments, f"--dbname={conninfo}"], env=environment,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        name = Path(program).name
        raise BackupError(f"{name} failed (exit status {result.returncode}): "
                          f"{result.stderr.strip() or result.stdout.strip()}")


# --- helpers -----------------------------------------------------------------------------

def _backend(url: str) -> str:
    backend = sa.make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for a {backend} database: NAM Briefings uses SQLite or "
                          "PostgreSQL")
    return backend


def _backup_kind(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return "SQLite"
    if start.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format backup")


def _private_empty_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
