"""Marking a message for the catalogs, without Flask (the pure domain may use it too).

`N_("...")` returns its message as it is: the extraction (`make extract`) finds it, and a
page translates it where it shows it (`i18n.translated`). services/languages.N_ is this one.

A sentence with values that must read in English where it is printed or recorded (the CLI,
the audit log) and in the page's language where a page shows it is a `Said`: a str, its
English text, that keeps its template and values.
"""
from __future__ import annotations

from datetime import datetime

from .wording import short_datetime


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark `message` for the catalogs without translating it here: tables of labels and
    the fixed messages of the domain and the services, translated where a page shows them
    (`gettext`)."""
    return message


class Said(str):
    """A sentence the domain or a service wrote: the str itself is its English text, as the
    CLI, its --json output and the audit log write it (byte for byte), and it keeps its
    template and values, so that a page can write it in its own language (the template
    translated, the values written the page's way: web/sessions.py's `in_page_language`).

    ``Said(N_("unknown UPR session %(number)s"), number=99)``, like a DomainError's
    template and params: the English text is ``template % params``. A value may itself be
    a Said (translated in turn), a `Grouped` number, a `Joined` list, a date or a `Moment`.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, params: dict[str, object] | None = None,
                **values: object) -> "Said":
        params = {**(params or {}), **values}
        said = super().__new__(cls, template % params if params else template)
        said.template, said.params = template, params
        return said

    @classmethod
    def of(cls, error) -> "Said":
        """A DomainError's message (its template and params) as a Said."""
        return cls(error.template, error.params)


class Grouped(int):
    """A number written with its thousands grouped: "2,147,483,647" in English."""

    def __str__(self) -> str:
        return f"{int(self):,}"


class Joined(tuple):
    """Parts written one after the other with `separator` between them ("a, b"); each
    part may be a Said."""

    separator: str

    def __new__(cls, parts, separator: str = ", ") -> "Joined":
        joined = super().__new__(cls, parts)
        joined.separator = separator
        return joined

    def __str__(self) -> str:
        return self.separator.join(str(part) for part in self)


class Moment(datetime):
    """A Geneva wall-clock moment written the service's way: "Tue 5 Feb 2025 10:00"."""

    @classmethod
    def of(cls, moment: datetime) -> "Moment":
        return cls.combine(moment.date(), moment.timetz())

    def __str__(self) -> str:
        return short_datetime(self)
