"""Public addresses: feed tokens and absolute URLs (for the feeds, invitations and portal)."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import current_app

from ..models import Mission


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def public_url(path: str) -> str:
    """An absolute URL of this service from the configured public base URL."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def other_origin(request_root: str) -> str | None:
    """The configured public origin (PUBLIC_BASE_URL) when a request reached the service at
    another one, e.g. "http://127.0.0.1:5000" for a page opened on port 5100: the links in
    e-mails and feeds would then lead somewhere else than this page. None when they agree."""
    configured = current_app.config["PUBLIC_BASE_URL"]
    if _origin(configured) == _origin(request_root):
        return None
    parts = urlsplit(configured)
    return f"{parts.scheme}://{parts.netloc}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:  # a port that is no number: compare what there is
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def feed_url(path: str, webcal: bool = False) -> str:
    """An absolute feed URL from the configured public base URL (webcal:// if asked)."""
    url = public_url(path)
    return "webcal://" + url.split("://", 1)[1] if webcal else url


def mission_feed_path(token: str) -> str:
    """The path of a mission's private feed."""
    return f"/feeds/missions/{token}.ics"


def ensure_mission_token(mission: Mission) -> str | None:
    """The mission's feed token, made now if it has none (the caller commits).

    None when the secretariat switched the feed off: it stays off until a new URL is made.
    """
    if mission.feed_token is None and mission.feed_revoked_at is None:
        mission.feed_token = new_token()
    return mission.feed_token
