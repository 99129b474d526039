"""Exactly one scheduler runs the jobs, with real processes: `flask --app app scheduler` twice
on one database (SQLite and PostgreSQL, migrated). One leads, the other stands by; kill -9
the leader and the standby takes over within seconds; on PostgreSQL, a leader whose lock
connection is cut stops its jobs and stands by.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from nam_briefings.services import leader
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
LEADER = "leader: this scheduler holds the lock"
STANDBY = "standby: another scheduler holds the lock"
LOST = "lost the lock"
CHECK_EVERY = 0.5


class Scheduler:
    """One `flask --app app scheduler` process, its output in a file."""

    def __init__(self, database_url: str, instance: Path, name: str,
                 mail_port: int | None = None) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        self.log = instance / f"{name}.log"
        env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
                   IMAP_HOST="", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mail_port or free_port()),
                   PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "scheduler",
                 "--check-every", str(CHECK_EVERY)],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text()

    def count(self, text: str) -> int:
        return self.output().count(text)

    def wait_for(self, text: str, times: int = 1, timeout: float = 30.0) -> float:
        """Seconds it took until `text` appeared `times` times in the output."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.count(text) >= times:
                return time.monotonic() - started
            if self.process.poll() is not None:
                pytest.fail(f"the scheduler exited ({self.process.returncode}):\n{self.output()}")
            time.sleep(0.05)
        pytest.fail(f"no {text!r} after {timeout} s:\n{self.output()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def schedulers(migrated_database_url, tmp_path):
    """Start schedulers on the migrated test database (each in its own instance folder)."""
    started: list[Scheduler] = []

    def start(name: str) -> Scheduler:
        scheduler = Scheduler(migrated_database_url, tmp_path / name, name)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.process.kill()
            scheduler.process.wait()


@pytest.mark.slow
def test_one_scheduler_runs_the_jobs_a_second_stands_by_and_takes_over_after_kill_9(schedulers):
    first = schedulers("first")
    first.wait_for(LEADER)
    second = schedulers("second")
    second.wait_for(STANDBY)

    time.sleep(6 * CHECK_EVERY)  # several rounds of checks: nothing changes
    assert first.count(LEADER) == 1 and first.count("job deliver_outbox") == 1
    assert second.count(LEADER) == 0 and second.count("job deliver_outbox") == 0
    assert second.count(STANDBY) == 1  # said once, not every round

    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(timeout=10) == -signal.SIGKILL
    took = second.wait_for(LEADER, timeout=15)
    assert took < 5, f"the standby took {took:.1f} s to take over"
    second.wait_for("job deliver_outbox")

    # A clean stop (SIGTERM, as systemd sends) releases the lock for the next one at once.
    third = schedulers("third")
    third.wait_for(STANDBY)
    assert second.stop() == 0
    assert "scheduler stopped" in second.output()
    assert third.wait_for(LEADER, timeout=15) < 5
    assert third.stop() == 0


@pytest.mark.slow
def test_a_leader_whose_lock_connection_is_cut_stops_its_jobs_and_stands_by(
        schedulers, migrated_database_url):
    if not migrated_database_url.startswith("postgresql"):
        pytest.skip("the advisory lock's connection exists on PostgreSQL only")
    first = schedulers("first")
    first.wait_for(LEADER)
    second = schedulers("second")
    second.wait_for(STANDBY)

    engine = sa.create_engine(sa.make_url(migrated_database_url).set(
        drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            holders = connection.scalars(sa.text(
                "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted"
                " AND a.datname = current_database()"), {"key": leader.ADVISORY_LOCK_KEY}).all()
            assert len(holders) == 1
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": holders[0]})
    finally:
        engine.dispose()

    first.wait_for(LOST, timeout=15)
    second.wait_for(LEADER, timeout=15)
    first.wait_for(STANDBY, timeout=15)  # still alive, waiting its turn again
    assert first.count(LEADER) == 1
    assert first.stop() == 0 and second.stop() == 0


# --- the locks themselves, in one process (fast) ------------------------------------------

def test_the_lock_file_is_exclusive_and_lost_when_replaced(tmp_path):
    path = tmp_path / "db.sqlite3.scheduler-lock"
    first, second = leader.FileLock(path), leader.FileLock(path)
    assert first.acquire() and first.held()
    assert not second.acquire()
    assert path.read_text() == f"{os.getpid()}\n"
    path.unlink()  # someone removes the file: a new scheduler could lock a new one
    assert not first.held()
    first.release()
    assert second.acquire() and second.held()
    second.release()
    assert first.acquire()
    first.release()


def test_the_lock_file_sits_beside_the_sqlite_database(app):
    lock = leader.scheduler_lock(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        database = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        assert lock.path == Path(database + ".scheduler-lock")
    else:
        assert isinstance(lock, leader.PostgresLock)


def test_the_advisory_lock_is_exclusive_and_lost_with_its_connection(migrated_database_url):
    if not migrated_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    url = sa.make_url(migrated_database_url).set(drivername="postgresql+psycopg")
    first, second = leader.PostgresLock(url), leader.PostgresLock(url)
    try:
        assert first.acquire() and first.held()
        assert not second.acquire() and not second.held()
        # The connection dies (server restart, network cut): the lock goes with it.
        with pytest.raises(sa.exc.OperationalError):
            first._connection.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        assert not first.held()
        assert second.acquire() and second.held()
        assert not first.acquire()  # reconnects, finds it taken
        second.release()
        assert first.acquire()
    finally:
        first.release()
        second.release()


def test_the_lock_is_unavailable_while_postgresql_is_unreachable():
    url = sa.make_url(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")
    with pytest.raises(leader.LockUnavailable, match="refused"):
        leader.PostgresLock(url).acquire()
