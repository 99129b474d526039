"""Briefings: plan a session, keep the proposals, confirm one or set a time by hand."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..domain import planner, wording
from ..domain.calendar import GENEVA, day_bounds_utc
from ..domain.errors import Invalid, NotFound
from ..domain.limits import NOTE_MAX_LENGTH
from ..domain.messages import Said, Span
from ..domain.phrasing import ENGLISH, Phrasing
from ..extensions import db
from ..models import (
    Briefing,
    BriefingItem,
    BusyPeriod,
    Invitation,
    Proposal,
    Room,
    UprSession,
)
from ..domain import coverage as reference_coverage
from . import audit, clock, fanout, invitations, locks
from . import coverage as coverage_service
from .languages import N_, _, phrasing, phrasings
from .outbox import notify_secretariat


@dataclass
class Plan:
    """A planning run: the session, the planner's result and the stored proposals."""

    session: UprSession
    result: planner.PlanResult
    proposals: list[Proposal]
    rules: planner.Rules
    #: what the Council sessions and closures on file say about the planning window
    coverage: reference_coverage.Coverage | None = None


def configured_rules(overrides: dict[str, Any] | None = None) -> planner.Rules:
    """The planner's rules: defaults, then `PLANNER_RULES` from the config, then `overrides`.

    Raises Invalid naming the rule for an unknown rule or a bad value.
    """
    rules = planner.DEFAULT_RULES.with_overrides(**current_app.config.get("PLANNER_RULES", {}))
    return rules.with_overrides(**(overrides or {}))


def get_session(number: int) -> UprSession:
    """The UPR session with this number, or NotFound."""
    session = db.session.scalar(db.select(UprSession).filter_by(number=number))
    if session is None:
        raise NotFound(f"no UPR session {number} is known: import it first")
    return session


def plan_session(number: int, actor: audit.Actor, overrides: dict[str, Any] | None = None,
                 not_before: datetime | None = None, from_now: bool = False) -> Plan:
    """Propose briefings for session `number` and keep the proposals.

    With `from_now`, an upcoming session gets no proposal in the past; a session that
    has already started is planned as it could have been (for review and training).
    The session's earlier open proposals are superseded by this run's. Raises NotFound
    for an unknown session, Invalid for bad rule overrides or when the session already
    has a confirmed briefing (reschedule or cancel that instead).
    """
    session = get_session(number)
    _refuse_if_already_briefed(session)
    if from_now and session.start_date > clock.today():
        not_before = clock.now()
    plan = _plan(session, overrides or {}, not_before)
    audit.record(actor, "proposals.plan", "session", number, _plan_summary(plan))
    db.session.commit()
    return plan


def plan_upcoming_sessions(actor: audit.Actor, horizon_days: int,
                           now: datetime | None = None) -> list[Plan]:
    """Propose for every session starting within the horizon that has neither a
    confirmed briefing nor open proposals, and tell the secretariat. Returns the plans made.
    """
    now = now or clock.now()
    today = now.astimezone(GENEVA).date()
    sessions = db.session.scalars(db.select(UprSession).where(
        UprSession.start_date > today,
        UprSession.start_date <= today + timedelta(days=horizon_days),
        UprSession.status != "held").order_by(UprSession.start_date))
    plans = []
    for session in sessions:
        if _has_confirmed_briefing(session) or _has_open_proposals(session):
            continue
        plan = _plan(session, {}, not_before=now)
        audit.record(actor, "proposals.plan", "session", session.number, _plan_summary(plan))
        _notify_plan(plan, "New briefing proposals")
        db.session.commit()
        plans.append(plan)
    return plans


def session_dates_changed(session: UprSession, old_start: date, old_end: date) -> None:
    """React to a postponed or moved session, inside the caller's transaction.

    Open proposals are planned again for the new dates; confirmed briefings are flagged
    for the secretariat to review. Either way the secretariat gets a notice.
    """
    moved = Said(N_("UPR session %(number)s moved from %(before)s to %(after)s."),
                 number=session.number, before=Span(old_start, old_end),
                 after=Span(session.start_date, session.end_date))
    _session_changed(session, moved, f"moved:{session.number}:{session.start_date}:"
                                     f"{session.end_date}", "moved")


def session_published(session: UprSession) -> None:
    """React to an expected session OHCHR has now published, inside the caller's transaction.

    As for moved dates: open proposals (tentative until now) are planned again with the
    published dates and order of review; confirmed briefings, set while the session was
    only expected, are flagged for review. The secretariat gets a notice.
    """
    published = Said(N_("UPR session %(number)s is published: %(dates)s, with its order of "
                        "review."), number=session.number,
                     dates=Span(session.start_date, session.end_date))
    _session_changed(session, published, f"published:{session.number}:{session.start_date}:"
                                         f"{session.end_date}", "published")


def _session_changed(session: UprSession, what: Said, key: str, verb: str) -> None:
    confirmed = [b for b in _briefings_of(session) if b.status == "confirmed"]
    for briefing in confirmed:
        briefing.needs_review = True
        briefing.review_note = Said(N_("%(what)s Check that this briefing still fits."),
                                    what=what)
    if confirmed:
        notify_secretariat(key, f"UPR{session.number} {verb}: confirmed briefings need review",
                           what + "\n\nConfirmed briefings to review:\n" + "\n".join(
                               f"- {_describe(b)}" for b in confirmed) + _session_link(session))
    elif _has_open_proposals(session):
        plan = _plan(session, {}, not_before=clock.now())
        _notify_plan(plan, "Briefing proposals re-planned", preface=what)


def replan_open_proposals(session: UprSession, why: str) -> None:
    """Plan a session again when it has open proposals (its states under review changed),
    inside the caller's transaction, and tell the secretariat. A session that has started
    is planned as it could have been, like `plan_session`."""
    if not _has_open_proposals(session):
        return
    upcoming = session.start_date > clock.today()
    plan = _plan(session, {}, not_before=clock.now() if upcoming else None)
    _notify_plan(plan, "Briefing proposals re-planned", preface=why)


def _plan(session: UprSession, overrides: dict[str, Any],
          not_before: datetime | None) -> Plan:
    """Plan, with the reasons and why nothing fits in every written language."""
    rules = configured_rules(overrides)
    words = phrasings()
    result = planner.propose(_session_info(session), _presenters(session), _rooms(),
                             _busy(session), rules, _preferences(session), not_before, words)
    result, covered = _with_coverage(session, result, rules, words)
    return Plan(session, result, _store(session, result, overrides), rules, covered)


def session_coverage(session: UprSession, rules: planner.Rules | None = None,
                     words: Phrasing = ENGLISH) -> reference_coverage.Coverage:
    """What the Council sessions and closures on file cover of the session's window (its
    lines and warnings in the language of `words`)."""
    days = planner.planning_window(_session_info(session), rules or configured_rules())
    return coverage_service.window_coverage(days, words)


def _with_coverage(session: UprSession, result: planner.PlanResult, rules: planner.Rules,
                   words: dict[str, Phrasing] | None = None
                   ) -> tuple[planner.PlanResult, reference_coverage.Coverage]:
    """The result with reasons true to the reference data on file (in each language of
    `words` too), and its coverage."""
    covered = session_coverage(session, rules)
    words = words or {}
    proposals = [replace(
        p, reasons=reference_coverage.qualify_reasons(p.reasons, covered),
        reasons_by_language={code: reference_coverage.qualify_reasons(lines, covered,
                                                                      words[code])
                             for code, lines in p.reasons_by_language.items()})
        for p in result.proposals]
    return replace(result, proposals=proposals), covered


def coverage_text(covered: reference_coverage.Coverage | None) -> list[str]:
    """The coverage as lines of text (CLI, notices): what covered the window, then warnings."""
    if covered is None:
        return []
    return [*covered.lines, *(f"Warning: {w.text}." for w in covered.warnings)]


def _plan_summary(plan: Plan) -> str:
    if plan.proposals:
        return f"{len(plan.proposals)} proposals"
    return "; ".join(plan.result.why)[:500]


def _notify_plan(plan: Plan, title: str, preface: str = "") -> None:
    session = plan.session
    lines = [preface] if preface else []
    if plan.result.proposals:
        lines.append(f"Proposed briefing times for UPR session {session.number} "
                     f"({wording.date_range(session.start_date, session.end_date)}), best first:")
        for proposal in plan.result.proposals:
            lines.append(f"\n#{proposal.rank} (score {proposal.score:g}, id {proposal.id})")
            lines += [f"  - {reason}" for reason in proposal.reasons]
    else:
        lines.append(f"No briefing time fits before UPR session {session.number}:")
        lines += [f"  - {reason}" for reason in plan.result.why]
    lines += ["", "What the proposals rest on:"] + [f"  - {line}"
                                                    for line in coverage_text(plan.coverage)]
    key = plan.result.proposals[0].id if plan.result.proposals else "none"
    notify_secretariat(f"plan:{session.number}:{session.start_date}:{key}",
                       f"{title}: UPR{session.number}", "\n".join(lines) + _session_link(session))


def _session_link(session: UprSession) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"\n\nReview and confirm: {base}/sessions/{session.number}\n"


def _has_confirmed_briefing(session: UprSession) -> bool:
    return any(b.status == "confirmed" for b in _briefings_of(session))


def _has_open_proposals(session: UprSession) -> bool:
    return db.session.scalar(db.select(Proposal.id).filter_by(
        session_id=session.id, status="open").limit(1)) is not None


def _briefings_of(session: UprSession) -> list[Briefing]:
    return list(db.session.scalars(db.select(Briefing).filter_by(session_id=session.id)))


def open_proposals(number: int) -> list[Proposal]:
    """The session's current proposals, best first."""
    session = get_session(number)
    return list(db.session.scalars(db.select(Proposal).filter_by(
        session_id=session.id, status="open").order_by(Proposal.rank)))


def session_briefings(number: int, include_cancelled: bool = False) -> list[Briefing]:
    """The session's briefings in time order (confirmed and held; cancelled if asked)."""
    session = get_session(number)
    query = db.select(Briefing).filter_by(session_id=session.id).order_by(Briefing.start_at)
    if not include_cancelled:
        query = query.where(Briefing.status != "cancelled")
    return list(db.session.scalars(query))


class Confirmed(list):
    """The briefings a proposal became, in time order; `already` when an earlier (or a
    concurrent) confirm created them and this one changed nothing."""

    already: bool = False

    @classmethod
    def of(cls, briefings: list[Briefing], already: bool) -> Confirmed:
        confirmed = cls(sorted(briefings, key=lambda b: b.start_at))
        confirmed.already = already
        return confirmed


def confirm_proposal(key: str, actor: audit.Actor, allow_past: bool = False,
                     allow_expected: bool = False, note: str = "") -> Confirmed:
    """Turn a proposal into briefings (one per meeting), each with its own stable UID.

    Exactly once: the session's row is locked first, so confirms of the session run one
    after the other, and a proposal already confirmed answers with its briefings (the
    unique (proposal, meeting) constraint backs this up). The meetings are checked again
    against what the calendar holds now; a proposal that no longer fits, is superseded,
    or whose session already has briefings is refused, and so is one with a meeting in
    the past unless `allow_past` (invitations for a past date), and one for an expected
    session (its dates not yet published) unless `allow_expected`. `note` goes into every
    invitation.
    """
    note = checked_note(note)
    proposal = db.session.scalar(db.select(Proposal).filter_by(key=key.strip()))
    if proposal is None:
        raise NotFound(f"no proposal {key!r}: run `propose` for the session to get current ids")
    proposal_id, session_id = proposal.id, proposal.session_id
    try:
        return locks.retrying(lambda: _confirm_locked(proposal_id, session_id, actor,
                                                      allow_past, allow_expected, note))
    except IntegrityError:  # a concurrent confirm won between our check and our insert
        db.session.rollback()
        return Confirmed.of(_briefings_of_proposal(proposal_id), already=True)


def _confirm_locked(proposal_id: int, session_id: int, actor: audit.Actor,
                    allow_past: bool, allow_expected: bool, note: str) -> Confirmed:
    locks.lock_session(session_id)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal.status == "confirmed":
        db.session.rollback()
        return Confirmed.of(_briefings_of_proposal(proposal_id), already=True)
    key = proposal.key
    if proposal.status != "open":
        raise Invalid(f"proposal {key} is {proposal.status}, not open: plan the session again")
    session = proposal.session
    _refuse_if_already_briefed(session)
    if not allow_expected:
        refuse_expected(session)
    meetings = [_meeting_from_json(m) for m in proposal.meetings]
    if not allow_past:
        clock.refuse_past([m.start for m in meetings])
    problems = _recheck(session, meetings)
    if problems:
        raise Invalid(f"proposal {key} no longer fits: " + "; ".join(problems)
                      + ". Plan the session again.")
    made = [_create_briefing(session, meeting, proposal, index)
            for index, meeting in enumerate(meetings)]
    db.session.flush()
    for briefing in made:
        fanout.queue(briefing, "invite", note)
    proposal.status = "confirmed"
    for other in db.session.scalars(db.select(Proposal).filter_by(session_id=session.id,
                                                                  status="open")):
        if other is not proposal:
            other.status = "superseded"
    db.session.flush()
    audit.record(actor, "briefing.confirm", "proposal", key,
                 "; ".join(_describe(b) for b in made))
    db.session.commit()
    return Confirmed.of(made, already=False)


def refuse_expected(session: UprSession) -> None:
    """Invalid (field "allow_expected") when the session is only expected: invitations for
    it go out only when the secretariat says it understands its dates may still change."""
    if session.status == "expected":
        source = f" (forecast from session {session.forecast_from})" \
            if session.forecast_from else ""
        raise Invalid(f"session {session.number} is expected{source}: its dates and order of "
                      "review are not yet published, so the briefing may have to move",
                      field="allow_expected")


def _briefings_of_proposal(proposal_id: int) -> list[Briefing]:
    return list(db.session.scalars(db.select(Briefing).filter_by(proposal_id=proposal_id)))


@dataclass
class ManualResult:
    briefing: Briefing
    warnings: list[str]


def set_by_hand(number: int, start: datetime, end: datetime, room_name: str,
                iso3s: list[str], actor: audit.Actor, allow_past: bool = False,
                allow_expected: bool = False, note: str = "") -> ManualResult:
    """Create a briefing at a time chosen by the secretariat.

    Hard constraints are enforced (Invalid lists what breaks); soft ones come back as
    warnings. `iso3s` are the presenting states, in agenda order (default: review order).
    A start in the past is refused unless `allow_past`, and an expected session (its
    dates not yet published) unless `allow_expected`. `note` goes into every invitation.
    """
    note = checked_note(note)
    session = get_session(number)
    locks.lock_session(session.id)  # one briefing set per session, even when posted twice
    _refuse_if_already_briefed(session)
    if not allow_expected:
        refuse_expected(session)
    if not allow_past:
        clock.refuse_past([start])
    briefing, warnings = draft_by_hand(number, start, end, room_name, iso3s)
    db.session.flush()
    fanout.queue(briefing, "invite", note)
    audit.record(actor, "briefing.set_by_hand", "briefing", briefing.id, _describe(briefing))
    db.session.commit()
    return ManualResult(briefing, warnings)


def draft_by_hand(number: int, start: datetime, end: datetime, room_name: str,
                  iso3s: list[str]) -> tuple[Briefing, list[str]]:
    """The briefing a time set by hand makes, added to the session and not committed (a
    preview rolls it back), with the soft constraints' warnings; Invalid when a hard one
    breaks."""
    session = get_session(number)
    room = db.session.scalar(db.select(Room).filter_by(name=room_name, active=True))
    if room is None:
        raise Invalid(f"no active room named {room_name!r}")
    presenters = _presenters_in_order(session, iso3s)
    rules = configured_rules()
    check = planner.check_meeting(_session_info(session), presenters, start, end,
                                  planner.Room(room.name, room.capacity), _busy(session), rules,
                                  _preferences(session), phrasing())
    _refuse_problems(check)
    meeting = _manual_meeting(start, end, room.name, presenters, rules)
    return _create_briefing(session, meeting, None), check.warnings


def get_briefing(briefing_id: int) -> Briefing:
    """The briefing with this id, or NotFound."""
    briefing = db.session.get(Briefing, briefing_id)
    if briefing is None:
        raise NotFound(f"no briefing {briefing_id}")
    invitations.load_agenda(briefing)  # its agenda, reviews and states in one query
    return briefing


def list_briefings(include_cancelled: bool = True) -> list[Briefing]:
    """Every briefing, newest first."""
    query = db.select(Briefing).order_by(Briefing.start_at.desc())
    if not include_cancelled:
        query = query.where(Briefing.status != "cancelled")
    return list(db.session.scalars(query))


@dataclass
class RescheduleResult:
    briefing: Briefing
    warnings: list[str]
    notified: int
    #: True when the briefing was already at that time (posted twice): nothing was sent
    already: bool = False


class OutOfOrder(Invalid):
    """A new time that breaks the order of review: `warnings` say how, one sentence each
    (in the language of the page that asked)."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(N_("this time breaks the order of review: %(warnings)s"),
                         field="allow_out_of_order",
                         params={"warnings": _semicolons(warnings)})
        self.warnings = warnings


def _refuse_problems(check: planner.MeetingCheck) -> None:
    """Invalid, naming every problem, when a time set by hand breaks a hard constraint."""
    if not check.ok:
        raise Invalid(N_("this time does not work: %(problems)s"),
                      params={"problems": _semicolons(check.problems)})


def _semicolons(items: list[str]) -> str:
    """"a; b; c" in the current language ("a ; b" in French, "a؛ b" in Arabic)."""
    text = ""
    for item in items:
        text = _("%(items)s; %(item)s", items=text, item=item) if text else item
    return text


def reschedule(briefing_id: int, start: datetime, end: datetime | None,
               actor: audit.Actor, allow_past: bool = False,
               allow_out_of_order: bool = True, note: str = "") -> RescheduleResult:
    """Move a confirmed briefing: same UID, SEQUENCE + 1, the update queued to everyone.

    `end` defaults to keeping the length. Hard constraints are checked as for a time set
    by hand, and the new time must not overlap any other confirmed briefing; answers are
    reset, since the time changed. A new start in the past is refused unless
    `allow_past`. A time that breaks the order of review with the session's other
    confirmed briefings comes back among the warnings, or is refused with OutOfOrder
    unless `allow_out_of_order`. The briefing's row is locked first, so a move posted
    twice (or racing a cancellation) is applied once: moving to the time it already has
    changes nothing and sends nothing.
    """
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise Invalid("give the new times with their UTC offset, e.g. 2025-04-24T10:00+02:00")
    note = checked_note(note)
    get_briefing(briefing_id)
    return locks.retrying(lambda: _reschedule_locked(briefing_id, start, end, actor,
                                                     allow_past, allow_out_of_order, note))


def _reschedule_locked(briefing_id: int, start: datetime, end: datetime | None,
                       actor: audit.Actor, allow_past: bool,
                       allow_out_of_order: bool, note: str) -> RescheduleResult:
    locks.lock_briefing(briefing_id)
    briefing = get_briefing(briefing_id)
    if briefing.status != "confirmed":
        raise Invalid(f"briefing {briefing_id} is {briefing.status}: only a confirmed one moves")
    end = end or start + (briefing.end_at - briefing.start_at)
    if (briefing.start_at, briefing.end_at) == (start, end):
        db.session.rollback()
        return RescheduleResult(get_briefing(briefing_id), [], 0, already=True)
    if not allow_past:
        clock.refuse_past([start])
    shift = start - briefing.start_at
    last_item_end = max(item.end_at for item in briefing.items) + shift
    if last_item_end > end:
        raise Invalid("the agenda does not fit before the new end: give a later end")
    moving = _moving(briefing)
    check = _check_new_time(briefing, start, end, moving)
    _refuse_problems(check)
    out_of_order = planner.review_order_warnings(moving.presenters, start, end, moving.others,
                                                 phrasing())
    if out_of_order and not allow_out_of_order:
        raise OutOfOrder(out_of_order)
    old = _describe(briefing)
    apply_move(briefing, start, end)
    db.session.execute(db.update(Invitation).where(Invitation.briefing_id == briefing.id)
                       .values(partstat="NEEDS-ACTION", answered_at=None)
                       .execution_options(synchronize_session="fetch"))
    notified = fanout.queue(briefing, "update", note).recipients
    audit.record(actor, "briefing.reschedule", "briefing", briefing.id,
                 f"{old} → {_describe(briefing)}; sequence {briefing.sequence}")
    db.session.commit()
    return RescheduleResult(briefing, out_of_order + check.warnings, notified)


def apply_move(briefing: Briefing, start: datetime, end: datetime) -> None:
    """Set a briefing's new time (its agenda moving with it, closed up first if it waited
    for a decision: the new time carries the new agenda) and its next SEQUENCE; the
    caller resets the answers and queues the update (or, for a preview, rolls back)."""
    if briefing.agenda_pending:
        invitations.repack_agenda(briefing)
        briefing.agenda_pending = False
    shift = start - briefing.start_at
    briefing.start_at, briefing.end_at = start, end
    for item in briefing.items:
        item.start_at, item.end_at = item.start_at + shift, item.end_at + shift
    briefing.sequence += 1
    briefing.needs_review, briefing.review_note = False, ""


def reschedule_suggestions(briefing_id: int, limit: int = 5) -> list[planner.FreeTime]:
    """The planner's best free times to move a confirmed briefing to, best first.

    The same length, presenting states and room; the session's window, meeting hours,
    holidays, Council sessions, rooms, blackouts, busy periods and other briefings, as
    when planning; none in the past, not its current time, and none that breaks the
    order of review with the session's other confirmed briefings.
    """
    briefing = get_briefing(briefing_id)
    if briefing.status != "confirmed":
        return []
    moving = _moving(briefing)
    after, before = planner.review_order_bounds(moving.presenters, moving.others)
    minutes = int((briefing.end_at - briefing.start_at).total_seconds() // 60)
    return planner.free_times(moving.session, moving.presenters, moving.room, minutes,
                              moving.busy, moving.rules, moving.preferences,
                              not_before=clock.now(), after=after, before=before,
                              skip=briefing.start_at, limit=limit, w=phrasing())


@dataclass(frozen=True)
class _Moving:
    """The planner's view of a briefing about to move, and of everything around it."""

    session: planner.SessionInfo
    #: its presenting states, in review order
    presenters: list[planner.Presenter]
    room: planner.Room
    #: busy periods, other sessions' briefings near the window and this session's others
    busy: list[planner.Busy]
    #: the session's other confirmed briefings
    others: list[planner.OtherMeeting]
    rules: planner.Rules
    preferences: list[planner.MissionPreference]


def _moving(briefing: Briefing) -> _Moving:
    session, room = briefing.session, briefing.room
    presenters = _presenters(session)
    siblings = [b for b in _briefings_of(session)
                if b.status == "confirmed" and b.id != briefing.id]
    invitations.load_agendas(siblings)

    def presenting(b: Briefing) -> list[planner.Presenter]:
        iso3s = invitations.presenting_iso3s(b)
        return [p for p in presenters if p.iso3 in iso3s]

    return _Moving(
        _session_info(session), presenting(briefing),
        planner.Room(room.name, room.capacity) if room else planner.Room("", 10**6),
        _busy(session) + [_briefing_busy(b, session) for b in siblings],
        [planner.OtherMeeting(b.start_at, b.end_at, tuple(presenting(b))) for b in siblings],
        configured_rules(), _preferences(session))


def _check_new_time(briefing: Briefing, start: datetime, end: datetime,
                    moving: _Moving | None = None) -> planner.MeetingCheck:
    """The hard and soft constraints of moving `briefing` to start–end: as planned, and
    never over another confirmed briefing (of any session, however far from its window)."""
    moving = moving or _moving(briefing)
    overlapping = db.session.scalars(db.select(Briefing).where(
        Briefing.status == "confirmed", Briefing.id != briefing.id,
        Briefing.start_at < end, Briefing.end_at > start))
    busy = [b for b in moving.busy if b.kind != "briefing"]
    busy += [_briefing_busy(b, briefing.session) for b in overlapping]
    return planner.check_meeting(moving.session, moving.presenters, start, end, moving.room,
                                 busy, moving.rules, moving.preferences, phrasing())


def _briefing_busy(briefing: Briefing, session: UprSession) -> planner.Busy:
    """Another confirmed briefing as a busy period, named in plain words (the current
    language's: the label is shown in the warnings of a move)."""
    start, end = briefing.start_at.astimezone(GENEVA), briefing.end_at.astimezone(GENEVA)
    w = phrasing()
    if w is ENGLISH:
        when = f"{wording.day_and_time(start)}–{end:%H:%M}"
    else:
        hours = w.clock(start) + "–" + w.clock(end)
        when = _("%(day)s, %(time)s", day=w.day(start.date()), time=hours)
    label = _("this session's briefing of %(when)s", when=when) \
        if briefing.session_id == session.id else \
        _("UPR session %(number)s's briefing of %(when)s", number=briefing.session.number,
          when=when)
    return planner.Busy(briefing.start_at, briefing.end_at, "briefing", label)


@dataclass
class CancelResult:
    #: how many cancellations were queued
    notified: int
    #: True when the briefing was already cancelled (posted twice): nothing was sent
    already: bool = False


def cancel(briefing_id: int, actor: audit.Actor, note: str = "") -> CancelResult:
    """Cancel a confirmed briefing: METHOD:CANCEL (same UID, SEQUENCE + 1) to everyone.

    Exactly once: a second (or concurrent) cancel answers that it is already cancelled
    and sends nothing. A held briefing cannot be cancelled. `note` goes into every
    cancellation.
    """
    note = checked_note(note)
    get_briefing(briefing_id)
    return locks.retrying(lambda: _cancel_locked(briefing_id, actor, note))


def _cancel_locked(briefing_id: int, actor: audit.Actor, note: str) -> CancelResult:
    locks.lock_briefing(briefing_id)
    briefing = get_briefing(briefing_id)
    if briefing.status == "cancelled":
        db.session.rollback()
        return CancelResult(0, already=True)
    if briefing.status != "confirmed":
        raise Invalid(f"briefing {briefing_id} is already {briefing.status}")
    apply_cancel(briefing)
    notified = fanout.queue(briefing, "cancel", note).recipients
    audit.record(actor, "briefing.cancel", "briefing", briefing.id,
                 f"{_describe(briefing)}; sequence {briefing.sequence}; {notified} notified")
    db.session.commit()
    return CancelResult(notified)


def apply_cancel(briefing: Briefing) -> None:
    """Mark a briefing cancelled at its next SEQUENCE (the caller queues the cancellation,
    or, for a preview, rolls back)."""
    briefing.status = "cancelled"
    briefing.sequence += 1
    briefing.agenda_pending = False


def send_new_agenda(briefing_id: int, actor: audit.Actor, note: str = "") -> int:
    """The secretariat's decision after a presenter left the agenda: keep the meeting and
    send everyone the new agenda (same time, SEQUENCE + 1). Returns how many contacts will
    be told. Once only: a second (or concurrent) decision is refused, and so is one after
    the briefing was re-planned or cancelled. `note` goes into every update."""
    note = checked_note(note)
    get_briefing(briefing_id)

    def work() -> int:
        locks.lock_briefing(briefing_id)
        briefing = get_briefing(briefing_id)
        if briefing.status != "confirmed" or not briefing.agenda_pending:
            raise Invalid("this briefing's agenda is not waiting for a decision any more "
                          "(it was sent, re-planned or cancelled meanwhile)")
        notified = invitations.send_new_agenda(briefing, note)
        audit.record(actor, "briefing.new_agenda", "briefing", briefing.id,
                     f"{_describe(briefing)}; sequence {briefing.sequence}; {notified} notified")
        db.session.commit()
        return notified

    return locks.retrying(work)


def checked_note(note: str | None) -> str:
    """The secretariat's note for a version's e-mails, trimmed; Invalid (field "note") when
    it is too long."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(f"keep the note under {NOTE_MAX_LENGTH:,} characters "
                      f"(it has {len(note):,})", field="note")
    return note


def answer_by_link(token: str, answer: str, actor_label: str = "rsvp link",
                   comment: str = "") -> invitations.AnswerResult:
    """Record an answer given through a signed RSVP link (applied once, race-free)."""
    if answer not in invitations.ANSWERS:
        raise Invalid(f"unknown answer {answer!r}: accept, tentative or decline")

    def work() -> invitations.AnswerResult:
        invitation = invitations.invitation_from_token(token)
        result = invitations.record_answer(
            invitation, invitations.ANSWERS[answer], "link",
            audit.Actor(f"{actor_label}: {invitation.contact.email}"), comment)
        db.session.commit()
        return result

    return locks.retrying(work)


# --- planner inputs ----------------------------------------------------------------------

def _session_info(session: UprSession) -> planner.SessionInfo:
    return planner.SessionInfo(session.number, session.start_date, session.end_date,
                               expected=session.status == "expected")


def planning_window(session: UprSession) -> list[date]:
    """The working days the configured rules leave for briefings before the session."""
    return planner.planning_window(_session_info(session), configured_rules())


def session_presenters(session: UprSession) -> list[planner.Presenter]:
    """The states of the session that present at its briefings under the configured rules
    (NAM members, and observers when `include_observers`), in review order."""
    return planner.presenting(_presenters(session), configured_rules())


def _presenters(session: UprSession) -> list[planner.Presenter]:
    return [planner.Presenter(r.state_iso3, r.state.name, r.position, r.state.nam_status,
                              r.review_date, r.start_at) for r in session.reviews]


def _presenters_in_order(session: UprSession, iso3s: list[str]) -> list[planner.Presenter]:
    by_iso3 = {p.iso3: p for p in _presenters(session)}
    wanted = [code.strip().upper() for code in iso3s if code.strip()]
    unknown = [code for code in wanted if code not in by_iso3]
    if unknown:
        raise Invalid(f"not under review in session {session.number}: {', '.join(unknown)}")
    if not wanted:
        wanted = [p.iso3 for p in planner.presenting(by_iso3.values(), configured_rules())]
    if not wanted:
        raise Invalid(f"no NAM member is under review in session {session.number}")
    return [by_iso3[code] for code in wanted]


def _preferences(session: UprSession) -> list[planner.MissionPreference]:
    """The weekdays the missions of the states under review prefer or avoid."""
    missions = [r.state.mission for r in session.reviews if r.state.mission is not None]
    return [planner.MissionPreference(m.state_iso3,
                                      preferred_weekdays=frozenset(m.preferred_weekdays or ()),
                                      avoided_weekdays=frozenset(m.avoided_weekdays or ()))
            for m in missions if m.active and (m.preferred_weekdays or m.avoided_weekdays)]


def _rooms() -> list[planner.Room]:
    rooms = db.session.scalars(db.select(Room).filter_by(active=True)
                               .order_by(Room.capacity.desc(), Room.name))
    return [planner.Room(room.name, room.capacity) for room in rooms]


def _busy(session: UprSession) -> list[planner.Busy]:
    """Busy periods and other briefings around the session's planning window."""
    low, high = day_bounds_utc(session.start_date - timedelta(days=90), session.start_date)
    periods = db.session.scalars(db.select(BusyPeriod).where(
        BusyPeriod.end_at > low, BusyPeriod.start_at < high))
    busy = [planner.Busy(p.start_at, p.end_at, p.kind, p.label,
                         room=p.room.name if p.room else None,
                         mission_iso3=p.mission.state_iso3 if p.mission else None)
            for p in periods]
    others = db.session.scalars(db.select(Briefing).where(
        Briefing.status == "confirmed", Briefing.session_id != session.id,
        Briefing.end_at > low, Briefing.start_at < high))
    busy += [planner.Busy(b.start_at, b.end_at, "briefing",
                          Said(N_("NAM briefing for UPR%(number)s"), number=b.session.number))
             for b in others]
    return busy


# --- storing ------------------------------------------------------------------------------

def _store(session: UprSession, result: planner.PlanResult, overrides: dict) -> list[Proposal]:
    for stale in db.session.scalars(db.select(Proposal).filter_by(session_id=session.id,
                                                                  status="open")):
        stale.status = "superseded"
    payload = planner.result_to_json(result)["proposals"]
    translated = {p.id: p.reasons_by_language for p in result.proposals}
    stored = []
    for item in payload:
        proposal = db.session.scalar(db.select(Proposal).filter_by(key=item["id"]))
        if proposal is None:
            proposal = Proposal(key=item["id"], session_id=session.id)
            db.session.add(proposal)
        proposal.rank, proposal.score = item["rank"], item["score"]
        proposal.reasons, proposal.meetings = item["reasons"], item["meetings"]
        proposal.reasons_by_language = translated.get(item["id"]) or None
        proposal.rules = {k: _jsonable(v) for k, v in overrides.items() if v is not None}
        if proposal.status != "confirmed":
            proposal.status = "open"
        stored.append(proposal)
    db.session.flush()
    return [p for p in stored if p.status == "open"]


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _meeting_from_json(data: dict) -> planner.Meeting:
    agenda = [planner.AgendaItem(a["iso3"], a["name"], datetime.fromisoformat(a["start"]),
                                 datetime.fromisoformat(a["end"])) for a in data["agenda"]]
    return planner.Meeting(datetime.fromisoformat(data["start"]),
                           datetime.fromisoformat(data["end"]), data["room"], agenda)


def _manual_meeting(start: datetime, end: datetime, room: str,
                    presenters: list[planner.Presenter], rules: planner.Rules) -> planner.Meeting:
    cursor = start + timedelta(minutes=rules.opening_minutes)
    agenda = []
    for presenter in presenters:
        item_end = min(cursor + timedelta(minutes=rules.minutes_per_state), end)
        if item_end <= cursor:
            raise Invalid(f"{presenters.index(presenter)} of {len(presenters)} states fit "
                          "between the opening and the end: make the meeting longer")
        agenda.append(planner.AgendaItem(presenter.iso3, presenter.name, cursor, item_end))
        cursor = item_end
    return planner.Meeting(start.astimezone(GENEVA), end.astimezone(GENEVA), room, agenda)


def _recheck(session: UprSession, meetings: list[planner.Meeting]) -> list[str]:
    rooms = {r.name: r for r in _rooms()}
    presenters = {p.iso3: p for p in _presenters(session)}
    busy = _busy(session)
    rules = configured_rules()
    problems = []
    for meeting in meetings:
        room = rooms.get(meeting.room)
        if room is None:
            problems.append(f"room {meeting.room} is no longer available")
            continue
        check = planner.check_meeting(_session_info(session),
                                      [presenters[a.iso3] for a in meeting.agenda if a.iso3 in presenters],
                                      meeting.start, meeting.end, room, busy, rules)
        problems += check.problems
    return problems


def _refuse_if_already_briefed(session: UprSession) -> None:
    existing = [b for b in _briefings_of(session) if b.status == "confirmed"]
    if existing:
        raise Invalid(f"session {session.number} already has a confirmed briefing "
                      f"({', '.join(_describe(b) for b in existing)}): reschedule or cancel it")


def draft_briefing(proposal: Proposal, index: int) -> Briefing:
    """The briefing that confirming the proposal creates for its meeting `index`, added to
    the session and not committed (a preview rolls it back)."""
    return _create_briefing(proposal.session, _meeting_from_json(proposal.meetings[index]),
                            proposal, index)


def _create_briefing(session: UprSession, meeting: planner.Meeting,
                     proposal: Proposal | None, index: int | None = None) -> Briefing:
    room = db.session.scalar(db.select(Room).filter_by(name=meeting.room))
    reviews = {r.state_iso3: r for r in session.reviews}
    briefing = Briefing(session=session, proposal=proposal, proposal_meeting=index,
                        status="confirmed", start_at=meeting.start, end_at=meeting.end, room=room,
                        uid=new_uid(), sequence=0)
    for position, item in enumerate(meeting.agenda, start=1):
        briefing.items.append(BriefingItem(review=reviews[item.iso3], position=position,
                                           start_at=item.start, end_at=item.end))
    db.session.add(briefing)
    return briefing


def new_uid() -> str:
    """A fresh iCalendar UID, never reused: random, at the organizer's domain."""
    domain = current_app.config["ORGANIZER_EMAIL"].rpartition("@")[2] or "nam-briefings"
    return f"nam-briefing-{uuid.uuid4()}@{domain}"


def _describe(briefing: Briefing) -> str:
    start = briefing.start_at.astimezone(GENEVA)
    end = briefing.end_at.astimezone(GENEVA)
    states = ", ".join(item.review.state_iso3 for item in briefing.items)
    return f"{wording.short_datetime(start)}–{end:%H:%M} ({states})"

