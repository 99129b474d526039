"""Fan-outs: confirming, moving or cancelling a briefing commits the change and one record;
the delivery worker composes the messages. Nothing is lost when a worker dies in the
middle, nobody gets two versions, and the scheduler starts sending within moments.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import psycopg
import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Fanout, OutboxMessage, utcnow
from nam_briefings.services import briefings, fanout, invitations, outbox, wakeup
from tests.integration.invitation_helpers import (
    CONTACTS,
    SECRETARIAT,
    compose,
    plan_session_49,
)
from tests.conftest import free_port
from tests.integration.test_scheduler_lock import Scheduler


def confirm(app) -> list:
    return briefings.confirm_proposal(plan_session_49(app), SECRETARIAT)


def fanouts() -> list[tuple[int, str, str, int, int]]:
    db.session.expire_all()
    return [(f.briefing_id, f.kind, f.status, f.recipients, f.composed)
            for f in db.session.scalars(db.select(Fanout).order_by(Fanout.id))]


def live_messages(**filters) -> list[OutboxMessage]:
    """The messages that are still to go or went (not withdrawn)."""
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(**filters)
                                   .where(OutboxMessage.status != "withdrawn")
                                   .order_by(OutboxMessage.id)))


def test_confirming_commits_one_record_a_briefing_and_the_worker_composes_the_mail(app):
    first, second = confirm(app)
    assert outbox.status_counts()["pending"] == 0  # nothing rendered in the request
    assert fanouts() == [(first.id, "invite", "queued", CONTACTS, 0),
                         (second.id, "invite", "queued", CONTACTS, 0)]
    report = fanout.compose_pending()
    assert (report.fanouts, report.messages) == (2, 2 * CONTACTS)
    assert fanouts() == [(first.id, "invite", "done", CONTACTS, CONTACTS),
                         (second.id, "invite", "done", CONTACTS, CONTACTS)]
    assert outbox.status_counts()["pending"] == 2 * CONTACTS
    assert fanout.compose_pending().messages == 0  # composing again writes nothing


def test_a_move_before_the_invitations_are_composed_sends_only_the_new_time(app):
    first, _ = confirm(app)
    result = briefings.reschedule(first.id, first.start_at + timedelta(hours=2), None,
                                  SECRETARIAT)
    assert result.notified == CONTACTS  # everyone will hear, though nothing is written yet
    compose()
    sent = live_messages(briefing_id=first.id)
    assert Counter(m.contact_id for m in sent) == Counter(dict.fromkeys(
        {m.contact_id for m in sent}, 1)) and len(sent) == CONTACTS
    assert {(m.kind, m.sequence) for m in sent} == {("request", 1)}
    assert [f[1:3] for f in fanouts() if f[0] == first.id] == [("invite", "done"),
                                                                ("update", "done")]


def test_a_cancellation_before_anything_is_composed_sends_nothing(app):
    first, _ = confirm(app)
    assert briefings.cancel(first.id, SECRETARIAT).notified == 0  # nobody was told yet
    compose()
    assert db.session.scalars(db.select(OutboxMessage).filter_by(briefing_id=first.id)).all() == []
    assert [f[1:3] for f in fanouts() if f[0] == first.id] == [("invite", "superseded"),
                                                                ("cancel", "done")]


def test_a_worker_dying_in_the_middle_is_resumed_and_each_contact_gets_one(app, monkeypatch):
    first, second = confirm(app)
    monkeypatch.setattr(fanout, "CHUNK", 3)
    calls = {"n": 0}
    real = invitations.invite_everyone

    def dies_on_the_second_chunk(briefing, limit=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # the process dies: this chunk's transaction is lost
        return real(briefing, limit=limit)

    monkeypatch.setattr(invitations, "invite_everyone", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        fanout.compose_pending()
    db.session.rollback()
    assert fanouts()[0][1:] == ("invite", "composing", CONTACTS, 3)  # one chunk committed
    assert len(live_messages()) == 3
    # a new worker: before the stale-claim time the claim is left alone...
    assert fanout.compose_pending().messages == CONTACTS
    assert fanouts()[0][2] == "composing"
    # ...after it (or when the scheduler starts), the fan-out is taken over and finished
    assert fanout.release_claims(utcnow() + timedelta(seconds=1)) == 1
    assert fanout.compose_pending().messages == CONTACTS - 3
    assert [f[2:] for f in fanouts()] == [("done", CONTACTS, CONTACTS)] * 2
    per_contact = Counter((m.briefing_id, m.contact_id) for m in live_messages())
    assert set(per_contact.values()) == {1} and len(per_contact) == 2 * CONTACTS


def test_a_move_while_composing_gives_the_rest_only_the_new_version(app, monkeypatch):
    first, _ = confirm(app)
    monkeypatch.setattr(fanout, "CHUNK", 3)
    claimed = fanout._claim_next(utcnow())
    fanout._compose_chunk(claimed, fanout.ComposeReport())  # three contacts written
    briefings.reschedule(first.id, first.start_at + timedelta(hours=2), None, SECRETARIAT)
    assert len(live_messages(briefing_id=first.id)) == 0  # the three unsent ones: superseded
    fanout.release_claims(utcnow() + timedelta(seconds=1))
    compose()
    went = live_messages(briefing_id=first.id)
    assert len(went) == CONTACTS and {m.sequence for m in went} == {1}


def test_a_chunk_is_written_under_the_briefing_s_lock(app, monkeypatch):
    """A move waits for the chunk being composed, so a chunk is always one version."""
    first, _ = confirm(app)
    seen = []
    real = invitations.invite_everyone

    def records_the_version(briefing, limit=None):
        seen.append(briefing.sequence)
        return real(briefing, limit=limit)

    monkeypatch.setattr(invitations, "invite_everyone", records_the_version)
    compose()
    assert {m.sequence for m in live_messages(briefing_id=first.id)} == set(seen) == {0}


# --- waking the worker ----------------------------------------------------------------------

def test_postgresql_is_notified_when_work_is_committed_and_not_on_rollback(app,
                                                                          migrated_database_url):
    if not migrated_database_url.startswith("postgresql"):
        pytest.skip("NOTIFY is PostgreSQL's; SQLite is polled")
    listener = psycopg.connect(wakeup._libpq_url(migrated_database_url), autocommit=True)
    listener.execute(f"LISTEN {wakeup.CHANNEL}")
    plan = plan_session_49(app)

    def notified(seconds: float) -> int:
        return len(list(listener.notifies(timeout=seconds)))

    assert notified(0.2) == 0
    [first, _] = briefings.confirm_proposal(plan, SECRETARIAT)
    assert notified(1.0) == 1  # one per transaction, however many rows
    db.session.add(Fanout(briefing_id=first.id, kind="update", sequence=9, recipients=0))
    db.session.flush()
    db.session.rollback()
    assert notified(0.5) == 0
    listener.close()


@pytest.mark.slow
def test_the_scheduler_sends_within_moments_of_a_confirm(app, smtp_server, migrated_database_url,
                                                        tmp_path):
    """Not on the next 30-second tick: woken by NOTIFY (PostgreSQL) or the 1 s poll (SQLite)."""
    key = plan_session_49(app)
    scheduler = Scheduler(migrated_database_url, tmp_path / "scheduler", "scheduler",
                          mail_port=smtp_server.controller.port)
    try:
        scheduler.wait_for("job deliver_outbox")
        time.sleep(2)  # its first pass is over: from now on only a wake-up sends at once
        briefings.confirm_proposal(key, SECRETARIAT, allow_past=True)
        committed = time.monotonic()
        while not smtp_server.messages and time.monotonic() - committed < 20:
            time.sleep(0.02)
        assert smtp_server.messages, scheduler.output()
        assert time.monotonic() - committed < 5, "the worker waited for its tick"
    finally:
        scheduler.stop()


def test_each_composed_e_mail_is_what_rendering_it_alone_gives(app, monkeypatch):
    """The templates are rendered once a variant (presenter or not, feed or none) and each
    recipient's name and links put in: the result must be the very e-mail that rendering
    the templates for that one recipient gives, in every part."""
    from itsdangerous.timed import TimestampSigner

    from nam_briefings.models import Invitation, Mission
    from nam_briefings.services.feeds import revoke_mission_token

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_700_000_000)
    first, _ = confirm(app)
    revoke_mission_token("IND", SECRETARIAT)  # one mission without a feed link
    india = db.session.scalar(db.select(Mission).filter_by(state_iso3="IND"))
    contact = india.contacts[0]
    contact.name = 'Dr. <Ana> "Nana" & Co, Côte d\'Ivoire'  # escaped in HTML, as is in text
    db.session.commit()
    compose()
    briefings.reschedule(first.id, first.start_at + timedelta(hours=2), None, SECRETARIAT)
    compose()
    briefings.cancel(first.id, SECRETARIAT)
    compose()
    messages = live_messages()
    assert {m.kind for m in messages} == {"request", "cancel"}
    for message in messages:
        invitation = db.session.scalar(db.select(Invitation).filter_by(
            briefing_id=message.briefing_id, contact_id=message.contact_id))
        alone = (invitations._render("cancellation", invitation) if message.kind == "cancel"
                 else invitations._render("invitation", invitation, kind="request"))
        assert (message.subject, message.body_text, message.body_html) == alone
    assert any("&lt;Ana&gt;" in m.body_html and "<Ana>" in m.body_text for m in messages)


def test_a_delivery_pass_writes_one_chunk_then_sends_it(app, smtp_server, monkeypatch):
    """The first messages of a large fan-out leave before the last ones are written."""
    first, second = confirm(app)
    monkeypatch.setattr(fanout, "CHUNK", 3)
    report = outbox.deliver(ignore_backoff=True)
    assert (report.composed, report.sent, report.composing) == (3, 3, True)
    assert len(smtp_server.messages) == 3
    total = outbox.deliver_all(ignore_backoff=True)
    assert total.sent == 2 * CONTACTS - 3 and not total.composing
    assert [f[2:] for f in fanouts()] == [("done", CONTACTS, CONTACTS)] * 2


def test_the_fan_outs_are_written_while_the_relay_is_down(app):
    confirm(app)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", free_port()
    report = outbox.deliver_all(ignore_backoff=True)
    assert report.waiting and report.composed == 2 * CONTACTS
    assert outbox.status_counts()["waiting"] + outbox.status_counts()["pending"] == 2 * CONTACTS
