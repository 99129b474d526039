"""Benchmark: how cheap a calendar feed is to poll, next to a bare Flask route.

Builds a throwaway SQLite database with the real UPR data and 1,000 confirmed briefings,
starts `gunicorn -w 2 app:app` and, with the very same options, `gunicorn -w 2
bench.bare_app:app` (one route, a small body: the reference), each on a free loopback
port, and measures requests per second, one after the other in the same run, for:
  - the bare Flask route (the reference);
  - the 1,000-event mission feed, conditional (If-None-Match) → 304;
  - the same feed, full 200 responses, as wrk asks (no compression);
  - the same feed, full, with `Accept-Encoding: gzip` as calendar services send it;
  - the same bytes precomputed in the bare app: the most a body that size reaches here;
  - /healthz of the app (one `SELECT`), for information.
The load is `wrk -t2 -c16` when wrk is installed (`apt-get install -y wrk`); otherwise a
bounded Python load (keep-alive connections, fixed duration), which says so: it runs in
this interpreter and is itself the bottleneck long before gunicorn is.
Prints the machine, the figures and both ratios (targets: 304 >= 0.8x, 200 >= 0.5x).
Run: `.venv/bin/python bench/feeds.py`.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVENTS = 1000
#: the targets of issue 13: conditional and full polls against the bare route
TARGETS = {"conditional": 0.8, "full": 0.5}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_database(instance: Path) -> str:
    """Migrate, seed, add a mission and 1,000 briefings; return the mission's feed path."""
    os.environ["INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from nam_briefings import create_app
    from nam_briefings.extensions import db
    from nam_briefings.models import Briefing, BriefingItem, Mission, Review, UprSession
    from nam_briefings.services import feed_links, feeds
    from nam_briefings.services.audit import Actor
    from nam_briefings.services.calendar import seed_reference_data

    app = create_app()
    with app.app_context():
        upgrade()
        seed_reference_data(Actor.system())
        db.session.add(Mission(state_iso3="GUY", name="Permanent Mission of Guyana",
                               email="pm@guyana.example.org"))
        sessions = list(db.session.scalars(db.select(UprSession)))
        reviews = {s.id: list(db.session.scalars(db.select(Review).filter_by(session_id=s.id)))
                   for s in sessions}
        start = datetime(2015, 1, 5, 9, 0, tzinfo=timezone.utc)
        for n in range(EVENTS):
            session = sessions[n % len(sessions)]
            begin = start + timedelta(days=n * 3)
            briefing = Briefing(session=session, status="confirmed", start_at=begin,
                                end_at=begin + timedelta(minutes=90), sequence=n % 3,
                                uid=f"nam-briefing-{uuid.uuid4()}@bench.example.org")
            for position, review in enumerate(reviews[session.id][:4], start=1):
                item_start = begin + timedelta(minutes=10 + 20 * (position - 1))
                briefing.items.append(BriefingItem(review=review, position=position,
                                                   start_at=item_start,
                                                   end_at=item_start + timedelta(minutes=20)))
            db.session.add(briefing)
        db.session.commit()
        token = feeds.mission_feed_token("GUY")
        return feed_links.mission_feed_path(token)


def load(port: int, path: str, headers: dict, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second over `seconds` with `clients` keep-alive connections."""
    counts = [0] * clients
    statuses: set[int] = set()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert len(statuses) == 1, f"mixed statuses {statuses}"
    return sum(counts) / elapsed, statuses.pop()


def wrk(port: int, path: str, headers: dict, seconds: float, clients: int,
        threads: int) -> tuple[float, int]:
    """Requests per second measured by wrk; the status is checked once beforehand."""
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                            text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", output)
    if errors:
        raise RuntimeError(f"wrk saw errors on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), \
        status_of(port, path, headers)


def status_of(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def serve(target: str, port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    """gunicorn with the options both servers share."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket"]
    if threads > 1:
        command += ["--threads", str(threads)]
    return subprocess.Popen(command + [target], cwd=ROOT, env=env)


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=16, help="connections (wrk -c)")
    parser.add_argument("--load-threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w, both servers")
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn --threads, both servers (the Procfile uses 4)")
    parser.add_argument("--python-load", action="store_true",
                        help="use the Python load even when wrk is installed")
    args = parser.parse_args()
    print(f"Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    use_wrk = bool(shutil.which("wrk")) and not args.python_load
    if use_wrk:
        print(f"load: wrk -t{args.load_threads} -c{args.clients} -d{args.seconds:g}s")
    else:
        why = "--python-load" if shutil.which("wrk") else \
            "wrk is not installed (apt-get install -y wrk)"
        print(f"load: {why}: a Python load instead, {args.clients} keep-alive clients; it is "
              "slower than the servers, so the ratios understate the difference")

    def measure(port: int, path: str, headers: dict) -> tuple[float, int]:
        if use_wrk:
            return wrk(port, path, headers, args.seconds, args.clients, args.load_threads)
        return load(port, path, headers, args.seconds, args.clients)

    with tempfile.TemporaryDirectory(prefix="nam-feeds-bench-") as folder:
        instance = Path(folder)
        started = time.perf_counter()
        path = build_database(instance)
        print(f"database with {EVENTS} briefings built in {time.perf_counter() - started:.1f} s")
        port, bare_port = free_port(), free_port()
        env = {**os.environ, "INSTANCE_PATH": str(instance), "SECRET_KEY": secrets.token_hex(16),
               "BARE_FEED_FILE": str(instance / "feed.ics")}
        servers = [serve("app:app", port, args.workers, args.threads, env)]
        try:
            wait_until_up(port)
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("GET", path)
            first = connection.getresponse()
            body = first.read()
            (instance / "feed.ics").write_bytes(body)
            servers.append(serve("bench.bare_app:app", bare_port, args.workers, args.threads,
                                 env))
            wait_until_up(bare_port)
            etag = first.getheader("ETag")
            assert first.status == 200 and body.count(b"BEGIN:VEVENT") >= EVENTS, first.status
            print(f"feed: {len(body) / 1024:.0f} KiB, {body.count(b'BEGIN:VEVENT')} events, "
                  f"ETag {etag}")
            load(port, path, {}, 1.0, 4)  # warm every worker's memo
            load(bare_port, "/", {}, 1.0, 4)
            bare, status_bare = measure(bare_port, "/", {})
            cond, status_cond = measure(port, path, {"If-None-Match": etag})
            full, status_full = measure(port, path, {})
            gz, status_gz = measure(port, path, {"Accept-Encoding": "gzip"})
            ceiling, status_ceiling = measure(bare_port, "/feed.ics", {})
            health, status_health = measure(port, "/healthz", {})
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    setup = f"gunicorn -w {args.workers}" + (f" --threads {args.threads}" if args.threads > 1
                                             else "")
    print(f"\n{'request (' + setup + ')':<40}{'status':>7}{'req/s':>10}{'vs bare':>10}"
          f"{'target':>9}")
    rows = (("bare Flask route (reference)", bare, status_bare, None),
            ("feed, If-None-Match -> 304", cond, status_cond, TARGETS["conditional"]),
            ("feed, full body (1,000 events)", full, status_full, TARGETS["full"]),
            ("feed, full body, gzip", gz, status_gz, TARGETS["full"]),
            ("same bytes precomputed, bare Flask", ceiling, status_ceiling, None),
            ("app's /healthz (one SELECT)", health, status_health, None))
    for name, rate, status, target in rows:
        aim = f">={target:.1f}x" if target else ""
        print(f"{name:<40}{status:>7}{rate:>10.0f}{rate / bare:>9.2f}x{aim:>9}")
    print(f"\nratios: conditional {cond / bare:.2f}x, full {full / bare:.2f}x "
          f"(gzip {gz / bare:.2f}x) the bare route ({bare:.0f} req/s); the same "
          f"{len(body) / 1024:.0f} KiB precomputed in bare Flask: {ceiling / bare:.2f}x "
          f"(full = {full / ceiling:.2f}x of that); same gunicorn setup, same run")
    ok = (status_bare, status_cond, status_full, status_gz, status_ceiling, status_health) \
        == (200, 304, 200, 200, 200, 200)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
