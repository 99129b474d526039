"""Checks of single values, shared by imports, forms and the CLI."""
from __future__ import annotations

from .errors import Invalid
from .messages import N_


def normalise_email(value: str) -> str:
    """A syntactically valid e-mail address, lower-cased; raises Invalid otherwise.

    Deliverability is not checked (no DNS here); the domain must have a dot.
    """
    from email_validator import EmailNotValidError, validate_email  # heavy: import when used

    value = (value or "").strip()
    if not value:
        raise Invalid(N_("an e-mail address is required"))
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        # the reason is email_validator's, in English
        raise Invalid(N_("invalid e-mail address %(address)s: %(reason)s"),
                      params={"address": repr(value), "reason": str(error)}) from None
    return checked.normalized.lower()
