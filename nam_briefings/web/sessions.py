"""UPR sessions: the list (upcoming first) and one session with its reviews."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug import Response

from ..services import sessions

bp = Blueprint("sessions", __name__)


@bp.route("/")
def home() -> Response:
    """The home page is the sessions list."""
    return redirect(url_for("sessions.index"))


@bp.route("/sessions")
def index() -> str:
    """Current and upcoming sessions (soonest first), then past ones (latest first)."""
    today = sessions.today()
    return render_template("sessions/index.html", sessions=sessions.list_sessions(today),
                           today=today)


@bp.route("/sessions/<int:number>")
def show(number: int) -> str:
    """One session: dates, venue and its reviews in order, NAM members highlighted."""
    return render_template("sessions/show.html", overview=sessions.get_session(number),
                           today=sessions.today())
