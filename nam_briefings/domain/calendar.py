"""Geneva time and Geneva's calendar: local/UTC conversions and public holidays."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .messages import N_

GENEVA = ZoneInfo("Europe/Zurich")


def local_to_utc(local: datetime, tz: ZoneInfo = GENEVA) -> datetime:
    """Interpret a naive wall-clock time in `tz` and return the aware UTC instant.

    Raises ValueError for a wall-clock time that does not exist (the hour skipped when
    clocks go forward in March).
    """
    aware = local.replace(tzinfo=tz)
    round_trip = aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    if round_trip != local:
        raise ValueError(f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key} (clock change)")
    return aware.astimezone(timezone.utc)


def day_bounds_utc(first: date, last: date, tz: ZoneInfo = GENEVA) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting `first` and ending `last` (exclusive)."""
    start = datetime.combine(first, time.min).replace(tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min).replace(tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def to_local(instant: datetime, tz: ZoneInfo = GENEVA) -> datetime:
    """An aware instant shown in Geneva time."""
    return instant.astimezone(tz)


#: Geneva's public holidays as `holidays` names them in English, for the catalogs: the
#: timeline and the planner's sentences show them in the page's language (the French names
#: are Geneva's own, as `holidays` gives them in French)
HOLIDAY_NAMES = (N_("New Year's Day"), N_("Good Friday"), N_("Easter Monday"),
                 N_("Ascension Day"), N_("Pentecost Monday"), N_("National Day"),
                 N_("Genevan Fast"), N_("Restoration Day"), N_("Christmas Day"))


@lru_cache(maxsize=64)
def _geneva_holidays(year: int) -> dict[date, str]:
    import holidays  # heavy (every country's calendar): imported on the first lookup

    return dict(holidays.country_holidays("CH", subdiv="GE", years=year, language="en_US"))


def geneva_public_holidays(first: date, last: date) -> dict[date, str]:
    """Geneva's public holidays between `first` and `last` inclusive, from `holidays`."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _geneva_holidays(year).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Geneva public holiday."""
    return day.weekday() < 5 and day not in _geneva_holidays(day.year)


def working_days_before(day: date, count: int) -> list[date]:
    """The `count` working days just before `day` (never `day` itself), oldest first."""
    found: list[date] = []
    current = day
    while len(found) < count:
        current -= timedelta(days=1)
        if is_working_day(current):
            found.append(current)
    return found[::-1]
