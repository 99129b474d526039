"""Benchmark of the requests that change a briefing: confirm, reschedule and cancel, over HTTP.

Issue 13, point 1: they return at once for any number of recipients (target: ≤ 300 ms at
1,000 contacts). The request commits the change and one fan-out record; the delivery
worker composes the messages later.

Run with `.venv/bin/python bench/change_requests.py` (or `make bench`); add `--database-url
postgresql://postgres@127.0.0.1/test` to run on PostgreSQL as well (in a throwaway database
created next to the one named, then dropped). It prints the machine, then for each
database:

- the setup: 121 NAM member missions with 1,000 active contacts (8–9 each), an editor;
  the web app under gunicorn as the Procfile runs it (2 workers, 4 threads), logged in
  through /login with its CSRF token, as a browser is;
- per repetition (one more first, not counted, to warm the workers up): session 49
  planned as one meeting (48, 43, 42 when it has no time left), then three timed POSTs, each on a new connection, from sending
  the request to the whole answer (a redirect) read:
  confirm the proposal → reschedule the briefing → cancel it. Between them, untimed, the
  bench composes and delivers what the request queued (`outbox.deliver_all()`, as the
  scheduler would, its clock moved on to when they are due: updates are paced, at most
  one an hour a contact), so that each request
  meets the data it meets in real use (1,000 invitations sent before a reschedule, 1,000
  updates before a cancel);
- the references, measured in the same run under the same gunicorn setup: GET /healthz
  of the app (one SQL query) and GET / of a bare Flask app (bench/bare_app.py).

Each figure is the median of the repetitions, in ms and as a multiple of each reference,
with PASS/FAIL against the 300 ms target. `--json` prints the figures as JSON.
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
from datetime import timedelta
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
    throwaway_database,
    verdict,
)

MISSIONS = 121
CONTACTS = 1000
TARGET_MS = 300.0
#: requests of each reference, back to back (median shown)
REFERENCE_REQUESTS = 50
REQUESTS = ("confirm", "reschedule", "cancel")
EDITOR = "editor@chair.example.org"
#: offsets tried in turn for the reschedule (the first free time the service accepts)
MOVES = (1, 2, -1, 24, -24, 48, -48, 72, 168)


# --- one database -----------------------------------------------------------------------------

def run(server_url: str | None, folder: Path, sink: SmtpSink, repeats: int,
        contacts: int) -> dict:
    """Set up a throwaway database, serve it with gunicorn, time the three requests."""
    from nam_briefings.extensions import db
    from nam_briefings.services import users
    from nam_briefings.services.audit import Actor

    password = "bench-" + secrets.token_urlsafe(18)
    with throwaway_database(server_url, folder, "requests") as database_url:
        app = make_app(database_url, sink.port)
        try:
            with app.app_context():
                migrate()
                add_nam_contacts(MISSIONS, contacts)
                users.create_user(EDITOR, password, "editor", Actor.system())
                db.session.remove()
            with gunicorn(database_url, sink.port, folder / "gunicorn.log",
                          workers=PROCFILE_WORKERS, threads=PROCFILE_THREADS) as port, \
                    gunicorn(database_url, sink.port, folder / "gunicorn-bare.log",
                             app="bench.bare_app:app", workers=PROCFILE_WORKERS,
                             threads=PROCFILE_THREADS, ready_path="/") as bare_port:
                client = WebClient(port)
                client.login(EDITOR, password)
                _warm_up(client, WebClient(bare_port))
                figures = _time_changes(app, client, sink, repeats, contacts)
                figures["healthz"] = _reference(client, "/healthz")
                figures["bare"] = _reference(WebClient(bare_port), "/")
                figures["load"] = load_average()
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return figures


def _warm_up(client: WebClient, bare: WebClient) -> None:
    """A few requests to every worker and thread, so that no figure pays a first import."""
    for _ in range(4 * PROCFILE_WORKERS * PROCFILE_THREADS):
        client.request("GET", "/healthz")
        client.request("GET", "/sessions/49")
        bare.request("GET", "/")


def _reference(client: WebClient, path: str) -> float:
    """Median seconds of GET `path`, each on a new connection, as the changes are timed."""
    times = []
    for _ in range(REFERENCE_REQUESTS):
        status, _body, seconds = client.timed("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        times.append(seconds)
    return statistics.median(times)


def _time_changes(app, client: WebClient, sink: SmtpSink, repeats: int,
                  contacts: int) -> dict:
    """Confirm, reschedule, cancel `repeats` + 1 times (the first is not counted)."""
    times: dict[str, list[float]] = {name: [] for name in REQUESTS}
    moves: list[int] = []
    for repetition in range(repeats + 1):
        measured = _one_cycle(app, client, sink, contacts)
        if repetition:
            for name in REQUESTS:
                times[name].append(measured[name])
            moves.append(measured["refused moves"])
    return {"times": times, "refused_moves": sum(moves)}


def _one_cycle(app, client: WebClient, sink: SmtpSink, contacts: int) -> dict:
    from nam_briefings.services.audit import Actor

    with app.app_context():
        number, key = plan_one_meeting(Actor("bench"))
        _end_transaction()
    path = f"/sessions/{number}/proposals/{key}/confirm"
    token = client.csrf_token(path)
    measured = {"confirm": _post(client, path, {"csrf_token": token, "allow_past": "y"})}
    briefing_id, start = _briefing_of(app, key)
    _deliver(app, sink, contacts, "invitations")

    path = f"/briefings/{briefing_id}/reschedule"
    token = client.csrf_token(path)
    measured["refused moves"] = 0
    for hours in MOVES:
        form = {"csrf_token": token, "send_for_past": "y", **_geneva_form(start, hours)}
        status, _body, seconds = client.timed("POST", path, form)
        if status in (302, 303):
            measured["reschedule"] = seconds
            break
        if status != 400:
            raise RuntimeError(f"POST {path} answered {status}")
        measured["refused moves"] += 1  # that time is taken: the next one (not timed)
    else:
        raise RuntimeError("no nearby time accepted for the reschedule")
    _deliver(app, sink, contacts, "updates")

    path = f"/briefings/{briefing_id}/cancel"
    token = client.csrf_token(path)
    measured["cancel"] = _post(client, path, {"csrf_token": token})
    _deliver(app, sink, contacts, "cancellations")
    return measured


def _post(client: WebClient, path: str, form: dict) -> float:
    status, _body, seconds = client.timed("POST", path, form)
    if status not in (302, 303):
        raise RuntimeError(f"POST {path} answered {status}, not a redirect")
    return seconds


def _geneva_form(start, hours: int) -> dict[str, str]:
    from nam_briefings.domain.calendar import to_local

    moved = to_local(start + timedelta(hours=hours))
    return {"day": f"{moved:%Y-%m-%d}", "start_time": f"{moved:%H:%M}"}


def _briefing_of(app, key: str):
    """(id, start) of the briefing the confirm of proposal `key` made."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Briefing, Proposal

    with app.app_context():
        briefing = db.session.scalars(
            db.select(Briefing).join(Proposal, Briefing.proposal_id == Proposal.id)
            .where(Proposal.key == key)).one()
        found = briefing.id, briefing.start_at
        _end_transaction()
    return found


def _deliver(app, sink: SmtpSink, contacts: int, what: str) -> None:
    """Compose and deliver what the last request queued, as the scheduler would, on a
    clock moved to when the last of it is due (updates are paced: at most one an hour a
    contact)."""
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage, utcnow
    from nam_briefings.services import fanout, outbox

    with app.app_context():
        before = sink.received
        fanout.compose_pending()
        due = db.session.scalar(db.select(db.func.max(OutboxMessage.next_attempt_at))
                                .where(OutboxMessage.status == "pending"))
        report = outbox.deliver_all(now=max(utcnow(), due or utcnow()))
        _end_transaction()
    if report.sent != contacts or sink.received - before != contacts:
        raise RuntimeError(f"{what}: {report.sent} sent, not {contacts} ({report.summary})")


def _end_transaction() -> None:
    from nam_briefings.extensions import db

    db.session.remove()  # a SQLite reader must not hold up the web workers


# --- the report -------------------------------------------------------------------------------

def report_rows(results: list[tuple[str, dict]]) -> list[dict]:
    """One row per database and request, with the medians, ratios and verdicts."""
    rows = []
    for name, figures in results:
        for request in REQUESTS:
            times = figures["times"][request]
            median = statistics.median(times)
            rows.append({"database": name, "request": request, "median_ms": median * 1000,
                         "min_ms": min(times) * 1000, "max_ms": max(times) * 1000,
                         "times_healthz": median / figures["healthz"],
                         "times_bare": median / figures["bare"],
                         "ok": median * 1000 <= TARGET_MS})
    return rows


def print_report(results: list[tuple[str, dict]], rows: list[dict]) -> None:
    header = (f"{'database':<11} {'request':<11} {'median':>9} {'min':>8} {'max':>8} "
              f"{'× /healthz':>11} {'× bare':>8}  target ≤ {TARGET_MS:.0f} ms")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['database']:<11} {row['request']:<11} {row['median_ms']:>6.0f} ms "
              f"{row['min_ms']:>5.0f} ms {row['max_ms']:>5.0f} ms "
              f"{row['times_healthz']:>10.1f}× {row['times_bare']:>7.1f}×  "
              f"{verdict(row['ok'])}")
    print()
    for name, figures in results:
        print(f"{name}: references GET /healthz {figures['healthz'] * 1000:.1f} ms, bare "
              f"Flask GET / {figures['bare'] * 1000:.1f} ms (medians of {REFERENCE_REQUESTS}); "
              f"{figures['refused_moves']} reschedules refused (time taken) and retried "
              f"untimed; load average {figures['load']}")
    print("each time: a POST on a new connection, from sending it to the redirect read; "
          "what it queued is\ncomposed and delivered (untimed) before the next request")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    add_repeat_options(parser, "timed repetitions per database", default=3, quick=2)
    parser.add_argument("--contacts", type=int, default=CONTACTS,
                        help=f"active NAM contacts (default {CONTACTS:,})")
    args = parser.parse_args()
    repeat = repeats(args)
    databases = backends(args.database_url)
    if not args.json:
        print(machine())
        print(f"{MISSIONS} NAM missions, {args.contacts:,} contacts; gunicorn "
              f"--workers {PROCFILE_WORKERS} --threads {PROCFILE_THREADS} (the Procfile's); "
              f"medians of {repeat} repetitions after one not counted\n", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="nam-requests-") as folder, SmtpSink() as sink:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)  # the same in every process
        for name, url in databases:
            started = time.perf_counter()
            results.append((name, run(url, Path(folder), sink, repeat, args.contacts)))
            print(f"  {name}: {time.perf_counter() - started:.0f}s", file=sys.stderr,
                  flush=True)
    rows = report_rows(results)
    if args.json:
        print(json.dumps({"machine": machine_info([u or "sqlite" for _, u in databases]),
                          "contacts": args.contacts, "repeats": repeat,
                          "target_ms": TARGET_MS, "rows": rows,
                          "references_ms": {name: {"healthz": f["healthz"] * 1000,
                                                   "bare": f["bare"] * 1000,
                                                   "load": f["load"]}
                                            for name, f in results}}, indent=2))
    else:
        print_report(results, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
