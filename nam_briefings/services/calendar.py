"""The UPR calendar and NAM roster: CSV imports and the shipped reference data.

An import is all-or-nothing: the whole file is checked first (`domain.imports`), then
checked against the database, and only a valid file is written, in one transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..domain import imports
from ..domain.calendar import day_bounds_utc, to_local
from ..domain.errors import Invalid, NotFound
from ..domain.imports import MISSION, REVIEW, SESSION, ImportRejected, RowError
from ..domain.messages import Joined, Moment, Said
from ..extensions import db
from ..models import (
    Briefing,
    BriefingItem,
    BusyPeriod,
    Contact,
    Mission,
    Proposal,
    Review,
    Room,
    State,
    UprSession,
)
from . import audit, clock, invitations, outbox_rules
from .briefings import replan_open_proposals, session_dates_changed, session_published
from .forecast import apply_current_and_next
from .languages import N_

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: kind -> shipped file, in the order they must be loaded
REFERENCE_FILES = {
    "states": "states.csv",
    "sessions": "upr_sessions.csv",
    "reviews": "upr_reviews.csv",
    "hrc-sessions": "hrc_sessions.csv",
}
DEFAULT_ROOM = {"name": "Room XXIV, Palais des Nations", "capacity": 150,
                "location": "Avenue de la Paix 14, 1211 Geneva"}

Progress = Callable[[int], None]


#: an import's summary, by (dry run, rows on file updated, rows removed)
SUMMARIES = {
    (True, True, False): N_("%(kind)s: would add %(added)s, would change %(changed)s, "
                            "%(unchanged)s unchanged"),
    (True, True, True): N_("%(kind)s: would add %(added)s, would change %(changed)s, "
                           "%(unchanged)s unchanged, would remove %(removed)s"),
    (False, True, False): N_("%(kind)s: added %(added)s, changed %(changed)s, "
                             "%(unchanged)s unchanged"),
    (False, True, True): N_("%(kind)s: added %(added)s, changed %(changed)s, "
                            "%(unchanged)s unchanged, removed %(removed)s"),
    (True, False, False): N_("%(kind)s: would add %(added)s, would change %(changed)s, "
                             "%(unchanged)s already present"),
    (True, False, True): N_("%(kind)s: would add %(added)s, would change %(changed)s, "
                            "%(unchanged)s already present, would remove %(removed)s"),
    (False, False, False): N_("%(kind)s: added %(added)s, changed %(changed)s, "
                              "%(unchanged)s already present"),
    (False, False, True): N_("%(kind)s: added %(added)s, changed %(changed)s, "
                             "%(unchanged)s already present, removed %(removed)s"),
}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do).

    Its lines and summary are `Said`: English text (what the CLI prints and the audit log
    records), which a page writes in its own language."""

    kind: str
    dry_run: bool
    delimiter: str = ","
    added: list[Said] = field(default_factory=list)
    changed: list[Said] = field(default_factory=list)
    unchanged: int = 0
    #: False: rows already present are kept as they are, even when the file differs
    update_existing: bool = True
    #: rows taken out (only the review order of a session removes: the list is the whole session)
    removed: list[str] = field(default_factory=list)
    #: contacts: invitations queued (a dry run: that would be queued) to the new contacts
    invitations: int = 0
    #: contacts: how many new contacts those invitations go to
    invited_contacts: int = 0
    #: contacts: False when the import was told not to invite the new contacts
    invite: bool = True
    #: expected sessions the import publishes (their dates or states under review given)
    published: list[int] = field(default_factory=list)
    #: reviews moved from another session of the cycle: (iso3, from session, to session)
    moves: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def summary(self) -> Said:
        """E.g. "sessions: would add 1, would change 0, 3 unchanged"."""
        template = SUMMARIES[(self.dry_run, self.update_existing, bool(self.removed))]
        return Said(template, kind=self.kind, added=len(self.added),
                    changed=len(self.changed), unchanged=self.unchanged,
                    removed=len(self.removed))


def count_rows(data: bytes | str) -> int:
    """How many data rows a file has (for sizing a progress bar); 0 if unreadable."""
    try:
        return max(imports.decode(data).count("\n") - 1, 0)
    except ImportRejected:
        return 0


def import_csv(kind: str, data: bytes | str, actor: audit.Actor, *, dry_run: bool = False,
               source: str = "", progress: Progress | None = None,
               update_existing: bool = True, invite: bool = True) -> ImportReport:
    """Import one CSV file of `kind`; all or nothing.

    Raises ImportRejected (every bad row with its line) or Invalid (unknown kind);
    in both cases nothing is written. With `dry_run`, reports without writing. With
    `update_existing=False`, rows already in the database are kept as they are (what
    the seed does, so that it never undoes the secretariat's corrections).

    Publishing: a sessions file giving an expected session's dates, or a reviews file
    listing its states (then its whole list, in order of review), publishes it (status
    scheduled; see `_publish`). A reviews file listing a state whose review is in another
    session of the same cycle that is not held moves that review (a deferred review).

    New contacts are sent the current version of every upcoming briefing (the report
    says how many invitations, also for a dry run), unless `invite` is False.
    """
    parsed = imports.parse_file(kind, data, _references())
    conflicts = _database_conflicts(parsed, update_existing)
    if conflicts:
        raise ImportRejected(conflicts)
    report = ImportReport(kind, dry_run, parsed.delimiter, update_existing=update_existing,
                          invite=invite)
    try:
        _APPLY[kind](parsed, report, progress)
        if dry_run:
            db.session.rollback()
            return report
        if report.added or report.changed:
            audit.record(actor, f"import.{kind}", kind, source, str(report.summary))
        _audit_publishing(report, actor, source)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def import_review_order(number: int, iso3s: list[str], actor: audit.Actor, *,
                        dry_run: bool = False, source: str | None = None) -> ImportReport:
    """Set the states under review in session `number`, in order (the first is reviewed first).

    The list is the whole session: a state left out is removed from it, unless it is on the
    agenda of a confirmed briefing (Invalid: cancel or reschedule that first); open proposals
    that count it as a presenter are set aside, to be planned again. Goes through the reviews
    import, so the same checks apply; the problems it finds are numbered by the state's place
    in `iso3s` (1 = first) rather than by a file's line. All or nothing: changes the
    caller made to the session beforehand are committed with it, or rolled back with it.
    An expected session is published by it; a state reviewed in another session of the
    cycle that is not held moves here with its history (see `import_csv`).
    """
    codes = [code.strip().upper() for code in iso3s if code.strip()]
    if not codes:
        raise Invalid(N_("give at least one state under review (its ISO code, e.g. KWT)"))
    session = db.session.scalar(db.select(UprSession).filter_by(number=number))
    if session is None:
        raise NotFound(N_("no UPR session %(number)s"), params={"number": number})
    rows = "".join(f"{number},{code},{position}\n" for position, code in enumerate(codes, 1))
    try:
        removed = _remove_reviews_left_out(session, set(codes), actor)
        report = import_csv("reviews", "session,iso3,position\n" + rows, actor, dry_run=dry_run,
                            source=source or f"review order of session {number}")
    except ImportRejected as rejected:
        db.session.rollback()
        raise ImportRejected(RowError(error.line - 1, error.message)
                             for error in rejected.errors) from None
    except Exception:
        db.session.rollback()
        raise
    report.removed = removed
    return report


def _remove_reviews_left_out(session: UprSession, kept: set[str], actor: audit.Actor) -> list[str]:
    """Delete the session's reviews of states not in `kept` (not committed); their labels."""
    labels = _take_off_left_out(session, kept)
    if labels:
        audit.record(actor, "import.reviews", "reviews",
                     f"review order of session {session.number}", "removed " + ", ".join(labels))
    return labels


def _take_off_left_out(session: UprSession, kept: set[str]) -> list[str]:
    """`_remove_reviews_left_out` without the audit (the caller records it)."""
    left_out = [review for review in session.reviews if review.state_iso3 not in kept]
    if not left_out:
        return []
    on_agenda = sorted({review.state_iso3 for review in left_out for item in db.session.scalars(
        db.select(BriefingItem).join(BriefingItem.briefing).where(
            BriefingItem.review_id == review.id, Briefing.status == "confirmed"))})
    if on_agenda:
        refusal = (N_("%(states)s presents at a confirmed briefing of session %(number)s: "
                      "reschedule or cancel that briefing before removing them from the "
                      "session") if len(on_agenda) == 1 else
                   N_("%(states)s present at a confirmed briefing of session %(number)s: "
                      "reschedule or cancel that briefing before removing them from the "
                      "session"))
        raise Invalid(refusal, params={"states": ", ".join(on_agenda), "number": session.number})
    gone = {review.state_iso3 for review in left_out}
    for proposal in db.session.scalars(db.select(Proposal).filter_by(session_id=session.id,
                                                                      status="open")):
        if gone & _proposal_iso3s(proposal):
            proposal.status = "superseded"
    labels = [f"review of {review.state_iso3} in session {session.number}" for review in left_out]
    for review in left_out:
        db.session.delete(review)
    db.session.flush()
    db.session.expire(session, ["reviews"])
    return labels


def _proposal_iso3s(proposal: Proposal) -> set[str]:
    """The states presenting in a stored proposal."""
    return {item["iso3"] for meeting in proposal.meetings for item in meeting["agenda"]}


def seed_reference_data(actor: audit.Actor, forecast: bool = True) -> list[ImportReport]:
    """Load the shipped states, UPR sessions and reviews, HRC sessions and a default room,
    then (unless `forecast` is False) write the rotation's forecast of the current and the
    next cycle as expected sessions.

    Safe to run any number of times: only missing rows are added, and rows already
    there (perhaps corrected since by the secretariat) are left as they are.
    """
    reports = [
        import_csv(kind, (DATA_DIR / name).read_bytes(), actor, source=f"shipped {name}",
                   update_existing=False)
        for kind, name in REFERENCE_FILES.items()
    ]
    if db.session.scalar(db.select(Room).filter_by(name=DEFAULT_ROOM["name"])) is None:
        room = Room(**DEFAULT_ROOM)
        db.session.add(room)
        db.session.flush()
        audit.record(actor, "room.create", "room", room.id, f"default room {room.name}")
        db.session.commit()
    if forecast:
        apply_current_and_next(actor)
    return reports


def table_counts() -> dict[str, int]:
    """Rows per calendar/roster table: what `seed` reports and tests compare."""
    models = {"states": State, "sessions": UprSession, "reviews": Review,
              "busy_periods": BusyPeriod, "rooms": Room, "missions": Mission,
              "contacts": Contact}
    return {name: db.session.scalar(db.select(db.func.count()).select_from(model)) or 0
            for name, model in models.items()}


# --- references and conflicts ----------------------------------------------------------

def _references() -> imports.References:
    sessions = {number: (start, end) for number, start, end in db.session.execute(
        db.select(UprSession.number, UprSession.start_date, UprSession.end_date))}
    return imports.References(
        states=frozenset(db.session.scalars(db.select(State.iso3))),
        sessions=sessions,
        missions=frozenset(db.session.scalars(db.select(Mission.state_iso3))),
    )


def _database_conflicts(parsed: imports.ParsedFile, update_existing: bool = True
                        ) -> list[RowError]:
    """Rows that are valid alone but clash with what the database holds. (Keeping what is
    on file, as the seed does, neither publishes nor moves anything: see `import_csv`.)"""
    if parsed.kind != "reviews":
        return []
    in_file = {(row.record.session, row.record.iso3) for row in parsed.rows}
    # an expected session's forecast order gives way to the file's: no clash there
    query = db.select(UprSession.number, Review.position, Review.state_iso3).join(Review.session)
    if update_existing:
        query = query.where(UprSession.status != "expected")
    taken = {(number, position): iso3 for number, position, iso3 in db.session.execute(query)}
    deferred = _deferred_reviews(parsed) if update_existing else {}
    errors = []
    for row in parsed.rows:
        holder = taken.get((row.record.session, row.record.position))
        if holder and holder != row.record.iso3 and (row.record.session, holder) not in in_file:
            errors.append(RowError(row.line, Said(
                N_("position %(position)s in session %(number)s is already held by %(iso3)s"),
                position=row.record.position, number=row.record.session, iso3=holder)))
        review = deferred.get((row.record.session, row.record.iso3))
        briefing = _confirmed_briefing_of(review) if review else None
        if briefing is not None:
            errors.append(RowError(row.line, Said(
                N_("%(iso3)s presents at a confirmed briefing of session %(number)s "
                   "(%(when)s): reschedule or cancel that briefing before moving its review "
                   "to session %(target)s"), iso3=review.state_iso3,
                number=review.session.number, when=Moment.of(to_local(briefing.start_at)),
                target=row.record.session)))
    return errors


def _deferred_reviews(parsed: imports.ParsedFile) -> dict[tuple[int, str], Review]:
    """(session, iso3) rows of a reviews file whose state is not in that session but in
    another session of the same cycle that is not held: that review, to be moved (a state
    deferred, as Myanmar's review was from session 51 to 54: a state is reviewed once a
    cycle, so a second session of the cycle listing it means the first did not review it)."""
    rows = [(row.record.session, row.record.iso3) for row in parsed.rows]
    if not rows:
        return {}
    sessions = {s.number: s for s in db.session.scalars(db.select(UprSession))}
    by_state: dict[str, list[Review]] = {}
    for review in db.session.scalars(db.select(Review).where(
            Review.state_iso3.in_({iso3 for _, iso3 in rows}))):
        by_state.setdefault(review.state_iso3, []).append(review)
    found = {}
    for number, iso3 in rows:
        target, theirs = sessions.get(number), by_state.get(iso3, [])
        if target is None or any(r.session_id == target.id for r in theirs):
            continue
        movable = [r for r in theirs if r.session.cycle == target.cycle
                   and r.session.status != "held"]
        if movable:
            found[(number, iso3)] = min(movable, key=lambda r: r.session.number)
    return found


def _confirmed_briefing_of(review: Review) -> Briefing | None:
    """A confirmed briefing where the review's state presents, if any."""
    return db.session.scalar(db.select(Briefing).join(BriefingItem).where(
        BriefingItem.review_id == review.id, Briefing.status == "confirmed").limit(1))


# --- applying valid rows ------------------------------------------------------------------

def _sync(report: ImportReport, label: Said, row: Any, values: dict[str, Any],
          create: Callable[[], Any]) -> Any:
    """Create the row if missing, else update the fields that differ; note it in the report
    ("session 45: start_date 2025-01-20 → 2025-01-27": the column's name and its values)."""
    if row is None:
        row = create()
        for name, value in values.items():
            setattr(row, name, value)
        db.session.add(row)
        report.added.append(label)
        return row
    if not report.update_existing:
        report.unchanged += 1
        return row
    diffs = [Said("%(column)s %(old)s → %(new)s", column=name,
                  old=_shown_value(getattr(row, name)), new=_shown_value(value))
             for name, value in values.items() if getattr(row, name) != value]
    if diffs:
        for name, value in values.items():
            setattr(row, name, value)
        report.changed.append(Said(N_("%(label)s: %(changes)s"), label=label,
                                   changes=Joined(diffs)))
    else:
        report.unchanged += 1
    return row


def _shown_value(value: Any) -> Any:
    """A column's value in a report line: a day stays a date (a page writes it its way),
    anything else is written as it is stored."""
    return value if type(value) is date else str(value)


def _each(parsed: imports.ParsedFile, progress: Progress | None):
    for row in parsed.rows:
        yield row.record
        if progress:
            progress(1)


def _apply_states(parsed, report, progress) -> None:
    existing = {state.iso3: state for state in db.session.scalars(db.select(State))}
    before = {iso3: state.nam_status for iso3, state in existing.items()}
    for record in _each(parsed, progress):
        _sync(report, Said(N_("state %(iso3)s (%(name)s)"), iso3=record.iso3, name=record.name),
              existing.get(record.iso3),
              {"iso3": record.iso3, "name": record.name, "nam_status": record.nam_status,
               "nam_joined": record.nam_joined}, State)
    if not report.dry_run:
        _withdraw_from_states_no_longer_invited(existing, before)


def _withdraw_from_states_no_longer_invited(states: dict[str, State],
                                            before: dict[str, str]) -> None:
    """A state no longer invited (e.g. imported as `none`): nothing more goes to its mission."""
    invited = invitations.invited_statuses()
    for iso3, state in states.items():
        if before[iso3] in invited and state.nam_status not in invited and state.mission:
            invitations.withdraw_for_contacts(
                [c.id for c in state.mission.contacts],
                outbox_rules.no_longer_invited(state.name, state.nam_status))


def _apply_sessions(parsed, report, progress) -> None:
    existing = {s.number: s for s in db.session.scalars(db.select(UprSession))}
    moved, published = [], []
    for record in _each(parsed, progress):
        session = existing.get(record.number)
        old_dates = (session.start_date, session.end_date) if session else None
        values = {"number": record.number, "cycle": record.cycle,
                  "start_date": record.start_date, "end_date": record.end_date}
        publishing = _publishes(session, report)
        if publishing:
            values.update(status="scheduled", forecast_from=None)
            report.published.append(record.number)
        session = _sync(report, Said(SESSION, number=record.number), session, values,
                        UprSession)
        if publishing:
            published.append(session)
        elif old_dates and old_dates != (session.start_date, session.end_date):
            moved.append((session, *old_dates))
    if not report.dry_run:
        db.session.flush()
        for session, old_start, old_end in moved:
            session_dates_changed(session, old_start, old_end)
        for session in published:
            session_published(session)


def _publishes(session: UprSession | None, report: ImportReport) -> bool:
    """True when the import publishes this session: it is expected and the file's rows
    count (the seed, keeping what is on file, publishes nothing)."""
    return session is not None and session.status == "expected" and report.update_existing


def _publish(session: UprSession, report: ImportReport) -> None:
    """An expected session becomes published: scheduled, no longer a forecast."""
    session.status, session.forecast_from = "scheduled", None
    report.published.append(session.number)
    report.changed.append(Said(N_("session %(number)s: status expected → scheduled"),
                               number=session.number))


def _audit_publishing(report: ImportReport, actor: audit.Actor, source: str) -> None:
    """Record each session published and each review moved by the import."""
    where = f" by {source}" if source else " by import"
    for number in report.published:
        session = db.session.scalar(db.select(UprSession).filter_by(number=number))
        states = ", ".join(r.state_iso3 for r in session.reviews) or "none yet"
        audit.record(actor, "session.publish", "session", number,
                     f"published{where}: {session.start_date} to {session.end_date}; "
                     f"states under review in order: {states}")
    for iso3, origin, target in report.moves:
        audit.record(actor, "review.move", "review", f"{target}:{iso3}",
                     f"{iso3} moved from session {origin} to {target}{where}")


def _apply_reviews(parsed, report, progress) -> None:
    sessions = {s.number: s for s in db.session.scalars(db.select(UprSession))}
    deferred = _deferred_reviews(parsed) if report.update_existing else {}
    publishing = _publish_by_reviews(parsed, sessions, deferred, report)
    existing = {(r.session.number, r.state_iso3): r for r in db.session.scalars(db.select(Review))}
    old_places = {review: (review.session_id, review.position) for review in existing.values()}
    touched: set[UprSession] = set()
    with db.session.no_autoflush:
        for record in _each(parsed, progress):
            session = sessions[record.session]
            review = existing.get((record.session, record.iso3))
            if review is None and (record.session, record.iso3) in deferred:
                review = deferred[(record.session, record.iso3)]
                touched |= {review.session, session}
                _move_review(review, session, report)
            _sync(report, Said(REVIEW, iso3=record.iso3, number=record.session), review,
                  {"session_id": session.id, "state_iso3": record.iso3,
                   "position": record.position, "review_date": record.review_date,
                   "start_at": record.start_at, "end_at": record.end_at}, Review)
    moved = [review for review, old in old_places.items()
             if (review.session_id, review.position) != old]
    _flush_moved_positions(moved)
    if not report.dry_run:
        _after_reviews_changed(publishing, touched)


def _publish_by_reviews(parsed: imports.ParsedFile, sessions: dict[int, UprSession],
                        deferred: dict[tuple[int, str], Review],
                        report: ImportReport) -> list[UprSession]:
    """Publish the expected sessions the file lists: the file's rows are their whole list of
    states under review (forecast states it leaves out are taken off, unless they move to
    another session the file lists)."""
    listed: dict[int, set[str]] = {}
    for row in parsed.rows:
        listed.setdefault(row.record.session, set()).add(row.record.iso3)
    for review in deferred.values():
        listed.setdefault(review.session.number, set()).add(review.state_iso3)
    publishing = [sessions[n] for n in sorted(listed) if _publishes(sessions[n], report)]
    for session in publishing:
        report.removed += _take_off_left_out(session, listed[session.number])
        _publish(session, report)
    return publishing


def _move_review(review: Review, target: UprSession, report: ImportReport) -> None:
    """Move a deferred review to `target`: the same row, so its history follows."""
    origin = review.session
    report.moves.append((review.state_iso3, origin.number, target.number))
    report.changed.append(Said(N_("review of %(iso3)s moved from session %(origin)s to "
                                  "session %(target)s"), iso3=review.state_iso3,
                               origin=origin.number, target=target.number))
    review.moved_from_session = origin.number
    review.session, review.session_id = target, target.id


def _after_reviews_changed(published: list[UprSession], touched: set[UprSession]) -> None:
    """Re-plan what the import changed: published sessions, and the sessions a deferred
    review left or joined (when they have open proposals)."""
    for session in published + sorted(touched, key=lambda s: s.number):
        db.session.expire(session, ["reviews"])
    for session in published:
        session_published(session)
    for session in sorted(touched - set(published), key=lambda s: s.number):
        replan_open_proposals(session, f"The states under review in UPR session "
                                       f"{session.number} changed: a review moved.")


def _flush_moved_positions(moved: list[Review]) -> None:
    """Write position changes in two steps, so that swapping two states never collides."""
    targets = {review: review.position for review in moved}
    for review in moved:
        review.position += 100_000
    db.session.flush()
    for review, position in targets.items():
        review.position = position
    db.session.flush()


def _apply_hrc_sessions(parsed, report, progress) -> None:
    keys = [f"hrc:{row.record.number}" for row in parsed.rows]
    existing = {p.source_key: p for p in db.session.scalars(
        db.select(BusyPeriod).where(BusyPeriod.source_key.in_(keys)))}
    for record in _each(parsed, progress):
        start_at, end_at = day_bounds_utc(record.start_date, record.end_date)
        key = f"hrc:{record.number}"
        _sync(report, Said("HRC%(number)s", number=record.number), existing.get(key),
              {"source_key": key, "kind": "hrc_session", "label": f"HRC{record.number}",
               "start_at": start_at, "end_at": end_at, "all_day": True}, BusyPeriod)


def _apply_missions(parsed, report, progress) -> None:
    existing = {m.state_iso3: m for m in db.session.scalars(db.select(Mission))}
    for record in _each(parsed, progress):
        _sync(report, Said(MISSION, iso3=record.iso3), existing.get(record.iso3),
              {"state_iso3": record.iso3, "name": record.name, "email": record.email}, Mission)


def _apply_contacts(parsed, report, progress) -> None:
    missions = {m.state_iso3: m for m in db.session.scalars(db.select(Mission))}
    existing = {(c.mission.state_iso3, c.email): c for c in db.session.scalars(db.select(Contact))}
    added = []
    for record in _each(parsed, progress):
        contact = existing.get((record.iso3, record.email))
        synced = _sync(report, Said(N_("contact %(email)s (%(iso3)s)"), email=record.email,
                                    iso3=record.iso3), contact,
                       {"mission_id": missions[record.iso3].id, "name": record.name,
                        "role": record.role, "email": record.email, "language": record.language},
                       Contact)
        if contact is None:
            added.append(synced)
    if not added or not report.invite:
        return
    db.session.flush()  # a dry run is rolled back afterwards
    invited = [contact for contact in added if invitations.in_audience(contact)]
    if report.dry_run:
        report.invitations = len(invited) * _upcoming_briefings()
    else:
        report.invitations = sum(invitations.invite_contact(contact) for contact in invited)
    report.invited_contacts = len(invited) if report.invitations else 0


def _upcoming_briefings() -> int:
    """How many confirmed briefings are still to come (what a new contact is sent)."""
    return db.session.scalar(db.select(db.func.count()).select_from(Briefing).where(
        Briefing.status == "confirmed", Briefing.start_at > clock.now())) or 0


_APPLY: dict[str, Callable[[imports.ParsedFile, ImportReport, Progress | None], None]] = {
    "states": _apply_states,
    "sessions": _apply_sessions,
    "reviews": _apply_reviews,
    "hrc-sessions": _apply_hrc_sessions,
    "missions": _apply_missions,
    "contacts": _apply_contacts,
}

