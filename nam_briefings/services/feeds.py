"""Calendar feeds that missions and the secretariat subscribe to, cheap to poll.

A feed body is rendered once and kept in memory with its ETag, for one "data version":
a single aggregate query over every table a feed shows (row counts and latest change).
The version is checked at most once a second per worker (and at once after a commit in
the same process), so most polls cost no SQL at all: a dictionary lookup. A changed feed
is rendered again. Bodies are deterministic, so every worker computes the same ETag.
"""
from __future__ import annotations

import gzip
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from werkzeug.http import http_date

from ..domain import ical, local_dates
from ..domain.calendar import to_local
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    Briefing,
    BriefingItem,
    Contact,
    Invitation,
    Mission,
    Proposal,
    Review,
    Room,
    State,
    UprSession,
    User,
    utcnow,
)
from . import audit
from .feed_links import ensure_mission_token, new_token
from .invitations import agenda_text, mission_answer, presenting_iso3s, summary
from .languages import _, current_language, in_language, mission_language
from .proposals_view import reasons_in
from .sessions import expected_note


@dataclass(frozen=True)
class Feed:
    """A rendered feed: its body, strong ETag and last change."""

    body: bytes
    etag: str
    last_modified: datetime
    #: Last-Modified as the header gives it (formatted once, not on every poll)
    last_modified_header: str = ""
    #: the same body gzip-compressed (stable bytes too), for clients that accept gzip
    gzipped: bytes = b""

    @property
    def quoted_etag(self) -> str:
        """The ETag as sent in the header (strong: quoted, no W/)."""
        return f'"{self.etag}"'

    @property
    def gzip_etag(self) -> str:
        """The ETag of the gzip-compressed body (another representation: another tag)."""
        return f"{self.etag}-gzip"


_cache_lock = threading.Lock()


# --- tokens ---------------------------------------------------------------------------------

def mission_feed_token(iso3: str) -> str:
    """The mission's feed token, created on first use; Invalid while the feed is switched off."""
    mission = _mission(iso3)
    if mission.feed_token is None:
        if ensure_mission_token(mission) is None:
            raise Invalid(f"the feed of {mission.state_iso3} is switched off: "
                          "making a new address (rotate) switches it on again")
        db.session.commit()
    return mission.feed_token


def rotate_mission_token(iso3: str, actor: audit.Actor) -> str:
    """Give the mission a new feed URL; the old one answers 404 from now on."""
    mission = _mission(iso3)
    mission.feed_token, mission.feed_revoked_at = new_token(), None
    audit.record(actor, "feed.rotate", "mission", mission.state_iso3, "feed URL replaced")
    db.session.commit()
    return mission.feed_token


def revoke_mission_token(iso3: str, actor: audit.Actor) -> None:
    """Switch the mission's feed off until a new URL is made."""
    mission = _mission(iso3)
    mission.feed_token, mission.feed_revoked_at = None, utcnow()
    audit.record(actor, "feed.revoke", "mission", mission.state_iso3, "feed URL revoked")
    db.session.commit()


def user_feed_token(user_id: int) -> str:
    """The secretariat user's own feed token, created on first use."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    if user.feed_token is None:
        user.feed_token = new_token()
        db.session.commit()
    return user.feed_token


def mission_by_token(token: str) -> Mission:
    """The mission whose feed token this is; NotFound otherwise (compared in constant time)."""
    mission = db.session.scalar(db.select(Mission).filter_by(feed_token=token)) if token else None
    if mission is None or not hmac.compare_digest(mission.feed_token, token) or not mission.active:
        raise NotFound("no such feed")
    return mission


def user_by_token(token: str) -> User:
    """The active user whose feed token this is; NotFound otherwise."""
    user = db.session.scalar(db.select(User).filter_by(feed_token=token)) if token else None
    if user is None or not hmac.compare_digest(user.feed_token, token) or not user.active:
        raise NotFound("no such feed")
    return user


# --- the feeds ---------------------------------------------------------------------------------

def upr_feed(language: str | None = None) -> Feed:
    """The public UPR calendar: Working Group sessions and reviews whose day is known, in
    `language` (English by default; one of `local_dates.WRITTEN_LANGUAGES`)."""
    def render() -> Feed:
        with in_language(language or "en"):
            return _render(
                _("UPR Working Group"), _("UPR Working Group sessions and reviews (Geneva)"),
                _session_events() + _review_events())
    return _cached(_key(("upr",), language), render)


def mission_feed(token: str, language: str | None = None) -> Feed:
    """A mission's private feed: confirmed NAM briefings and its own review, in `language`
    (by default the mission's: `languages.mission_language`)."""
    def render() -> Feed:
        mission = mission_by_token(token)
        with in_language(language or mission_language(mission)):
            return _render(
                _("NAM briefings – %(state)s", state=mission.state.name),
                _("NAM ambassadorial briefings, for the Permanent Mission of %(state)s",
                  state=mission.state.name),
                _briefing_events(mission) + _review_events(mission.state_iso3))
    return _cached(_key(("mission", token), language), render)


def _key(key: tuple, language: str | None) -> tuple:
    """A feed's memo key: the default language's is the key alone (the fast path of polls
    without a query string looks it up so), another language's has it added."""
    return key if language is None else (*key, language)


def secretariat_feed(token: str, language: str | None = None) -> Feed:
    """The secretariat's feed: sessions, reviews, briefings and open proposals, in
    `language` (by default the one its user chose for the pages, else English)."""
    def render() -> Feed:
        user = user_by_token(token)
        with in_language(language or local_dates.written_language(user.language) or "en"):
            return _render(
                _("NAM briefings – secretariat"),
                _("UPR sessions, NAM briefings and open proposals (secretariat)"),
                _session_events() + _review_events() + _briefing_events(None)
                + _proposal_events())
    return _cached(_key(("secretariat", token), language), render)


class _Memo:
    """This worker's rendered feeds, valid for one data version.

    The version is asked of the database at most once per RECHECK_SECONDS (at once after a
    commit in this process); between two checks a poll costs no SQL at all. A token's entry
    exists only if the token was valid at this version: rotating, revoking or switching off
    a mission or a user changes their table, hence the version, and empties the memo.

    Counts and latest `updated_at` miss one change: a transaction that wrote its rows before
    another's and commits after it leaves an older `updated_at` than the latest (an update
    keeps the counts). So while the version is younger than SETTLE_SECONDS (longer than any
    transaction takes) a feed is rendered again once it is RERENDER_SECONDS old; unchanged
    data gives the same bytes and ETag.
    """

    def __init__(self) -> None:
        self.version: tuple | None = None
        self.checked_at = float("-inf")
        self.commits_seen = -1
        self.version_since = float("-inf")
        #: key -> (feed, when it was rendered)
        self.feeds: dict[tuple, tuple[Feed, float]] = {}

    def fresh(self, now: float) -> bool:
        """True while the version checked last still holds (no commit here, checked lately)."""
        return self.commits_seen == _local_commits and now - self.checked_at < RECHECK_SECONDS

    def usable(self, key: tuple, now: float) -> Feed | None:
        """The feed under `key` unless it may have missed a late commit (see above)."""
        hit = self.feeds.get(key)
        if hit is None:
            return None
        feed, rendered_at = hit
        settling = now - self.version_since < SETTLE_SECONDS
        return None if settling and now - rendered_at >= RERENDER_SECONDS else feed


#: how stale another worker's commit may leave this worker's feeds, at most (seconds)
RECHECK_SECONDS = 1.0
#: how long after a new version a feed is still rendered again now and then (seconds)
SETTLE_SECONDS = 600.0
#: ... every this many seconds at most, per feed and worker
RERENDER_SECONDS = 30.0
#: feeds kept per worker (one per subscribed token at most); the oldest go first
MAX_FEEDS = 256
_local_commits = 0


@event.listens_for(OrmSession, "after_commit")
def _count_commit(session) -> None:
    """A commit in this process: the next poll asks the database for the version again."""
    global _local_commits
    _local_commits += 1


def _cached(key: tuple, render: Callable[[], Feed]) -> Feed:
    """The feed under `key` from the memo when the data version is unchanged, else rendered.

    A miss (a new version, a first poll, a bad token) calls `render`, which checks the token.
    """
    memo = current_app.extensions.get("nam_feeds") or current_app.extensions.setdefault(
        "nam_feeds", _Memo())
    now = monotonic()
    with _cache_lock:
        fresh = memo.fresh(now)
    if not fresh:
        commits = _local_commits
        version = _data_version()
        with _cache_lock:
            if version != memo.version:
                memo.version, memo.feeds, memo.version_since = version, {}, now
            memo.checked_at, memo.commits_seen = now, commits
    with _cache_lock:
        hit = memo.usable(key, now)
        version = memo.version
    if hit is not None:
        return hit
    feed = render()
    with _cache_lock:
        if memo.version == version:
            memo.feeds.pop(key, None)
            if len(memo.feeds) >= MAX_FEEDS:
                memo.feeds.pop(next(iter(memo.feeds)))
            memo.feeds[key] = (feed, now)
    return feed


def peek(app: Flask, key: tuple) -> Feed | None:
    """The feed under `key` ("upr",), ("mission", token) or ("secretariat", token) when this
    worker rendered it at the data version it checked less than RECHECK_SECONDS ago; else
    None (the caller goes the full way: `upr_feed()` and the others). Needs no database."""
    memo = app.extensions.get("nam_feeds")
    now = monotonic()
    if memo is None or not memo.fresh(now):
        return None
    return memo.usable(key, now)


def _render(name: str, description: str, events: list[ical.FeedEvent]) -> Feed:
    config = current_app.config
    organizer = ical.Organizer(config["ORGANIZER_EMAIL"], config["ORGANIZER_NAME"])
    body = ical.feed(name, events, description, organizer=organizer).encode()
    last = max((e.dtstamp for e in events), default=datetime(2000, 1, 1).astimezone())
    last = last.replace(microsecond=0)
    return Feed(body, hashlib.sha256(body).hexdigest()[:32], last, http_date(last),
                gzip.compress(body, compresslevel=6, mtime=0))


def _said_in() -> str | None:
    """The LANGUAGE= of the events written now: the current language, unless English."""
    language = current_language()
    return None if local_dates.is_english(language) else language


def _stamp(moment: datetime | None) -> datetime:
    return (moment or utcnow()).replace(microsecond=0)


def _session_events() -> list[ical.FeedEvent]:
    """Every UPR session; an expected one (forecast, not yet published) as TENTATIVE."""
    return [ical.FeedEvent(
        uid=f"upr-session-{s.number}@nam-briefings", sequence=0,
        start=s.start_date, end=s.end_date + timedelta(days=1), all_day=True,
        summary=_session_title(s),
        location=s.venue, description=_session_description(s), dtstamp=_stamp(s.updated_at),
        categories=("UPR",), status=_event_status(s), language=_said_in())
        for s in db.session.scalars(db.select(UprSession).order_by(UprSession.start_date))]


def _session_title(session: UprSession) -> str:
    """"UPR Working Group, 49th session", "(postponed)" or "(expected)" after it."""
    title = _("UPR Working Group, %(ordinal)s session",
              ordinal=local_dates.ordinal(session.number, current_language()))
    if session.status == "postponed":
        title += " " + _("(postponed)")
    if session.status == "expected":
        title += " " + _("(expected)")
    return title


def _event_status(session: UprSession) -> str:
    """TENTATIVE while the session is only expected, else CONFIRMED."""
    return "TENTATIVE" if session.status == "expected" else "CONFIRMED"


def _session_description(session: UprSession) -> str:
    if session.status == "expected":
        states = ", ".join(r.state.name for r in session.reviews)
        return _("UPR session %(number)s is %(expected)s. States under review (forecast; "
                 "order of review not yet published): %(states)s", number=session.number,
                 expected=expected_note(session), states=states or _("not known yet"))
    states = ", ".join(f"{r.position}. {r.state.name}" for r in session.reviews)
    return _("States under review, in order: %(states)s", states=states) if states else ""


def _review_events(iso3: str | None = None) -> list[ical.FeedEvent]:
    query = db.select(Review).where(db.or_(Review.review_date.is_not(None),
                                           Review.start_at.is_not(None)))
    if iso3:
        query = query.where(Review.state_iso3 == iso3)
    events = []
    for review in db.session.scalars(query):
        timed = review.start_at is not None and review.end_at is not None
        day = review.review_date or to_local(review.start_at).date()
        events.append(ical.FeedEvent(
            uid=f"upr-review-{review.session.number}-{review.state_iso3}@nam-briefings",
            sequence=0, all_day=not timed,
            start=review.start_at if timed else day,
            end=review.end_at if timed else day + timedelta(days=1),
            summary=_review_title(review),
            location=review.session.venue,
            description=(_("UPR session %(number)s is %(expected)s.",
                           number=review.session.number,
                           expected=expected_note(review.session))
                         if review.session.status == "expected" else ""),
            dtstamp=_stamp(review.updated_at), categories=("UPR",),
            status=_event_status(review.session), language=_said_in()))
    return events


def _review_title(review: Review) -> str:
    """"UPR review of Kenya (49th session)", "(…, expected)" while it is forecast."""
    ordinal = local_dates.ordinal(review.session.number, current_language())
    if review.session.status == "expected":
        return _("UPR review of %(state)s (%(ordinal)s session, expected)",
                 state=review.state.name, ordinal=ordinal)
    return _("UPR review of %(state)s (%(ordinal)s session)", state=review.state.name,
             ordinal=ordinal)


def _briefing_events(mission: Mission | None) -> list[ical.FeedEvent]:
    """Confirmed (and held) briefings; for a mission, marked when it presents, with its answer."""
    answers = _answers(mission) if mission else {}
    events = []
    for briefing in db.session.scalars(db.select(Briefing).where(
            Briefing.status.in_(("confirmed", "held"))).order_by(Briefing.start_at)):
        title, description = summary(briefing), agenda_text(briefing)
        if mission is not None:
            if mission.state_iso3 in presenting_iso3s(briefing):
                title = _("Your Mission presents – %(title)s", title=title)
            answer = answers.get(briefing.id)
            if answer:
                description += "\n\n" + _("Your Mission's answer: %(answer)s",
                                           answer=_feed_answer_names()[answer])
        room = briefing.room
        events.append(ical.FeedEvent(
            uid=briefing.uid, sequence=briefing.sequence, start=briefing.start_at,
            end=briefing.end_at, summary=title,
            location=", ".join(p for p in (room.name, room.location) if p) if room
            else _("Geneva"),
            description=description, dtstamp=_stamp(briefing.updated_at),
            categories=("NAM",), language=_said_in()))
    return events


def _feed_answer_names() -> dict[str, str]:
    """A mission's answer as its feed words it, in the current language."""
    return {"ACCEPTED": _("accepted"), "TENTATIVE": _("tentative"),
            "DECLINED": _("declined"), "NEEDS-ACTION": _("needs action")}


def _answers(mission: Mission) -> dict[int, str]:
    """briefing id -> the mission's answer (the most positive of its contacts')."""
    by_briefing: dict[int, list[str]] = {}
    for briefing_id, partstat in db.session.execute(
            db.select(Invitation.briefing_id, Invitation.partstat).join(Invitation.contact)
            .where(Contact.mission_id == mission.id)):
        by_briefing.setdefault(briefing_id, []).append(partstat)
    return {briefing_id: mission_answer(answers) for briefing_id, answers in by_briefing.items()}


def _proposal_events() -> list[ical.FeedEvent]:
    events = []
    for proposal in db.session.scalars(db.select(Proposal).filter_by(status="open")
                                       .order_by(Proposal.session_id, Proposal.rank)):
        reasons, _written_in = reasons_in(proposal, current_language())
        for index, meeting in enumerate(proposal.meetings, start=1):
            states = local_dates.comma(current_language()).join(
                item["name"] for item in meeting["agenda"])
            events.append(ical.FeedEvent(
                uid=f"proposal-{proposal.key}-{index}@nam-briefings", sequence=0,
                start=datetime.fromisoformat(meeting["start"]),
                end=datetime.fromisoformat(meeting["end"]),
                summary=_("Proposal #%(rank)s for UPR%(number)s: %(states)s",
                          rank=proposal.rank, number=proposal.session.number, states=states),
                location=meeting["room"], description="\n".join(reasons),
                dtstamp=_stamp(proposal.updated_at), status="TENTATIVE",
                categories=("NAM", "proposal"), language=_said_in()))
    return events


# --- data versions -------------------------------------------------------------------------------

#: every table a feed shows something of (the title, an event, a token's validity): a change
#: in any of them is a new data version
FEED_TABLES = (UprSession, Review, State, Briefing, BriefingItem, Room, Proposal, Mission,
               Contact, Invitation, User)
# Plain SQL built once: a check must not pay for building SQLAlchemy statements.
_DATA_VERSION = db.text("SELECT " + ", ".join(
    f"(SELECT count(*) FROM {m.__tablename__}), "
    f"(SELECT max(updated_at) FROM {m.__tablename__})" for m in FEED_TABLES))


def _data_version() -> tuple:
    """Row counts and latest changes of every table a feed shows, in one query.

    A change to a row moves its table's latest `updated_at`; an insert or a delete moves
    its count (an insert moves both).
    """
    return tuple(db.session.execute(_DATA_VERSION).one())


def _mission(iso3: str) -> Mission:
    mission = db.session.scalar(db.select(Mission).filter_by(state_iso3=iso3.strip().upper()))
    if mission is None:
        raise NotFound(f"no mission of {iso3} is on file")
    return mission
