"""Marking a message for the catalogs, without Flask (the pure domain may use it too).

`N_("...")` returns its message as it is: the extraction (`make extract`) finds it, and a
page translates it where it shows it (`i18n.translated`). services/languages.N_ is this one.
"""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark `message` for the catalogs without translating it here: tables of labels and
    the fixed messages of the domain and the services, translated where a page shows them
    (`gettext`)."""
    return message
