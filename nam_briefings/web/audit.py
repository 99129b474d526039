"""The audit log: who changed what, when (every role may read it)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..services import audit, languages

bp = Blueprint("audit", __name__)

#: how many events the page shows
SHOWN = 100


@bp.route("/audit")
def index() -> str:
    """The latest changes, newest first, each in a sentence in the page's language (its
    code and its details as recorded under the technical details)."""
    return render_template("audit/index.html",
                           entries=audit.recent_entries(SHOWN, languages.phrasing()),
                           shown=SHOWN)
