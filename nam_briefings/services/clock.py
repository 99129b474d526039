"""What time it is, for the services. The config value `TODAY` (a date) pins the day.

Pinning the day lets tests, demos and support staff look at the calendar as it was
(e.g. "as of 3 March 2025"): planning then starts at Geneva midnight of that day.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app

from ..domain import local_dates, wording
from ..domain.calendar import GENEVA, day_bounds_utc, to_local
from ..domain.errors import Invalid
from .languages import _, current_language


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


def refuse_past(starts: list[datetime]) -> None:
    """Invalid (field "allow_past") when a start is not after now: invitations for a past
    date go out only when the caller says so explicitly."""
    moment = now()
    past = [start for start in starts if start <= moment]
    if past:
        raise Invalid(_("%(when)s is in the past: confirm explicitly that invitations should "
                        "go out for a past date", when=written_instant(min(past))),
                      field="allow_past")


def written_instant(instant: datetime) -> str:
    """An instant in Geneva time, as a refusal says it in the current language: "Tue 22 Apr
    2025 10:00 CEST" in English, "mardi 22 avril 2025, 10 h 00" in French."""
    local, language = to_local(instant), current_language()
    if local_dates.is_english(language):
        return f"{wording.short_datetime(local)} {local:%Z}"
    return local_dates.day_and_time(local, language)


def has_taken_place(session) -> bool:
    """Whether a UPR session is over: marked held, or published and its last day before today.

    (Nothing marks a session held yet, so a published session that has ended counts too.)
    An expected session has not taken place until it is published.
    """
    return session.status == "held" or (session.status != "expected"
                                         and session.end_date < today())


def shown_status(session) -> str:
    """The status a page gives a session: "held" once it has taken place (a published
    session whose last day is past is not "scheduled" any more), else its own."""
    return "held" if has_taken_place(session) else session.status
