"""Exactly one scheduler runs the jobs: it holds a lock for as long as it lives.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of
  its own, kept open for the life of the process. The server drops the lock when that
  connection ends: the process killed (even with kill -9), its host gone (TCP keepalives),
  the connection cut. The leader checks every few seconds that it still holds it, and
  stops the jobs when it does not.
- SQLite: an exclusive `flock` on a file beside the database file (`….sqlite3.scheduler-lock`,
  so in the instance folder by default); the kernel drops it when the process dies.

Any other scheduler started on the same database stands by, tries again every few seconds
and takes over when the lock is free.
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: the advisory lock's key ("NAMB"), the same in every process on the database
ADVISORY_LOCK_KEY = 0x4E414D42
#: how the lock's connection shows in pg_stat_activity
APPLICATION_NAME = "nam-briefings scheduler lock"


class LockUnavailable(Exception):
    """The lock could not even be asked for (e.g. the database is unreachable)."""


class SchedulerLock(Protocol):
    """What the scheduler needs of a lock."""

    description: str

    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); False if another process holds it."""

    def held(self) -> bool:
        """Whether this process still holds the lock (False once it was lost)."""

    def release(self) -> None:
        """Give the lock up (and its connection or file)."""


class PostgresLock:
    """A session-level advisory lock on a dedicated connection."""

    def __init__(self, url: sa.URL) -> None:
        self.description = f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY} on {url.database}"
        # Keepalives both ways: the server drops the lock of a vanished host within
        # ~25 s, and this process notices a vanished server as fast.
        server_settings = ("-c statement_timeout=5000 -c idle_session_timeout=0"
                           " -c idle_in_transaction_session_timeout=0 -c tcp_keepalives_idle=10"
                           " -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3")
        self._engine = sa.create_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
            connect_args={"application_name": APPLICATION_NAME, "connect_timeout": 5,
                          "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                          "keepalives_count": 3, "tcp_user_timeout": 25000,
                          "options": server_settings})
        self._connection: sa.Connection | None = None

    def acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            return bool(self._connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                                {"key": ADVISORY_LOCK_KEY}))
        except sa.exc.SQLAlchemyError as error:
            self._drop()
            reason = getattr(error, "orig", None) or error
            raise LockUnavailable(" ".join(str(reason).split())) from error

    def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            return bool(self._connection.scalar(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND granted AND classid = 0 AND objid = :key"
                " AND objsubid = 1)"), {"key": ADVISORY_LOCK_KEY}))
        except sa.exc.SQLAlchemyError:
            self._drop()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            except sa.exc.SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sa.exc.SQLAlchemyError:
                pass
            self._connection = None


class FileLock:
    """An exclusive `flock` on a file (SQLite: the database is on this machine anyway)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"lock file {path}"
        self._fd: int | None = None

    def acquire(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise LockUnavailable(f"cannot open {self.path}: {error.strerror}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for the operator
        self._fd = fd
        return True

    def held(self) -> bool:
        # Removing or replacing the file would let another process lock a new one.
        if self._fd is None:
            return False
        try:
            return os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def scheduler_lock(app: Flask) -> SchedulerLock:
    """The lock for the app's database: an advisory lock (PostgreSQL) or a lock file (SQLite)."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresLock(url)
    if backend == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            return FileLock(Path(database).with_name(Path(database).name + ".scheduler-lock"))
        return FileLock(Path(app.instance_path) / "scheduler.lock")
    raise LockUnavailable(f"no scheduler lock for a {backend} database: use PostgreSQL or SQLite")


def lead_or_stand_by(lock: SchedulerLock, run_jobs: Callable[[], Callable[[], None]],
                     check_every: float = 5.0) -> None:
    """Run the jobs while this process holds `lock`; otherwise wait and try again. Never returns.

    `run_jobs()` starts the jobs and returns the function that stops them. Stop this loop
    with KeyboardInterrupt (SIGINT, or SIGTERM turned into it): the jobs are stopped and the
    lock released on the way out.
    """
    said = ""
    try:
        while True:
            try:
                leading = lock.acquire()
                waiting = "standby: another scheduler holds the lock"
            except LockUnavailable as error:
                leading, waiting = False, f"standby: cannot take the lock: {error}"
            if not leading:
                if waiting != said:  # once, not every few seconds
                    level = logging.INFO if "another" in waiting else logging.WARNING
                    log.log(level, "%s (%s); trying again every %g s", waiting,
                            lock.description, check_every)
                    said = waiting
                time.sleep(check_every)
                continue
            said = ""
            log.info("leader: this scheduler holds the lock (%s) and runs the jobs",
                     lock.description)
            stop_jobs = run_jobs()
            try:
                while lock.held():
                    time.sleep(check_every)
                log.error("lost the lock (%s): stopping the jobs, then standing by",
                          lock.description)
            finally:
                stop_jobs()
                lock.release()
            time.sleep(2 * check_every)  # a standby gets the first chance
    finally:
        lock.release()
