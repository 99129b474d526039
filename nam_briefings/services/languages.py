"""The language a message or page is written in, and translation that works with or
without Flask-Babel set up (the CLI and tests may render before it is).

Mail follows the contact's language when we have a catalog for it, else English
(`mail_language`). Babel is imported on first use, not at start-up (issue 13, point 6).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from datetime import datetime

from flask import current_app

from ..domain import changes, local_dates
from ..domain.calendar import to_local
from ..domain.local_dates import WRITTEN_LANGUAGES
from ..models import Contact


def mail_language(contact: Contact) -> str:
    """The language of a contact's e-mails: theirs when we write in it, else English."""
    language = (contact.language or "").split("-")[0].lower()
    return language if language in WRITTEN_LANGUAGES else "en"


def request_language() -> str:
    """The language of a request's page: the browser's preference among those we write
    (Accept-Language), else English."""
    from flask import has_request_context, request

    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(WRITTEN_LANGUAGES) or "en"


def _babel_ready() -> bool:
    return "babel" in current_app.extensions


def current_language() -> str:
    """The language being rendered: Flask-Babel's locale, or "en" without one."""
    if not _babel_ready():
        return "en"
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def local_time(instant: datetime, zone: bool = False) -> str:
    """The Geneva clock time of an instant in the current language: "10:00" ("10:00 CET"
    with `zone` in English; "10 h 00" in French, where the sentence says "Geneva time")."""
    local = to_local(instant)
    language = current_language()
    if local_dates.is_english(language):
        return f"{local:%H:%M %Z}" if zone else f"{local:%H:%M}"
    return local_dates.clock_time(local, language)


@contextlib.contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render and translate in `language` inside the block (whatever the request's is)."""
    if not _babel_ready():
        yield
        return
    from flask_babel import force_locale

    with force_locale(language):
        yield


def gettext(message: str, **variables) -> str:
    """`message` translated into the current language, with %(name)s variables put in."""
    if _babel_ready():
        from flask_babel import gettext as translate

        return translate(message, **variables)
    return message % variables if variables else message


_ = gettext


def phrasing() -> changes.Phrasing:
    """How the current language writes what changed in an update (`domain.changes`)."""
    language = current_language()
    if local_dates.is_english(language) or not _babel_ready():
        return changes.ENGLISH
    from babel.lists import format_list
    from flask_babel import gettext as translate
    from flask_babel import ngettext

    return changes.Phrasing(
        gettext=translate, ngettext=ngettext,
        day=lambda day: local_dates.long_day(day, language),
        clock=lambda moment: local_dates.clock_time(moment, language),
        names=lambda names: format_list(list(names), locale=language))
