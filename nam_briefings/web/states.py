"""The states roster, filtered by NAM status."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..domain.constants import NAM_STATUSES
from ..services import states

bp = Blueprint("states", __name__)

#: the filters offered, in the order shown; the first is the default
FILTERS = {
    "nam": ("member", "observer"),
    "member": ("member",),
    "observer": ("observer",),
    "none": ("none",),
    "all": NAM_STATUSES,
}


@bp.route("/states")
def index() -> str:
    """States by name; ?status=member|observer|none|all (default: members and observers)."""
    chosen = request.args.get("status", "nam")
    if chosen not in FILTERS:
        chosen = "nam"
    return render_template(
        "states/index.html",
        states=states.roster(FILTERS[chosen]),
        counts=states.nam_counts(),
        chosen=chosen,
        filters=FILTERS,
    )
