"""Errors meant for people: the web and the CLI show their message as it is."""


class DomainError(Exception):
    """A request that cannot be carried out; nothing was changed."""


class Invalid(DomainError):
    """The input is not acceptable."""


class NotFound(DomainError):
    """The thing asked for does not exist."""
