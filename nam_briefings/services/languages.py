"""The language a message or page is written in, and translation that works with or
without Flask-Babel set up (the CLI and tests may render before it is).

Mail follows the contact's language when we have a catalog for it, else English
(`mail_language`). Babel is imported on first use, not at start-up (issue 13, point 6).
"""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from datetime import datetime

from flask import current_app, has_app_context

from ..domain import local_dates
from ..domain.phrasing import ENGLISH, Phrasing, written_in
from ..domain.calendar import to_local
from ..domain.messages import N_  # the services import it from here (one definition)
from ..models import Contact


#: the refusal of a language we have no pages in (a contact's, in the portal; a user's)
LANGUAGE_REFUSED = N_("Choose one of the languages offered: English, French, Spanish or "
                      "Arabic. Nothing was changed.")


def mail_language(contact: Contact) -> str:
    """The language of a contact's e-mails: theirs when we write in it, else English."""
    return local_dates.written_language(contact.language) or "en"


def mission_language(mission) -> str:
    """A mission's language: the one most of its active contacts read (`mail_language`),
    English when they are as many in English or there is no contact."""
    counts: dict[str, int] = {}
    for contact in mission.contacts:
        if contact.active:
            language = mail_language(contact)
            counts[language] = counts.get(language, 0) + 1
    best = max(counts.items(), key=lambda item: (item[1], item[0] == "en"), default=("en", 0))
    return best[0]


def _babel_ready() -> bool:
    """True inside an application that has Flask-Babel (outside one, we write English)."""
    return has_app_context() and "babel" in current_app.extensions


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


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural message for `num` in the current language, with %(num)d and
    the variables put in (English without Flask-Babel, as `gettext`)."""
    if _babel_ready():
        from flask_babel import ngettext as translate

        return translate(singular, plural, num, **variables)
    return (singular if num == 1 else plural) % {"num": num, **variables}


def phrasing() -> Phrasing:
    """How the current language writes the domain's sentences (`domain.phrasing`): what
    changed in an update, the planner's reasons. Its messages are the current language's
    when it is made, whatever the language later (English outside Flask-Babel)."""
    language = current_language()
    if local_dates.is_english(language) or not _babel_ready():
        return ENGLISH
    from flask_babel import get_translations

    return _written_in(language, get_translations())


@functools.lru_cache(maxsize=16)
def _written_in(language: str, catalog) -> Phrasing:
    """One phrasing per language and loaded catalog (Flask-Babel keeps the catalogs), so
    that the days, times and lists it remembers serve every page and planning run."""
    return written_in(language, catalog)


def phrasings() -> dict[str, Phrasing]:
    """A phrasing for each written language but English (`domain.local_dates
    .WRITTEN_LANGUAGES`): what the planner writes its reasons in besides English. Empty
    outside Flask-Babel (the CLI and jobs run inside the app, so they have it)."""
    if not _babel_ready():
        return {}
    written = {}
    for code in local_dates.WRITTEN_LANGUAGES:
        if not local_dates.is_english(code):
            with in_language(code):
                written[code] = phrasing()
    return written
