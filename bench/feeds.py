"""Benchmark: how cheap a calendar feed is to poll, served by gunicorn on loopback.

Builds a throwaway SQLite database with the real UPR data and 1,000 confirmed briefings,
starts `gunicorn app:app` on a free loopback port, and measures requests per second with
a bounded Python load (keep-alive connections, fixed duration) for:
  - the 1,000-event mission feed, full 200 responses;
  - the same feed, conditional (If-None-Match) → 304;
  - a trivial route of the same app (/healthz: one `SELECT` to check the database).
Prints the machine, the figures and the ratios. Run: `.venv/bin/python bench/feeds.py`.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
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
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="nam-feeds-bench-") as folder:
        instance = Path(folder)
        started = time.perf_counter()
        path = build_database(instance)
        print(f"database with {EVENTS} briefings built in {time.perf_counter() - started:.1f} s")
        port = free_port()
        env = {**os.environ, "INSTANCE_PATH": str(instance), "SECRET_KEY": secrets.token_hex(16)}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
            cwd=ROOT, env=env)
        try:
            wait_until_up(port)
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("GET", path)
            first = connection.getresponse()
            body = first.read()
            etag = first.getheader("ETag")
            assert first.status == 200 and body.count(b"BEGIN:VEVENT") >= EVENTS, first.status
            print(f"feed: {len(body) / 1024:.0f} KiB, {body.count(b'BEGIN:VEVENT')} events, "
                  f"ETag {etag}")
            load(port, path, {}, 1.0, args.clients)  # warm every worker's cache
            full, status_full = load(port, path, {}, args.seconds, args.clients)
            cond, status_cond = load(port, path, {"If-None-Match": etag}, args.seconds,
                                     args.clients)
            trivial, status_trivial = load(port, "/healthz", {}, args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\n{'request':<34}{'status':>7}{'req/s':>10}{'vs trivial':>12}")
    for name, rate, status in (("feed, full body", full, status_full),
                               ("feed, If-None-Match", cond, status_cond),
                               ("trivial route /healthz", trivial, status_trivial)):
        print(f"{name:<34}{status:>7}{rate:>10.0f}{rate / trivial:>11.2f}x")
    print(f"\nconditional / full: {cond / full:.1f}x  "
          f"(gunicorn {args.workers} workers, {args.clients} keep-alive clients, "
          f"{args.seconds:g} s each)")
    return 0 if (status_full, status_cond, status_trivial) == (200, 304, 200) else 1


if __name__ == "__main__":
    sys.exit(main())
