"""Odd input is refused at the door, with a clear 400 or 404, before any view or query sees it.

Three guards, installed by `init_input_guard(app)` before the blueprints are registered:

- every `<int:...>` in a route only matches numbers the database can hold (1 to 2**31 - 1,
  PostgreSQL's `integer`), so /briefings/99999999999 is a 404 "no such ..." rather than an
  overflow in the query;
- `request.args.get(name, type=int)` refuses (400) a number outside that range instead of
  handing it to a query;
- the path, the query string and every form field are refused (400) when they hold a NUL
  byte or another control character (tab, CR and LF are allowed in text areas only), or
  when a single-line field is longer than any column it could be stored in.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

from ..domain.limits import DATABASE_INT_MAX, digits_within_int_range
from ..i18n import format_number, gettext as _
from .errors import refusal
from .forms import MULTI_LINE_FIELDS

#: longer than any single-line column (the longest is 300 characters); text areas have their own
MAX_LINE_CHARS = 1_000
#: C0 control characters and DEL
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: the same, less tab, LF and CR, which a text area may hold
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: a run of digits in a path, as an <int:...> part would be
DIGITS = re.compile(r"(?<![^/])\d+(?=/|\.|$)")


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` bounded to what the database holds: anything larger matches no route."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        ceiling = DATABASE_INT_MAX if max is None or max > DATABASE_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=ceiling, signed=signed)


def database_int(value: str) -> int:
    """A query parameter read as a whole number (`type=int`); 400 beyond the database's range.

    Not a number at all raises ValueError, so `get` gives its default as before.
    """
    text = value.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(value)
    if not digits_within_int_range(text.lstrip("+-")):
        raise BadRequest(_("The number %(number)s in this address is too large: numbers here "
                           "go up to %(largest)s.", number=_shown(text),
                           largest=format_number(DATABASE_INT_MAX)))
    return int(text)


class BoundedArgs(ImmutableMultiDict):
    """Request parameters whose `get(..., type=int)` stays inside the database's range."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        return super().get(key, default, database_int if type is int else type)


class GuardedRequest(Request):
    """The request class of the app: query and form parameters as `BoundedArgs`."""

    parameter_storage_class = BoundedArgs


def odd_input() -> str | None:
    """What is wrong with the request's path, query or form fields, as a sentence; else None."""
    if CONTROL.search(request.path):
        return _("The address contains a control character (such as a NUL byte).")
    for key, value in request.args.items(multi=True):
        if CONTROL.search(key) or CONTROL.search(value):
            return _("The address's parameter %(name)s contains a control character (such as "
                     "a NUL byte).", name=repr(_shown(key)))
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            problem = _odd_field(key, value)
            if problem:
                return problem
    return None


def _odd_field(name: str, value: str) -> str | None:
    multi_line = name in MULTI_LINE_FIELDS
    shown = repr(_shown(name))
    if CONTROL.search(name) or (CONTROL_IN_TEXT if multi_line else CONTROL).search(value):
        if multi_line:
            return _("The field %(name)s contains a control character such as a NUL byte: "
                     "nothing was changed. Remove it and send the form again.", name=shown)
        return _("The field %(name)s contains a control character such as a NUL byte (line "
                 "breaks and tabs are fine in text areas only): nothing was changed. Remove "
                 "it and send the form again.", name=shown)
    if not multi_line and len(value) > MAX_LINE_CHARS:
        return _("The field %(name)s is %(length)s characters long, more than any such field "
                 "may hold: nothing was changed.", name=shown,
                 length=format_number(len(value)))
    return None


def _shown(text: str) -> str:
    """A piece of input fit to quote in a message: printable and short."""
    clean = CONTROL.sub("?", text)
    return clean if len(clean) <= 40 else clean[:20] + "…" + clean[-8:]


def refuse_odd_input() -> Any:
    """`before_request` hook: 400 for control characters or oversize fields; a clear 404
    for a number in the address beyond anything the database holds."""
    problem = odd_input()
    if problem:
        return refusal(400, problem)
    if isinstance(request.routing_exception, NotFound):
        for digits in DIGITS.findall(request.path):
            if not digits_within_int_range(digits):
                return refusal(404, _("There is no such record: %(number)s is larger than "
                                      "any number this service gives out.",
                                      number=_shown(digits)))
    return None


def init_input_guard(app: Flask) -> None:
    """Install the guards; call before any route is added (the converter binds at that time)."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = GuardedRequest
    app.before_request(refuse_odd_input)
