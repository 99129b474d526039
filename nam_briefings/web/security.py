"""Security headers on every response (pages, downloads, feeds, static files, errors).

- Content-Security-Policy: scripts, styles and images only from this site, no inline
  script or style at all (templates load `static/*.js` and `static/style.css`), no
  plugins, forms post only here, and no page may be framed.
- X-Frame-Options: DENY, for browsers that predate `frame-ancestors`.
- X-Content-Type-Options: nosniff, so a download is never run as a page or a script.
- Referrer-Policy: no-referrer, because signed links (RSVP, portal, feeds) are in URLs and
  must not leak to another site a page links to.
- Strict-Transport-Security: only where the service is reached over HTTPS (the request
  came over HTTPS, or SESSION_COOKIE_SECURE or HSTS is set, as behind a TLS proxy).
"""
from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug import Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: pages that show an e-mail's HTML body (in a sandboxed frame without scripts, which
#: inherits the page's policy): e-mails need their inline style attributes
EMAIL_PREVIEW_ENDPOINTS = {"outbox.show"}
EMAIL_PREVIEW_POLICY = f"{CONTENT_SECURITY_POLICY}; style-src-attr 'unsafe-inline'"
#: one year, the usual value (no includeSubDomains: other services share the domain)
HSTS_VALUE = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    """`after_request` hook: set the headers (a view may have set its own first)."""
    policy = (EMAIL_PREVIEW_POLICY if request.endpoint in EMAIL_PREVIEW_ENDPOINTS
              else CONTENT_SECURITY_POLICY)
    for name, value in security_headers(over_https(request.scheme, current_app.config)):
        response.headers.setdefault(name, policy if name == "Content-Security-Policy" else value)
    return response


def security_headers(over_https: bool) -> list[tuple[str, str]]:
    """The headers every response gets (feed polls answered before Flask take them here)."""
    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Frame-Options", "DENY"),
               ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    return headers + [("Strict-Transport-Security", HSTS_VALUE)] if over_https else headers


def over_https(scheme: str, config) -> bool:
    """Whether the service is reached over HTTPS: the request's scheme (`https`/`wss`, as a
    trusted proxy forwards it), or SESSION_COOKIE_SECURE or HSTS set behind a TLS proxy."""
    return scheme in ("https", "wss") or bool(config.get("SESSION_COOKIE_SECURE")) \
        or bool(config.get("HSTS"))


def init_security(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    app.after_request(add_security_headers)
