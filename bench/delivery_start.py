"""Benchmark of how soon delivery starts after a confirm, with the real scheduler running.

Issue 13, point 2: delivery starts within 2 s of the commit, not on the next 30 s tick.
The scheduler's delivery worker is woken by the new work: PostgreSQL's LISTEN/NOTIFY, or
a cheap poll each second on SQLite.

Run with `.venv/bin/python bench/delivery_start.py` (or `make bench`); add `--database-url
postgresql://postgres@127.0.0.1/test` to run on PostgreSQL as well (in throwaway databases
created next to the one named, then dropped). It prints the machine, then for each
database and audience (242 contacts: 121 NAM member missions × 2; 1,000 contacts: 8–9
each):

- the web app under gunicorn as the Procfile runs it (2 workers, 4 threads), an editor
  logged in through /login, `flask --app app scheduler` as a real process, all on the
  throwaway database and sending to a local aiosmtpd sink (in its own process);
- per repetition: session 49 planned as one meeting (untimed; 48, 43, 42 when it has no
  time left), the proposal confirmed by
  a POST; from the moment its answer is read (the commit is made before it is sent), the
  time until the first message reaches the sink, and until the last of the fan-out has
  (the outbox and the fan-out done). The briefing is then cancelled and its cancellations
  delivered by the scheduler, untimed, before the next repetition;
- the references: the 30 s tick of the scheduler's delivery job before issue 13 (a
  confirm waited 0–30 s, and composed every message in the request first: the issue
  measured the first message 18 s after the click, the last 31 s), and, measured in the
  same run, plain smtplib sending the very same messages (the bytes
  `outbox.build_email(row)` gives) to the same sink over one connection.

Medians of the repetitions; PASS/FAIL of the first message against 2 s. `--json` prints
the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support import (  # noqa: E402
    PROCFILE_THREADS,
    PROCFILE_WORKERS,
    SmtpSink,
    WebClient,
    add_database_option,
    add_repeat_options,
    add_nam_contacts,
    backends,
    gunicorn,
    load_average,
    machine,
    machine_info,
    make_app,
    migrate,
    plan_one_meeting,
    repeats,
    prepared_messages,
    queued_count,
    send_with_smtplib,
    service_env,
    start_scheduler,
    stop,
    throwaway_database,
    verdict,
    wait_until,
)

MISSIONS = 121
AUDIENCES = (242, 1000)
TARGET_SECONDS = 2.0
#: the scheduler's delivery tick before issue 13, and what the issue measured with it
OLD_TICK_SECONDS, FILED_FIRST, FILED_LAST = 30.0, 18.0, 31.0
#: how long a fan-out may take to arrive before the run gives up on it
ARRIVAL_LIMIT = 300.0
EDITOR = "editor@chair.example.org"


# --- one database and audience ----------------------------------------------------------------

def run(server_url: str | None, folder: Path, contacts: int, repeats: int) -> dict:
    """A throwaway database with `contacts` contacts, the web app and the scheduler on it;
    time `repeats` confirms from the answer to the first and last message at the sink."""
    from nam_briefings.extensions import db
    from nam_briefings.services import users
    from nam_briefings.services.audit import Actor

    password = "bench-" + secrets.token_urlsafe(18)
    folder.mkdir(parents=True, exist_ok=True)
    with SmtpSink() as sink, throwaway_database(server_url, folder, "start") as database_url:
        app = make_app(database_url, sink.port)
        try:
            with app.app_context():
                migrate()
                add_nam_contacts(MISSIONS, contacts)
                users.create_user(EDITOR, password, "editor", Actor.system())
                db.session.remove()
            log = folder / "scheduler.log"
            with gunicorn(database_url, sink.port, folder / "gunicorn.log",
                          workers=PROCFILE_WORKERS, threads=PROCFILE_THREADS) as port:
                scheduler = start_scheduler(service_env(database_url, sink.port), log)
                try:
                    _wait_for_scheduler(scheduler, log)
                    client = WebClient(port)
                    client.login(EDITOR, password)
                    for _ in range(4 * PROCFILE_WORKERS * PROCFILE_THREADS):
                        client.request("GET", "/sessions/49")  # no worker's first request
                    with app.app_context():
                        runs = [_one_confirm(client, sink, contacts) for _ in range(repeats)]
                finally:
                    stop(scheduler)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    figures = {name: statistics.median(r[name] for r in runs)
               for name in ("request", "written", "composed", "first", "last", "smtplib")}
    figures["worst_first"] = max(r["first"] for r in runs)
    figures["messages"] = min(r["messages"] for r in runs)
    figures["load"] = load_average()
    return figures


def _wait_for_scheduler(process, log: Path) -> None:
    """Until the scheduler has started its jobs (it prints them), and a moment more for its
    delivery worker's first pass over the empty outbox."""
    started = wait_until(lambda: process.poll() is not None
                         or "job deliver_outbox" in log.read_text(errors="replace"), 60, 0.1)
    if not started or process.poll() is not None:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError("the scheduler did not start: " + " | ".join(tail))
    time.sleep(2)


def _one_confirm(client: WebClient, sink: SmtpSink, contacts: int) -> dict[str, float]:
    """Confirm through the web app; follow the arrivals; then cancel (untimed)."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Briefing, Fanout, OutboxMessage, Proposal, utcnow
    from nam_briefings.services import briefings
    from nam_briefings.services.audit import Actor

    actor = Actor("bench")
    number, key = plan_one_meeting(actor)
    db.session.remove()
    path = f"/sessions/{number}/proposals/{key}/confirm"
    token = client.csrf_token(path)
    before = sink.received
    status, _body, request = client.timed("POST", path, {"csrf_token": token,
                                                         "allow_past": "y"})
    committed, committed_at = time.perf_counter(), utcnow()
    if status not in (302, 303):
        raise RuntimeError(f"POST {path} answered {status}, not a redirect")
    first, last = _follow_arrivals(sink, before, committed)
    figures = {"request": request, "first": first, "last": last,
               "messages": sink.received - before}

    briefing = db.session.scalars(db.select(Briefing).join(
        Proposal, Briefing.proposal_id == Proposal.id).where(Proposal.key == key)).one()
    rows = list(db.session.scalars(db.select(OutboxMessage).filter_by(
        briefing_id=briefing.id, kind="request").order_by(OutboxMessage.id)))
    if len(rows) != contacts:
        raise RuntimeError(f"{len(rows)} invitations written, not {contacts}")
    finished_at = db.session.scalar(db.select(Fanout.finished_at).where(
        Fanout.briefing_id == briefing.id, Fanout.kind == "invite"))
    # the scheduler's clock is this machine's: its timestamps say where the time went
    figures["written"] = (min(r.created_at for r in rows) - committed_at).total_seconds()
    figures["composed"] = (finished_at - committed_at).total_seconds()
    prepared = prepared_messages(rows)
    briefing_id = briefing.id
    db.session.remove()
    figures["smtplib"] = send_with_smtplib(sink.port, prepared)

    before = sink.received
    briefings.cancel(briefing_id, actor)  # the scheduler sends the cancellations
    db.session.remove()
    if not wait_until(lambda: sink.received - before >= contacts and queued_count() == 0,
                      ARRIVAL_LIMIT, 0.2):
        raise RuntimeError("the cancellations were not delivered")
    return figures


def _follow_arrivals(sink: SmtpSink, before: int, committed: float) -> tuple[float, float]:
    """Seconds from `committed` to the first message at the sink and to the last one (when
    nothing is left in the outbox or to compose)."""
    first = last = None
    count, next_check = before, 0.0
    deadline = committed + ARRIVAL_LIMIT
    while True:
        now = time.perf_counter()
        received = sink.received
        if received != count:
            count, last = received, now
            first = first or now
        if now >= next_check and first is not None:
            if queued_count() == 0:
                break
            next_check = time.perf_counter() + 0.2  # the query is not on the arrival path
        if now > deadline:
            raise RuntimeError(f"after {ARRIVAL_LIMIT:.0f}s, {count - before} messages arrived")
        time.sleep(0.001)
    return first - committed, last - committed


# --- the report -------------------------------------------------------------------------------

def print_report(results: list[tuple[str, int, dict]], repeats: int) -> None:
    header = (f"{'database':<11} {'contacts':>8} {'request':>8} {'1st row':>8} "
              f"{'composed':>8} {'first':>7} {'last':>7} {'smtplib':>8} {'last/smtplib':>12}  "
              f"first ≤ {TARGET_SECONDS:g} s")
    print(header)
    print("-" * len(header))
    for name, contacts, f in results:
        print(f"{name:<11} {contacts:>8,} {f['request'] * 1000:>5.0f} ms {f['written']:>7.2f}s "
              f"{f['composed']:>7.2f}s {f['first']:>6.2f}s "
              f"{f['last']:>6.2f}s {f['smtplib']:>7.2f}s {f['last'] / f['smtplib']:>11.1f}×  "
              f"{verdict(f['first'] <= TARGET_SECONDS)} (worst {f['worst_first']:.2f}s; "
              f"load {f['load']})")
    print(f"\nmedians of {repeats} confirm(s) through the web app; seconds from the confirm's "
          "answer to: the first\ninvitation written to the outbox (1st row: the worker woke "
          "and composed a chunk), the fan-out\ncomposed, the first and the last message at "
          "the sink; smtplib = the same messages' bytes over\none plain connection")
    print(f"reference: before issue 13 the scheduler delivered on a {OLD_TICK_SECONDS:.0f} s "
          f"tick (a confirm waited 0–{OLD_TICK_SECONDS:.0f} s; the issue measured the first "
          f"message {FILED_FIRST:.0f} s, the last {FILED_LAST:.0f} s after the click, 242 "
          "contacts)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    add_repeat_options(parser, "confirms timed per database and audience", default=3, quick=1)
    args = parser.parse_args()
    repeat = repeats(args)
    databases = backends(args.database_url)
    if not args.json:
        print(machine())
        print(f"{MISSIONS} NAM missions; gunicorn --workers {PROCFILE_WORKERS} --threads "
              f"{PROCFILE_THREADS} (the Procfile's) and `flask --app app scheduler`, real "
              "processes; SMTP: aiosmtpd on loopback in its own process\n", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="nam-start-") as folder:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)  # the same in every process
        for name, url in databases:
            for contacts in AUDIENCES:
                run_folder = Path(folder) / f"{name}-{contacts}"
                results.append((name, contacts, run(url, run_folder, contacts, repeat)))
                print(f"  {name}, {contacts:,} contacts: done", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"machine": machine_info([u or "sqlite" for _, u in databases]),
                          "repeats": repeat, "target_seconds": TARGET_SECONDS,
                          "old_tick_seconds": OLD_TICK_SECONDS,
                          "runs": [{"database": name, "contacts": contacts, **figures,
                                    "ok": figures["first"] <= TARGET_SECONDS}
                                   for name, contacts, figures in results]}, indent=2))
    else:
        print_report(results, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
