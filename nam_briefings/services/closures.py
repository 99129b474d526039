"""Closure days and other busy periods that the `holidays` package does not know."""
from __future__ import annotations

from datetime import date

from ..domain.calendar import day_bounds_utc
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import BusyPeriod
from . import audit


def add_closure(first: date, last: date, label: str, actor: audit.Actor) -> BusyPeriod:
    """Record whole Geneva days when no briefing can take place (e.g. a UN Geneva closure)."""
    label = label.strip()
    if not label:
        raise Invalid("give the closure a label, e.g. 'UN Geneva closure (Eid al-Fitr)'")
    if last < first:
        raise Invalid(f"the last day {last} is before the first day {first}")
    start_at, end_at = day_bounds_utc(first, last)
    period = BusyPeriod(kind="closure", label=label, start_at=start_at, end_at=end_at, all_day=True)
    db.session.add(period)
    db.session.flush()
    audit.record(actor, "closure.create", "busy_period", period.id, f"{label}: {first} to {last}")
    db.session.commit()
    return period


def list_busy_periods(kind: str | None = None) -> list[BusyPeriod]:
    """Busy periods in time order, optionally of one kind."""
    query = db.select(BusyPeriod).order_by(BusyPeriod.start_at)
    if kind:
        query = query.filter_by(kind=kind)
    return list(db.session.scalars(query))


def remove_busy_period(period_id: int, actor: audit.Actor) -> None:
    """Delete a busy period."""
    period = db.session.get(BusyPeriod, period_id)
    if period is None:
        raise NotFound(f"no busy period with id {period_id}")
    audit.record(actor, "busy_period.delete", "busy_period", period.id,
                 f"{period.kind} {period.label}")
    db.session.delete(period)
    db.session.commit()
