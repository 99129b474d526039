"""Jinja filters: dates and times always in Geneva time, with the zone spelled out; labels;
whether a page was reached at another address than the links in e-mails give."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask

from ..domain import planner, wording
from ..domain.calendar import to_local
from ..services import clock, feed_links
from .forms import LANGUAGE_LABELS, ROLE_LABELS

NAM_LABELS = {"member": "NAM member", "observer": "NAM observer", "none": "Not in NAM"}
#: an invitation's answer (iCalendar PARTSTAT) as people read it
PARTSTAT_LABELS = {"ACCEPTED": "Accepted", "TENTATIVE": "Tentative", "DECLINED": "Declined",
                   "NEEDS-ACTION": "No answer yet"}
#: a presenting mission's answer about its slot
SLOT_LABELS = {"invited": "Awaiting confirmation", "confirmed": "Confirmed",
               "declined": "Released (off the agenda)"}
#: the answer in an RSVP link, as the button says it
ANSWER_LABELS = {"accept": "Accept", "tentative": "Tentative", "decline": "Decline"}
#: what an outbox message is
OUTBOX_KIND_LABELS = {"request": "Invitation", "cancel": "Cancellation", "reminder": "Reminder",
                      "chaser": "Chaser", "notice": "Notice"}
#: a busy period's kind, short
BUSY_KIND_NAMES = {"closure": "Closure", "meeting": "Chair's meeting", "blackout": "Blackout",
                   "hrc_session": "HRC session"}


def geneva_datetime(instant: datetime | None) -> str:
    """An instant in Geneva time, e.g. "Tue 23 Jan 2024, 09:00 CET"."""
    if instant is None:
        return ""
    local = to_local(instant)
    return f"{wording.day_and_time(local)} {local:%Z}"


def geneva_time(instant: datetime | None) -> str:
    """The Geneva clock time of an instant, e.g. "12:30 CET"."""
    if instant is None:
        return ""
    return f"{to_local(instant):%H:%M %Z}"


def geneva_span(start: datetime, end: datetime) -> str:
    """A meeting's day and hours in Geneva time, e.g. "Tue 22 Apr 2025, 10:00–11:30 CEST"."""
    first, last = to_local(start), to_local(end)
    return f"{wording.day_and_time(first)}–{last:%H:%M %Z}"


def geneva_date(instant: datetime | None) -> str:
    """The Geneva date of an instant, with its weekday, e.g. "Tue 23 Jan 2024"."""
    return long_date(to_local(instant).date()) if instant is not None else ""


def geneva_last_day(end: datetime | None) -> str:
    """The last Geneva day of a whole-day period that ends (exclusive) at `end`."""
    if end is None:
        return ""
    return long_date(to_local(end - timedelta(microseconds=1)).date())


def long_date(day: date | None) -> str:
    """A date with its weekday, e.g. "Tue 23 Jan 2024"."""
    return wording.short_date(day) if day is not None else ""


def register_filters(app: Flask) -> None:
    """Make the filters and label tables available to every template."""
    from .language_filters import register_language_filters

    register_language_filters(app)
    app.add_template_filter(wording.sentence, "sentence")
    app.add_template_filter(geneva_datetime)
    app.add_template_filter(geneva_time)
    app.add_template_filter(geneva_span)
    app.add_template_filter(geneva_date)
    app.add_template_filter(long_date)
    app.add_template_filter(geneva_last_day)
    app.add_template_filter(wording.date_range, "date_range")
    app.add_template_filter(clock.shown_status, "session_status")
    app.add_template_filter(planner.score_label, "score_label")
    app.add_template_filter(wording.ordinal, "ordinal")
    app.add_template_filter(wording.full_date, "full_date")
    app.add_template_filter(wording.short_datetime, "short_datetime")
    app.add_template_filter(feed_links.other_origin, "other_public_origin")
    app.add_template_filter(lambda status: NAM_LABELS.get(status, status), "nam_label")
    app.add_template_filter(lambda role: ROLE_LABELS.get(role, role), "role_label")
    app.add_template_filter(lambda code: LANGUAGE_LABELS.get(code, code), "language_label")
    for name, labels in (("partstat_label", PARTSTAT_LABELS), ("slot_label", SLOT_LABELS),
                         ("answer_label", ANSWER_LABELS), ("kind_label", OUTBOX_KIND_LABELS),
                         ("busy_kind_label", BUSY_KIND_NAMES)):
        app.add_template_filter(lambda value, labels=labels: labels.get(value, value), name)
