"""Busy periods: closures, blackouts and bookings that the `holidays` package does not know."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..domain.calendar import GENEVA, day_bounds_utc, local_to_utc
from ..domain.constants import BUSY_KINDS
from ..domain.errors import Invalid, NotFound
from ..extensions import db
from ..models import BusyPeriod, Mission, Room
from . import audit
from .languages import N_


def add_closure(first: date, last: date, label: str, actor: audit.Actor) -> BusyPeriod:
    """Record whole Geneva days when no briefing can take place (e.g. a UN Geneva closure)."""
    return add_busy_period("closure", first, last, label, actor)


def add_busy_period(kind: str, first: date, last: date, label: str, actor: audit.Actor, *,
                    mission_iso3: str | None = None, room_name: str | None = None,
                    start_time: time | None = None, end_time: time | None = None) -> BusyPeriod:
    """Record a busy period: whole Geneva days, or `start_time`–`end_time` on each day.

    Global unless it names a mission (its blackout: blocks meetings where it presents)
    or a room (a booking: blocks that room). Several days with times make one period a
    day. Raises Invalid or NotFound; nothing is written then.
    """
    label = label.strip()
    if kind not in BUSY_KINDS:
        raise Invalid(N_("kind %(kind)s must be one of %(kinds)s"), field="kind",
                      params={"kind": repr(kind), "kinds": ", ".join(BUSY_KINDS)})
    if not label:
        raise Invalid(N_("give the period a label, e.g. 'UN Geneva closure (Eid al-Fitr)'"),
                      field="label")
    if last < first:
        raise Invalid(N_("the last day %(last)s is before the first day %(first)s"),
                      field="last_day", params={"last": str(last), "first": str(first)})
    if (start_time is None) != (end_time is None):
        raise Invalid(N_("give both a start and an end time, or neither (whole days)"),
                      field="end_time")
    if mission_iso3 and room_name:
        raise Invalid(N_("a busy period concerns a mission or a room, not both"),
                      field="mission")
    scope = {"mission": _mission(mission_iso3) if mission_iso3 else None,
             "room": _room(room_name) if room_name else None}
    periods = [BusyPeriod(kind=kind, label=label, start_at=start, end_at=end,
                          all_day=start_time is None, **scope)
               for start, end in _spans(first, last, start_time, end_time)]
    db.session.add_all(periods)
    db.session.flush()
    where = f" for mission {mission_iso3}" if mission_iso3 else f" in {room_name}" if room_name else ""
    hours = f", {start_time:%H:%M}–{end_time:%H:%M}" if start_time else ""
    audit.record(actor, f"{kind}.create", "busy_period", periods[0].id,
                 f"{label}{where}: {first} to {last}{hours}")
    db.session.commit()
    return periods[0]


def _spans(first: date, last: date, start_time: time | None,
           end_time: time | None) -> list[tuple[datetime, datetime]]:
    if start_time is None:
        return [day_bounds_utc(first, last)]
    if end_time <= start_time:
        raise Invalid(N_("the end time %(end)s is not after the start %(start)s"),
                      field="end_time",
                      params={"end": f"{end_time:%H:%M}", "start": f"{start_time:%H:%M}"})
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(_utc(day, start_time), _utc(day, end_time)) for day in days]


def _utc(day: date, clock: time) -> datetime:
    """The instant of `clock` on the Geneva `day`; Invalid (field "start_time") for a time
    the clock change skips, worded as local_to_utc's ValueError."""
    local = datetime.combine(day, clock)
    try:
        return local_to_utc(local)
    except ValueError:
        raise Invalid(N_("%(moment)s does not exist in %(zone)s (clock change)"),
                      field="start_time",
                      params={"moment": f"{local:%Y-%m-%d %H:%M}", "zone": GENEVA.key}) from None


def _mission(iso3: str) -> Mission:
    mission = db.session.scalar(db.select(Mission).filter_by(state_iso3=iso3.strip().upper()))
    if mission is None:
        raise NotFound(N_("no mission of %(iso3)s is on file"), params={"iso3": iso3})
    return mission


def _room(name: str) -> Room:
    room = db.session.scalar(db.select(Room).filter_by(name=name))
    if room is None:
        raise NotFound(N_("no room named %(name)s"), params={"name": repr(name)})
    return room


def list_busy_periods(kind: str | None = None, *, ending_after: datetime | None = None,
                      starting_before: datetime | None = None) -> list[BusyPeriod]:
    """Busy periods in time order, optionally of one kind, or overlapping a time range
    (those that end after `ending_after` and start before `starting_before`)."""
    query = db.select(BusyPeriod).order_by(BusyPeriod.start_at, BusyPeriod.id)
    if kind:
        query = query.filter_by(kind=kind)
    if ending_after is not None:
        query = query.where(BusyPeriod.end_at > ending_after)
    if starting_before is not None:
        query = query.where(BusyPeriod.start_at < starting_before)
    return list(db.session.scalars(query))


def get_busy_period(period_id: int) -> BusyPeriod:
    """The busy period with this id, or NotFound."""
    period = db.session.get(BusyPeriod, period_id)
    if period is None:
        raise NotFound(N_("no busy period with id %(number)s"), params={"number": period_id})
    return period


def remove_busy_period(period_id: int, actor: audit.Actor) -> None:
    """Delete a busy period."""
    period = get_busy_period(period_id)
    audit.record(actor, "busy_period.delete", "busy_period", period.id,
                 f"{period.kind} {period.label}")
    db.session.delete(period)
    db.session.commit()
