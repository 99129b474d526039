"""Exactly once, by construction: confirming, moving, cancelling and answering race-free.

The probe of issue 11 posted Confirm twice 300 ms apart (two briefings, every contact
invited twice) and 20 times at once (four sets); two presenters declining at the same
moment on PostgreSQL deadlocked and one decline was lost. These tests do the same with
real processes on the same database (SQLite and PostgreSQL), released at one instant.
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import date, timedelta

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, Invitation, OutboxMessage, Proposal
from nam_briefings.services import briefings, fanout
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.conftest import app_config
from tests.integration.invitation_helpers import add_missions

PRESENTERS = ["GRD", "GIN", "GNB", "GUY", "KEN", "KWT", "LSO", "LAO"]
OTHERS = ["IND", "ZAF", "CUB"]
SECRETARIAT = Actor("secretariat@chair.example.org")
TODAY = date(2025, 3, 3)  # before session 49: its briefings are ahead


@pytest.fixture
def session_49(app):
    """Session 49 seeded and planned, with two contacts for eleven NAM missions."""
    app.config["TODAY"] = TODAY
    seed_reference_data(Actor.system())
    add_missions(PRESENTERS + OTHERS)
    plan = briefings.plan_session(49, SECRETARIAT, {"max_states_per_meeting": 4})
    assert len(plan.proposals) >= 2
    return plan


# --- running one use case in many processes at once ------------------------------------------

def _worker(database_url: str, task: str, argument, barrier, results) -> None:
    """One process: its own app and connection; waits for the others, then acts."""
    from nam_briefings import create_app
    from nam_briefings.domain.errors import DomainError

    app = create_app(app_config(database_url, TODAY=TODAY))
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the start signal
        db.session.rollback()
        barrier.wait(timeout=60)
        try:
            outcome = TASKS[task](argument)
        except DomainError as error:
            outcome = f"refused: {error}"
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            outcome = f"ERROR {type(error).__name__}: {error}"
        results.put(outcome)


def _confirm(key: str) -> str:
    made = briefings.confirm_proposal(key, SECRETARIAT)
    return f"{'already' if made.already else 'created'} {sorted(b.id for b in made)}"


def _decline(token: str) -> str:
    result = briefings.answer_by_link(token, "decline")
    return f"declined agenda_changed={result.agenda_changed}"


def _cancel(briefing_id: int) -> str:
    result = briefings.cancel(briefing_id, SECRETARIAT)
    return f"{'already' if result.already else 'cancelled'} {result.notified}"


def _reschedule(args) -> str:
    briefing_id, days = args
    briefing = db.session.get(Briefing, briefing_id)
    start = briefing.start_at + timedelta(days=days)
    result = briefings.reschedule(briefing_id, start, None, SECRETARIAT)
    return f"{'already' if result.already else 'moved'} {result.notified}"


TASKS = {"confirm": _confirm, "decline": _decline, "cancel": _cancel,
         "reschedule": _reschedule}


def run_at_once(database_url: str, jobs: list[tuple[str, object]]) -> list[str]:
    """Run each (task, argument) in its own process, all released at the same instant."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    processes = [context.Process(target=_worker, args=(database_url, task, argument,
                                                       barrier, results))
                 for task, argument in jobs]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return outcomes


def database_url_of(app) -> str:
    db.session.commit()  # the workers must see the fixture's rows
    return app.config["SQLALCHEMY_DATABASE_URI"]


def briefing_sets() -> dict[int, int]:
    """proposal id -> how many briefings it became."""
    db.session.expire_all()
    return dict(Counter(b.proposal_id for b in db.session.scalars(db.select(Briefing))))


def requests_per_recipient() -> Counter:
    return Counter((m.to_address, m.briefing_id) for m in db.session.scalars(
        db.select(OutboxMessage).filter_by(kind="request")))


# --- confirming ----------------------------------------------------------------------------

def test_confirming_twice_answers_with_the_briefings_already_created(session_49):
    key = session_49.proposals[0].key
    first = briefings.confirm_proposal(key, SECRETARIAT)
    queued = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
    again = briefings.confirm_proposal(key, SECRETARIAT)
    assert not first.already and again.already
    assert sorted(b.id for b in again) == sorted(b.id for b in first)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == queued


def test_a_second_proposal_of_a_briefed_session_is_refused(session_49):
    briefings.confirm_proposal(session_49.proposals[0].key, SECRETARIAT)
    with pytest.raises(Exception, match="confirmed|superseded"):
        briefings.confirm_proposal(session_49.proposals[1].key, SECRETARIAT)


@pytest.mark.slow
def test_twenty_concurrent_confirms_create_one_set_of_briefings(app, session_49):
    proposal = session_49.proposals[0]
    meetings = len(proposal.meetings)
    url = database_url_of(app)
    outcomes = run_at_once(url, [("confirm", proposal.key)] * 20)
    assert not [o for o in outcomes if o.startswith(("ERROR", "refused"))], outcomes
    assert len({o.split(" ", 1)[1] for o in outcomes}) == 1, outcomes  # all name the same set
    assert sum(o.startswith("created") for o in outcomes) == 1
    assert briefing_sets() == {proposal.id: meetings}
    fanout.compose_pending()  # the delivery worker writes what the one confirm queued
    counts = requests_per_recipient()
    assert counts and set(counts.values()) == {1}  # each contact invited once to each meeting


@pytest.mark.slow
def test_concurrent_confirms_of_two_proposals_make_one_session_plan(app, session_49):
    first, second = session_49.proposals[:2]
    url = database_url_of(app)
    outcomes = run_at_once(url, [("confirm", first.key), ("confirm", second.key)] * 5)
    assert not [o for o in outcomes if o.startswith("ERROR")], outcomes
    sets = briefing_sets()
    assert len(sets) == 1, sets  # one proposal won; the other was refused
    winner = db.session.get(Proposal, next(iter(sets)))
    assert sets[winner.id] == len(winner.meetings)
    fanout.compose_pending()
    assert set(requests_per_recipient().values()) == {1}


# --- answering, moving and cancelling --------------------------------------------------------

def presenter_tokens(briefing: Briefing, count: int) -> list[str]:
    """RSVP tokens of the first contact of `count` different presenting missions."""
    from nam_briefings.services import invitations

    tokens, seen = [], set()
    for invitation in db.session.scalars(db.select(Invitation).filter_by(
            briefing_id=briefing.id, role="presenter").order_by(Invitation.id)):
        iso3 = invitation.contact.mission.state_iso3
        if iso3 not in seen:
            seen.add(iso3)
            tokens.append(invitations.rsvp_token(invitation))
    return tokens[:count]


@pytest.mark.slow
def test_presenters_declining_at_the_same_moment_are_all_recorded(app, session_49):
    [briefing, *_] = briefings.confirm_proposal(session_49.proposals[0].key, SECRETARIAT)
    fanout.compose_pending()  # the invitations carry the links
    tokens = presenter_tokens(briefing, 3)
    assert len(tokens) == 3
    briefing_id, sequence = briefing.id, briefing.sequence
    url = database_url_of(app)
    outcomes = run_at_once(url, [("decline", token) for token in tokens])
    assert outcomes.count("declined agenda_changed=True") == 3, outcomes
    db.session.expire_all()
    briefing = db.session.get(Briefing, briefing_id)
    assert [i.slot_status for i in briefing.items].count("declined") == 3
    assert briefing.sequence == sequence and briefing.agenda_pending  # the secretariat decides
    assert briefings.send_new_agenda(briefing_id, SECRETARIAT) > 0
    db.session.expire_all()
    assert db.session.get(Briefing, briefing_id).sequence == sequence + 1


@pytest.mark.slow
def test_cancel_and_reschedule_at_once_leave_one_consistent_briefing(app, session_49):
    [briefing, *_] = briefings.confirm_proposal(session_49.proposals[0].key, SECRETARIAT)
    fanout.compose_pending()  # everyone was written to before the race
    briefing_id, days = briefing.id, free_shift(briefing)
    url = database_url_of(app)
    outcomes = run_at_once(url, [("cancel", briefing_id)] * 3
                           + [("reschedule", (briefing_id, days))] * 3)
    assert not [o for o in outcomes if o.startswith("ERROR")], outcomes
    assert sum(o.startswith("cancelled") for o in outcomes) == 1, outcomes
    assert sum(o.startswith("moved") for o in outcomes) <= 1, outcomes
    # a move that lost to the cancellation was refused, not applied afterwards
    assert all(o.startswith(("cancelled", "moved", "already", "refused")) for o in outcomes)
    db.session.expire_all()
    briefing = db.session.get(Briefing, briefing_id)
    assert briefing.status == "cancelled"
    fanout.compose_pending()
    cancels = Counter(m.to_address for m in db.session.scalars(
        db.select(OutboxMessage).filter_by(kind="cancel", briefing_id=briefing_id)))
    assert cancels and set(cancels.values()) == {1}
    # the cancellation carries the highest SEQUENCE of anything queued for the briefing
    top = db.session.scalar(db.select(db.func.max(OutboxMessage.sequence)).filter_by(
        briefing_id=briefing_id))
    assert top == briefing.sequence


def free_shift(briefing: Briefing) -> int:
    """A number of days the briefing can be moved by (the other meeting stays clear)."""
    for days in (1, -1, 2, -2, 3, -3, 6, -6, 7, -7):
        start = briefing.start_at + timedelta(days=days)
        if briefings._check_new_time(briefing, start, briefing.end_at + timedelta(days=days)).ok:
            return days
    raise AssertionError("no free day near the briefing")


def test_rescheduling_twice_to_the_same_time_sends_one_update(session_49):
    [briefing, *_] = briefings.confirm_proposal(session_49.proposals[0].key, SECRETARIAT)
    start = briefing.start_at + timedelta(days=free_shift(briefing))
    first = briefings.reschedule(briefing.id, start, None, SECRETARIAT)
    again = briefings.reschedule(briefing.id, start, None, SECRETARIAT)
    assert first.notified > 0 and not first.already
    assert again.already and again.notified == 0
    assert briefing.sequence == 1


def test_cancelling_twice_sends_one_cancellation(session_49):
    [briefing, *_] = briefings.confirm_proposal(session_49.proposals[0].key, SECRETARIAT)
    fanout.compose_pending()  # the invitations were written (by the delivery worker)
    first = briefings.cancel(briefing.id, SECRETARIAT)
    again = briefings.cancel(briefing.id, SECRETARIAT)
    assert first.notified > 0 and not first.already
    assert again.already and again.notified == 0


def test_confirm_posted_twice_through_the_web_shows_the_same_briefings(client, login,
                                                                       session_49):
    from tests.conftest import csrf_token_from

    login("editor")
    key = session_49.proposals[0].key
    page = client.get(f"/sessions/49/proposals/{key}/confirm")
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    first = client.post(f"/sessions/49/proposals/{key}/confirm", data=form)
    queued = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
    second = client.post(f"/sessions/49/proposals/{key}/confirm", data=form,
                         follow_redirects=True)
    assert first.status_code in (302, 303)
    assert second.status_code == 200
    assert "already confirmed" in second.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == queued
    assert len(briefing_sets()) == 1
