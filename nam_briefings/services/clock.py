"""What time it is, for the services. The config value `TODAY` (a date) pins the day.

Pinning the day lets tests, demos and support staff look at the calendar as it was
(e.g. "as of 3 March 2025"): planning then starts at Geneva midnight of that day.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app

from ..domain.calendar import GENEVA, day_bounds_utc


def today() -> date:
    """Today's date in Geneva, or the pinned `TODAY`."""
    pinned = current_app.config.get("TODAY")
    return pinned if pinned is not None else datetime.now(GENEVA).date()


def now() -> datetime:
    """The current instant (aware UTC), or Geneva midnight of the pinned `TODAY`."""
    pinned = current_app.config.get("TODAY")
    if pinned is None:
        return datetime.now(timezone.utc)
    return day_bounds_utc(pinned, pinned)[0]
