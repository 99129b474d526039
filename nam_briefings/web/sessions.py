"""UPR sessions: the list (upcoming first) and one session with its reviews and briefing."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug import Response

from ..services import briefings, clock, proposals_view, sessions
from .forms import ManualBriefingForm, RulesForm

bp = Blueprint("sessions", __name__)


@bp.route("/")
def home() -> Response:
    """The home page is the sessions list."""
    return redirect(url_for("sessions.index"))


@bp.route("/sessions")
def index() -> str:
    """Current and upcoming sessions (soonest first), then past ones (latest first)."""
    today = clock.today()
    return render_template("sessions/index.html", sessions=sessions.list_sessions(today),
                           today=today)


@bp.route("/sessions/<int:number>")
def show(number: int) -> str:
    """One session: dates, venue, its reviews in order, and its briefing or proposals."""
    return session_page(number)[0]


def session_page(number: int, rules_form: RulesForm | None = None,
                 manual_form: ManualBriefingForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    """Render a session's page; a form given (with its errors) replaces the blank one.

    The briefing section shows the confirmed briefings or, when there are none, the open
    proposals; editors also get the forms to plan again and to set a time by hand (shown
    with a refused form even when the session has briefings, so the refusal is seen).
    """
    overview = sessions.get_session(number)
    confirmed = briefings.session_briefings(number)
    proposals = [] if confirmed else proposals_view.open_proposal_views(number)
    refused = rules_form is not None or manual_form is not None
    editing = current_user.can("editor") and (not confirmed or refused)
    if editing:
        rules_form = rules_form or RulesForm(
            formdata=None, data=proposals_view.rule_form_values(briefings.configured_rules()))
        if manual_form is None:
            manual_form = ManualBriefingForm(formdata=None)
            manual_form.states.data = [r.state_iso3 for r in overview.presenting_candidates]
        manual_form.set_choices(proposals_view.active_rooms(), overview.reviews)
    body = render_template("sessions/show.html", overview=overview, today=clock.today(),
                           briefings=confirmed, proposals=proposals, editing=editing,
                           rules_form=rules_form, manual_form=manual_form)
    return body, status
