"""How dates and numbers are written in English, on pages, in e-mails and calendar entries.

One place, so that a day is "5 Feb" everywhere (not "05 Feb" in e-mails and "5 Feb" on
pages) and the 41st session is not the "41th". Dates and datetimes are taken as they are
given: convert to Geneva time first (`calendar.to_local`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 42nd, 43rd, 51st."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def day_month(day: date) -> str:
    """"5 Feb"."""
    return f"{day.day} {day:%b}"


def short_date(day: date) -> str:
    """With the weekday, e.g. "Tue 5 Feb 2025"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def full_date(day: date) -> str:
    """Spelled out, e.g. "Tuesday 5 February 2025"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_datetime(moment: datetime) -> str:
    """E.g. "Tue 5 Feb 2025 10:00" (the zone is left to the caller)."""
    return f"{short_date(moment)} {moment:%H:%M}"


def day_and_time(moment: datetime) -> str:
    """In running text, e.g. "Tue 5 Feb 2025, 10:00" (the zone is left to the caller)."""
    return f"{short_date(moment)}, {moment:%H:%M}"


def date_range(first: date, last: date) -> str:
    """Two dates, e.g. "23 Jan – 3 Feb 2024" (the year once when they share it)."""
    if first.year == last.year:
        return f"{day_month(first)} – {day_month(last)} {last:%Y}"
    return f"{day_month(first)} {first:%Y} – {day_month(last)} {last:%Y}"


def join_names(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence(text: str) -> str:
    """The first letter upper-case, the rest as written ("Tue 5 Feb" stays, unlike
    str.capitalize, which would write "tue 5 feb")."""
    return text[:1].upper() + text[1:]


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def months_text(first: date, last: date) -> str:
    """The months a period touches, as people say them: "January 2027", "April and May
    2027", "December 2026 and January 2027", "from March to June 2027"."""
    months = []
    at = date(first.year, first.month, 1)
    while at <= last:
        months.append(at)
        at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    a, b = months[0], months[-1]
    if len(months) == 1:
        return f"{_MONTHS[a.month - 1]} {a.year}"
    joined = "and" if len(months) == 2 else "to"
    start = _MONTHS[a.month - 1] + ("" if a.year == b.year else f" {a.year}")
    text = f"{start} {joined} {_MONTHS[b.month - 1]} {b.year}"
    return text if len(months) == 2 else "from " + text
