"""The dashboard: what the secretariat needs to see and do for the next UPR sessions.

Only reads. `dashboard()` gathers, as of the service clock's today, the next sessions with
their NAM presenters, their proposals or briefings with the answers so far, the outbox's
health and a list of things that need action, each with what it concerns (the template
turns that into a link).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import selectinload

from ..domain import changes, local_dates, planner
from ..domain.calendar import to_local
from ..extensions import db
from ..models import Briefing, BriefingItem, Proposal, Review, State, UprSession
from . import briefings, briefings_view, clock, invitations, outbox, replies, sessions
from .languages import current_language, phrasing

#: how many sessions the dashboard shows ahead, and how many past ones
UPCOMING_SHOWN = 3
RECENT_SHOWN = 3
#: how far back refused e-mailed answers are called out
REFUSED_REPLIES_SHOWN_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Slot:
    """A presenting mission's place on a briefing's agenda and its answer about it."""

    iso3: str
    name: str
    #: "invited" (not confirmed yet), "confirmed" or "declined"
    status: str


@dataclass(frozen=True)
class BriefingStatus:
    """A confirmed (or held) briefing with the missions' answers so far."""

    briefing: Briefing
    #: True once it has started
    past: bool
    #: missions by their answer: ACCEPTED, TENTATIVE, DECLINED, NEEDS-ACTION
    answers: dict[str, int]
    slots: list[Slot]

    @property
    def unconfirmed_slots(self) -> list[Slot]:
        """Presenting missions that have not confirmed their slot yet."""
        return [slot for slot in self.slots if slot.status == "invited"]


@dataclass(frozen=True)
class SessionStatus:
    """A session as the dashboard shows it."""

    session: UprSession
    reviews: int
    presenters: list[planner.Presenter]
    open_proposals: int
    briefings: list[BriefingStatus]
    #: started but not over
    in_progress: bool
    #: over
    past: bool

    @property
    def expected(self) -> bool:
        """True while the session is only forecast (dates and order not yet published)."""
        return self.session.status == "expected"

    @property
    def expected_note(self) -> str:
        """"expected (forecast from session N; dates and order not yet published)"."""
        return sessions.expected_note(self.session)

    @property
    def stage(self) -> str:
        """"no_reviews", "no_presenter", "no_proposal", "proposals" or "briefed"."""
        if self.briefings:
            return "briefed"
        if not self.reviews:
            return "no_reviews"
        if not self.presenters:
            return "no_presenter"
        return "proposals" if self.open_proposals else "no_proposal"


@dataclass(frozen=True)
class Action:
    """Something that needs doing, and what it concerns (for the link).

    `kind` is one of "add_session", "add_reviews", "propose", "confirm", "retry",
    "replies" (refused), "unverified_replies", "slot", "review", "coverage_hrc" or
    "coverage_closures" (reference data missing for a session's window).
    """

    kind: str
    text: str
    session: int | None = None
    briefing_id: int | None = None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    today: date
    upcoming: list[SessionStatus]
    recent: list[SessionStatus]
    #: outbox messages per status (pending, sending, waiting, sent, failed, withdrawn)
    outbox: dict[str, int]
    actions: list[Action] = field(default_factory=list)

    @property
    def has_upcoming(self) -> bool:
        """True when at least one session is not over yet."""
        return bool(self.upcoming)


def dashboard() -> Dashboard:
    """The dashboard as of the service clock's today (the config's `TODAY` when pinned)."""
    today = clock.today()
    next_ones, last_ones = _shown_sessions(today)
    facts = _SessionFacts.load([overview.session for overview in next_ones + last_ones])
    upcoming = [session_status(o, today, facts) for o in next_ones]
    recent = [session_status(o, today, facts) for o in last_ones]
    counts = outbox.status_counts()
    refused = replies.outcome_counts(since=clock.now() - REFUSED_REPLIES_SHOWN_FOR,
                                     undecided=True)["rejected"]
    unverified = replies.outcome_counts()["unverified"]
    return Dashboard(today, upcoming, recent, counts,
                     needs_action(upcoming, counts, refused, unverified))


def _shown_sessions(today: date) -> tuple[list[sessions.SessionOverview],
                                          list[sessions.SessionOverview]]:
    """The sessions not yet over (soonest first) and the past ones (latest first) that the
    dashboard shows, with their reviews; only those are loaded, however many are on file."""
    dates = db.session.execute(db.select(UprSession.id, UprSession.end_date)
                               .order_by(UprSession.start_date)).all()
    next_ids = [i for i, end in dates if end >= today][:UPCOMING_SHOWN]
    last_ids = [i for i, end in reversed(dates) if end < today][:RECENT_SHOWN]
    loaded = {session.id: session for session in db.session.scalars(
        db.select(UprSession).where(UprSession.id.in_(next_ids + last_ids))
        .options(selectinload(UprSession.reviews).joinedload(Review.state)
                 .joinedload(State.mission)))}
    return ([sessions.SessionOverview(loaded[i], list(loaded[i].reviews)) for i in next_ids],
            [sessions.SessionOverview(loaded[i], list(loaded[i].reviews)) for i in last_ids])


@dataclass(frozen=True)
class _SessionFacts:
    """The briefings (with their agendas), open proposals and missions' answers of the
    sessions shown, read in a few queries whatever their number."""

    #: session id -> its briefings (not cancelled) in time order
    briefings: dict[int, list[Briefing]]
    #: session id -> how many open proposals it has
    open_proposals: dict[int, int]
    #: briefing id -> missions by their answer
    answers: dict[int, dict[str, int]]

    @classmethod
    def load(cls, shown: list[UprSession]) -> _SessionFacts:
        ids = [session.id for session in shown]
        held: dict[int, list[Briefing]] = {session_id: [] for session_id in ids}
        for briefing in db.session.scalars(
                db.select(Briefing).where(Briefing.session_id.in_(ids),
                                          Briefing.status != "cancelled")
                .order_by(Briefing.start_at)
                .options(selectinload(Briefing.items).joinedload(BriefingItem.review)
                         .joinedload(Review.state))):
            held[briefing.session_id].append(briefing)
        proposals = dict(db.session.execute(
            db.select(Proposal.session_id, db.func.count())
            .where(Proposal.session_id.in_(ids), Proposal.status == "open")
            .group_by(Proposal.session_id)).all())
        answers = invitations.roster_counts_of([b.id for bs in held.values() for b in bs])
        return cls(held, proposals, answers)


def session_status(overview: sessions.SessionOverview, today: date,
                   facts: _SessionFacts) -> SessionStatus:
    """One session's presenters, proposals and briefings (with their answers), from the
    facts read for the sessions shown."""
    session_id = overview.session.id
    presenters = briefings.session_presenters(overview.session)
    held = [briefing_status(b, facts.answers[b.id]) for b in facts.briefings[session_id]]
    return SessionStatus(
        session=overview.session, reviews=len(overview.reviews), presenters=presenters,
        open_proposals=facts.open_proposals.get(session_id, 0) if not held else 0,
        briefings=held, in_progress=overview.in_progress(today),
        past=overview.session.end_date < today)


def briefing_status(briefing: Briefing, answers: dict[str, int]) -> BriefingStatus:
    """A briefing with the missions' answers and the presenters' slot answers."""
    slots = [Slot(item.review.state_iso3, item.review.state.name, item.slot_status)
             for item in briefing.items]
    return BriefingStatus(briefing, briefings_view.is_past(briefing), answers, slots)


def needs_action(upcoming: list[SessionStatus], counts: dict[str, int],
                 refused_replies: int = 0, unverified_replies: int = 0) -> list[Action]:
    """What the secretariat should do next, most pressing first, in the language of the
    page being rendered (English outside a request).

    `refused_replies`: e-mailed answers refused lately (a mission may think it answered);
    `unverified_replies`: e-mailed answers waiting for an editor to accept or reject them.
    """
    words = phrasing()
    # counts are %(n)s: Flask-Babel's ngettext takes `num`, the English one `count`
    _, ngettext = words.gettext, words.ngettext
    actions: list[Action] = []
    if not upcoming:
        actions.append(Action("add_session",
                              _("No upcoming UPR session is known: add the next session")))
    if counts.get("failed"):
        failed = counts["failed"]
        actions.append(Action("retry", ngettext("%(n)s message failed — retry",
                                                "%(n)s messages failed — retry",
                                                failed, n=failed)))
    if counts.get("waiting"):
        waiting = counts["waiting"]
        actions.append(Action("relay", ngettext(
            "%(n)s message waiting for the mail relay, which cannot be reached — they go "
            "out by themselves when it is back",
            "%(n)s messages waiting for the mail relay, which cannot be reached — they go "
            "out by themselves when it is back", waiting, n=waiting)))
    if unverified_replies:
        actions.append(Action("unverified_replies", ngettext(
            "%(n)s e-mailed answer from an unverified sender — accept or reject",
            "%(n)s e-mailed answers from an unverified sender — accept or reject",
            unverified_replies, n=unverified_replies)))
    if refused_replies:
        actions.append(Action("replies", ngettext(
            "%(n)s e-mailed answer refused in the last 7 days — check who meant what",
            "%(n)s e-mailed answers refused in the last 7 days — check who meant what",
            refused_replies, n=refused_replies)))
    for status in upcoming:
        actions += _session_actions(status, words)
    actions += coverage_actions(upcoming, words)
    return actions


def coverage_actions(upcoming: list[SessionStatus],
                     words: changes.Phrasing | None = None) -> list[Action]:
    """A line per gap in the reference data under the sessions still to be briefed: Council
    sessions not known for their planning windows, no UN Geneva closure entered for a year.
    Sessions with the same gap share one line ("Sessions 54, 55 and 56: ...")."""
    words = words or phrasing()
    gaps: dict[tuple[str, str], list[int]] = {}
    said: dict[tuple[str, str], str] = {}
    for status in upcoming:
        if status.in_progress or status.stage in ("briefed", "no_presenter"):
            continue
        covered = briefings.session_coverage(status.session, words=words)
        for warning in covered.warnings:
            key = (warning.kind, warning.short)
            gaps.setdefault(key, []).append(status.session.number)
            said.setdefault(key, warning.short)
    return [Action(f"coverage_{kind}",
                   words.gettext("%(sessions)s: %(gap)s", sessions=_sessions_named(numbers, words),
                                 gap=said[(kind, short)]), numbers[0])
            for (kind, short), numbers in gaps.items()]


def _sessions_named(numbers: list[int], words: changes.Phrasing) -> str:
    """"Session 54", "Sessions 54 and 55", "Sessions 54, 55 and 56"."""
    if len(numbers) == 1:
        return words.gettext("Session %(number)s", number=numbers[0])
    return words.gettext("Sessions %(numbers)s",
                         numbers=words.names([str(number) for number in numbers]))


def _session_actions(status: SessionStatus, words: changes.Phrasing) -> list[Action]:
    """What a session needs; once it has started, briefings before it are past: nothing."""
    _ = words.gettext
    number = status.session.number
    if status.in_progress:
        return []
    if status.stage == "no_reviews":
        return [Action("add_reviews", _("Add the states under review in session %(number)s",
                                        number=number), number)]
    if status.stage == "no_proposal":
        return [Action("propose", _("Propose briefing times for session %(number)s",
                                    number=number), number)]
    if status.stage == "proposals":
        return [Action("confirm", _("Confirm a proposal for session %(number)s",
                                    number=number), number)]
    actions = []
    for held in status.briefings:
        if held.past:
            continue
        briefing = held.briefing
        if briefing.agenda_pending:
            actions.append(Action("decision", _decision_text(briefing, number, words), number,
                                  briefing.id))
        if briefing.needs_review:
            actions.append(Action("review", _(
                "Briefing of %(day)s (session %(number)s) flagged for review after the "
                "session's dates changed", day=_day(briefing, words), number=number),
                number, briefing.id))
        waiting = held.unconfirmed_slots
        if waiting:
            actions.append(Action("slot", _unconfirmed_text(briefing, waiting, words), number,
                                  briefing.id))
    return actions


def _decision_text(briefing: Briefing, number: int, words: changes.Phrasing) -> str:
    """The decision a presenter's withdrawal waits for, in one line."""
    gone = [item.review.state.name for item in briefing.items if item.slot_status == "declined"]
    day = _day(briefing, words)
    if not gone:
        return words.gettext(
            "A mission no longer presents at the briefing of %(day)s (session %(number)s): "
            "nothing has been sent yet; send the new agenda, re-plan the meeting or cancel it",
            day=day, number=number)
    return words.ngettext(
        "%(names)s no longer presents at the briefing of %(day)s (session %(number)s): "
        "nothing has been sent yet; send the new agenda, re-plan the meeting or cancel it",
        "%(names)s no longer present at the briefing of %(day)s (session %(number)s): "
        "nothing has been sent yet; send the new agenda, re-plan the meeting or cancel it",
        len(gone), names=words.names(gone), day=day, number=number)


def _day(briefing: Briefing, words: changes.Phrasing) -> str:
    """The briefing's Geneva day, e.g. "Tue 22 Apr 2025" ("mardi 22 avril 2025")."""
    return words.day(to_local(briefing.start_at).date())


def _unconfirmed_text(briefing: Briefing, waiting: list[Slot],
                      words: changes.Phrasing) -> str:
    """One line per briefing for the presenting missions that have not confirmed their slot."""
    day = _day(briefing, words)
    if len(waiting) == 1:
        return words.gettext("Briefing of %(day)s: %(name)s (%(code)s) has not confirmed its "
                             "slot", day=day, name=waiting[0].name, code=waiting[0].iso3)
    separator = local_dates.comma(current_language())
    return words.ngettext(
        "Briefing of %(day)s: %(n)s presenting mission has not confirmed its slot "
        "(%(codes)s)",
        "Briefing of %(day)s: %(n)s presenting missions have not confirmed their slot "
        "(%(codes)s)", len(waiting), day=day, n=len(waiting),
        codes=separator.join(slot.iso3 for slot in waiting))
