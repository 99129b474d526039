"""The secretariat's briefing flow on a session's page: plan, confirm, or set a time by hand.

Viewers see proposals and briefings; every change here needs an editor (or admin).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug import Response

from ..domain.errors import Invalid
from ..services import briefings, proposals_view, sessions
from .auth import current_actor, role_required
from .forms import ManualBriefingForm, RulesForm, add_error
from .sessions import session_page

bp = Blueprint("briefings", __name__)


def _back_to(number: int) -> Response:
    """Redirect to the briefing section of the session's page."""
    return redirect(url_for("sessions.show", number=number, _anchor="briefing"))


@bp.route("/sessions/<int:number>/plan", methods=["POST"])
@role_required("editor")
def plan(number: int) -> Any:
    """Plan the session again, with the rules the form changes (the rest as configured).

    Bad rule values re-render the page (400) with the message; nothing is stored. When
    nothing fits, the reasons are flashed ("why") and shown in the briefing section.
    """
    form = RulesForm()
    if form.validate_on_submit():
        try:
            overrides = proposals_view.rule_overrides(form.rule_values())
            result = briefings.plan_session(number, current_actor(), overrides,
                                            from_now=True).result
        except Invalid as error:
            add_error(form, error)
        else:
            if result.proposals:
                count = len(result.proposals)
                flash(f"{count} proposal{'' if count == 1 else 's'} for session {number}, "
                      "best first.", "success")
            else:
                flash(f"No time fits for session {number} with these rules.", "error")
                for line in result.why:
                    flash(line, "why")
            return _back_to(number)
    return session_page(number, rules_form=form, status=400)


@bp.route("/sessions/<int:number>/proposals/<key>/confirm", methods=["GET", "POST"])
@role_required("editor")
def confirm(number: int, key: str) -> Any:
    """Show what confirming a proposal creates; on POST, create the briefings."""
    proposal = proposals_view.get_proposal(number, key)
    error = None
    status = 200
    if request.method == "POST":  # the CSRF token is checked app-wide (CSRFProtect)
        try:
            created = briefings.confirm_proposal(proposal.key, current_actor())
        except Invalid as refusal:
            error, status = str(refusal), 400
        else:
            count = len(created)
            flash(f"Confirmed: {count} briefing{'' if count == 1 else 's'} for session "
                  f"{number}. Invitations are not sent yet.", "success")
            return _back_to(number)
    overview = sessions.get_session(number)
    return render_template("briefings/confirm.html", overview=overview, proposal=proposal,
                           error=error), status


@bp.route("/sessions/<int:number>/briefings/manual", methods=["POST"])
@role_required("editor")
def manual(number: int) -> Any:
    """Create a briefing at a time set by hand: hard problems refuse, soft ones warn."""
    overview = sessions.get_session(number)
    form = ManualBriefingForm()
    form.set_choices(proposals_view.active_rooms(), overview.reviews)
    if form.validate_on_submit():
        try:
            start, end = form.geneva_times()
            result = briefings.set_by_hand(number, start, end, form.room.data,
                                           form.presenting_in_review_order(), current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(f"Briefing set for session {number}.", "success")
            for warning in result.warnings:
                flash(f"Please note: {warning}.", "warning")
            return _back_to(number)
    return session_page(number, manual_form=form, status=400)

