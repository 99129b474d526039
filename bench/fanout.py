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
import os
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support import (  # noqa: E402
    add_database_option,
    backends,
    SmtpSink,
    add_nam_contacts,
    confirm_one_meeting,
    machine,
    make_app,
    migrate,
    throwaway_database,
)

MISSIONS = 100
CONTACTS_PER_MISSION = 2


# --- one run ----------------------------------------------------------------------------------

def run(database_url: str, sink: SmtpSink, repeats: int) -> dict[str, float]:
    """Queue the fan-out on one database, then time delivery and the smtplib reference."""
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage
    from nam_briefings.services import outbox
    from nam_briefings.services.audit import Actor

    app = make_app(database_url, sink.port)
    port = sink.port
    actor = Actor("bench")
    figures: dict[str, float] = {}
    with app.app_context():
        migrate()
        add_nam_contacts(MISSIONS, MISSIONS * CONTACTS_PER_MISSION)

        start = time.perf_counter()
        [_briefing] = confirm_one_meeting(actor)
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
            before = sink.received
            start = time.perf_counter()
            report = outbox.deliver_all()
            deliveries.append(time.perf_counter() - start)
            assert report.sent == queued and sink.received - before == queued, report.summary

            before = sink.received
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as connection:
                for sender, recipient, data in prepared:
                    connection.sendmail(sender, [recipient], data)
            references.append(time.perf_counter() - start)
            assert sink.received - before == queued
        figures["deliver"] = statistics.median(deliveries)
        figures["smtplib"] = statistics.median(references)
        figures["count"] = queued
        figures["bytes"] = statistics.mean(len(data) for _, _, data in prepared)
        db.session.remove()
        db.engine.dispose()
    return figures


def outbox_batch() -> int:
    """How many outcomes delivery writes together (outbox.OUTCOME_BATCH)."""
    from nam_briefings.services import outbox

    return outbox.OUTCOME_BATCH


def _requeue(db, OutboxMessage) -> None:
    """Put every message back in the queue, as it was when first queued."""
    db.session.execute(db.update(OutboxMessage).values(
        status="pending", attempts=0, sent_at=None, claimed_at=None, last_error=""))
    db.session.commit()


# --- the report -------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    parser.add_argument("--repeat", type=int, default=3,
                        help="deliveries timed per database (median shown; default 3)")
    args = parser.parse_args()
    print(machine())
    print(f"fan-out: {MISSIONS} NAM missions × {CONTACTS_PER_MISSION} contacts, one briefing "
          f"(UPR49) → {MISSIONS * CONTACTS_PER_MISSION} iMIP invitations; SMTP: aiosmtpd on "
          "loopback in its own process; times are medians of "
          f"{args.repeat} deliveries\n")

    databases = backends(args.database_url)
    results = []
    with tempfile.TemporaryDirectory(prefix="nam-fanout-") as folder, SmtpSink() as sink:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        for name, url in databases:
            with throwaway_database(url, Path(folder), "fanout") as database_url:
                results.append((name, run(database_url, sink, args.repeat)))

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
          "also claims the rows,\nbuilds each e-mail and commits the outcomes in batches of "
          f"{outbox_batch()} (one SMTP connection per batch of 100)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
