"""Fault benchmark: what reaches the missions when things go wrong.

The target is 0 lost, 0 duplicates, 0 mail after a cancellation.

Run with `.venv/bin/python bench/faults.py` (or `make bench`); `--database-url
postgresql://postgres@127.0.0.1/test` runs it on PostgreSQL (in throwaway databases created
next to the one named, then dropped); give the option twice, with `sqlite` as one value, to
run on both. It prints the machine, then for each database three scenarios, each with what
was tried, what held and what failed:

1. confirm race: the real web app under gunicorn (2 workers), an editor logged in through
   /login; per round, N confirm POSTs released at the same instant from threads, once all on
   one proposal and once split between two proposals of the same session. A round holds
   when the session ends with exactly one set of briefings (one per meeting of one proposal)
   and each contact has exactly one invitation queued per briefing. The briefings are then
   cancelled; the rounds plan the seeded sessions 41–50 in turn.
2. outage, then cancel: a confirmed briefing delivered to 242 contacts (the 121 NAM members
   × 2); the relay goes down, the briefing is moved (delivery of the update attempted and
   failing: the outage lasts until a delivery pass has tried the update), then cancelled;
   the relay comes back and delivery runs to the end. Delivery runs as the scheduler runs
   it, a pass every 30 seconds, the clock advanced for it rather than waited for. A
   recipient holds when the cancellation is the last message about that briefing to reach
   them.
3. kill -9 of the scheduler: 1,000 contacts, a briefing confirmed, `flask --app app
   scheduler` delivering to the sink; it is killed with SIGKILL at three random moments
   while messages flow and restarted a second later each time, until the outbox is empty
   (at most 3 minutes; the stale-claim time is as configured unless --stale-claim-seconds).
   A recipient holds when exactly one invitation reached them. A message the sink accepted just as the
   sender was killed may come again with the same Message-ID (the design's bound: one per
   kill); that is shown as "resent in flight", and counted as duplicates only beyond it.

Totals: lost (an invitation or cancellation that never came), duplicates (a recipient,
UID and SEQUENCE received more than once, or invitations queued twice), mail after a
cancellation. Exit status 1 when anything failed. `--json` prints the figures as JSON.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support import (  # noqa: E402
    SmtpSink,
    add_nam_contacts,
    confirm_one_meeting,
    database_label,
    free_port,
    machine,
    machine_info,
    make_app,
    migrate,
    throwaway_database,
)

#: seconds before a killed scheduler is started again (a supervisor's restart delay)
RESTART_DELAY = 1.0
#: how long the outbox may take to empty after the last restart
DRAIN_SECONDS = 180
#: the scheduler's delivery job runs this often (jobs.py), simulated in scenario 2
DELIVERY_INTERVAL = timedelta(seconds=30)
#: outbox statuses of a message still to be delivered
QUEUED = ("pending", "sending", "waiting")
#: what a delivery report counts, for a pass to know when its last batch was short
HANDLED = ("sent", "retrying", "failed", "waiting", "withdrawn")


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is."""

    race_missions: int  # with 2 contacts each
    race_posts: int  # concurrent confirms per round
    rounds: int
    outage_missions: int  # with 2 contacts each
    kill_contacts: int
    kills: int = 3
    #: OUTBOX_STALE_CLAIM_SECONDS for the scheduler; None: as configured
    stale_claim_seconds: float | None = None


FULL = Sizes(race_missions=20, race_posts=20, rounds=5, outage_missions=121, kill_contacts=1000)
QUICK = Sizes(race_missions=8, race_posts=10, rounds=2, outage_missions=30, kill_contacts=300)


@dataclass
class Outcome:
    """One scenario's figures on one database."""

    scenario: str
    unit: str  # what "tried" counts
    tried: int = 0
    held: int = 0
    failed: int = 0
    lost: int = 0
    duplicates: int = 0
    after_cancel: int = 0
    resent_in_flight: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- the services outside this process: gunicorn and the scheduler ---------------------------

def service_env(database_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a web worker or scheduler process on the run's database and sink."""
    return {**os.environ, "DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port), "MAIL_USE_TLS": "0", "MAIL_USE_SSL": "0",
            "OUTBOX_SMTP_TIMEOUT_SECONDS": "10", "IMAP_HOST": "", **extra}


def venv_command(name: str) -> str:
    """A console script of the Python running this benchmark (gunicorn, flask)."""
    return str(Path(sys.executable).parent / name)


def stop(process: subprocess.Popen) -> None:
    """End a process this benchmark started: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def gunicorn(database_url: str, smtp_port: int, log: Path) -> Iterator[int]:
    """`gunicorn -w 2 app:app` on a free loopback port; yields the port once it answers."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [venv_command("gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120",
             "app:app"], cwd=ROOT, env=service_env(database_url, smtp_port),
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/login")
                connection.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                    raise RuntimeError("gunicorn did not start: " + " | ".join(tail)) from None
                time.sleep(0.2)
        yield port
    finally:
        stop(process)


def start_scheduler(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`flask --app app scheduler`, as a real process, its output appended to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen([venv_command("flask"), "--app", "app", "scheduler"], cwd=ROOT,
                                env=env, stdout=output, stderr=subprocess.STDOUT)


# --- a browser, as far as the confirm form needs one ------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class WebClient:
    """Cookies and CSRF tokens over plain HTTP connections to the app under gunicorn."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: SimpleCookie = SimpleCookie()

    def _headers(self, form: dict | None) -> dict[str, str]:
        cookies = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items() if m.value)
        headers = {"Cookie": cookies}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        """One request; the cookies it sets are kept. Returns (status, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, urlencode(form) if form is not None else None,
                               self._headers(form))
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, body
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on the page at `path`."""
        status, body = self.request("GET", path)
        match = CSRF_INPUT.search(body)
        if not match:
            raise RuntimeError(f"GET {path} answered {status} with no form")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        """Log in through /login, as a person would."""
        token = self.csrf_token("/login")
        status, body = self.request("POST", "/login", {"email": email, "password": password,
                                                       "csrf_token": token})
        if status not in (302, 303):
            raise RuntimeError(f"login refused ({status})")

    def race(self, posts: list[tuple[str, dict]]) -> Counter:
        """Send the POSTs from one thread each, released at the same instant (each thread
        has its connection open first); returns the HTTP statuses answered."""
        barrier = threading.Barrier(len(posts))
        statuses: Counter = Counter()
        lock = threading.Lock()

        def post(path: str, form: dict) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                connection.connect()
                barrier.wait()
                connection.request("POST", path, urlencode(form), self._headers(form))
                status = connection.getresponse().status
            except Exception as error:  # the report names it rather than the run dying
                status = type(error).__name__
            finally:
                connection.close()
            with lock:
                statuses[status] += 1

        threads = [threading.Thread(target=post, args=item) for item in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses


# --- reading what the sink received -----------------------------------------------------------

@dataclass(frozen=True)
class Received:
    """One message as a calendar sees it."""

    recipient: str
    message_id: str
    method: str | None  # None: no calendar part (e.g. a plain reminder)
    uid: str | None
    sequence: int | None


def read_received(sink: SmtpSink) -> list[Received]:
    """Every message the sink kept, in arrival order, with its METHOD, UID and SEQUENCE."""
    return [_calendar_view(recipient, message) for recipient, message in sink.messages()]


def _calendar_view(recipient: str, message: EmailMessage) -> Received:
    import icalendar

    calendar = next((part for part in message.walk()
                     if part.get_content_type() == "text/calendar"), None)
    method = uid = sequence = None
    if calendar is not None:
        parsed = icalendar.Calendar.from_ical(calendar.get_content())
        method = str(parsed.get("METHOD", "")) or None
        events = parsed.walk("VEVENT")
        if events:
            uid = str(events[0].get("UID"))
            sequence = int(events[0].get("SEQUENCE", 0))
    return Received(recipient.lower(), str(message["Message-ID"]).strip(), method, uid, sequence)


def count_copies(received: list[Received]) -> tuple[int, int]:
    """(duplicates, resent): per (recipient, UID, SEQUENCE, METHOD) received more than once,
    the extra copies with another Message-ID, and those with the same one."""
    by_version: dict[tuple, list[str]] = {}
    for item in received:
        if item.uid is not None:
            key = (item.recipient, item.uid, item.sequence, item.method)
            by_version.setdefault(key, []).append(item.message_id)
    duplicates = sum(len(set(ids)) - 1 for ids in by_version.values())
    resent = sum(len(ids) - len(set(ids)) for ids in by_version.values())
    return duplicates, resent


# --- the outbox, seen from here ---------------------------------------------------------------

def queued_count() -> int:
    """Messages still to be delivered (inside an app context; ends the transaction, so that
    a SQLite reader never holds up the processes writing)."""
    from nam_briefings.extensions import db
    from nam_briefings.services import outbox

    counts = outbox.status_counts()
    db.session.remove()
    return sum(counts.get(status, 0) for status in QUEUED)


def deliver_on_schedule(start: datetime, done: Callable[[int], bool],
                        limit: timedelta) -> tuple[datetime, int]:
    """Run delivery as the scheduler does, one pass every 30 s, with the clock advanced
    between passes instead of waited for, from `start` until `done(messages the pass could
    not send)` or `limit` has passed. Returns (the last pass's time, messages not sent)."""
    from nam_briefings.services import outbox

    now, unsent = start, 0
    while now - start <= limit:
        not_sent = 0
        while True:  # a pass: batch after batch, as deliver_all does
            report = outbox.deliver(now=now)
            waiting = report.retrying + getattr(report, "waiting", 0)
            not_sent += waiting
            if sum(getattr(report, name, 0) for name in HANDLED) < 100 or waiting:
                break
        unsent += not_sent
        if done(not_sent):
            break
        now += DELIVERY_INTERVAL
    return now, unsent


# --- 1. the confirm race ----------------------------------------------------------------------

def confirm_race(url: str | None, folder: Path, sizes: Sizes, rng: random.Random) -> Outcome:
    """Concurrent confirms through gunicorn; see the module's docstring."""
    from nam_briefings.extensions import db
    from nam_briefings.services import invitations, users
    from nam_briefings.services.audit import Actor

    outcome = Outcome(f"confirm race ({sizes.race_posts} POSTs at once)", "rounds")
    answers: Counter = Counter()
    email, password = "editor@chair.example.org", "bench-" + secrets.token_urlsafe(18)
    with SmtpSink() as sink, throwaway_database(url, folder, "race") as database_url:
        app = make_app(database_url, sink.port)
        try:
            with app.app_context():
                migrate()
                add_nam_contacts(sizes.race_missions, 2 * sizes.race_missions)
                users.create_user(email, password, "editor", Actor.system())
                audience = {c.id for c in invitations.audience()}
                db.session.remove()
            with gunicorn(database_url, sink.port, folder / "gunicorn.log") as port:
                client = WebClient(port)
                client.login(email, password)
                for _ in range(sizes.rounds):
                    for split in (False, True):
                        answers += _race_round(app, client, sizes.race_posts, split, audience,
                                               outcome, rng)
        finally:
            with app.app_context():
                db.engine.dispose()
    outcome.notes.insert(0, "HTTP answers: " + ", ".join(
        f"{status}×{count}" for status, count in sorted(answers.items(), key=str)))
    return outcome


def _race_round(app, client: WebClient, posts: int, split: bool, audience: set[int],
                outcome: Outcome, rng: random.Random) -> Counter:
    """One round: plan, race the confirms, judge the end state, cancel what was made."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Briefing, OutboxMessage, Proposal
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    actor = Actor("bench")
    with app.app_context():
        number, keys = _plan_some_session(actor, 2 if split else 1)
        db.session.remove()
    outcome.tried += 1
    targets = [keys[n % 2] if split else keys[0] for n in range(posts)]
    rng.shuffle(targets)
    token = client.csrf_token(f"/sessions/{number}/proposals/{keys[0]}/confirm")
    form = {"csrf_token": token, "allow_past": "y"}
    statuses = client.race([(f"/sessions/{number}/proposals/{key}/confirm", form)
                            for key in targets])
    with app.app_context():
        proposals = {p.id: p for p in db.session.scalars(
            db.select(Proposal).where(Proposal.key.in_(keys)))}
        made = list(db.session.scalars(db.select(Briefing).where(
            Briefing.proposal_id.in_(proposals)).order_by(Briefing.id)))
        queued = Counter(db.session.execute(
            db.select(OutboxMessage.briefing_id, OutboxMessage.contact_id).where(
                OutboxMessage.kind == "request",
                OutboxMessage.briefing_id.in_([b.id for b in made]))).all())
        what = f"UPR{number}, {'two proposals' if split else 'one proposal'}"
        if not made:
            outcome.failed += 1
            outcome.notes.append(f"{what}: no briefing was created ({dict(statuses)})")
        else:
            winner = proposals[made[0].proposal_id]
            one_set = [b for b in made if b.proposal_id == winner.id][:len(winner.meetings)]
            extra = [b for b in made if b not in one_set]
            lost = sum(1 for b in one_set for c in audience if queued[(b.id, c)] == 0)
            twice = sum(max(0, queued[(b.id, c)] - 1) for b in one_set for c in audience)
            twice += sum(queued[(b.id, c)] for b in extra for c in audience)
            outcome.lost += lost
            outcome.duplicates += twice
            if len(one_set) == len(winner.meetings) and not extra and not lost and not twice:
                outcome.held += 1
            else:
                outcome.failed += 1
                outcome.notes.append(
                    f"{what}: {len(made)} briefings for {len(winner.meetings)} meeting(s) "
                    f"(UIDs {len({b.uid for b in made})}); {twice} invitations queued twice, "
                    f"{lost} missing")
        for briefing in made:  # so that the next round can confirm the session again
            if briefing.status == "confirmed":
                briefings.cancel(briefing.id, actor)
        db.session.remove()
    return statuses


def _plan_some_session(actor, needed: int) -> tuple[int, list[str]]:
    """Plan the first seeded session (from 41) that still gets `needed` proposals: a time
    once confirmed and then cancelled is not proposed again, so sessions run out."""
    from nam_briefings.models import UprSession
    from nam_briefings.extensions import db
    from nam_briefings.services import briefings

    for number in db.session.scalars(db.select(UprSession.number).where(
            UprSession.number.between(41, 50)).order_by(UprSession.number)):
        try:
            proposals = briefings.plan_session(number, actor).proposals
        except Exception:  # e.g. a session left with a confirmed briefing by a failed round
            db.session.rollback()
            continue
        if len(proposals) >= needed:
            return number, [p.key for p in proposals[:needed]]
    raise RuntimeError("no seeded session has proposals left: fewer --rounds")


# --- 2. an outage, then a cancellation --------------------------------------------------------

def outage_then_cancel(url: str | None, folder: Path, sizes: Sizes,
                       rng: random.Random) -> Outcome:
    """Relay down during an update, then the briefing cancelled; see the module's docstring."""
    from nam_briefings.extensions import db
    from nam_briefings.models import utcnow
    from nam_briefings.services import briefings, outbox
    from nam_briefings.services.audit import Actor

    contacts = 2 * sizes.outage_missions
    outcome = Outcome(f"outage, then cancel ({contacts} recipients)", "recipients")
    actor = Actor("bench")
    with SmtpSink(folder / "mail-outage") as sink, \
            throwaway_database(url, folder, "outage") as database_url:
        app = make_app(database_url, sink.port, OUTBOX_SMTP_TIMEOUT_SECONDS=5)
        with app.app_context():
            try:
                migrate()
                add_nam_contacts(sizes.outage_missions, contacts)
                [briefing] = confirm_one_meeting(actor)
                uid, briefing_id = briefing.uid, briefing.id
                addresses = {m.to_address.lower() for m in _rows(briefing_id)}
                outbox.deliver_all()
                delivered = sink.received
                sink.stop()  # the relay is out
                moved = _move(briefing_id, actor)
                # the outage lasts until a delivery pass has tried the update and failed
                start = utcnow()
                down_until, unsent = deliver_on_schedule(start, lambda failed: failed > 0,
                                                         limit=timedelta(hours=2))
                cancelled = briefings.cancel(briefing_id, actor)
                cancelled = getattr(cancelled, "notified", cancelled)  # a count, or a result
                sink.start()  # the relay is back
                end, _ = deliver_on_schedule(down_until, lambda _: queued_count() == 0,
                                             limit=timedelta(hours=3))
                left = queued_count()
                outcome.notes.append(
                    f"{delivered} invitations delivered; relay down; briefing moved ({moved}, "
                    f"SEQUENCE 1); {_minutes(down_until - start)} later a delivery pass tried "
                    f"and could not send {unsent}; cancelled ({cancelled} cancellations "
                    f"queued); relay back, the queue done {_minutes(end - down_until)} later"
                    + (f"; {left} still queued" if left else ""))
                if not unsent:
                    outcome.notes.append("the update was never tried during the outage: the "
                                         "scenario did not test what it is meant to")
            finally:
                db.session.remove()
                db.engine.dispose()
        _judge_cancellation(read_received(sink), uid, addresses, outcome)
    return outcome


def _minutes(span: timedelta) -> str:
    return f"{span.total_seconds() / 60:.0f} simulated min"


def _rows(briefing_id: int) -> list:
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage

    return list(db.session.scalars(db.select(OutboxMessage).filter_by(briefing_id=briefing_id)))


def _move(briefing_id: int, actor) -> str:
    """Reschedule the briefing to the first nearby time the service accepts."""
    from nam_briefings.domain.errors import Invalid
    from nam_briefings.services import briefings

    start = briefings.get_briefing(briefing_id).start_at
    for hours in (1, 2, -1, 24, -24, 48, -48, 72, 168):
        try:
            briefings.reschedule(briefing_id, start + timedelta(hours=hours), None, actor,
                                 allow_past=True)
        except Invalid:
            continue
        return f"{hours:+d} h"
    raise RuntimeError("no nearby time accepted for the reschedule")


def _judge_cancellation(received: list[Received], uid: str, addresses: set[str],
                        outcome: Outcome) -> None:
    """Per recipient: the CANCEL came, nothing about the briefing after it."""
    about = [item for item in received if item.uid == uid and item.recipient in addresses]
    outcome.tried = len(addresses)
    outcome.duplicates, _resent = count_copies(about)
    outcome.duplicates += _resent  # no process was killed: any copy is a duplicate
    older = 0
    for address in sorted(addresses):
        mine = [item for item in about if item.recipient == address]
        cancels = [n for n, item in enumerate(mine) if item.method == "CANCEL"]
        after = len(mine) - 1 - cancels[0] if cancels else 0
        sequences = [item.sequence for item in mine]
        older += sum(1 for a, b in zip(sequences, sequences[1:]) if b < a)
        outcome.after_cancel += after
        if not cancels:
            outcome.lost += 1
        if cancels and not after:
            outcome.held += 1
        else:
            outcome.failed += 1
    if older:
        outcome.notes.append(f"{older} times an older SEQUENCE arrived after a newer one")
    if outcome.lost:
        outcome.notes.append(f"{outcome.lost} recipients never received the cancellation")


# --- 3. kill -9 of the scheduler during a fan-out ---------------------------------------------

def kill_scheduler(url: str | None, folder: Path, sizes: Sizes, rng: random.Random) -> Outcome:
    """Three SIGKILLs of a delivering scheduler; see the module's docstring."""
    from nam_briefings.extensions import db
    from nam_briefings.services.audit import Actor

    outcome = Outcome(f"kill -9 of the scheduler ×{sizes.kills} "
                      f"({sizes.kill_contacts:,} recipients)", "recipients")
    log = folder / "scheduler.log"
    with SmtpSink(folder / "mail-kill", delay=0.002) as sink, \
            throwaway_database(url, folder, "kill") as database_url:
        app = make_app(database_url, sink.port)
        with app.app_context():
            try:
                migrate()
                missions = min(121, sizes.kill_contacts // 2)
                add_nam_contacts(missions, sizes.kill_contacts)
                [briefing] = confirm_one_meeting(Actor("bench"))
                uid = briefing.uid
                addresses = {m.to_address.lower() for m in _rows(briefing.id)}
                db.session.remove()
                stale = sizes.stale_claim_seconds
                env = service_env(database_url, sink.port, **(
                    {} if stale is None else {"OUTBOX_STALE_CLAIM_SECONDS": str(stale)}))
                total = len(addresses)
                moments = sorted(rng.sample(range(total // 10, total * 9 // 10), sizes.kills))
                killed_at, drained = _kill_and_restart(env, log, sink, moments)
                left = queued_count()
                outcome.notes.append(
                    "killed after " + ", ".join(killed_at) + " messages received"
                    + (f"; {left} still queued {drained:.0f}s after the last restart" if left
                       else f"; the outbox empty {drained:.0f}s after the last restart"))
            finally:
                db.session.remove()
                db.engine.dispose()
        _judge_fan_out(read_received(sink), uid, addresses, sizes.kills, outcome)
    return outcome


def _kill_and_restart(env: dict[str, str], log: Path, sink: SmtpSink,
                      moments: list[int]) -> tuple[list[str], float]:
    """Start the scheduler; at each moment (messages received) SIGKILL it and start it
    again a second later; then wait (up to DRAIN_SECONDS) until the outbox is empty.
    Returns the count at each kill and the seconds from the last restart to an empty outbox."""
    killed_at = []
    process = start_scheduler(env, log)
    try:
        for moment in moments:
            _wait_for_flow(sink, moment, process)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                killed_at.append(str(sink.received))
            else:
                killed_at.append(f"{sink.received} (it had exited by itself: {process.returncode})")
            time.sleep(RESTART_DELAY)
            process = start_scheduler(env, log)
        restarted = time.monotonic()
        _wait(lambda: queued_count() == 0, DRAIN_SECONDS, every=0.5)
        drained = time.monotonic() - restarted
        time.sleep(1)  # the last commit lands after the sink's answer
    finally:
        stop(process)
    return killed_at, drained


def _wait_for_flow(sink: SmtpSink, moment: int, process: subprocess.Popen) -> None:
    """Until the sink has received `moment` messages, the process has exited, or nothing
    has arrived for 10 s (the rest of the queue is stuck: kill it there)."""
    last, since = sink.received, time.monotonic()
    while sink.received < moment and process.poll() is None:
        if sink.received != last:
            last, since = sink.received, time.monotonic()
        elif time.monotonic() - since > 10:
            return
        time.sleep(0.005)


def _wait(condition: Callable[[], bool], seconds: float, every: float = 0.005) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


def _judge_fan_out(received: list[Received], uid: str, addresses: set[str], kills: int,
                   outcome: Outcome) -> None:
    """Per recipient: exactly one invitation (a same-Message-ID resend is in the bound)."""
    invitations = [item for item in received if item.uid == uid and item.method == "REQUEST"
                   and item.recipient in addresses]
    outcome.tried = len(addresses)
    outcome.duplicates, outcome.resent_in_flight = count_copies(invitations)
    ids_by_recipient: dict[str, set[str]] = {}
    for item in invitations:
        ids_by_recipient.setdefault(item.recipient, set()).add(item.message_id)
    for address in addresses:
        ids = ids_by_recipient.get(address, set())
        if len(ids) == 1:
            outcome.held += 1
        else:
            outcome.failed += 1
            outcome.lost += not ids
    beyond = outcome.resent_in_flight - kills
    if beyond > 0:
        outcome.duplicates += beyond
        outcome.failed += beyond
        outcome.notes.append(f"{outcome.resent_in_flight} resent with the same Message-ID: "
                             f"more than one per kill ({kills})")


# --- the run ----------------------------------------------------------------------------------

SCENARIOS = (confirm_race, outage_then_cancel, kill_scheduler)


def run_database(url: str | None, folder: Path, sizes: Sizes, rng: random.Random,
                 progress: Callable[[str], None], scenarios=SCENARIOS) -> list[Outcome]:
    """The scenarios on one database; a scenario that crashes counts as failed."""
    outcomes = []
    for scenario in scenarios:
        started = time.perf_counter()
        try:
            outcome = scenario(url, folder, sizes, rng)
        except Exception as error:
            outcome = Outcome(scenario.__name__.replace("_", " "), "runs", tried=1, failed=1)
            outcome.notes.append(f"the scenario crashed: {error!r}")
            outcome.notes.append(traceback.format_exc().strip().splitlines()[-3].strip())
        outcome.seconds = round(time.perf_counter() - started, 1)
        progress(f"  {outcome.scenario}: held {outcome.held}/{outcome.tried} "
                 f"({outcome.seconds:.0f}s)")
        outcomes.append(outcome)
    return outcomes


def totals(runs: list[dict]) -> dict[str, int]:
    """The three figures the target is about, and the rest, summed over every run."""
    every = [Outcome(**o) for run in runs for o in run["scenarios"]]
    return {"lost": sum(o.lost for o in every), "duplicates": sum(o.duplicates for o in every),
            "after_cancel": sum(o.after_cancel for o in every),
            "resent_in_flight": sum(o.resent_in_flight for o in every),
            "failed": sum(o.failed for o in every)}


def print_report(runs: list[dict], total: dict[str, int], seed: int, sizes: Sizes) -> None:
    header = (f"{'scenario':<44} {'tried':>6} {'held':>6} {'failed':>6} {'lost':>5} "
              f"{'dupl.':>6} {'after cancel':>12} {'time':>6}")
    for run in runs:
        print(f"\n{run['database']}")
        print(header)
        print("-" * len(header))
        for o in map(lambda data: Outcome(**data), run["scenarios"]):
            print(f"{o.scenario:<44} {o.tried:>6} {o.held:>6} {o.failed:>6} {o.lost:>5} "
                  f"{o.duplicates:>6} {o.after_cancel:>12} {o.seconds:>5.0f}s")
            for note in o.notes + ([f"resent in flight (same Message-ID): {o.resent_in_flight}"]
                                   if o.unit == "recipients" and "kill" in o.scenario else []):
                print(f"    {note}")
    verdict = "held" if not total["failed"] and not any(
        total[k] for k in ("lost", "duplicates", "after_cancel")) else "FAILED"
    print(f"\ntotals: lost {total['lost']}, duplicates {total['duplicates']}, mail after a "
          f"cancellation {total['after_cancel']} (target 0, 0, 0); resent in flight "
          f"(same Message-ID) {total['resent_in_flight']}; failed {total['failed']}: {verdict}")
    print(f"random seed {seed} (--seed {seed} repeats the kill moments and POST order)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", metavar="URL",
                        help="`sqlite` (a throwaway file, the default) or a PostgreSQL URL "
                        "(throwaway databases are created next to it); give it twice for both")
    parser.add_argument("--rounds", type=int, help="rounds of the confirm race "
                        f"(default {FULL.rounds}, {QUICK.rounds} with --quick)")
    parser.add_argument("--quick", action="store_true", help="smaller numbers, for a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: new)")
    parser.add_argument("--stale-claim-seconds", type=float, default=None,
                        help="OUTBOX_STALE_CLAIM_SECONDS for the scheduler in the kill -9 "
                        "scenario (default: as configured)")
    parser.add_argument("--scenario", action="append", choices=[f.__name__ for f in SCENARIOS],
                        help="run only this scenario (may be given more than once)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    sizes = Sizes(**{**asdict(sizes), "rounds": args.rounds or sizes.rounds,
                     "stale_claim_seconds": args.stale_claim_seconds})
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    urls = args.database_url or ["sqlite"]
    labels = [database_label(url) for url in urls]
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json \
        else (lambda line: print(line, flush=True))
    if not args.json:
        print(machine(urls))
        print(f"confirm race: {sizes.rounds} rounds × 2 (one proposal; two proposals) of "
              f"{sizes.race_posts} POSTs, gunicorn -w 2, {2 * sizes.race_missions} contacts; "
              f"outage: {2 * sizes.outage_missions} recipients; kill -9: "
              f"{sizes.kill_contacts:,} recipients, {sizes.kills} kills, restarted "
              f"{RESTART_DELAY:g}s later, stale claims taken over "
              + ("as configured" if sizes.stale_claim_seconds is None
                 else f"after {sizes.stale_claim_seconds:g}s")
              + "; SMTP: aiosmtpd on loopback in its own process")

    runs = []
    with tempfile.TemporaryDirectory(prefix="nam-faults-") as folder:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)  # the same in every process
        for url, label in zip(urls, labels):
            progress(label)
            base = Path(folder) / f"run-{len(runs) + 1}"
            base.mkdir()
            chosen = [f for f in SCENARIOS if not args.scenario or f.__name__ in args.scenario]
            outcomes = run_database(None if url.startswith("sqlite") else url, base, sizes,
                                    rng, progress, chosen)
            runs.append({"database": label, "scenarios": [asdict(o) for o in outcomes]})
    total = totals(runs)
    ok = not total["failed"] and not any(total[k] for k in ("lost", "duplicates", "after_cancel"))
    if args.json:
        print(json.dumps({"machine": machine_info(urls), "sizes": asdict(sizes), "seed": seed,
                          "runs": runs, "totals": total, "ok": ok}, indent=2))
    else:
        print_report(runs, total, seed, sizes)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
