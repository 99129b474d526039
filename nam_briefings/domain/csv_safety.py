"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection").

A cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is a formula to Excel, LibreOffice and
Google Sheets: `=HYPERLINK("http://evil","x")` in a contact's name becomes a live link in
the secretariat's roster. Such a cell gets a leading `'`, which spreadsheets show as text
and do not display. Every CSV the service exports writes its cells through `safe_cell`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: the first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that would start a formula is
    prefixed with `'`; anything else (other text, numbers, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` applied to every value of a row (for `csv.writer.writerow`)."""
    return [safe_cell(value) for value in values]
