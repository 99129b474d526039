"""The rotation forecast: the sessions of a UPR cycle as the cycle before predicts them.

The rule is in `domain.rotation`; this module reads what the calendar holds, names the NAM
presenters under the configured planner rules, and writes the sessions that are not on file
as *expected* (`apply_forecast`), to be published when OHCHR publishes them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import selectinload

from ..domain import planner, rotation
from ..domain.errors import Invalid
from ..domain.messages import N_, Said
from ..extensions import db
from ..models import Briefing, BriefingItem, Proposal, Review, State, UprSession
from . import audit, clock
from .briefings import configured_rules, session_dates_changed

#: a briefing in one of these keeps its reviews even when the forecast drops the state
_KEEPS_ITS_REVIEWS = ("confirmed", "held")


@dataclass
class ForecastSession:
    """One session as the rotation predicts it.

    `states`: ISO codes by state name (not the order of review, which is drawn anew);
    `nam_presenters`: those of them who present at briefings under the planner's rules;
    `note`: what the forecast could not know (no states, no dates), empty when all is known.
    """

    number: int
    from_session: int
    expected_start: date | None
    expected_end: date | None
    states: list[str]
    nam_presenters: list[str]
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """The session as `forecast --json` prints it."""
        return {"number": self.number, "from_session": self.from_session,
                "expected_start": _iso(self.expected_start),
                "expected_end": _iso(self.expected_end),
                "states": list(self.states), "nam_presenters": list(self.nam_presenters)}


@dataclass
class Forecast:
    """The sessions of one cycle as predicted from the cycle before."""

    cycle: int
    sessions: list[ForecastSession] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """`{"cycle": 5, "sessions": [...]}`, the contract of `forecast --json`."""
        return {"cycle": self.cycle, "sessions": [s.as_json() for s in self.sessions]}


def forecast_cycle(cycle: int) -> Forecast:
    """The sessions of `cycle` predicted from cycle − 1 (reads only).

    Raises Invalid when the cycle is before the third or no session of the cycle before is
    on file.
    """
    calendar = _Calendar.load()
    return Forecast(cycle, [calendar.session(p) for p in
                            rotation.predict_cycle(cycle, calendar.on_file, calendar.names)])


def forecast_session(number: int) -> ForecastSession | None:
    """Session `number` as the rotation predicts it, or None when its cycle cannot be
    forecast (before the third, or nothing of the cycle before on file)."""
    try:
        cycle = rotation.cycle_of(number)
        calendar = _Calendar.load()
        rotation.check_cycle(cycle, calendar.holds_any(rotation.cycle_sessions(cycle - 1))
                             if cycle >= 2 else False)
    except Invalid:
        return None
    return calendar.session(rotation.predict_session(number, calendar.on_file, calendar.names))


def apply_forecast(cycle: int, actor: audit.Actor) -> list[int]:
    """Write the forecast of `cycle` as expected sessions; the numbers written.

    A session not on file is added (status "expected", `forecast_from`, its states at
    positions 1…n in the forecast's order, no review days). An expected session whose
    forecast changed is updated (reviews moved into it are kept); a published one
    (scheduled, postponed, held) is never touched. A session without expected dates cannot
    be written and is left out. Running it again writes nothing. One audit event
    (`forecast.apply`) names the sessions written.
    """
    forecast = forecast_cycle(cycle)
    existing = {s.number: s for s in db.session.scalars(
        db.select(UprSession).where(UprSession.number.in_([s.number for s in forecast.sessions]))
        .options(selectinload(UprSession.reviews)))}
    written = []
    try:
        for predicted in forecast.sessions:
            session = existing.get(predicted.number)
            if predicted.expected_start is None or (session and session.status != "expected"):
                continue
            if session is None:
                _add_expected(cycle, predicted)
                written.append(predicted.number)
            elif _update_expected(session, cycle, predicted):
                written.append(predicted.number)
        if written:
            audit.record(actor, "forecast.apply", "cycle", cycle,
                         "expected sessions written: " + ", ".join(map(str, written)))
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return written


def current_cycle() -> int | None:
    """The cycle of the latest published session that has started by today, else of the
    next published one; None when no session is published."""
    published = UprSession.status != "expected"
    started = db.session.scalar(db.select(UprSession.cycle).where(
        published, UprSession.start_date <= clock.today()).order_by(UprSession.number.desc()))
    if started is not None:
        return started
    return db.session.scalar(db.select(UprSession.cycle).where(published)
                             .order_by(UprSession.number))


def apply_current_and_next(actor: audit.Actor) -> list[int]:
    """What the seed does: apply the forecast of the current cycle and of the next one
    (those that can be forecast); the numbers written."""
    cycle = current_cycle()
    if cycle is None:
        return []
    written = []
    for each in (cycle, cycle + 1):
        try:
            written += apply_forecast(each, actor)
        except Invalid:  # e.g. the 2nd cycle, or nothing of the cycle before on file
            continue
    return written


def expected_sessions() -> list[int]:
    """The numbers of the sessions on file as expected (not yet published)."""
    return list(db.session.scalars(db.select(UprSession.number).filter_by(status="expected")
                                   .order_by(UprSession.number)))


# --- reading the calendar -------------------------------------------------------------

@dataclass
class _Calendar:
    """What the rotation needs from the database, read once."""

    on_file: dict[int, rotation.SessionOnFile]
    names: dict[str, str]
    statuses: dict[str, str]

    @classmethod
    def load(cls) -> _Calendar:
        states = db.session.execute(db.select(State.iso3, State.name, State.nam_status)).all()
        rows = db.session.execute(db.select(
            UprSession.number, UprSession.start_date, UprSession.status, Review.state_iso3,
            Review.moved_from_session).outerjoin(Review, Review.session_id == UprSession.id)).all()
        return cls(_sessions_on_file(rows), {iso3: name for iso3, name, _ in states},
                   {iso3: status for iso3, _, status in states})

    def holds_any(self, numbers: range) -> bool:
        return any(number in self.on_file for number in numbers)

    def session(self, prediction: rotation.Prediction) -> ForecastSession:
        return ForecastSession(prediction.number, prediction.from_session,
                               prediction.expected_start, prediction.expected_end,
                               list(prediction.states), self._presenters(prediction.states),
                               "; ".join(prediction.notes))

    def _presenters(self, states: tuple[str, ...]) -> list[str]:
        """The NAM presenters among `states`, by the planner's own rule."""
        presenters = [planner.Presenter(iso3, self.names.get(iso3, iso3), position,
                                        self.statuses.get(iso3, "none"))
                      for position, iso3 in enumerate(states, 1)]
        return [p.iso3 for p in planner.presenting(presenters, configured_rules())]


def _sessions_on_file(rows) -> dict[int, rotation.SessionOnFile]:
    """Sessions with the states of their slot: a review moved elsewhere still belongs to the
    session it was moved from (the rotation keeps the slot); one moved in does not."""
    starts, published = {}, {}
    own, moved_in, moved_out = defaultdict(set), defaultdict(set), defaultdict(set)
    for number, start, status, iso3, moved_from in rows:
        starts[number], published[number] = start, status != "expected"
        if iso3 is None:
            continue
        if moved_from is None or moved_from == number:
            own[number].add(iso3)
        else:
            moved_in[number].add(iso3)
            moved_out[moved_from].add(iso3)
    return {number: rotation.SessionOnFile(
        number, start, frozenset(own[number] | moved_out[number]), published[number],
        frozenset(moved_in[number]), frozenset(moved_out[number]))
        for number, start in starts.items()}


# --- writing expected sessions ------------------------------------------------------------

def _add_expected(cycle: int, predicted: ForecastSession) -> None:
    session = UprSession(number=predicted.number, cycle=cycle,
                         start_date=predicted.expected_start, end_date=predicted.expected_end,
                         status="expected", forecast_from=predicted.from_session)
    session.reviews = [Review(state_iso3=iso3, position=position)
                       for position, iso3 in enumerate(predicted.states, 1)]
    db.session.add(session)
    db.session.flush()


def _update_expected(session: UprSession, cycle: int, predicted: ForecastSession) -> bool:
    """Bring an expected session in line with its forecast; False when it already is."""
    moved_in = [r for r in session.reviews if r.moved_from_session not in (None, session.number)]
    forecast_states = [iso3 for iso3 in predicted.states
                       if iso3 not in {r.state_iso3 for r in moved_in}]
    forecast_reviews = {r.state_iso3: r for r in session.reviews if r not in moved_in}
    dropped = [r for iso3, r in forecast_reviews.items() if iso3 not in forecast_states]
    kept = [r for r in dropped if _on_a_briefing(r)]
    order = ([forecast_reviews.get(iso3) or iso3 for iso3 in forecast_states] + kept
             + sorted(moved_in, key=lambda r: r.position))
    current = sorted(session.reviews, key=lambda r: r.position)
    dates = (predicted.expected_start, predicted.expected_end)
    numbered = [r.position for r in current] == list(range(1, len(current) + 1))
    if (current == order and numbered and (session.start_date, session.end_date) == dates
            and session.forecast_from == predicted.from_session and session.cycle == cycle):
        return False
    old_start, old_end = session.start_date, session.end_date
    _write_reviews(session, order, [r for r in dropped if r not in kept])
    session.start_date, session.end_date = dates
    session.forecast_from, session.cycle = predicted.from_session, cycle
    db.session.flush()
    if (old_start, old_end) != dates:
        session_dates_changed(session, old_start, old_end)
    elif current != order or not numbered:
        _set_aside_open_proposals(session)
    return True


def _write_reviews(session: UprSession, order: list, removed: list[Review]) -> None:
    """Delete `removed`, then number `order` (reviews, or ISO codes to add) 1, 2, …; in two
    steps, so that positions never collide on the way."""
    for review in removed:
        session.reviews.remove(review)
        db.session.delete(review)
    for review in session.reviews:
        review.position += 100_000
    db.session.flush()
    for position, item in enumerate(order, 1):
        if isinstance(item, Review):
            item.position = position
        else:
            session.reviews.append(Review(state_iso3=item, position=position))
    db.session.flush()


def _on_a_briefing(review: Review) -> bool:
    """True when a confirmed or held briefing presents this review (it then stays, and the
    briefing is flagged for the secretariat)."""
    briefings = list(db.session.scalars(db.select(Briefing).join(BriefingItem).where(
        BriefingItem.review_id == review.id, Briefing.status.in_(_KEEPS_ITS_REVIEWS))))
    for briefing in briefings:
        if not briefing.needs_review:
            briefing.needs_review = True
            briefing.review_note = Said(
                N_("The rotation forecast no longer expects %(state)s in session %(number)s: "
                   "check this briefing."), state=review.state_iso3, number=review.session.number)
    return bool(briefings)


def _set_aside_open_proposals(session: UprSession) -> None:
    """Open proposals planned for other states are superseded (to be planned again)."""
    for proposal in db.session.scalars(db.select(Proposal).filter_by(session_id=session.id,
                                                                      status="open")):
        proposal.status = "superseded"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
