"""Marking a message for the catalogs, without Flask (the pure domain may use it too).

`N_("...")` returns its message as it is: the extraction (`make extract`) finds it, and a
page translates it where it shows it (`i18n.translated`). services/languages.N_ is this one.

A sentence with values that must read in English where it is printed or recorded (the CLI,
the audit log) and in the page's language where a page shows it is a `Said`: a str, its
English text, that keeps its template and values.
"""
from __future__ import annotations

from datetime import date, datetime

from .wording import date_range, short_datetime


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
    a Said (translated in turn), a `Grouped` number, a `Joined` list, a date, a `Span` of
    days or a `Moment`.
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


class Span(tuple):
    """A range of days, first and last, written the service's way: "20–31 Jan 2020"."""

    def __new__(cls, first: date, last: date) -> "Span":
        return super().__new__(cls, (first, last))

    def __str__(self) -> str:
        return date_range(*self)


class Moment(datetime):
    """A Geneva wall-clock moment written the service's way: "Tue 5 Feb 2025 10:00"."""

    @classmethod
    def of(cls, moment: datetime) -> "Moment":
        return cls.combine(moment.date(), moment.timetz())

    def __str__(self) -> str:
        return short_datetime(self)


def recorded(text: str) -> dict | None:
    """How a row keeps a sentence besides its English text, so that a page can write it in
    its own language later: a `Said`'s template and values as JSON (``{"said": template,
    "params": {...}}``); None for any other text (a relay's own words, say), which pages
    show as it is."""
    return _encoded(text) if isinstance(text, Said) else None


def recalled(text: str, stored: dict | None) -> str:
    """The sentence a row keeps: its `Said` again from what `recorded` stored, else `text`
    as it is (stored before sentences were kept, or not ours). A row whose text was cut
    short keeps its text: the Said is only trusted when it still writes that text."""
    if not stored:
        return text
    try:
        said = _decoded(stored)
    except (KeyError, TypeError, ValueError):
        return text
    return said if isinstance(said, Said) and said == text else text


def _encoded(value: object) -> object:
    if isinstance(value, Said):
        return {"said": value.template,
                "params": {name: _encoded(part) for name, part in value.params.items()}}
    if isinstance(value, Span):
        return {"span": [day.isoformat() for day in value]}
    if isinstance(value, Joined):
        return {"joined": [_encoded(part) for part in value], "separator": value.separator}
    if isinstance(value, Grouped):
        return {"grouped": int(value)}
    if isinstance(value, datetime):
        return {"moment": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


def _decoded(value: object) -> object:
    if not isinstance(value, dict):
        return value
    if "said" in value:
        return Said(value["said"], {name: _decoded(part)
                                    for name, part in value["params"].items()})
    if "span" in value:
        return Span(*(date.fromisoformat(day) for day in value["span"]))
    if "joined" in value:
        return Joined((_decoded(part) for part in value["joined"]), value["separator"])
    if "grouped" in value:
        return Grouped(value["grouped"])
    if "moment" in value:
        return Moment.of(datetime.fromisoformat(value["moment"]))
    if "date" in value:
        return date.fromisoformat(value["date"])
    raise ValueError(f"not a kept sentence: {value!r}")
