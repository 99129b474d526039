"""The dashboard (the home page): the next sessions, what needs doing, the outbox's health."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..services import dashboard, sessions

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index() -> str:
    """The next sessions with their presenters and briefings, actions, outbox counts."""
    return render_template("dashboard/index.html", board=dashboard.dashboard(),
                           next_session=sessions.next_session_defaults())
