"""What the reference data on file covers: the Council sessions and UN Geneva closures
that a planning window rests on (see `domain.coverage`). Only reads."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ..domain import coverage
from ..domain.calendar import day_bounds_utc, to_local
from ..domain.phrasing import ENGLISH, Phrasing
from ..extensions import db
from ..models import BusyPeriod

_HRC_KEY = re.compile(r"hrc:(\d+)$")
_HRC_LABEL = re.compile(r"HRC\s*(\d+)\b", re.IGNORECASE)


def window_coverage(days: list[date],
                    words: Phrasing = ENGLISH) -> coverage.Coverage:
    """What covers the window of these working days (oldest first): every Council session
    on file, and the UN Geneva closures (global busy periods of kind `closure`) in its years;
    written in the language of `words`."""
    first, last = days[0], days[-1]
    return coverage.window_coverage(first, last, council_sessions(),
                                    closures(first.year, last.year), words)


def council_sessions() -> list[coverage.CouncilSession]:
    """Every Human Rights Council session on file (busy periods of kind `hrc_session`),
    numbered by their import key ("hrc:61") or, entered by hand, by their label."""
    periods = db.session.scalars(db.select(BusyPeriod).filter_by(kind="hrc_session"))
    return [coverage.CouncilSession(_hrc_number(p), p.label, *_days(p.start_at, p.end_at))
            for p in periods]


def closures(first_year: int, last_year: int) -> list[tuple[date, date]]:
    """The first and last Geneva days of the UN Geneva closures touching these years."""
    low, high = day_bounds_utc(date(first_year, 1, 1), date(last_year, 12, 31))
    periods = db.session.scalars(db.select(BusyPeriod).where(
        BusyPeriod.kind == "closure", BusyPeriod.room_id.is_(None),
        BusyPeriod.mission_id.is_(None), BusyPeriod.end_at > low, BusyPeriod.start_at < high))
    return [_days(p.start_at, p.end_at) for p in periods]


def _hrc_number(period: BusyPeriod) -> int | None:
    match = _HRC_KEY.match(period.source_key or "") or _HRC_LABEL.search(period.label)
    return int(match.group(1)) if match else None


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last Geneva days of a period whose end is exclusive."""
    return to_local(start).date(), to_local(end - timedelta(microseconds=1)).date()
