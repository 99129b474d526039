"""Calendar feeds over HTTP: public and token URLs, strong ETags, 304s, HEAD."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from ..domain.errors import NotFound
from ..services import feed_links, feeds
from .auth import public
from .health import healthz_response

bp = Blueprint("feeds", __name__)


@bp.route("/feeds/upr.ics", methods=["GET", "HEAD"])
@public
def upr() -> Response:
    """The public UPR calendar."""
    return _respond(feeds.upr_feed(), "upr.ics", private=False)


@bp.route("/feeds/missions/<token>.ics", methods=["GET", "HEAD"])
@public
def mission(token: str) -> Response:
    """A mission's private feed (the token is the secret)."""
    try:
        feed = feeds.mission_feed(token)
    except NotFound:
        abort(404)
    return _respond(feed, "nam-briefings.ics", private=True)


@bp.route("/feeds/secretariat/<token>.ics", methods=["GET", "HEAD"])
@public
def secretariat(token: str) -> Response:
    """A secretariat user's private feed, with proposals."""
    try:
        feed = feeds.secretariat_feed(token)
    except NotFound:
        abort(404)
    return _respond(feed, "nam-secretariat.ics", private=True)


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


def _respond(feed: feeds.Feed, filename: str, private: bool) -> Response:
    response = Response(feed.body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Calendar clients poll: let them (and caches) revalidate cheaply with the ETag.
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    response = response.make_conditional(request)
    response.headers.pop("Date", None)  # the server adds its own; two would be one too many
    return response
