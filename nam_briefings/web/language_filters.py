"""Jinja filters that write dates and times in the language of the page or e-mail being
rendered (Flask-Babel's current locale; English when none is set), in Geneva time.

English output is exactly the service's own wording (`domain.wording`), so that English
pages and e-mails read as they always have; other languages follow `domain.local_dates`.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from ..domain import local_dates, wording
from ..domain.calendar import to_local
from ..services.languages import current_language, local_time


def local_full_date(value: date | datetime) -> str:
    """The day spelled out: "Wednesday 13 January 2027", "mercredi 13 janvier 2027"."""
    day = to_local(value).date() if isinstance(value, datetime) else value
    return local_dates.long_day(day, current_language())


def local_short_day(value: date | datetime) -> str:
    """The day, short in English ("Wed 13 Jan 2027"), written out in other languages."""
    day = to_local(value).date() if isinstance(value, datetime) else value
    language = current_language()
    if local_dates.is_english(language):
        return wording.short_date(day)
    return local_dates.long_day(day, language)


def local_datetime(instant: datetime) -> str:
    """Day and time, short in English ("Wed 13 Jan 2027 10:00", as subjects always said),
    written out in other languages ("mercredi 13 janvier 2027, 10 h 00")."""
    local = to_local(instant)
    language = current_language()
    if local_dates.is_english(language):
        return wording.short_datetime(local)
    return local_dates.day_and_time(local, language)


def local_ordinal(number: int) -> str:
    """A session's ordinal in the current language: "41st", "41e", "41.º"."""
    return local_dates.ordinal(number, current_language())


def local_date_range(first: date, last: date) -> str:
    """A span of days: "20 Jan – 31 Jan 2027", "20–31 janv. 2027"."""
    return local_dates.date_range(first, last, current_language())


def list_comma() -> str:
    """The comma between the items of a list in the page's language (a Jinja global)."""
    return local_dates.comma(current_language())


def strong(text: str) -> Markup:
    """The text in <strong>, escaped (to place inside a translated sentence)."""
    return Markup("<strong>{}</strong>").format(text)


def link_to(text: str, url: str) -> Markup:
    """The text as a link to `url`, both escaped (to place inside a translated sentence)."""
    return Markup('<a href="{}">{}</a>').format(url, text)


def register_language_filters(app: Flask) -> None:
    """Make the filters above available to every template."""
    for function in (local_time, local_full_date, local_datetime, local_date_range,
                     local_ordinal, local_short_day, strong, link_to):
        app.add_template_filter(function)
    app.add_template_global(list_comma)
