"""Checks of single values, shared by imports, forms and the CLI."""
from __future__ import annotations

from .errors import Invalid


def normalise_email(value: str) -> str:
    """A syntactically valid e-mail address, lower-cased; raises Invalid otherwise.

    Deliverability is not checked (no DNS here); the domain must have a dot.
    """
    from email_validator import EmailNotValidError, validate_email  # heavy: import when used

    value = (value or "").strip()
    if not value:
        raise Invalid("an e-mail address is required")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(f"invalid e-mail address {value!r}: {error}") from None
    return checked.normalized.lower()
