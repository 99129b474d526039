"""Errors meant for people: the web and the CLI show their message as it is."""
from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out; nothing was changed."""


class Invalid(DomainError):
    """The input is not acceptable.

    `field` optionally names the input at fault (e.g. "email"), so that a form can show
    the message next to it; the message itself never depends on it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist."""
