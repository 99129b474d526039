"""Benchmark of the invitation fan-out: confirm + compose + deliver of 242 invitations by SMTP.

Issue 13, point 4: confirm + deliver of the 242 invitations is at least 0.5× as fast as
plain smtplib sending the same bytes (ratio smtplib time / our time ≥ 0.5; 0.15 when
the issue was filed).

Run with `.venv/bin/python bench/fanout.py` (or `make bench`); add
`--database-url postgresql://postgres@127.0.0.1/test` to run on PostgreSQL as well (in a
throwaway database created next to the one named, then dropped). It prints the machine,
then for each database, with 121 NAM member missions × 2 contacts = 242 recipients, per
repetition (one more first, not counted, to warm up):

1. confirm: session 49 planned as one meeting (untimed; then 48, 43 and 42, when 49 has
   no time left), then
   `briefings.confirm_proposal` (what the confirm request runs): the briefing and one
   fan-out record committed;
2. compose + deliver: `outbox.deliver_all()` (what the scheduler's delivery worker and
   `outbox deliver` run): the 242 iMIP invitations written to the outbox a chunk of 250
   contacts at a time, each chunk sent before the next is written, to a local aiosmtpd
   server on loopback, in its own process;
4. the reference: plain `smtplib` sending the very same 242 messages (the bytes
   `outbox.build_email(row)` gives for each row, built beforehand) to the same server over
   one connection.

The briefing is then cancelled and its cancellations delivered (untimed), so that the next
repetition confirms a new time. Medians of the repetitions; ratio = smtplib / (confirm +
compose + deliver), PASS when ≥ 0.5. `--json` prints the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support import (  # noqa: E402
    SmtpSink,
    add_database_option,
    add_repeat_options,
    add_nam_contacts,
    backends,
    load_average,
    machine,
    machine_info,
    make_app,
    migrate,
    plan_one_meeting,
    repeats,
    prepared_messages,
    send_with_smtplib,
    throwaway_database,
    verdict,
)

MISSIONS = 121
CONTACTS_PER_MISSION = 2
RECIPIENTS = MISSIONS * CONTACTS_PER_MISSION
#: the issue's target for smtplib time / our time, and the figure when it was filed
TARGET_RATIO, FILED_RATIO = 0.5, 0.15
STEPS = ("confirm", "deliver")


# --- one database -----------------------------------------------------------------------------

def run(database_url: str, sink: SmtpSink, repeats: int) -> dict:
    """Time `repeats` fan-outs (after one not counted) and their smtplib references."""
    from nam_briefings.extensions import db

    app = make_app(database_url, sink.port)
    with app.app_context():
        migrate()
        add_nam_contacts(MISSIONS, RECIPIENTS)
        runs = [_one_fan_out(sink) for _ in range(repeats + 1)][1:]
        db.session.remove()
        db.engine.dispose()
    figures = {name: statistics.median(r[name] for r in runs)
               for name in (*STEPS, "total", "smtplib", "build", "bytes")}
    figures["ratio"] = statistics.median(r["smtplib"] / r["total"] for r in runs)
    figures["deliver_vs_smtplib"] = statistics.median(r["deliver"] / r["smtplib"] for r in runs)
    figures["load"] = load_average()
    return figures


def _one_fan_out(sink: SmtpSink) -> dict[str, float]:
    """Confirm, then compose + deliver (timed), then the same bytes by smtplib, then cancel."""
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage
    from nam_briefings.services import briefings, outbox
    from nam_briefings.services.audit import Actor

    actor = Actor("bench")
    _number, key = plan_one_meeting(actor)
    db.session.remove()
    before = sink.received
    figures = {}
    start = time.perf_counter()
    [briefing] = briefings.confirm_proposal(key, actor, allow_past=True)
    figures["confirm"] = time.perf_counter() - start
    briefing_id = briefing.id

    start = time.perf_counter()
    report = outbox.deliver_all()
    figures["deliver"] = time.perf_counter() - start
    figures["total"] = figures["confirm"] + figures["deliver"]
    composed = report.composed
    if composed != RECIPIENTS or report.sent != RECIPIENTS \
            or sink.received - before != RECIPIENTS:
        raise RuntimeError(f"{composed} composed, {report.summary}, "
                           f"{sink.received - before} received: not {RECIPIENTS}")

    rows = list(db.session.scalars(db.select(OutboxMessage).filter_by(
        briefing_id=briefing_id, kind="request").order_by(OutboxMessage.id)))
    start = time.perf_counter()
    prepared = prepared_messages(rows)
    figures["build"] = time.perf_counter() - start
    figures["bytes"] = statistics.mean(len(data) for _, _, data in prepared)
    db.session.remove()
    before = sink.received
    figures["smtplib"] = send_with_smtplib(sink.port, prepared)
    if sink.received - before != RECIPIENTS:
        raise RuntimeError("smtplib: not every message was accepted")

    briefings.cancel(briefing_id, actor)  # so that the next repetition confirms a new time
    outbox.deliver_all()
    db.session.remove()
    return figures


# --- the report -------------------------------------------------------------------------------

def outbox_batch() -> int:
    """How many outcomes delivery writes together (outbox.OUTCOME_BATCH)."""
    from nam_briefings.services import outbox

    return getattr(outbox, "OUTCOME_BATCH", 1)


def print_report(results: list[tuple[str, dict]], repeats: int) -> None:
    header = (f"{'database':<11} {'confirm':>8} {'compose+deliver':>16} {'total':>8} "
              f"{'msg/s':>6} {'smtplib':>8} {'msg/s':>6} {'smtplib/ours':>13}  "
              f"target ≥ {TARGET_RATIO}")
    print(header)
    print("-" * len(header))
    for name, f in results:
        print(f"{name:<11} {f['confirm']:>7.3f}s {f['deliver']:>15.3f}s "
              f"{f['total']:>7.3f}s {RECIPIENTS / f['total']:>6.0f} {f['smtplib']:>7.3f}s "
              f"{RECIPIENTS / f['smtplib']:>6.0f} {f['ratio']:>12.2f}×  "
              f"{verdict(f['ratio'] >= TARGET_RATIO)}")
    print()
    for name, f in results:
        print(f"{name}: compose + deliver takes {f['deliver_vs_smtplib']:.1f}× smtplib's time; "
              f"building the {RECIPIENTS} e-mails' bytes from their rows (build_email) "
              f"takes {f['build']:.3f}s; {f['bytes'] / 1024:.1f} KiB a message; load "
              f"average {f['load']}")
    print(f"medians of {repeats} repetitions; ratio = plain smtplib time for the same bytes "
          "over one connection / (confirm + compose + deliver)\n"
          f"(the issue measured {FILED_RATIO} when it was filed); compose + deliver = what the "
          "delivery worker does:\nit writes the fan-out's messages a chunk of 250 contacts a "
          "transaction, and claims, builds,\nsends and records each chunk before it writes the "
          f"next (outcomes committed in batches of {outbox_batch()},\none SMTP connection per "
          "batch of 250)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    add_repeat_options(parser, "fan-outs timed per database", default=5, quick=2)
    args = parser.parse_args()
    repeat = repeats(args)
    databases = backends(args.database_url)
    if not args.json:
        print(machine())
        print(f"fan-out: {MISSIONS} NAM missions × {CONTACTS_PER_MISSION} contacts, one "
              f"briefing (UPR49, then 48, 43, 42) → {RECIPIENTS} iMIP invitations; SMTP: "
              "aiosmtpd on loopback in its own process\n", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="nam-fanout-") as folder, SmtpSink() as sink:
        os.environ["INSTANCE_PATH"] = folder  # the secret key and any file stay in here
        for name, url in databases:
            with throwaway_database(url, Path(folder), "fanout") as database_url:
                results.append((name, run(database_url, sink, repeat)))
    if args.json:
        print(json.dumps({"machine": machine_info([u or "sqlite" for _, u in databases]),
                          "recipients": RECIPIENTS, "repeats": repeat,
                          "target_ratio": TARGET_RATIO,
                          "runs": [{"database": name, **figures,
                                    "ok": figures["ratio"] >= TARGET_RATIO}
                                   for name, figures in results]}, indent=2))
    else:
        print_report(results, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
