"""UPR sessions as the secretariat reads them: the sessions list and one session's reviews."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..domain.errors import Invalid, NotFound
from ..domain.imports import FORMATS, References
from ..extensions import db
from ..models import Review, State, UprSession
from . import audit
from .briefings import session_dates_changed


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
    """What the "add the next session" form suggests: the number after the last one."""

    number: int
    cycle: int


def next_session_defaults() -> NewSessionDefaults:
    """The number after the highest known session, in the latest session's cycle."""
    latest = db.session.scalar(db.select(UprSession).order_by(UprSession.number.desc()).limit(1))
    if latest is None:
        return NewSessionDefaults(number=1, cycle=1)
    return NewSessionDefaults(number=latest.number + 1, cycle=latest.cycle)


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
