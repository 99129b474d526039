"""Benchmark of the invitation fan-out: queuing 200 invitations and delivering them by SMTP.

Run with `.venv/bin/python bench/fanout.py` (or `make bench`); add
`--database-url postgresql://postgres@127.0.0.1/test` to run on PostgreSQL as well (in a
throwaway database created next to the one named, then dropped). It prints the machine, then
for each database:

1. queuing: session 49 seeded, 100 NAM member missions with two contacts each, the best
   one-meeting proposal confirmed (`briefings.confirm_proposal`): 200 iMIP invitations
   written to the outbox in the confirming transaction;
2. delivery: `outbox.deliver_all()` (what `outbox deliver` and the scheduler run) to a
   local aiosmtpd server on loopback, in its own process;
3. the reference: plain `smtplib` sending the same 200 prepared messages (the exact bytes
   of `build_email(m).as_bytes()`) to the same server over one connection.

Delivery and the reference are timed several times (the queue is put back to pending
between runs) and the median is shown, with the ratio delivery / smtplib.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import platform
import smtplib
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MISSIONS = 100
CONTACTS_PER_MISSION = 2
#: one meeting for session 49's eight NAM presenters, so one invitation per contact
ONE_MEETING = {"max_states_per_meeting": 8}


# --- the SMTP server, in its own process (it does not share our GIL) --------------------------

def _serve(port: int, received, ready) -> None:
    """Run an aiosmtpd server on loopback that counts what it accepts, until terminated."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope) -> str:
            with received.get_lock():
                received.value += 1
            return "250 Message accepted for delivery"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


@contextlib.contextmanager
def smtp_server():
    """A local SMTP server process; yields (port, shared count of messages received)."""
    with socket.socket() as probe:  # aiosmtpd refuses port 0: find a free one first
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    received, ready = context.Value("i", 0), context.Event()
    process = context.Process(target=_serve, args=(port, received, ready), daemon=True)
    process.start()
    if not ready.wait(30):
        process.terminate()
        raise RuntimeError("the SMTP server did not start")
    try:
        yield port, received
    finally:
        process.terminate()
        process.join(10)


# --- the databases ----------------------------------------------------------------------------

@contextlib.contextmanager
def sqlite_database(folder: Path):
    yield f"sqlite:///{folder / 'fanout.sqlite3'}"


@contextlib.contextmanager
def postgres_database(url: str):
    """A throwaway database on the server of `url`, dropped afterwards."""
    import sqlalchemy as sa

    admin_url = sa.make_url(url).set(drivername="postgresql+psycopg")
    name = f"nam_briefings_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- one run ----------------------------------------------------------------------------------

def run(database_url: str, port: int, received, repeats: int) -> dict[str, float]:
    """Queue the fan-out on one database, then time delivery and the smtplib reference."""
    from flask_migrate import upgrade

    from nam_briefings import create_app
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact, Mission, OutboxMessage, State
    from nam_briefings.services import briefings, outbox
    from nam_briefings.services.audit import Actor
    from nam_briefings.services.calendar import seed_reference_data

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False, "TESTING": False})
    actor = Actor("bench")
    figures: dict[str, float] = {}
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log lines
            upgrade()
        seed_reference_data(Actor.system())
        members = db.session.scalars(db.select(State).filter_by(nam_status="member")
                                     .order_by(State.iso3).limit(MISSIONS)).all()
        assert len(members) == MISSIONS, f"only {len(members)} NAM members in the seed data"
        for state in members:
            mission = Mission(state_iso3=state.iso3, name=f"Permanent Mission of {state.name}",
                              email=f"mission@{state.iso3.lower()}.example.org")
            db.session.add(mission)
            for n in range(CONTACTS_PER_MISSION):
                db.session.add(Contact(mission=mission, name=f"Contact {n + 1} {state.iso3}",
                                       role="focal_point", language="en",
                                       email=f"contact{n + 1}@{state.iso3.lower()}.example.org"))
        db.session.commit()
        plan = briefings.plan_session(49, actor, ONE_MEETING)
        assert len(plan.proposals[0].meetings) == 1

        start = time.perf_counter()
        [_briefing] = briefings.confirm_proposal(plan.proposals[0].key, actor, allow_past=True)
        figures["queue"] = time.perf_counter() - start
        queued = outbox.status_counts()["pending"]
        assert queued == MISSIONS * CONTACTS_PER_MISSION, queued

        messages = list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
        start = time.perf_counter()
        prepared = [(app.config["MAIL_DEFAULT_SENDER"], m.to_address,
                     outbox.build_email(m).as_bytes()) for m in messages]
        figures["build"] = time.perf_counter() - start

        deliveries, references = [], []
        for _ in range(repeats):
            _requeue(db, OutboxMessage)
            before = received.value
            start = time.perf_counter()
            report = outbox.deliver_all()
            deliveries.append(time.perf_counter() - start)
            assert report.sent == queued and received.value - before == queued, report.summary

            before = received.value
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as connection:
                for sender, recipient, data in prepared:
                    connection.sendmail(sender, [recipient], data)
            references.append(time.perf_counter() - start)
            assert received.value - before == queued
        figures["deliver"] = statistics.median(deliveries)
        figures["smtplib"] = statistics.median(references)
        figures["count"] = queued
        figures["bytes"] = statistics.mean(len(data) for _, _, data in prepared)
        db.session.remove()
        db.engine.dispose()
    return figures


def _requeue(db, OutboxMessage) -> None:
    """Put every message back in the queue, as it was when first queued."""
    db.session.execute(db.update(OutboxMessage).values(
        status="pending", attempts=0, sent_at=None, claimed_at=None, last_error=""))
    db.session.commit()


# --- the report -------------------------------------------------------------------------------

def machine() -> str:
    import aiosmtpd
    import sqlalchemy

    return "\n".join([
        f"machine: {platform.platform()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs ({platform.processor() or 'processor not reported'})",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLAlchemy {sqlalchemy.__version__}, aiosmtpd {aiosmtpd.__version__}",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="also run on this PostgreSQL server "
                        "(a throwaway database is created next to the one named)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="deliveries timed per database (median shown; default 3)")
    args = parser.parse_args()
    print(machine())
    print(f"fan-out: {MISSIONS} NAM missions × {CONTACTS_PER_MISSION} contacts, one briefing "
          f"(UPR49) → {MISSIONS * CONTACTS_PER_MISSION} iMIP invitations; SMTP: aiosmtpd on "
          "loopback in its own process; times are medians of "
          f"{args.repeat} deliveries\n")

    backends = [("SQLite", None)]
    if args.database_url:
        backends.append(("PostgreSQL", args.database_url))
    results = []
    with tempfile.TemporaryDirectory(prefix="nam-fanout-") as folder, smtp_server() as server:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        for name, url in backends:
            database = postgres_database(url) if url else sqlite_database(Path(folder))
            with database as database_url:
                results.append((name, run(database_url, *server, args.repeat)))

    header = (f"{'database':<11} {'queue 200':>10} {'queued/s':>9} {'deliver 200':>12} "
              f"{'sent/s':>8} {'smtplib 200':>12} {'smtplib/s':>10} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for name, f in results:
        print(f"{name:<11} {f['queue']:>9.2f}s {f['count'] / f['queue']:>9.0f} "
              f"{f['deliver']:>11.3f}s {f['count'] / f['deliver']:>8.0f} "
              f"{f['smtplib']:>11.3f}s {f['count'] / f['smtplib']:>10.0f} "
              f"{f['deliver'] / f['smtplib']:>5.1f}×")
    print()
    for name, f in results:
        print(f"{name}: of the delivery, building the 200 e-mails from their rows (build_email "
              f"+ as_bytes) takes {f['build']:.3f}s; {f['bytes'] / 1024:.1f} KiB a message")
    print("ratio = outbox delivery time / plain smtplib time for the same bytes; delivery "
          "also claims the rows,\nbuilds each e-mail and commits each outcome (one SMTP "
          "connection per batch of 100)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
