"""UPR sessions as the secretariat reads them: the sessions list and one session's reviews."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..domain.errors import NotFound
from ..extensions import db
from ..models import Review, State, UprSession


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
