"""Periodic jobs, run by exactly one process: `flask --app app scheduler`.

Each job is a small function that calls a service inside an application context; the
scheduler only decides when. Web workers never start it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from .extensions import db
from .models import utcnow
from .services import audit, briefings, fanout, invitations, outbox, replies, wakeup

log = logging.getLogger(__name__)
SYSTEM = audit.Actor("scheduler")


def propose_for_upcoming_sessions() -> None:
    """Propose briefings for sessions entering the planning horizon, and tell the secretariat."""
    horizon = current_app.config["PLANNING_HORIZON_DAYS"]
    for plan in briefings.plan_upcoming_sessions(SYSTEM, horizon):
        log.info("planned UPR%s: %d proposals", plan.session.number, len(plan.proposals))


#: when this process's scheduler started: its first delivery takes over older claims
_started_at: datetime | None = None


def deliver_outbox() -> None:
    """Send the queued e-mails that are due."""
    if _worker is not None and not _worker.is_current_thread():
        _worker.wake()  # in the scheduler, the delivery worker's thread does the sending
        return
    _take_over_dead_claims()
    report = outbox.deliver_all()
    if report.sent or report.retrying or report.failed:
        log.info("outbox: %s", report.summary)


def _take_over_dead_claims() -> None:
    global _started_at
    if _started_at is None:
        return
    # Claims older than our start belong to a worker that died (one scheduler at a time).
    released = outbox.release_claims(_started_at) + fanout.release_claims(_started_at)
    _started_at = None
    if released:
        log.warning("outbox: took over %d claims made before this start", released)


class DeliveryWorker:
    """The scheduler's delivery thread: composes fan-outs and sends, as soon as there is
    work (woken by PostgreSQL's NOTIFY, or a cheap poll each second on SQLite), and at
    least every poll interval (retries and paced updates come due by themselves)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.waiter = wakeup.Waiter(app.config["SQLALCHEMY_DATABASE_URI"])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="delivery", daemon=True)

    def start(self) -> None:
        global _worker
        _worker = self
        self.thread.start()

    def stop(self) -> None:
        """Let the pass in progress finish, then stop."""
        global _worker
        self.stopping.set()
        self.waiter.wake()
        self.thread.join()
        self.waiter.close()
        _worker = None

    def wake(self) -> None:
        self.waiter.wake()

    def is_current_thread(self) -> bool:
        return threading.current_thread() is self.thread

    def run(self) -> None:
        job = _in_app_context(self.app, deliver_outbox)
        while not self.stopping.is_set():
            job()
            self.waiter.wait()


#: the scheduler process's delivery worker, while it runs
_worker: DeliveryWorker | None = None


def send_reminders_and_chasers() -> None:
    """Queue the reminders and chasers that are due (each once per briefing time)."""
    reminders = invitations.queue_due_reminders()
    chasers = invitations.queue_due_chasers()
    db.session.commit()
    if reminders or chasers:
        log.info("queued %d reminders and %d chasers", reminders, chasers)


def fetch_replies() -> None:
    """Read new iMIP replies from the organizer's mailbox and apply them (when IMAP_HOST is set)."""
    if not current_app.config["IMAP_HOST"]:
        return
    try:
        report = replies.fetch()
    except replies.MailboxUnavailable as error:
        log.warning("replies: %s", error)
        return
    if report.replies or report.errors:
        log.info("replies: %s", report.summary)


#: job id -> (function, seconds between runs)
JOBS: dict[str, tuple[Callable[[], None], int]] = {
    "deliver_outbox": (deliver_outbox, 30),
    "send_reminders_and_chasers": (send_reminders_and_chasers, 300),
    "fetch_replies": (fetch_replies, 60),
    "propose_for_upcoming_sessions": (propose_for_upcoming_sessions, 3600),
}


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler with every job, each run inside an app context (one at a time per job).

    It runs in background threads: the `scheduler` command starts it only while it holds
    the scheduler lock (services/leader.py) and stops it when the lock is lost."""
    global _started_at
    _started_at = utcnow()
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    for job_id, (function, seconds) in JOBS.items():
        # coalesce: runs missed while busy or down collapse into one;
        # max_instances=1: a slow run is never overlapped by the next one.
        scheduler.add_job(_in_app_context(app, function), IntervalTrigger(seconds=seconds),
                          id=job_id, name=function.__doc__.splitlines()[0],
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=300, next_run_time=_now(app))
    return scheduler


def run_job(app: Flask, job_id: str) -> None:
    """Run one job now, as the scheduler would (used by the CLI and tests)."""
    _in_app_context(app, JOBS[job_id][0])()


def _in_app_context(app: Flask, function: Callable[[], None]) -> Callable[[], None]:
    def job() -> None:
        with app.app_context():
            try:
                function()
            except Exception:  # one failed run must not stop the scheduler
                log.exception("job %s failed", function.__name__)
                db.session.rollback()
    job.__name__ = function.__name__
    return job


def _now(app: Flask) -> datetime:
    return datetime.now(ZoneInfo(app.config["TIMEZONE"]))
