"""Every feed changes (body and ETag) when anything it shows changes, and only then.

The bug this guards against: after Ecuador and Morocco confirmed their slots, Bahrain's feed
still showed them "to be confirmed" with an unchanged ETag, because the feed's cache key left
out the table the slot statuses live in. Each change below is made one at a time, then the
feed is polled over HTTP with the ETag it had just before.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import (
    Briefing,
    Contact,
    Invitation,
    Mission,
    OutboxMessage,
    Review,
    State,
    UprSession,
)
from nam_briefings.services import briefings, fanout, feeds, invitations
from nam_briefings.services.audit import Actor
from nam_briefings.services.calendar import seed_reference_data
from tests.factories import create_contact, create_mission, create_user

SECRETARIAT = Actor("secretariat@chair.example.org")
#: India watches; Guyana, Kenya and Laos present at session 49's briefings
WATCHER, PRESENTERS = "IND", ("GUY", "KEN", "LAO")


@pytest.fixture
def briefed(app):
    """Session 49 briefed (confirmed, invitations out); feeds of India and the secretariat."""
    app.config["TODAY"] = date(2025, 3, 3)
    seed_reference_data(Actor.system())
    for iso3 in (*PRESENTERS, WATCHER):
        create_contact(create_mission(iso3), email=f"upr@{iso3.lower()}.example.org")
    plan = briefings.plan_session(49, SECRETARIAT)
    briefings.confirm_proposal(plan.proposals[0].key, SECRETARIAT)
    fanout.compose_pending()  # the delivery worker writes the invitations
    user = create_user(email="editor@chair.example.org", role="editor")
    return {"upr": "/feeds/upr.ics",
            "mission": f"/feeds/missions/{feeds.mission_feed_token(WATCHER)}.ics",
            "secretariat": f"/feeds/secretariat/{feeds.user_feed_token(user.id)}.ics"}


def _briefing() -> Briefing:
    return db.session.scalars(db.select(Briefing).where(Briefing.status == "confirmed")
                              .order_by(Briefing.start_at)).first()


def _invited_item():
    return next(item for b in db.session.scalars(db.select(Briefing)) for item in b.items
                if item.slot_status == "invited" and item.review.state_iso3 in PRESENTERS)


def presenter_confirms_slot() -> None:
    """A presenting mission accepts through its RSVP link (the service of the bug report)."""
    item = _invited_item()
    invitation = db.session.scalar(
        db.select(Invitation).join(Invitation.contact).join(Contact.mission)
        .where(Invitation.briefing_id == item.briefing_id,
               Mission.state_iso3 == item.review.state_iso3, Invitation.role == "presenter"))
    briefings.answer_by_link(invitations.rsvp_token(invitation), "accept")


def slot_confirmed() -> None:
    """The slot alone changes (as an answer by e-mail or by the secretariat would)."""
    _invited_item().slot_status = "confirmed"
    db.session.commit()


def briefing_moves() -> None:
    briefing = _briefing()
    briefing.start_at += timedelta(minutes=30)
    briefing.end_at += timedelta(minutes=30)
    db.session.commit()


def room_renamed() -> None:
    _briefing().room.name = "Room XX (Human Rights and Alliance of Civilizations Room)"
    db.session.commit()


def room_relocated() -> None:
    _briefing().room.location = "Palais des Nations, Building E, floor 1"
    db.session.commit()


def agenda_changes() -> None:
    item = _briefing().items[-1]
    item.start_at += timedelta(minutes=5)
    item.end_at += timedelta(minutes=5)
    db.session.commit()


def briefing_cancelled() -> None:
    _briefing().status = "cancelled"
    db.session.commit()


def mission_answers() -> None:
    invitation = db.session.scalar(
        db.select(Invitation).join(Invitation.contact).join(Contact.mission)
        .where(Mission.state_iso3 == WATCHER))
    invitation.partstat = "ACCEPTED"
    db.session.commit()


def session_dates_move() -> None:
    session = db.session.scalar(db.select(UprSession).filter_by(number=49))
    session.start_date += timedelta(days=7)
    session.end_date += timedelta(days=7)
    db.session.commit()


def session_published() -> None:
    session = db.session.scalar(db.select(UprSession).filter_by(status="expected")
                                .order_by(UprSession.number))
    session.status, session.forecast_from = "scheduled", None
    db.session.commit()


def review_day_moves() -> None:
    review = db.session.scalar(db.select(Review).join(Review.session)
                               .where(Review.state_iso3 == WATCHER)
                               .order_by(UprSession.number.desc()))
    review.start_at = review.end_at = None
    review.review_date = date(2025, 5, 7) if review.review_date != date(2025, 5, 7) \
        else date(2025, 5, 8)
    db.session.commit()


def state_renamed() -> None:
    db.session.get(State, WATCHER).name = "Republic of India"
    db.session.commit()


def proposal_made() -> None:
    briefings.plan_session(50, SECRETARIAT)


#: change -> the feeds that show what it changes
CHANGES: dict[str, tuple[Callable[[], None], tuple[str, ...]]] = {
    "a presenter's answer by RSVP link": (presenter_confirms_slot, ("mission", "secretariat")),
    "a presenter's slot status": (slot_confirmed, ("mission", "secretariat")),
    "a briefing's time": (briefing_moves, ("mission", "secretariat")),
    "a room's name": (room_renamed, ("mission", "secretariat")),
    "a room's location": (room_relocated, ("mission", "secretariat")),
    "the agenda": (agenda_changes, ("mission", "secretariat")),
    "a cancellation": (briefing_cancelled, ("mission", "secretariat")),
    "the mission's own answer": (mission_answers, ("mission",)),
    "a session's dates": (session_dates_move, ("upr", "mission", "secretariat")),
    "a session's status (expected -> scheduled)": (session_published, ("upr", "secretariat")),
    "a review's day": (review_day_moves, ("upr", "mission", "secretariat")),
    "a state's name": (state_renamed, ("upr", "mission", "secretariat")),
    "a proposal": (proposal_made, ("secretariat",)),
}


def _poll(client, path: str, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize("change, feed", [(change, feed) for change, (_, shown_in)
                                          in CHANGES.items() for feed in shown_in])
def test_each_thing_a_feed_shows_changes_its_body_and_etag(briefed, client, feed, change):
    make_change, _ = CHANGES[change]
    path = briefed[feed]
    before = _poll(client, path)
    assert before.status_code == 200
    assert _poll(client, path, before.headers["ETag"]).status_code == 304  # cached now
    make_change()
    after = _poll(client, path, before.headers["ETag"])
    assert after.status_code == 200, f"{change}: the {feed} feed answered 304 (stale)"
    assert after.data != before.data
    assert after.headers["ETag"] != before.headers["ETag"]
    fresh = _poll(client, path)  # what a first-time subscriber gets is the same
    assert fresh.data == after.data and fresh.headers["ETag"] == after.headers["ETag"]


def test_the_slots_confirmed_by_other_presenters_show_in_a_watchers_feed(briefed, client):
    """The reported case: presenters confirm; the watcher's feed no longer says 'to be confirmed'."""
    names = [db.session.get(State, iso3).name for iso3 in PRESENTERS]
    pending = [f"{name} (to be confirmed)".encode() for name in names]
    path = briefed["mission"]
    before = _poll(client, path)
    assert any(line in _unfolded(before.data) for line in pending)
    while any(item.slot_status == "invited" and item.review.state_iso3 in PRESENTERS
              for b in db.session.scalars(db.select(Briefing)) for item in b.items):
        presenter_confirms_slot()
    after = _poll(client, path, before.headers["ETag"])
    assert after.status_code == 200
    assert not any(line in _unfolded(after.data) for line in pending)


def _unfolded(body: bytes) -> bytes:
    return body.replace(b"\r\n ", b"")


@pytest.mark.parametrize("feed", ["upr", "mission", "secretariat"])
def test_an_unrelated_change_keeps_the_etag(briefed, client, feed):
    path = briefed[feed]
    before = _poll(client, path)
    message = db.session.scalars(db.select(OutboxMessage)).first()
    message.status, message.attempts = "sent", message.attempts + 1
    db.session.commit()
    again = _poll(client, path, before.headers["ETag"])
    assert again.status_code == 304 and again.headers["ETag"] == before.headers["ETag"]
    assert _poll(client, path).data == before.data


def test_a_change_committed_late_with_an_older_timestamp_still_shows(briefed, client,
                                                                     monkeypatch):
    """A transaction that wrote before another and commits after it leaves an `updated_at`
    older than the latest: counts and latest change stay the same, the feed must not."""
    monkeypatch.setattr(feeds, "RERENDER_SECONDS", 0.0)
    path = briefed["mission"]
    before = _poll(client, path)
    item = _invited_item()
    table = type(item).__table__
    older = min(i.updated_at for b in db.session.scalars(db.select(Briefing)) for i in b.items)
    db.session.execute(db.update(table).where(table.c.id == item.id)
                       .values(slot_status="confirmed", updated_at=older))
    db.session.commit()
    after = _poll(client, path, before.headers["ETag"])
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert _poll(client, path, after.headers["ETag"]).status_code == 304  # same bytes again
