"""Friendly error pages that keep the right status code."""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..domain.errors import Invalid, NotFound
from ..i18n import N_, gettext, translated

TITLES = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    500: N_("Something went wrong"),
}
MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("Your account may look at this page but not change anything here. "
            "Ask an administrator if you need editing rights."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not accept that kind of request."),
    500: N_("An unexpected error happened; nothing was changed. Please try again."),
}
CSRF_MESSAGE = N_("The form had expired or was sent from elsewhere, so nothing was changed. "
                  "Go back, reload the page and try again.")


def error_page(status: int, message: str | None = None) -> tuple[str, int]:
    """The error page for `status`, with an optional specific message, in the page's
    language (a message the catalogs do not know, e.g. one naming a value, stays as it is)."""
    shown = message or MESSAGES.get(status, "")
    body = render_template(
        "error.html",
        status=status,
        title=gettext(TITLES.get(status, N_("Error"))),
        message=gettext(shown) if shown else "",  # gettext("") is the catalog's header
    )
    return body, status


def wants_json() -> bool:
    """True when the client asks for JSON more than for HTML (scripts); browsers get pages."""
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def refusal(status: int, message: str) -> tuple[str, int] | Response:
    """A refusal of the request: the error page, or `{"error": message}` for a JSON client."""
    if wants_json():
        response = jsonify(error=message)
        response.status_code = status
        return response
    return error_page(status, message)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return error_page(400, CSRF_MESSAGE)


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code not in TITLES:
        return error
    # a specific description (abort(400, "...")) is shown; the class's generic one is not
    specific = error.description if error.description != type(error).description else None
    return error_page(error.code, specific)


def register_error_handlers(app: Flask) -> None:
    """Show error pages for CSRF failures, refusals, unknown things and crashes."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NotFound, lambda error: error_page(404, translated(error)))
    app.register_error_handler(Invalid, lambda error: error_page(400, translated(error)))
