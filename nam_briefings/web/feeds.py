"""Calendar feeds over HTTP: public and token URLs, strong ETags, 304s, HEAD.

Calendar clients poll. A poll of a feed this worker has already rendered at the current
data version (see services/feeds.py) is answered by `FeedPolls`, a WSGI layer in front of
Flask, straight from the rendered bytes: no request context, session, login lookup or SQL.
It answers exactly what the routes below answer (same status, headers and body) and only
for what needs none of the app-wide hooks: GET or HEAD, no query string, and an address
of the feed form with a URL-safe token (so nothing the input guard refuses); the feeds are
public views (no login check); the security headers are the same (web/security.py). Any
other request, and the first poll after a change, goes the full way through Flask.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, Response, abort, render_template, request
from flask_login import current_user
from werkzeug.http import parse_accept_header, parse_date

from ..domain.errors import NotFound
from ..domain.local_dates import WRITTEN_LANGUAGES, written_language
from ..services import feed_links, feeds
from .auth import public
from .health import healthz_response
from .security import over_https, security_headers

bp = Blueprint("feeds", __name__)

#: feed kind -> (file name, private?)
KINDS = {"upr": ("upr.ics", False), "mission": ("nam-briefings.ics", True),
         "secretariat": ("nam-secretariat.ics", True)}
#: the feed addresses the fast path answers (tokens are URL-safe base64, see feed_links)
FEED_PATH = re.compile(r"/feeds/(?:upr|(missions|secretariat)/([A-Za-z0-9_-]{1,128}))\.ics")


@bp.route("/feeds/upr.ics", methods=["GET", "HEAD"])
@public
def upr() -> Response:
    """The public UPR calendar (?lang=fr, es or ar for another language than English)."""
    return _respond(feeds.upr_feed(_language()), "upr")


@bp.route("/feeds/missions/<token>.ics", methods=["GET", "HEAD"])
@public
def mission(token: str) -> Response:
    """A mission's private feed (the token is the secret), in the mission's language or
    the one ?lang= asks for."""
    try:
        feed = feeds.mission_feed(token, _language())
    except NotFound:
        abort(404)
    return _respond(feed, "mission")


@bp.route("/feeds/secretariat/<token>.ics", methods=["GET", "HEAD"])
@public
def secretariat(token: str) -> Response:
    """A secretariat user's private feed, with proposals."""
    try:
        feed = feeds.secretariat_feed(token, _language())
    except NotFound:
        abort(404)
    return _respond(feed, "secretariat")


@bp.route("/calendars")
def index() -> str:
    """Where to subscribe: the public UPR feed and the user's own secretariat feed."""
    personal = f"/feeds/secretariat/{feeds.user_feed_token(current_user.id)}.ics"
    return render_template(
        "feeds/index.html",
        upr_url=feed_links.feed_url("/feeds/upr.ics"),
        upr_webcal=feed_links.feed_url("/feeds/upr.ics", webcal=True),
        own_url=feed_links.feed_url(personal), own_webcal=feed_links.feed_url(personal, webcal=True))


@bp.route("/healthz", methods=["GET", "HEAD"])
@public
def health() -> Response:
    """For load balancers and monitoring: 200 when the database answers, else 503 (JSON)."""
    return healthz_response()


def _language() -> str | None:
    """The language ?lang= asks for ("fr", also "FR" or "fr-CH"; None without it); an
    unknown one is a 400 that says which there are."""
    code = request.args.get("lang")
    if code is None:
        return None
    language = written_language(code)
    if language is None:
        abort(400, description=f"Unknown language {code[:20]!r}: lang= takes one of "
                               f"{', '.join(WRITTEN_LANGUAGES)}.")
    return language


def _respond(feed: feeds.Feed, kind: str) -> Response:
    compressed = accepts_gzip(request.headers.get("Accept-Encoding"))
    response = Response(feed.gzipped if compressed else feed.body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers.extend(_feed_headers(kind))
    response.set_etag(feed.gzip_etag if compressed else feed.etag)
    response.last_modified = feed.last_modified
    response = response.make_conditional(request)
    response.headers.pop("Date", None)  # the server adds its own; two would be one too many
    return response


# --- the fast path of polls ---------------------------------------------------------------------

StartResponse = Callable[..., object]


class FeedPolls:
    """WSGI middleware: a poll of a feed already rendered at the current data version is
    answered from memory; everything else goes on to `wsgi_app` (Flask)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if (method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING"):
            match = FEED_PATH.fullmatch(environ.get("PATH_INFO") or "")
            if match:
                kind = {"missions": "mission", "secretariat": "secretariat"}.get(
                    match.group(1), "upr")
                key = ("upr",) if kind == "upr" else (kind, match.group(2))
                feed = feeds.peek(self.app, key)
                if feed is not None:
                    return self._answer(feed, kind, environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _answer(self, feed: feeds.Feed, kind: str, environ: dict,
                start_response: StartResponse) -> Iterable[bytes]:
        compressed = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        tag = f'"{feed.gzip_etag}"' if compressed else feed.quoted_etag
        common = _feed_headers(kind) + [("ETag", tag)]
        secure = security_headers(over_https(environ.get("wsgi.url_scheme", ""),
                                             self.app.config))
        if not _modified(tag, feed, environ):
            start_response("304 NOT MODIFIED", common + secure)
            return []
        body = feed.gzipped if compressed else feed.body
        head = [("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Length", str(len(body)))]
        if compressed:
            head.append(("Content-Encoding", "gzip"))
        start_response("200 OK", head + common + [("Last-Modified", feed.last_modified_header)]
                       + secure)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]



def _feed_headers(kind: str) -> list[tuple[str, str]]:
    """The headers of a feed answer besides its body's, ETag and dates (routes and fast path)."""
    filename, private = KINDS[kind]
    # Calendar clients poll: let them (and caches) revalidate cheaply with the ETag.
    return [("Vary", "Accept-Encoding"),
            ("Content-Disposition", f'inline; filename="{filename}"'),
            ("Cache-Control", "private, no-cache" if private else "public, no-cache")]


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when the client takes gzip (as calendar services do): `gzip` or `*`, not q=0."""
    if not accept_encoding or ("gzip" not in accept_encoding and "*" not in accept_encoding):
        return False
    return parse_accept_header(accept_encoding)["gzip"] > 0


def _modified(tag: str, feed: feeds.Feed, environ: dict) -> bool:
    """False when the client's copy is current: its If-None-Match lists `tag` (or is `*`),
    or, without If-None-Match, its If-Modified-Since is not older than the feed."""
    listed = environ.get("HTTP_IF_NONE_MATCH")
    if listed is not None:
        # A quoted tag (32 hex digits, maybe "-gzip") cannot appear inside another quoted
        # tag: a substring is a listing (weak comparison, as If-None-Match uses).
        return not (tag in listed or listed.strip() == "*")
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is None or feed.last_modified > since


@bp.record_once
def _install_fast_path(state) -> None:
    """Put `FeedPolls` in front of Flask (inside ProxyFix, which must fix the scheme first)."""
    app = state.app
    outer = app.wsgi_app
    if hasattr(outer, "app") and hasattr(outer, "x_proto"):  # werkzeug's ProxyFix
        outer.app = FeedPolls(app, outer.app)
    else:
        app.wsgi_app = FeedPolls(app, outer)  # type: ignore[method-assign]
