"""UPR sessions as the secretariat reads them: the sessions list and one session's reviews."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..domain import rotation
from ..domain.errors import Invalid, NotFound
from ..domain.imports import FORMATS, References
from ..extensions import db
from ..models import Review, State, UprSession
from . import audit, calendar, clock
from .briefings import session_dates_changed
from .forecast import forecast_session
from .languages import _


def expected_note(session: UprSession) -> str:
    """What an expected session is, in the words every page and feed uses for it."""
    if session.forecast_from:
        return _("expected (forecast from session %(number)s; dates and order not yet "
                 "published)", number=session.forecast_from)
    return _("expected (forecast; dates and order not yet published)")


@dataclass(frozen=True)
class SessionOverview:
    """A session with its reviews (in review order) and the NAM members among them."""

    session: UprSession
    reviews: list[Review]

    @property
    def presenting_candidates(self) -> list[Review]:
        """Reviews of NAM members: the states that may present at a briefing."""
        return [review for review in self.reviews if review.state.nam_status == "member"]

    @property
    def nam_member_count(self) -> int:
        """How many NAM members are under review in the session."""
        return len(self.presenting_candidates)

    def in_progress(self, on: date) -> bool:
        """True when the session has started but not ended on `on`."""
        return self.session.start_date <= on <= self.session.end_date

    @property
    def expected(self) -> bool:
        """True while the session is only forecast (dates and order not yet published)."""
        return self.session.status == "expected"

    @property
    def expected_note(self) -> str:
        """"expected (forecast from session N; dates and order not yet published)"."""
        return expected_note(self.session)


@dataclass(frozen=True)
class SessionsList:
    """Sessions split around today: current and upcoming ones first, then past ones."""

    upcoming: list[SessionOverview]
    past: list[SessionOverview]


def _with_reviews() -> LoaderOption:
    return selectinload(UprSession.reviews).selectinload(Review.state).selectinload(State.mission)


def _overview(session: UprSession) -> SessionOverview:
    return SessionOverview(session=session, reviews=list(session.reviews))


def list_sessions(on: date) -> SessionsList:
    """Every session: those not yet over on `on` (soonest first), then past ones (latest first).

    A session in progress counts as upcoming: the secretariat still works on it.
    """
    sessions = db.session.scalars(
        db.select(UprSession).options(_with_reviews()).order_by(UprSession.start_date)
    ).all()
    upcoming = [_overview(s) for s in sessions if s.end_date >= on]
    past = [_overview(s) for s in reversed(sessions) if s.end_date < on]
    return SessionsList(upcoming=upcoming, past=past)


def get_session(number: int) -> SessionOverview:
    """The session with this number and its reviews; raises NotFound."""
    session = db.session.scalar(
        db.select(UprSession).options(_with_reviews()).filter_by(number=number)
    )
    if session is None:
        raise NotFound(f"There is no UPR session number {number}.")
    return _overview(session)


@dataclass(frozen=True)
class NewSessionDefaults:
    """What the "Add a session" form suggests: the next session neither held nor on file,
    with the rotation's forecast of its dates and states when it has one."""

    number: int
    cycle: int
    #: the forecast's dates (None without a forecast)
    start_date: date | None = None
    end_date: date | None = None
    #: the session of the cycle before whose states it repeats (None without a forecast)
    from_session: int | None = None
    #: the states the forecast expects, (ISO code, name) by name: the order of review is
    #: drawn anew, so it is not predicted
    states: tuple[tuple[str, str], ...] = ()
    #: the NAM members among them who would present
    nam_presenters: tuple[str, ...] = ()
    #: sessions on file as expected (forecast): publish them, rather than add them again
    expected_on_file: tuple[int, ...] = ()
    #: what the forecast could not know (no states, no dates), empty when all is known
    not_forecast: str = ""

    @property
    def forecast(self) -> bool:
        """True when the rotation forecasts the dates or the states."""
        return self.start_date is not None or bool(self.states)


def next_session_defaults() -> NewSessionDefaults:
    """The lowest session number after every held one that is not on file, its cycle, and
    the forecast of its dates and states. A session counts as held when marked so, or when
    a published one has ended; expected sessions on file are named, not suggested again."""
    on_file = list(db.session.scalars(db.select(UprSession).order_by(UprSession.number)))
    numbers = {s.number for s in on_file}
    held = [s.number for s in on_file if clock.has_taken_place(s)]
    number = max(held, default=0) + 1
    while number in numbers:
        number += 1
    expected = tuple(s.number for s in on_file if s.status == "expected")
    return _with_forecast(NewSessionDefaults(number, rotation.cycle_of(number),
                                             expected_on_file=expected))


def _with_forecast(defaults: NewSessionDefaults) -> NewSessionDefaults:
    """The defaults with the forecast's dates and states, when the rotation has them."""
    predicted = forecast_session(defaults.number)
    if predicted is None:
        return defaults
    names = {iso3: name for iso3, name in db.session.execute(
        db.select(State.iso3, State.name).where(State.iso3.in_(predicted.states)))}
    return replace(defaults, start_date=predicted.expected_start,
                   end_date=predicted.expected_end, from_session=predicted.from_session,
                   states=tuple((iso3, names.get(iso3, iso3)) for iso3 in predicted.states),
                   nam_presenters=tuple(predicted.nam_presenters),
                   not_forecast=predicted.note)


def forecast_states_text(number: int) -> str:
    """The states the rotation expects in session `number`, one ISO code a line by name
    (to fill in its states under review); empty without a forecast."""
    predicted = forecast_session(number)
    return "\n".join(predicted.states) if predicted else ""


#: the fields of a session, as the CSV columns (and the form's fields) name them
SESSION_FIELDS = ("number", "cycle", "start_date", "end_date")


def _checked_session(number: int, cycle: int, start_date: date, end_date: date) -> None:
    """Apply the import's rules for a session row; Invalid names the field at fault."""
    row = {"number": str(number), "cycle": str(cycle), "start_date": start_date.isoformat(),
           "end_date": end_date.isoformat()}
    try:
        FORMATS["sessions"].parse(row, References())
    except Invalid as error:
        column = str(error).split(" ", 1)[0]
        raise Invalid(str(error), field=column if column in SESSION_FIELDS else "end_date") \
            from None


def create_session(number: int, cycle: int, start_date: date, end_date: date,
                   actor: audit.Actor) -> UprSession:
    """Add a UPR session (as a one-row sessions import would); Invalid if the number is taken."""
    _checked_session(number, cycle, start_date, end_date)
    if db.session.scalar(db.select(UprSession.id).filter_by(number=number)) is not None:
        raise Invalid(f"session {number} already exists: edit it instead", field="number")
    session = UprSession(number=number, cycle=cycle, start_date=start_date, end_date=end_date)
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "session.create", "session", number,
                 f"cycle {cycle}, {start_date} to {end_date}")
    db.session.commit()
    return session


def update_session(number: int, cycle: int, start_date: date, end_date: date,
                   actor: audit.Actor) -> UprSession:
    """Change a session's cycle or dates; new dates re-plan its proposals or flag its
    briefings for review, as an import with new dates does."""
    session = get_session(number).session
    _checked_session(number, cycle, start_date, end_date)
    old = (session.cycle, session.start_date, session.end_date)
    if old == (cycle, start_date, end_date):
        return session
    session.cycle, session.start_date, session.end_date = cycle, start_date, end_date
    db.session.flush()
    if old[1:] != (start_date, end_date):
        session_dates_changed(session, old[1], old[2])
    audit.record(actor, "session.update", "session", number,
                 f"cycle {old[0]} → {cycle}, {old[1]} to {old[2]} → {start_date} to {end_date}")
    db.session.commit()
    return session


def publish_session(number: int, start_date: date, end_date: date, iso3s: list[str],
                    actor: audit.Actor) -> calendar.ImportReport:
    """Publish an expected session as OHCHR has: its dates and its states in order of review.

    The states are saved as the review-order form saves them (`import_review_order`: the
    list is the whole session); the session becomes scheduled and no longer a forecast, its
    open proposals are planned again, and a state deferred from another session of the
    cycle moves here with its history. All or nothing; Invalid when the session is not
    expected or a date is wrong, ImportRejected (by place in the list) for a bad state.
    """
    session = get_session(number).session
    if session.status != "expected":
        raise Invalid(f"session {number} is already published ({session.status}): change its "
                      "dates with Edit the session and its order with States under review")
    _checked_session(number, session.cycle, start_date, end_date)
    session.start_date, session.end_date = start_date, end_date
    try:
        return calendar.import_review_order(number, iso3s, actor,
                                            source=f"the publishing of session {number}")
    except Exception:
        db.session.rollback()
        raise
