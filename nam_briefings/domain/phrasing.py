"""How the domain's sentences are written in each language: the words the domain makes
itself (what changed in an update, the planner's reasons and why nothing fits) go through a
`Phrasing`, English by default (`ENGLISH`), so that the domain stays free of Flask.

A phrasing translates a message (gettext, with %(name)s variables) or a message with a
count (ngettext: "1 working day", "%(num)d working days"), and writes a day, a clock time,
a list of names and a signed number the language's way. `written_in` makes one from a
language's catalog (a `gettext.GNUTranslations`, as Babel and Flask-Babel load them);
services/languages.phrasing() gives the one of the page or e-mail being written.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol

from . import local_dates, wording
from .messages import Said


def _english(message: str, **variables: Any) -> str:
    return message % variables if variables else message


def _english_plural(singular: str, plural: str, count: int, **variables: Any) -> str:
    return _english(singular if count == 1 else plural, **variables)


def _either(items: Sequence[str]) -> str:
    return " or ".join(items)


def _signed(value: float) -> str:
    return f"{value:+.2f}"


@dataclass(frozen=True)
class Phrasing:
    """How the sentences are written in one language: translation of a message (gettext,
    with %(name)s variables), of a message with a count (ngettext), a day, a clock time,
    a list of names and a signed number with two decimals (a score, "+0.50"). English by
    default (`ENGLISH`); services give the others."""

    gettext: Callable[..., str] = _english
    ngettext: Callable[..., str] = _english_plural
    day: Callable[[date], str] = wording.short_date
    clock: Callable[[datetime], str] = lambda moment: f"{moment:%H:%M}"
    names: Callable[[Sequence[str]], str] = wording.join_names
    #: alternatives, "2026 or 2027" ("2026 ou 2027")
    either: Callable[[Sequence[str]], str] = _either
    signed: Callable[[float], str] = _signed
    #: a span of days, "26 Jan – 6 Feb 2026" ("26 janv. – 6 févr. 2026"; the audit log's)
    days: Callable[[date, date], str] = wording.date_range
    #: a day and time in running text, "Tue 5 Feb 2025, 10:00" ("mardi 5 février 2025 à 10 h 00")
    when: Callable[[datetime], str] = wording.day_and_time
    #: the months a period touches, "April and May 2027" ("avril – mai 2027")
    months: Callable[[date, date], str] = wording.months_text

    def text(self, label: str) -> str:
        """A label the domain was given: a `Said` (e.g. another briefing as a busy period)
        in this language, its template translated and its values put in (each a Said in
        turn, or as it is); any other text (a name the secretariat typed) as it is."""
        if not isinstance(label, Said):
            return label
        values = {name: self.text(value) for name, value in label.params.items()}
        return self.gettext(label.template, **values)


ENGLISH = Phrasing()


class Catalog(Protocol):
    """A language's compiled messages (gettext.GNUTranslations and Babel's Translations)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def written_in(language: str, catalog: Catalog) -> Phrasing:
    """How `language` (one of local_dates.WRITTEN_LANGUAGES) writes, its messages taken
    from `catalog`: days as "mercredi 13 janvier 2027", times as "10 h 00", lists as
    "A, B et C", numbers as "+0,50". English gives `ENGLISH`.

    Babel's formatting is slow next to the planner's search: each phrasing remembers the
    days, times, lists and numbers it wrote (one is made per page, e-mail or planning run).
    """
    if local_dates.is_english(language):
        return ENGLISH

    def gettext(message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
        variables.setdefault("num", count)
        return catalog.ngettext(singular, plural, count) % variables

    @functools.lru_cache(maxsize=256)
    def listed(items: tuple[str, ...], style: str = "standard") -> str:
        from babel.lists import format_list

        return format_list(list(items), style=style, locale=language) if items else ""

    from babel.numbers import get_decimal_symbol, get_minus_sign_symbol, get_plus_sign_symbol

    # the same digits as English (Python rounds them), with the language's signs and
    # decimal mark: "+0,50"; in Arabic the signs carry a left-to-right mark, so that "-2.00"
    # is not shown as "2.00-" in right-to-left text
    decimal = get_decimal_symbol(language)
    plus, minus = get_plus_sign_symbol(language), get_minus_sign_symbol(language)

    def signed(value: float) -> str:
        text = f"{value:+.2f}"
        return (plus if text[0] == "+" else minus) + text[1:].replace(".", decimal)

    @functools.lru_cache(maxsize=256)
    def day(value: date) -> str:
        return local_dates.long_day(value, language)

    @functools.lru_cache(maxsize=256)
    def hour_and_minute(hour: int, minute: int) -> str:
        return local_dates.clock_time(time(hour, minute), language)

    return Phrasing(gettext=gettext, ngettext=ngettext, day=day,
                    clock=lambda moment: hour_and_minute(moment.hour, moment.minute),
                    names=lambda items: listed(tuple(items)),
                    either=lambda items: listed(tuple(items), "or"), signed=signed,
                    days=lambda first, last: local_dates.date_range(first, last, language),
                    months=lambda first, last: local_dates.month_span(first, last, language),
                    when=lambda moment: gettext("%(day)s, %(time)s", day=day(moment.date()),
                                                time=hour_and_minute(moment.hour,
                                                                     moment.minute)))
