"""Answers by e-mail: every iMIP REPLY read and what became of it (every role may look)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..domain.imip import OUTCOMES
from ..services import replies

bp = Blueprint("replies", __name__)

#: how many replies the page shows
SHOWN = 200


@bp.route("/replies")
def index() -> str:
    """The latest replies, newest first, with their outcome; ?outcome=NAME narrows the list."""
    outcome = request.args.get("outcome")
    outcome = outcome if outcome in OUTCOMES else None
    return render_template("replies/index.html", replies=replies.latest(SHOWN, outcome),
                           counts=replies.outcome_counts(), outcome=outcome, shown=SHOWN)
