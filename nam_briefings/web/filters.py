"""Jinja filters: dates and times always in Geneva time, with the zone spelled out (in
English; a page in another language writes them its own way and says they are Geneva
time); labels, in the page's language; whether a page was reached at another address than
the links in e-mails give."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask
from flask_babel import pgettext

from ..domain import local_dates, planner, wording
from ..domain.calendar import to_local
from ..i18n import N_, current_language, translated
from ..services import clock, feed_links
from .forms import LANGUAGE_LABELS, ROLE_LABELS
from .language_filters import local_short_day, register_language_filters

NAM_LABELS = {"member": N_("NAM member"), "observer": N_("NAM observer"),
              "none": N_("Not in NAM")}
#: an invitation's answer (iCalendar PARTSTAT) as people read it
PARTSTAT_LABELS = {"ACCEPTED": N_("Accepted"), "TENTATIVE": N_("Tentative"),
                   "DECLINED": N_("Declined"), "NEEDS-ACTION": N_("No answer yet")}
#: a presenting mission's answer about its slot
SLOT_LABELS = {"invited": N_("Awaiting confirmation"), "confirmed": N_("Confirmed"),
               "declined": N_("Released (off the agenda)")}
#: the answer in an RSVP link, as the button says it
ANSWER_LABELS = {"accept": N_("Accept"), "tentative": N_("Tentative"), "decline": N_("Decline")}
#: what an outbox message is
OUTBOX_KIND_LABELS = {"request": N_("Invitation"), "cancel": N_("Cancellation"),
                      "reminder": N_("Reminder"), "chaser": N_("Chaser"), "notice": N_("Notice")}
#: an outbox message's status (domain.constants.OUTBOX_STATUSES), as a badge says it
#: the outbox's statuses, as its counts and filters name a group of messages ("Sent: 16")
OUTBOX_STATUS_LABELS = {"pending": N_("Pending"), "sending": N_("Sending"),
                        "waiting": N_("Waiting"), "sent": N_("Sent"), "failed": N_("Failed"),
                        "withdrawn": N_("Withdrawn")}
#: a busy period's kind, short
BUSY_KIND_NAMES = {"closure": N_("Closure"), "meeting": N_("Chair's meeting"),
                   "blackout": N_("Blackout"), "hrc_session": N_("HRC session")}


def geneva_datetime(instant: datetime | None) -> str:
    """An instant in Geneva time, e.g. "Tue 23 Jan 2024, 09:00 CET" ("mardi 23 janvier
    2024, 09 h 00" on a French page)."""
    if instant is None:
        return ""
    local, language = to_local(instant), current_language()
    if not local_dates.is_english(language):
        return local_dates.day_and_time(local, language)
    return f"{wording.day_and_time(local)} {local:%Z}"


def geneva_time(instant: datetime | None) -> str:
    """The Geneva clock time of an instant, e.g. "12:30 CET" ("12 h 30" on a French page)."""
    if instant is None:
        return ""
    local, language = to_local(instant), current_language()
    if not local_dates.is_english(language):
        return local_dates.clock_time(local, language)
    return f"{local:%H:%M %Z}"


def geneva_span(start: datetime, end: datetime) -> str:
    """A meeting's day and hours in Geneva time, e.g. "Tue 22 Apr 2025, 10:00–11:30 CEST"."""
    first, last = to_local(start), to_local(end)
    return f"{wording.day_and_time(first)}–{last:%H:%M %Z}"


def geneva_date(instant: datetime | None) -> str:
    """The Geneva date of an instant, with its weekday, e.g. "Tue 23 Jan 2024" ("mardi 23
    janvier 2024" on a French page)."""
    return local_short_day(instant) if instant is not None else ""


def geneva_last_day(end: datetime | None) -> str:
    """The last Geneva day of a whole-day period that ends (exclusive) at `end`, as
    `geneva_date` writes it."""
    return geneva_date(end - timedelta(microseconds=1)) if end is not None else ""


def session_number(number: int) -> str:
    """A UPR session's number as the page's language puts it in "before UPR session …":
    "49" in English ("UPR session 49"), an ordinal where the number comes first: French
    "49e" ("la 49e session"), Spanish "49.º" ("el 49.º período de sesiones")."""
    language = current_language()
    if local_dates.is_english(language):
        return str(number)
    return local_dates.ordinal(number, language)


def long_date(day: date | None) -> str:
    """A date with its weekday, e.g. "Tue 23 Jan 2024"."""
    return wording.short_date(day) if day is not None else ""


def register_filters(app: Flask) -> None:
    """Make the filters and label tables available to every template."""
    register_language_filters(app)
    app.add_template_filter(wording.sentence, "sentence")
    app.add_template_filter(geneva_datetime)
    app.add_template_filter(geneva_time)
    app.add_template_filter(geneva_span)
    app.add_template_filter(geneva_date)
    app.add_template_filter(session_number)
    app.add_template_filter(long_date)
    app.add_template_filter(geneva_last_day)
    app.add_template_filter(wording.date_range, "date_range")
    app.add_template_filter(clock.shown_status, "session_status")
    app.add_template_filter(planner.score_label, "score_label")
    app.add_template_filter(wording.ordinal, "ordinal")
    app.add_template_filter(wording.full_date, "full_date")
    app.add_template_filter(wording.short_datetime, "short_datetime")
    app.add_template_filter(feed_links.other_origin, "other_public_origin")
    # each label in the page's language (those marked N_: the others are English only)
    for name, labels in (("nam_label", NAM_LABELS), ("role_label", ROLE_LABELS),
                         ("language_label", LANGUAGE_LABELS),
                         ("partstat_label", PARTSTAT_LABELS), ("slot_label", SLOT_LABELS),
                         ("answer_label", ANSWER_LABELS), ("kind_label", OUTBOX_KIND_LABELS),
                         ("outbox_status_label", OUTBOX_STATUS_LABELS),
                         ("busy_kind_label", BUSY_KIND_NAMES)):
        app.add_template_filter(
            lambda value, labels=labels: translated(labels.get(value, value)), name)
    app.add_template_filter(message_status_label)


def message_status_label(status: str) -> str:
    """One outbox message's status in the page's language: "Sent", "Envoyé" (a context of
    its own: the outbox's counts say "Envoyés", `OUTBOX_STATUS_LABELS`)."""
    labels = {"pending": pgettext("one message's status", "Pending"),
              "sending": pgettext("one message's status", "Sending"),
              "waiting": pgettext("one message's status", "Waiting"),
              "sent": pgettext("one message's status", "Sent"),
              "failed": pgettext("one message's status", "Failed"),
              "withdrawn": pgettext("one message's status", "Withdrawn")}
    return labels.get(status, status)
