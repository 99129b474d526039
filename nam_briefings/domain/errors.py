"""Errors meant for people: the web and the CLI show their message as it is.

A message with variables may be given as a template and its values,
``Invalid(N_("%(name)s is listed twice"), params={"name": name})``: its text (`str`) is the
English one, as the CLI prints it, and a page translates the template from the catalogs
(`i18n.translated`) and puts the values in.
"""
from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A request that cannot be carried out; nothing was changed."""

    def __init__(self, message: str, params: Mapping[str, object] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)


class Invalid(DomainError):
    """The input is not acceptable.

    `field` optionally names the input at fault (e.g. "email"), so that a form can show
    the message next to it; the message itself never depends on it.
    """

    def __init__(self, message: str, field: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params)
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist."""
