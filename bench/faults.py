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
   when the session ends with exactly one set of briefings (one per meeting of one proposal),
   each with exactly one fan-out record of its invitations, and, once the fan-outs are
   composed (`fanout.compose_pending`, as the delivery worker does), each contact has
   exactly one invitation queued per briefing. The briefings are then cancelled; the
   rounds plan the seeded sessions 41–50 in turn.
2. outage, then cancel: a confirmed briefing delivered to 242 contacts (the 121 NAM members
   × 2); the relay goes down, the briefing is moved (delivery of the update attempted and
   failing: the outage lasts until a delivery pass has tried the update), then cancelled;
   the relay comes back and delivery runs to the end. Delivery runs as the scheduler runs
   it, a pass every 30 seconds (each composes the queued fan-outs first, then sends), the
   clock advanced for it rather than waited for. A recipient holds when the cancellation
   is the last message about that briefing to reach them.
3. kill -9 of the scheduler: 1,000 contacts, a briefing confirmed (one fan-out record,
   no message written yet), `flask --app app scheduler` composing the invitations and
   delivering them to the sink; it is killed with SIGKILL three times and restarted a
   second later each time, until the outbox is empty and the fan-out composed (at most 3
   minutes; the stale-claim time is as configured unless --stale-claim-seconds): the first
   kill while it composes, after a random number of chunks (fanout.CHUNK contacts each; a
   delivery pass writes one chunk, then sends it), the others at random moments while
   messages flow; what the dead worker left (the fan-out still "composing" or not) says
   which it interrupted. A recipient holds when exactly one
   invitation reached them, and none is written to the outbox twice (a resumed fan-out
   skips those already written). Messages the sink accepted while their outcomes were not
   yet recorded may come again with the same Message-ID when the sender is killed (the
   design's bound: one batch of outcomes, `outbox.OUTCOME_BATCH`, per kill while sending;
   none for a kill while composing); they are shown as "resent in flight", and counted as
   duplicates only beyond the bound.

Totals: lost (an invitation or cancellation that never came), duplicates (a recipient,
UID and SEQUENCE received more than once, or invitations queued twice), mail after a
cancellation. Exit status 1 when anything failed. `--json` prints the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nam_briefings.domain.constants import FANOUT_UNFINISHED  # noqa: E402
from bench._support import (  # noqa: E402
    SmtpSink,
    WebClient,
    add_nam_contacts,
    confirm_one_meeting,
    database_label,
    gunicorn,
    machine,
    machine_info,
    make_app,
    migrate,
    queued_count,
    service_env,
    start_scheduler,
    stop,
    throwaway_database,
    wait_until,
)

#: seconds before a killed scheduler is started again (a supervisor's restart delay)
RESTART_DELAY = 1.0
#: how long the outbox may take to empty after the last restart
DRAIN_SECONDS = 180
#: the scheduler's delivery job runs this often (jobs.py), simulated in scenario 2
DELIVERY_INTERVAL = timedelta(seconds=30)
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

def fan_out_progress(briefing_id: int) -> tuple[str, int]:
    """(status, messages composed) of the briefing's invitation fan-out (inside an app
    context; ends the transaction)."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Fanout

    row = db.session.execute(db.select(Fanout.status, Fanout.composed).where(
        Fanout.briefing_id == briefing_id, Fanout.kind == "invite")).one()
    db.session.remove()
    return row.status, row.composed


def queued_twice(briefing_id: int, kind: str = "request") -> int:
    """Outbox messages of `kind` written for a contact of the briefing beyond the first
    (inside an app context): a fan-out composed twice for someone."""
    from nam_briefings.extensions import db
    from nam_briefings.models import OutboxMessage

    counts = Counter(db.session.scalars(db.select(OutboxMessage.contact_id).where(
        OutboxMessage.briefing_id == briefing_id, OutboxMessage.kind == kind)))
    db.session.remove()
    return sum(count - 1 for count in counts.values() if count > 1)


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
    from nam_briefings.models import Briefing, Fanout, OutboxMessage, Proposal
    from nam_briefings.services import briefings, fanout
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
        fan_outs = Counter(db.session.scalars(db.select(Fanout.briefing_id).where(
            Fanout.kind == "invite", Fanout.briefing_id.in_([b.id for b in made]))))
        fanout.compose_pending()  # what the delivery worker does first: write the messages
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
            fan_outs_twice = sum(max(0, fan_outs[b.id] - 1) for b in one_set)
            fan_outs_twice += sum(fan_outs[b.id] for b in extra)
            outcome.lost += lost
            outcome.duplicates += twice
            if len(one_set) == len(winner.meetings) and not extra and not lost and not twice \
                    and not fan_outs_twice:
                outcome.held += 1
            else:
                outcome.failed += 1
                outcome.notes.append(
                    f"{what}: {len(made)} briefings for {len(winner.meetings)} meeting(s) "
                    f"(UIDs {len({b.uid for b in made})}); {fan_outs_twice} fan-outs queued "
                    f"twice, {twice} invitations queued twice, {lost} missing")
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
                outbox.deliver_all()  # composes the invitations, then sends them
                addresses = {m.to_address.lower() for m in _rows(briefing_id)}
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
                cancels_twice = queued_twice(briefing_id, "cancel")
                outcome.notes.append(
                    f"{delivered} invitations composed and delivered; relay down; briefing "
                    f"moved ({moved}, SEQUENCE 1, one fan-out queued); "
                    f"{_minutes(down_until - start)} later a delivery pass composed the update "
                    f"and could not send {unsent}; cancelled (a fan-out of {cancelled} "
                    f"cancellations queued); relay back, the cancellations composed and the "
                    f"queue done {_minutes(end - down_until)} later"
                    + (f"; {left} still queued" if left else ""))
                if not unsent:
                    outcome.notes.append("the update was never tried during the outage: the "
                                         "scenario did not test what it is meant to")
            finally:
                db.session.remove()
                db.engine.dispose()
        _judge_cancellation(read_received(sink), uid, addresses, outcome)
    if cancels_twice:
        outcome.duplicates += cancels_twice
        outcome.notes.append(f"{cancels_twice} cancellations written to the outbox twice")
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
    """SIGKILLs of a composing, then delivering scheduler; see the module's docstring."""
    from nam_briefings.extensions import db
    from nam_briefings.services import invitations, outbox
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
                uid, briefing_id = briefing.uid, briefing.id
                # the fan-out's messages are not written yet: the audience is who must get one
                addresses = {c.email.lower() for c in invitations.audience()}
                db.session.remove()
                stale = sizes.stale_claim_seconds
                env = service_env(database_url, sink.port, **(
                    {} if stale is None else {"OUTBOX_STALE_CLAIM_SECONDS": str(stale)}))
                plan = _kill_plan(len(addresses), sizes.kills, rng)
                killed_at, drained = _kill_and_restart(env, log, sink, briefing_id,
                                                     len(addresses), plan)
                left = queued_count()
                outcome.notes.append(
                    "killed " + "; ".join(killed_at)
                    + (f"; {left} still queued {drained:.0f}s after the last restart" if left
                       else f"; the outbox empty {drained:.0f}s after the last restart"))
                twice = queued_twice(briefing_id)
                if twice:
                    outcome.duplicates += twice
                    outcome.notes.append(f"{twice} invitations written to the outbox twice "
                                         "(the fan-out composed twice for them)")
                sending_kills = sum(1 for label in killed_at
                                    if not label.startswith("while composing"))
                batch = getattr(outbox, "OUTCOME_BATCH", 1)
                bound = sending_kills * batch
                outcome.notes.append(
                    f"in-flight bound: {batch} message(s) (one batch of outcomes) per kill "
                    f"while sending × {sending_kills} = {bound}; a kill while composing "
                    "resends nothing")
            finally:
                db.session.remove()
                db.engine.dispose()
        _judge_fan_out(read_received(sink), uid, addresses, bound, outcome)
    return outcome


@dataclass(frozen=True)
class Kill:
    """When to kill: once `composed` messages of the fan-out are written (while it is
    still composing), or once the sink has received `received` messages."""

    composed: int | None = None
    received: int | None = None


def _kill_plan(total: int, kills: int, rng: random.Random) -> list[Kill]:
    """The first kill while the fan-out is composing, after a random number of chunks in
    its first half; the others at random moments while messages flow after it (a fan-out
    is sent as it is written: about as many messages have arrived as were written)."""
    from nam_briefings.services.fanout import CHUNK

    chunks = -(-total // CHUNK)
    first = Kill(composed=rng.randrange(1, max(2, chunks // 2)) * CHUNK) if chunks > 1 else None
    after = first.composed + CHUNK // 2 if first else total // 10
    flowing = sorted(rng.sample(range(min(after, total // 2), total * 9 // 10),
                                kills - bool(first)))
    return ([first] if first else []) + [Kill(received=moment) for moment in flowing]


def _kill_and_restart(env: dict[str, str], log: Path, sink: SmtpSink, briefing_id: int,
                      total: int, plan: list[Kill]) -> tuple[list[str], float]:
    """Start the scheduler; at each moment of the plan SIGKILL it and start it again a
    second later; then wait (up to DRAIN_SECONDS) until the outbox is empty and the fan-out
    composed. Returns what each kill interrupted and the seconds from the last restart to
    an empty outbox."""
    killed_at = []
    process = start_scheduler(env, log)
    try:
        for kill in plan:
            if kill.composed is not None:
                _wait_for_composing(briefing_id, kill.composed, process)
            else:
                _wait_for_flow(sink, kill.received, process)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                # what the dead worker left says what it was doing: a fan-out still
                # "composing" was being written (a pass writes a chunk, then sends it)
                status, composed = fan_out_progress(briefing_id)
                killed_at.append(
                    f"while composing ({composed} of {total} written, {sink.received} "
                    "messages received)" if status == "composing"
                    else f"after {sink.received} messages received"
                    + (" (aimed at composing, it landed while sending)"
                       if kill.composed is not None else ""))
            else:
                killed_at.append(f"after {sink.received} messages received (it had exited "
                                 f"by itself: {process.returncode})")
            time.sleep(RESTART_DELAY)
            process = start_scheduler(env, log)
        restarted = time.monotonic()
        wait_until(lambda: queued_count() == 0, DRAIN_SECONDS, every=0.5)
        drained = time.monotonic() - restarted
        time.sleep(1)  # the last commit lands after the sink's answer
    finally:
        stop(process)
    return killed_at, drained


def _wait_for_composing(briefing_id: int, composed: int, process: subprocess.Popen) -> None:
    """Until a chunk of the fan-out is being written after at least `composed` messages
    were (the chunk written last is handed back at once: wait for the next one to start),
    or the fan-out is finished, or the process has exited, or 60 s have passed."""
    deadline = time.monotonic() + 60
    seen_pause = False
    while process.poll() is None and time.monotonic() < deadline:
        status, written = fan_out_progress(briefing_id)
        if status not in FANOUT_UNFINISHED:
            return
        if written >= composed:
            if status == "composing" and seen_pause:
                return
            seen_pause = seen_pause or status != "composing"
        time.sleep(0.002)


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


def _judge_fan_out(received: list[Received], uid: str, addresses: set[str], bound: int,
                   outcome: Outcome) -> None:
    """Per recipient: exactly one invitation (a same-Message-ID resend is within the bound:
    the messages sent but not yet recorded when a sender was killed)."""
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
    beyond = outcome.resent_in_flight - bound
    if beyond > 0:
        outcome.duplicates += beyond
        outcome.failed += beyond
        outcome.notes.append(f"{outcome.resent_in_flight} resent with the same Message-ID: "
                             f"more than the in-flight bound ({bound})")


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
