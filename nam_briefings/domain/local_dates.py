"""Dates and times written the local way in each language we write to missions in.

English keeps the service's own wording (`wording`: "Wed 13 Jan 2027, 10:00"); French,
Spanish and Arabic take Babel's CLDR data: "mercredi 13 janvier 2027, 10 h 00",
"miércoles, 13 de enero de 2027, 10:00", "الأربعاء، 13 يناير 2027، 10:00". Times are on the
24-hour clock in every language (a Geneva meeting's time, as UN documents write it); the
French one as Swiss and French administrations write it, "10 h 00", with no-break spaces
(U+00A0) so that a time never breaks across two lines.

Babel is imported on first use: the service starts without it (issue 13, point 6).
"""
from __future__ import annotations

from datetime import date, datetime

from . import wording

#: the languages we write mail and pages in (a catalog each; English is the source)
WRITTEN_LANGUAGES = ("en", "fr", "es", "ar")
#: those written right to left
RIGHT_TO_LEFT = frozenset({"ar"})
#: how each language writes a clock time (Babel/CLDR pattern; French spaces do not break)
_TIME_PATTERNS = {"fr": "HH\u00a0'h'\u00a0mm"}
_DEFAULT_TIME_PATTERN = "HH:mm"
#: what separates the items of a list, and a day from its time (Arabic has its own comma)
_COMMAS = {"ar": "، "}


def written_language(code: object) -> str | None:
    """The language of WRITTEN_LANGUAGES that `code` names ("fr", "FR", "fr-CH", "fr_CH":
    "fr"), else None."""
    if not isinstance(code, str):
        return None
    language = code.strip().replace("_", "-").split("-")[0].lower()
    return language if language in WRITTEN_LANGUAGES else None


def comma(language: str | None) -> str:
    """The comma between the items of a list: ", ", in Arabic "، "."""
    return _COMMAS.get(written_language(language) or "en", ", ")


def is_english(language: str | None) -> bool:
    """True for English (or no language said): the service's own wording applies."""
    return not language or language.split("_")[0].split("-")[0] == "en"


def direction(language: str | None) -> str:
    """The HTML dir= of a text in `language` (any code `written_language` reads): "rtl"
    or "ltr"."""
    return "rtl" if written_language(language) in RIGHT_TO_LEFT else "ltr"


def ordinal(number: int, language: str) -> str:
    """A session's number as an ordinal: "41st", "41e" ("1re"), "41.º", and in Arabic the
    number itself ("الدورة 41", as the sentence around it says)."""
    if is_english(language):
        return wording.ordinal(number)
    if language == "fr":
        return "1re" if number == 1 else f"{number}e"  # la session: feminine
    if language == "es":
        return f"{number}.º"  # el período de sesiones
    return str(number)


def long_day(day: date, language: str) -> str:
    """The day with its weekday, written out: "mercredi 13 janvier 2027" (French writes
    the first of the month "1er", which CLDR's pattern does not)."""
    if is_english(language):
        return wording.full_date(day)
    from babel.dates import format_date

    if language == "fr" and day.day == 1:
        return format_date(day, "EEEE '1er' MMMM y", locale=language)
    return format_date(day, "full", locale=language)


def clock_time(moment: datetime, language: str) -> str:
    """The time of day on the 24-hour clock: "10 h 00", "10:00"."""
    if is_english(language):
        return f"{moment:%H:%M}"
    from babel.dates import format_time

    pattern = _TIME_PATTERNS.get(language, _DEFAULT_TIME_PATTERN)
    return format_time(moment, pattern, locale=language)


def day_and_time(moment: datetime, language: str) -> str:
    """Day and time: "mercredi 13 janvier 2027, 10 h 00" (English: "Wed 13 Jan 2027, 10:00")."""
    if is_english(language):
        return wording.day_and_time(moment)
    separator = comma(language)
    return f"{long_day(moment.date(), language)}{separator}{clock_time(moment, language)}"


def month_span(first: date, last: date, language: str) -> str:
    """The months a period touches: "April and May 2027" ("avril – mai 2027")."""
    if is_english(language):
        return wording.months_text(first, last)
    from babel.dates import format_interval

    return format_interval(first, last, "yMMMM", locale=language)


def date_range(start: date, end: date, language: str) -> str:
    """A span of days, as short as the language writes it: "20–31 janv. 2027"."""
    if is_english(language):
        return wording.date_range(start, end)
    from babel.dates import format_interval

    return format_interval(start, end, "yMMMd", locale=language)
