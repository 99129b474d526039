"""What the benchmarks under bench/ share: the machine line, throwaway databases, a local
SMTP sink in its own process, the application on a migrated database and a NAM fan-out,
the web app under gunicorn and the scheduler as real processes, and a client that logs in
and posts forms as a browser does.

Not a benchmark itself: the benchmarks import it.
"""
from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import multiprocessing
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: session 49 (April 2025) is seeded with eight NAM presenters: this rule makes one meeting
ONE_MEETING = {"max_states_per_meeting": 8}
#: the seeded sessions that plan as one meeting with it (five times each), 49 first
ONE_MEETING_SESSIONS = (49, 48, 43, 42)
#: the header the sink adds to each stored message: the envelope recipient
ENVELOPE_TO = "X-Bench-Envelope-To"


# --- the machine ------------------------------------------------------------------------------

def machine_info(database_urls: list[str] | None = None) -> dict[str, str | int | list[str]]:
    """The machine, Python and libraries a benchmark ran on, as data (for --json)."""
    import aiosmtpd
    import sqlalchemy

    info: dict[str, str | int | list[str]] = {
        "platform": platform.platform(), "arch": platform.machine(),
        "cpus": os.cpu_count() or 0, "processor": platform.processor() or "not reported",
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "sqlalchemy": sqlalchemy.__version__, "aiosmtpd": aiosmtpd.__version__,
    }
    if database_urls is not None:
        info["databases"] = [database_label(url) for url in database_urls]
    return info


def machine(database_urls: list[str] | None = None) -> str:
    """The machine lines every benchmark prints first."""
    info = machine_info(database_urls)
    lines = [
        f"machine: {info['platform']}, {info['arch']}, {info['cpus']} CPUs ({info['processor']})",
        f"Python {info['python']}, SQLAlchemy {info['sqlalchemy']}, aiosmtpd {info['aiosmtpd']}",
    ]
    if database_urls is not None:
        lines.append("databases: " + ", ".join(info["databases"]))
    return "\n".join(lines)


def database_label(url: str) -> str:
    """How a database is named in a report: "SQLite" or "PostgreSQL <version> (host)"."""
    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (a throwaway file)"
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    try:
        engine = sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            version = connection.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception:  # the report still names the server when it cannot be asked
        version = "?"
    return f"PostgreSQL {version} ({parsed.host or 'local socket'}, throwaway databases)"


# --- the databases ----------------------------------------------------------------------------

@contextlib.contextmanager
def throwaway_database(url: str | None, folder: Path, name: str = "bench") -> Iterator[str]:
    """A new empty database: a SQLite file in `folder` when `url` is None or starts with
    "sqlite", else a database created next to the PostgreSQL one named, dropped afterwards."""
    if not url or url.startswith("sqlite"):
        path = folder / f"{name}-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            path.unlink(missing_ok=True)
        return
    with postgres_database(url) as database_url:
        yield database_url


def add_database_option(parser) -> None:
    """The `--database-url` option of the benchmarks that run on SQLite and PostgreSQL."""
    parser.add_argument("--database-url", help="also run on this PostgreSQL server "
                        "(a throwaway database is created next to the one named)")


def add_repeat_options(parser, what: str, default: int, quick: int) -> None:
    """The `--repeat N`, `--quick` (N = `quick` unless --repeat is given) and `--json`
    options of the benchmarks that take medians; read the count with `repeats(args)`."""
    parser.add_argument("--repeat", type=int, default=None,
                        help=f"{what} (median shown; default {default}, {quick} with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(default_repeat=default, quick_repeat=quick)


def repeats(args) -> int:
    """How many repetitions the options of `add_repeat_options` ask for."""
    if args.repeat is not None:
        return args.repeat
    return args.quick_repeat if args.quick else args.default_repeat


def backends(database_url: str | None) -> list[tuple[str, str | None]]:
    """(name, server URL) of each database to run on: SQLite, then PostgreSQL if given."""
    return [("SQLite", None)] + ([("PostgreSQL", database_url)] if database_url else [])


@contextlib.contextmanager
def postgres_database(url: str, prefix: str = "nam_briefings_bench") -> Iterator[str]:
    """A throwaway database on the server of `url`, dropped afterwards (the test suite's
    throwaway databases are made here too)."""
    import sqlalchemy as sa

    admin_url = sa.make_url(url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the SMTP sink, in its own process (it does not share our GIL) ---------------------------

def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now (aiosmtpd refuses port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int, received, ready, folder: str | None, delay: float) -> None:
    """Run an aiosmtpd server on loopback until terminated: count each message accepted
    and, with `folder`, store it there first (named so that names sort in arrival order)."""
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope) -> str:
            if delay:
                await asyncio.sleep(delay)  # like a real relay, so a fan-out takes a while
            if folder:
                Sink.count += 1
                name = f"{time.time_ns():020d}-{os.getpid()}-{Sink.count:07d}.eml"
                temporary = Path(folder) / f".{name}.tmp"
                head = f"{ENVELOPE_TO}: {','.join(envelope.rcpt_tos)}\r\n".encode()
                temporary.write_bytes(head + (envelope.original_content or envelope.content))
                temporary.rename(Path(folder) / name)  # stored before we say "accepted"
            with received.get_lock():
                received.value += 1
            return "250 Message accepted for delivery"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class SmtpSink:
    """A local SMTP server in its own process that counts (and optionally keeps) what it
    accepts. `stop()` takes it down (connections are then refused: the relay is out) and
    `start()` brings it back on the same port."""

    def __init__(self, folder: Path | None = None, delay: float = 0.0) -> None:
        self.port = free_port()
        self.folder = folder
        self.delay = delay
        self._context = multiprocessing.get_context("spawn")
        self._received = self._context.Value("i", 0)
        self._process = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def received(self) -> int:
        """How many messages the sink has accepted since it was made (across restarts)."""
        return self._received.value

    def start(self) -> SmtpSink:
        ready = self._context.Event()
        self._process = self._context.Process(
            target=_serve, args=(self.port, self._received, ready,
                                 str(self.folder) if self.folder else None, self.delay),
            daemon=True)
        self._process.start()
        if not ready.wait(30):
            self.stop()
            raise RuntimeError("the SMTP sink did not start")
        return self

    def stop(self) -> None:
        """Take the sink down; safe to call when it is already down."""
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)
            self._process = None

    def messages(self) -> list[tuple[str, EmailMessage]]:
        """(envelope recipient, message) for every message kept, in arrival order."""
        if self.folder is None:
            raise RuntimeError("this sink keeps no messages: give it a folder")
        kept = []
        for path in sorted(self.folder.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            kept.append((str(message[ENVELOPE_TO]), message))
        return kept

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the application and its data -------------------------------------------------------------

def make_app(database_url: str, smtp_port: int, **config):
    """The application on `database_url`, sending to the sink on `smtp_port`, with its
    start-up heap frozen out of the garbage collector's passes as app.py does for the web
    workers, the scheduler and the CLI."""
    import gc

    from nam_briefings import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": smtp_port, "MAIL_SUPPRESS_SEND": False, "TESTING": False,
                      **config})
    gc.freeze()
    return app


def migrate() -> None:
    """Build the schema with the real migrations (inside an app context); Alembic's log
    lines are kept out of the report."""
    from flask_migrate import upgrade

    with contextlib.redirect_stderr(io.StringIO()):
        upgrade()


@dataclass
class FanOut:
    """What `add_nam_contacts` created."""

    missions: int
    contacts: int


def add_nam_contacts(missions: int, contacts: int) -> FanOut:
    """Seed the shipped reference data, then give the first `missions` NAM member states
    (by ISO3) a mission and `contacts` contacts in all, spread evenly (inside an app context).

    Every contact is in the audience of a briefing, so confirming one queues an invitation
    to each. `missions` may not exceed the 121 NAM members of the shipped data.
    """
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact, Mission, State
    from nam_briefings.services.audit import Actor
    from nam_briefings.services.calendar import seed_reference_data

    seed_reference_data(Actor.system())
    members = db.session.scalars(db.select(State).filter_by(nam_status="member")
                                 .order_by(State.iso3).limit(missions)).all()
    if len(members) < missions:
        raise RuntimeError(f"only {len(members)} NAM members in the seed data, not {missions}")
    created = [Mission(state_iso3=state.iso3, name=f"Permanent Mission of {state.name}",
                       email=f"mission@{state.iso3.lower()}.example.org") for state in members]
    db.session.add_all(created)
    for n in range(contacts):
        mission = created[n % missions]
        number = n // missions + 1
        code = mission.state_iso3.lower()
        db.session.add(Contact(mission=mission, name=f"Contact {number} {mission.state_iso3}",
                               role="focal_point", language="en",
                               email=f"contact{number}@{code}.example.org"))
    db.session.commit()
    return FanOut(missions, contacts)


def confirm_one_meeting(actor) -> list:
    """Plan session 49 as one meeting and confirm the best proposal (a past date, said so
    explicitly): the briefing, with the fan-out of its invitations queued (the delivery
    worker composes them: `outbox.deliver` does first). Returns the briefings."""
    from nam_briefings.services import briefings

    _number, key = plan_one_meeting(actor)
    return briefings.confirm_proposal(key, actor, allow_past=True)


#: outbox statuses of a message still to be delivered
QUEUED = ("pending", "sending", "waiting")


def queued_count() -> int:
    """Messages still to be delivered, and fan-outs still to be composed (each counts one:
    its messages are not written yet), inside an app context; ends the transaction, so that
    a SQLite reader never holds up the processes writing."""
    from nam_briefings.extensions import db
    from nam_briefings.domain.constants import FANOUT_UNFINISHED
    from nam_briefings.models import Fanout
    from nam_briefings.services import outbox

    counts = outbox.status_counts()
    composing = db.session.scalar(db.select(db.func.count()).select_from(Fanout)
                                  .where(Fanout.status.in_(FANOUT_UNFINISHED)))
    db.session.remove()
    return sum(counts.get(status, 0) for status in QUEUED) + composing


def plan_one_meeting(actor) -> tuple[int, str]:
    """Plan the first of ONE_MEETING_SESSIONS that still plans as one meeting (a time once
    confirmed and cancelled is not proposed again: each has five); (session number, key of
    its best proposal)."""
    from nam_briefings.services import briefings

    for number in ONE_MEETING_SESSIONS:
        plan = briefings.plan_session(number, actor, ONE_MEETING)
        if plan.proposals and len(plan.proposals[0].meetings) == 1:
            return number, plan.proposals[0].key
    raise RuntimeError(f"sessions {ONE_MEETING_SESSIONS} have no one-meeting time left")


def email_bytes(email) -> bytes:
    """The bytes of what `outbox.build_email` returns: bytes, or an object with as_bytes()."""
    return email if isinstance(email, (bytes, bytearray)) else email.as_bytes()


def prepared_messages(rows) -> list[tuple[str, str, bytes]]:
    """(envelope sender, recipient, bytes) of each outbox row, exactly as delivery would
    send them (inside an app context): what the plain-smtplib references send."""
    from email.utils import parseaddr

    from flask import current_app

    from nam_briefings.services import outbox

    default = current_app.config["MAIL_DEFAULT_SENDER"]
    sender = parseaddr(default)[1] or default
    prepared = []
    for row in rows:
        email = outbox.build_email(row)
        prepared.append((getattr(email, "envelope_from", sender), row.to_address,
                         email_bytes(email)))
    return prepared


def send_with_smtplib(port: int, prepared: list[tuple[str, str, bytes]]) -> float:
    """Send the prepared messages over one plain smtplib connection; the seconds it took."""
    import smtplib

    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for sender, recipient, data in prepared:
            connection.sendmail(sender, [recipient], data)
    return time.perf_counter() - start


def load_average() -> str:
    """The machine's load average now, as the reports print it beside their figures (other
    work on a shared machine slows every figure, the references too)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f}, {five:.1f}, {fifteen:.1f} on {os.cpu_count() or '?'} CPUs"


def verdict(ok: bool) -> str:
    """PASS or FAIL, as the benchmarks print their judgement on a target."""
    return "PASS" if ok else "FAIL"


def wait_until(condition, seconds: float, every: float = 0.005) -> bool:
    """Poll `condition` until it is true (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


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


#: gunicorn as the Procfile runs it: 2 workers, 4 threads each
PROCFILE_WORKERS, PROCFILE_THREADS = 2, 4


@contextlib.contextmanager
def gunicorn(database_url: str, smtp_port: int, log: Path, app: str = "app:app",
             workers: int = 2, threads: int = 1, ready_path: str = "/login",
             **env: str) -> Iterator[int]:
    """`gunicorn -w WORKERS --threads THREADS APP` on a free loopback port; yields the port
    once `ready_path` answers. `env` adds to the environment of the workers."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [venv_command("gunicorn"), "-w", str(workers), "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--timeout", "120", app], cwd=ROOT,
            env=service_env(database_url, smtp_port, **env),
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", ready_path)
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
        status, body, _seconds = self.timed(method, path, form)
        return status, body

    def timed(self, method: str, path: str,
              form: dict | None = None) -> tuple[int, str, float]:
        """One request on a new connection, as a browser's: (status, body, seconds from
        connecting to the whole answer read)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            start = time.perf_counter()
            connection.request(method, path, urlencode(form) if form is not None else None,
                               self._headers(form))
            response = connection.getresponse()
            raw = response.read()
            seconds = time.perf_counter() - start
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, raw.decode(errors="replace"), seconds
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


