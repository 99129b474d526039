"""The audit log: who changed what, when (every role may read it)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..services import audit

bp = Blueprint("audit", __name__)

#: how many events the page shows
SHOWN = 100


@bp.route("/audit")
def index() -> str:
    """The latest changes, newest first, each in a sentence (its code under the details)."""
    return render_template("audit/index.html", entries=audit.recent_entries(SHOWN),
                           shown=SHOWN)
