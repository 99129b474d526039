"""The states roster: every state with its standing in the Non-Aligned Movement."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import selectinload

from ..domain.constants import NAM_STATUSES
from ..domain.errors import Invalid
from ..extensions import db
from ..models import State
from .languages import N_


def roster(statuses: Iterable[str]) -> list[State]:
    """The states whose NAM status is one of `statuses`, by name, with their missions."""
    statuses = tuple(statuses)
    unknown = [status for status in statuses if status not in NAM_STATUSES]
    if unknown:
        raise Invalid(N_("unknown NAM status %(status)s: use one of %(statuses)s"),
                      params={"status": repr(unknown[0]), "statuses": ", ".join(NAM_STATUSES)})
    return list(
        db.session.scalars(
            db.select(State)
            .options(selectinload(State.mission))
            .where(State.nam_status.in_(statuses))
            .order_by(State.name)
        )
    )


def nam_counts() -> dict[str, int]:
    """How many states have each NAM status, e.g. {"member": 121, "observer": 17, "none": 55}."""
    rows = db.session.execute(
        db.select(State.nam_status, db.func.count()).group_by(State.nam_status)
    ).all()
    counts = dict.fromkeys(NAM_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts
