"""The languages pages are written in, and how each request's language is chosen.

English is the source language: the catalogs' msgids are the English text. French,
Spanish and Arabic have catalogs under nam_briefings/translations (`make translations`
compiles them; `make update-catalogs` adds new messages). A contact may have any language
of domain.constants.LANGUAGES; one we have no catalog for reads English.

A request's language (Flask-Babel's locale selector, `select_locale`) is the first of:

1. an explicit, valid ``?lang=`` on the request (remembered for the browser session, so
   that the following pages keep it; an unknown value is ignored);
2. the language remembered for the browser session;
3. what the page says it is for (`set_page_language`: the portal and RSVP pages give
   their contact's language, which the contact can set in the portal);
4. on the secretariat's pages, the language the logged-in user chose (their account
   page; `User.language`);
5. the browser's Accept-Language;
6. English.

Only the pages translated so far follow it (TRANSLATED_BLUEPRINTS); any other stays
English, whatever the browser asks, rather than mixing languages on one page.

Flask-Babel and Babel's modules are already imported at start-up (by Flask-WTF, once
Babel is installed); what is heavy, Babel's locale data and the compiled catalogs, loads
on first use.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, LazyString, gettext, lazy_gettext, lazy_ngettext, ngettext
from flask_babel import refresh
from markupsafe import Markup, escape

from .domain import local_dates
from .domain.errors import DomainError
from .domain.messages import Grouped, Joined, Said, Span
from .domain.local_dates import RIGHT_TO_LEFT, WRITTEN_LANGUAGES as LANGUAGES  # noqa: F401
from .domain.local_dates import written_language
from .services.languages import N_, current_language

__all__ = ["LANGUAGES", "N_", "direction", "gettext", "lazy_gettext", "lazy_ngettext",
           "ngettext", "select_locale", "set_page_language", "translated"]

#: each language named in itself, as the switcher shows it
NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
#: the blueprints whose pages are translated (the others are English only, for now)
TRANSLATED_BLUEPRINTS = frozenset({"portal", "rsvp", "dashboard", "sessions", "briefings",
                                   "missions", "states", "outbox", "replies", "feeds", "busy",
                                   "audit", "admin", "auth", "account"})
#: the pages missions reach with their signed links (no login, no secretariat navigation)
MISSION_BLUEPRINTS = frozenset({"portal", "rsvp"})
#: where the browser session keeps a language chosen with ?lang=
SESSION_KEY = "language"
#: ... on a mission's pages (apart: a secretariat user's choice does not follow them into a
#: contact's portal, nor the other way round)
MISSION_SESSION_KEY = "mission_language"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def translated(message: Any) -> Any:
    """A message the catalogs may know (a label, a service's fixed message, marked with
    N_ where it is written; a DomainError's template with its values; a `Said`, its values
    written the page's way too) in the page's language; any other stays as it is."""
    if isinstance(message, Said):
        return _said_in_page_language(message)
    if isinstance(message, DomainError):
        if not message.params:
            return translated(str(message))
        return _said_in_page_language(Said.of(message))
    if not isinstance(message, str) or not message:  # gettext("") is the catalog's header
        return message
    return gettext(message)


def kept_text(sentence: str) -> Markup:
    """A sentence a row keeps (`models.kept_sentence`) as a page shows it: a `Said` in the
    page's language; any other text (a relay's own words, a row written before sentences
    were kept) as it is, marked as English on a page in another language."""
    if isinstance(sentence, Said) or local_dates.is_english(current_language()):
        return escape(translated(sentence))
    return Markup('<span lang="en" dir="ltr">%s</span>') % sentence


def _said_in_page_language(said: Said) -> str:
    """A service's `Said` (an import's report line or summary, a row's problem): its
    template translated, its values written the page's way (a day "lundi 28 avril 2025",
    "2 147 483 647", the language's comma). English: the Said as it is."""
    language = current_language()
    if local_dates.is_english(language):
        return said
    params = {name: _value_in(value, language) for name, value in said.params.items()}
    return gettext(said.template, **params) if params else gettext(said.template)


def _value_in(value: Any, language: str) -> Any:
    if isinstance(value, Said):
        return _said_in_page_language(value)
    if isinstance(value, Span):
        return local_dates.date_range(*value, language)
    if isinstance(value, Joined):
        # the language's comma; its semicolon as the catalog's "a; b" writes it
        separator = local_dates.comma(language) if value.separator == ", " else \
            gettext("%(items)s; %(item)s", items="", item="") if value.separator == "; " \
            else value.separator
        return separator.join(str(_value_in(part, language)) for part in value)
    if isinstance(value, Grouped):
        return format_number(value)
    if isinstance(value, datetime):  # a Geneva wall-clock time (domain.messages.Moment)
        return local_dates.day_and_time(value, language)
    if isinstance(value, date):
        return local_dates.long_day(value, language)
    return value


def supported(code: object) -> str | None:
    """The catalog language `code` names ("fr", "FR", "fr-CH", "fr_CH": "fr"), else None."""
    return written_language(code)


def direction(code: str | None) -> str:
    """The writing direction of a language: "rtl" (Arabic) or "ltr"."""
    return local_dates.direction(code)


def is_translated_page() -> bool:
    """True while handling a request for a page written in every language of LANGUAGES
    (an address no route matches too: its "Not found" page is)."""
    return has_request_context() and (request.blueprint in TRANSLATED_BLUEPRINTS
                                      or request.url_rule is None)


def is_mission_page() -> bool:
    """True while handling a request for a mission's page (the portal, the answer pages)."""
    return has_request_context() and request.blueprint in MISSION_BLUEPRINTS


def select_locale() -> str:
    """The language of the current request (the rule is in the module's docstring)."""
    if not is_translated_page():
        return "en"
    return (supported(request.args.get("lang")) or chosen_language()
            or supported(g.get("page_language")) or _users_language()
            or request.accept_languages.best_match(LANGUAGES) or "en")


def session_key() -> str:
    """Where the browser session keeps the language a ?lang= chose for this kind of page."""
    return MISSION_SESSION_KEY if is_mission_page() else SESSION_KEY


def chosen_language() -> str | None:
    """The language a ?lang= chose earlier in this browser session, for this kind of page."""
    return supported(session.get(session_key()))


def _users_language() -> str | None:
    """The language the logged-in secretariat user chose (None: not chosen, or a mission's
    page, which follows its contact)."""
    if is_mission_page():
        return None
    from flask_login import current_user

    return supported(getattr(current_user, "language", None))


def set_page_language(code: str | None) -> None:
    """Say what language the page is for (its contact's); a ?lang= still comes first."""
    g.page_language = code
    refresh()  # in case something asked for the locale before the page knew its contact


def choose_again() -> None:
    """Choose the request's language again: after a login, the user's own may now apply
    (the welcome is written in it)."""
    refresh()


def text_direction() -> str:
    """The writing direction of the page being rendered (base.html's <html dir>)."""
    return direction(current_language())


def forget_chosen_language() -> None:
    """Drop the language the browser session chose with ?lang= (the page's own applies)."""
    session.pop(session_key(), None)
    refresh()


def format_number(number: int) -> str:
    """A whole number as the current language writes it: "2,000", "2 000"."""
    from babel.numbers import format_decimal

    return format_decimal(number, locale=current_language())


def lazy_number(number: int) -> LazyString:
    """`format_number(number)`, written when shown (for messages made at import time)."""
    return LazyString(format_number, number)


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher."""

    code: str
    #: the language named in itself
    name: str
    url: str
    current: bool

    @property
    def direction(self) -> str:
        """How the language's own name is written: "rtl" or "ltr"."""
        return direction(self.code)


def language_links() -> list[LanguageLink]:
    """The switcher's links: the same page in each language.

    After a POST, the link goes to the page the blueprint names as its home
    (`g.language_home`, e.g. the portal page), since the address posted to may take no GET.
    """
    path = request.path
    if request.method != "GET":
        path = g.get("language_home") or path
    here = current_language()
    return [LanguageLink(code, NATIVE_NAMES[code], f"{path}?lang={code}", code == here)
            for code in LANGUAGES]


def _start_request() -> None:
    """Before each request: forget the previous request's language (the tests' requests
    share one application context, and so `g`), and remember a valid ?lang= of a
    translated page for the browser session."""
    g.pop("page_language", None)
    g.pop("language_home", None)
    refresh()
    if is_translated_page():
        chosen = supported(request.args.get("lang"))
        if chosen is not None and session.get(session_key()) != chosen:
            session[session_key()] = chosen


def init_app(app: Flask) -> None:
    """Set up Flask-Babel (catalogs, locale selector, Jinja's {% trans %} and _()) and
    the hooks above."""
    Babel(app, locale_selector=select_locale,
          default_translation_directories=str(TRANSLATIONS),
          default_timezone=app.config.get("TIMEZONE", "Europe/Zurich"))
    # {% trans %} blocks are written over several lines: their msgid is the text with its
    # whitespace collapsed (babel.cfg extracts them the same way: trimmed = true)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(current_language=current_language,
                                 text_direction=text_direction,
                                 is_translated_page=is_translated_page,
                                 is_mission_page=is_mission_page,
                                 language_links=language_links, translated=translated,
                                 kept_text=kept_text)
    app.before_request(_start_request)
