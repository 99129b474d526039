"""Logging in and out, and who may see what: every page needs a login unless marked public."""
from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from time import time
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug import Response

from .. import i18n
from ..extensions import login_manager
from ..i18n import gettext as _, ngettext
from ..services import users
from ..services.audit import Actor
from ..services.throttle import TooManyAttempts
from .forms import LoginForm

if TYPE_CHECKING:
    from ..models import User

bp = Blueprint("auth", __name__)

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Mark a view as reachable without logging in (put it under the `@bp.route` line)."""
    view._public = True  # type: ignore[attr-defined]
    return view


def role_required(role: str) -> Callable[[View], View]:
    """Refuse (403) users whose role is below `role` (viewer < editor < admin)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return unauthenticated()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def current_actor() -> Actor:
    """The logged-in user, as recorded in the audit trail."""
    return Actor(label=current_user.email, user_id=current_user.id)


def wants_html() -> bool:
    """True when the client asks for HTML more than for JSON (browsers do; curl's */* does not).

    Browsers list several types at the top quality (Chromium: text/html, xhtml, image
    formats...), so compare the two qualities rather than take the "best" type.
    """
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"]


def unauthenticated() -> Response:
    """Browsers go to the login page (and come back after); other clients get a 401."""
    if wants_html():
        here = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        return redirect(url_for("auth.login", next=here))
    response = jsonify(error="authentication required", login=url_for("auth.login"))
    response.status_code = 401
    return response


def require_login() -> Response | None:
    """`before_request` hook: let through public views and logged-in users only."""
    if request.endpoint is None or current_user.is_authenticated:
        return None  # unknown URLs fall through to the 404 page
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "_public", False):
        return None
    return unauthenticated()


def is_safe_next(target: str | None) -> bool:
    """True for a relative path on this site ("/missions?q=x"), never for another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


#: what the session remembers of its login: the account's session version, and when
SESSION_VERSION, LOGGED_IN_AT = "session_version", "logged_in_at"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user from the session cookie, or None (logged out) when the account
    is deactivated, its sessions were ended (logout, a new password: a newer session
    version) or the login is older than SESSION_LIFETIME_HOURS.

    A remember-me cookie is never issued; one made up would bring no session version
    and is refused as well.
    """
    try:
        user = users.get_user(int(user_id))
    except ValueError:
        return None
    if user is None or not user.active or session.get(SESSION_VERSION) != user.session_version:
        return None
    lifetime = current_app.config["SESSION_LIFETIME_HOURS"] * 3600
    logged_in_at = session.get(LOGGED_IN_AT)
    if not isinstance(logged_in_at, (int, float)) or time() - logged_in_at > lifetime:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """Show the login form; on success go to `next` (if safe) or the dashboard."""
    next_url = request.args.get("next")
    next_url = next_url if is_safe_next(next_url) else None
    if current_user.is_authenticated:
        return redirect(next_url or url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.log_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as blocked:
            return _too_many_attempts(form, next_url, blocked)
        if user is not None:
            _start_new_session()
            login_user(user, remember=False)
            session[SESSION_VERSION] = user.session_version
            session[LOGGED_IN_AT] = int(time())
            i18n.choose_again()
            flash(_("Welcome, %(email)s.", email=user.email), "success")
            return redirect(next_url or url_for("dashboard.index"))
        form.password.errors = [_("Wrong e-mail address or password.")]
    return render_template("auth/login.html", form=form, next_url=next_url)


def _too_many_attempts(form: LoginForm, next_url: str | None,
                       blocked: TooManyAttempts) -> Response:
    """429 with Retry-After, and the login page saying how long to wait."""
    response = current_app.make_response(
        (render_template("auth/login.html", form=form, next_url=next_url,
                         blocked=_wait_message(blocked)), 429))
    response.headers["Retry-After"] = str(blocked.retry_after)
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out (ending the account's sessions on every device) and go back to the login page."""
    if current_user.is_authenticated:
        users.end_sessions(current_user.id)
    logout_user()
    _start_new_session()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


def _wait_message(blocked: TooManyAttempts) -> str:
    """"Too many attempts: try again in 5 minutes." (the exception's own words, in the
    page's language)."""
    minutes = max(1, math.ceil(blocked.retry_after / 60))
    return ngettext("Too many attempts: try again in %(num)s minute.",
                    "Too many attempts: try again in %(num)s minutes.", minutes)


def _start_new_session() -> None:
    """Forget everything about the browser's session, including its CSRF token, but the
    language chosen with ?lang= (the page after logging in or out keeps it)."""
    kept = {key: session[key] for key in (i18n.SESSION_KEY, i18n.MISSION_SESSION_KEY)
            if key in session}
    session.clear()
    session.update(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def init_auth(app: Flask) -> None:
    """Require a login app-wide and route Flask-Login's own checks the same way."""
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(unauthenticated)
    app.before_request(require_login)
