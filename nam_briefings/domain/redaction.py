"""Taking personal links out of a text before people other than its recipient see it.

Every e-mail to a contact carries signed links that act for them without a login: the
RSVP answers, the mission portal (which edits the mission's contacts) and the mission's
private calendar feed. The secretariat's outbox shows and downloads those e-mails, so
what it shows goes through `redact_personal_links` first: the link stays recognisable
("…/rsvp/[personal link removed]/decline") but cannot be used.
"""
from __future__ import annotations

import re

#: what replaces the secret part of a personal link
REMOVED = "[personal link removed]"

#: the paths whose next segment is a secret (signed token or random feed key)
_PERSONAL_LINK = re.compile(
    r"(?P<prefix>/(?:rsvp|portal|feeds/missions|feeds/secretariat)/)"
    r"(?P<secret>[A-Za-z0-9_\-.~%]+?)(?P<suffix>\.ics)?(?=[^A-Za-z0-9_\-.~%]|$)")


def redact_personal_links(text: str) -> str:
    """`text` with the secret of every RSVP, portal and private feed link replaced."""
    return _PERSONAL_LINK.sub(
        lambda match: match["prefix"] + REMOVED + (match["suffix"] or ""), text)
