"""When the database is down: `/healthz` says so (503) and every page answers 503, not 500.

`/healthz` itself is routed in feeds.py (endpoint `feeds.health`, public) and answered here.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, jsonify, request

from .. import i18n
from ..services import health
from ..services.languages import N_, in_language

log = logging.getLogger(__name__)

#: what the 503 page says (in its language; JSON clients read the English)
UNREACHABLE = N_("The database is not reachable; try again in a minute.")
BUSY = N_("The database is busy; try again in a minute.")
#: what clients are told to wait before trying again, in seconds
RETRY_AFTER = 60
#: at most one log line per worker in this many seconds while the database is down
LOG_EVERY_SECONDS = 60.0


def healthz_response() -> Response:
    """200 `{"status": "ok", "database": "ok"}`, or 503 with `"status": "unavailable"`."""
    check = health.check_database()
    if check.ok:
        response = jsonify(status="ok", database="ok")
    else:
        _log_outage(check.reason)
        response = jsonify(status="unavailable", database=check.detail)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_unavailable(error: health.DatabaseError) -> tuple[Response | str, int, dict]:
    """Error handler: a short 503 page (or JSON) instead of a 500 and a traceback."""
    if health.is_unreachable(error):
        message = UNREACHABLE
    elif health.is_transient(error):
        message = BUSY
    else:
        raise error  # a bug, not an outage: the usual 500 (logged with its traceback)
    _log_outage(health.one_line(error))
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if request.path == "/healthz" or _prefers_json():
        return jsonify(error=message), 503, headers
    return _page(message), 503, headers


def register(app: Flask) -> None:
    """Answer 503 when the database cannot be reached or is busy for a moment (locked, timed
    out, a deadlock); any other database error stays a 500."""
    for error_class in health.OUTAGE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)


def _page(message: str) -> str:
    # Straight from the Jinja environment: Flask's context processors would load the
    # logged-in user (Flask-Login's current_user), which needs the database.
    template = current_app.jinja_env.get_template("database_unavailable.html")
    with in_language(_page_language()):
        return template.render(message=i18n.translated(message))


def _page_language() -> str:
    """The 503 page's language, chosen without the database (i18n.select_locale would
    read the logged-in user's own language, which needs it): a ?lang=, the browser
    session's, else the browser's Accept-Language, on the translated pages; else English."""
    if not i18n.is_translated_page():
        return "en"
    return (i18n.supported(request.args.get("lang"))
            or i18n.chosen_language()
            or request.accept_languages.best_match(i18n.LANGUAGES) or "en")


def _prefers_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _log_outage(reason: str) -> None:
    """One warning line (no traceback) per worker and minute, however many requests fail."""
    state = current_app.extensions.setdefault("nam_database_outage", {"logged_at": None,
                                                                      "refused": 0})
    now = time.monotonic()
    if state["logged_at"] is not None and now - state["logged_at"] < LOG_EVERY_SECONDS:
        state["refused"] += 1
        return
    since = f" ({state['refused']} more requests answered 503 since the last line)" \
        if state["refused"] else ""
    log.warning("database unavailable, answering 503: %s%s", reason, since)
    state.update(logged_at=now, refused=0)
