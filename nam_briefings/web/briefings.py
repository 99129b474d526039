"""The secretariat's briefings: plan, confirm or set a time by hand on a session's page;
then each briefing's own page with its roster, and moving or cancelling it.

Viewers see proposals, briefings and rosters; every change here needs an editor (or admin).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from werkzeug import Response

from ..domain.calendar import to_local
from ..domain.errors import Invalid, NotFound
from ..services import (
    briefings,
    briefings_view,
    clock,
    invitations,
    progress,
    proposals_view,
    sessions,
)
from .auth import current_actor, role_required
from .errors import refusal
from .filters import geneva_datetime, geneva_time
from .forms import (
    ConfirmForm,
    ConfirmProposalForm,
    ManualBriefingForm,
    RescheduleForm,
    RulesForm,
    add_error,
    expected_label,
    form_status,
)
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
    """Show what confirming a proposal creates; on POST, create the briefings.

    A proposal with a meeting in the past also needs the "in the past" box ticked, and
    one for an expected session (dates not yet published) the "expected" box.
    """
    proposal = proposals_view.get_proposal(number, key)
    form = ConfirmProposalForm()
    form.allow_expected.label.text = expected_label(number)
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            created = briefings.confirm_proposal(proposal.key, current_actor(),
                                                 allow_past=form.allow_past.data,
                                                 allow_expected=form.allow_expected.data)
        except Invalid as refusal:
            if refusal.field in ("allow_past", "allow_expected"):
                add_error(form, Invalid(f"{refusal}. Tick the box to go ahead.", refusal.field))
            else:
                error = str(refusal)
            status = 400
        else:
            count = len(created)
            briefings_made = f"{count} briefing{'' if count == 1 else 's'}"
            if created.already:
                flash(f"This proposal was already confirmed ({briefings_made} for session "
                      f"{number}); nothing more was sent.", "success")
            else:
                _flash_confirmed(f"Confirmed: {briefings_made} for session {number}", created)
            return _back_to(number)
    overview = sessions.get_session(number)
    past = any(meeting.start <= clock.now() for meeting in proposal.meetings)
    return render_template("briefings/confirm.html", overview=overview, proposal=proposal,
                           error=error, audience=len(invitations.audience()), form=form,
                           past=past), status


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
                                           form.presenting_in_review_order(), current_actor(),
                                           allow_past=form.allow_past.data,
                                           allow_expected=form.allow_expected.data)
        except Invalid as error:
            add_error(form, error)
        else:
            _flash_confirmed(f"Briefing set for session {number}", [result.briefing])
            for warning in result.warnings:
                flash(f"Please note: {warning}.", "warning")
            return _back_to(number)
    return session_page(number, manual_form=form, status=400)



# --- one briefing: its roster, moving and cancelling it ------------------------------------


@bp.route("/briefings/<int:briefing_id>")
def show(briefing_id: int) -> str:
    """A briefing: time, room, UID, SEQUENCE, agenda with slot answers, and the roster."""
    briefing = briefings.get_briefing(briefing_id)
    return render_template(
        "briefings/show.html", briefing=briefing, summary=invitations.summary(briefing),
        roster=invitations.roster(briefing), counts=invitations.roster_counts(briefing),
        audience=briefings_view.notified_audience(briefing),
        past=briefings_view.is_past(briefing), delivery=progress.for_briefing(briefing.id))


@bp.route("/briefings/<int:briefing_id>/progress")
def progress_json(briefing_id: int) -> Response | tuple[str, int]:
    """The delivery panel's figures as JSON (polled by static/delivery-progress.js)."""
    try:
        return _no_store(jsonify(progress.for_briefing(briefing_id).as_dict()))
    except NotFound as missing:
        return refusal(404, str(missing))


@bp.route("/briefings/<int:briefing_id>/delivery/<int:fanout_id>")
def recipients(briefing_id: int, fanout_id: int) -> str:
    """Each recipient of one fan-out (a page of them): address, mission, status, last error.

    ?status=STATUS narrows the list; ?page=N pages it.
    """
    briefing = briefings.get_briefing(briefing_id)
    listing = progress.recipients(briefing_id, fanout_id, request.args.get("page", 1, type=int),
                                  status=request.args.get("status"))
    return render_template("briefings/recipients.html", briefing=briefing, listing=listing,
                           words=progress.STATUS_WORDS)


@bp.route("/briefings/<int:briefing_id>/roster.csv")
def roster_csv(briefing_id: int) -> Response:
    """The roster as CSV (UTF-8): one line per invited contact, presenters first."""
    briefing = briefings.get_briefing(briefing_id)
    day = to_local(briefing.start_at).date()
    filename = f"roster-upr{briefing.session.number}-{day:%Y-%m-%d}-briefing-{briefing.id}.csv"
    return Response(invitations.roster_csv(briefing), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/briefings/<int:briefing_id>/reschedule", methods=["GET", "POST"])
@role_required("editor")
def reschedule(briefing_id: int) -> Any:
    """Move a briefing (Geneva time): same UID, SEQUENCE + 1, the update to everyone invited.

    The page says beforehand how many contacts and missions the update goes to. A time
    in the past needs a tick in an extra box; refusals re-render the form (400) and
    change nothing.
    """
    briefing = briefings.get_briefing(briefing_id)
    form = RescheduleForm()
    if request.method == "GET":
        start = to_local(briefing.start_at)
        form.day.data, form.start_time.data = start.date(), start.time().replace(second=0)
    ask_past = bool(form.send_for_past.data)
    if form.validate_on_submit():
        try:
            start, end = form.geneva_times()
            result = briefings.reschedule(briefing_id, start, end, current_actor(),
                                          allow_past=bool(form.send_for_past.data))
        except Invalid as error:
            if error.field == "allow_past":
                ask_past = True
                error = Invalid(f"{geneva_datetime(start)} is in the past: tick the box to send "
                                "the update for a past date anyway.", field="send_for_past")
            add_error(form, error)
        else:
            moved = result.briefing
            if result.already:
                flash(f"The briefing is already at {geneva_datetime(moved.start_at)}; "
                      "nothing more was sent.", "success")
                return redirect(url_for("briefings.show", briefing_id=briefing_id))
            _flash_delivery(f"Briefing moved to {geneva_datetime(moved.start_at)} – "
                            f"{geneva_time(moved.end_at)} (SEQUENCE {moved.sequence}); "
                            f"update queued to {_contacts(result.notified)}",
                            briefing_id, result.notified)
            for warning in result.warnings:
                flash(f"Please note: {warning}.", "warning")
            return redirect(url_for("briefings.show", briefing_id=briefing_id))
    return render_template("briefings/reschedule.html", briefing=briefing, form=form,
                           audience=briefings_view.notified_audience(briefing),
                           past=briefings_view.is_past(briefing), ask_past=ask_past,
                           length=briefing.end_at - briefing.start_at), form_status(form)


@bp.route("/briefings/<int:briefing_id>/cancel", methods=["GET", "POST"])
@role_required("editor")
def cancel(briefing_id: int) -> Any:
    """Cancel a briefing after a confirmation step: METHOD:CANCEL to everyone invited."""
    briefing = briefings.get_briefing(briefing_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = briefings.cancel(briefing_id, current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            if result.already:
                flash("This briefing was already cancelled; nothing more was sent.", "success")
            else:
                _flash_delivery(f"Briefing cancelled; cancellation queued to "
                                f"{_contacts(result.notified)}", briefing_id, result.notified)
            return redirect(url_for("briefings.show", briefing_id=briefing_id))
    return render_template("briefings/cancel.html", briefing=briefing, form=form,
                           audience=briefings_view.notified_audience(briefing, cancelling=True),
                           past=briefings_view.is_past(briefing)), form_status(form)


@bp.route("/briefings/<int:briefing_id>/new-agenda", methods=["POST"])
@role_required("editor")
def new_agenda(briefing_id: int) -> Any:
    """The decision after a presenter left: keep the meeting, send everyone the new agenda."""
    briefings.get_briefing(briefing_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            notified = briefings.send_new_agenda(briefing_id, current_actor())
        except Invalid as error:
            flash(str(error), "error")
        else:
            _flash_delivery(f"New agenda queued to {_contacts(notified)}", briefing_id, notified)
    else:
        flash("The form expired: please choose again.", "error")
    return redirect(url_for("briefings.show", briefing_id=briefing_id))


def flash_with_links(parts: list[tuple[str, str | None]], category: str = "success") -> None:
    """Flash a message made of text and links: (text, None) or (label, url) parts.

    base.html escapes every part; nothing is marked safe."""
    flash({"parts": [list(part) for part in parts]}, category)


def _flash_confirmed(done: str, made: list) -> None:
    """"<done>; 484 invitations are being prepared and sent — follow them on the briefing
    pages: <link>, <link>."""
    count = progress.invitations_queued([b.id for b in made])
    pages = "the briefing page" if len(made) == 1 else "the briefing pages"
    parts: list[tuple[str, str | None]] = [
        (f"{done}; {count} invitation{'' if count == 1 else 's'} "
         f"{'is' if count == 1 else 'are'} being prepared and sent — follow them on {pages}: ",
         None)]
    for index, briefing in enumerate(made):
        if index:
            parts.append((", ", None))
        parts.append((f"briefing of {geneva_datetime(briefing.start_at)}",
                      url_for("briefings.show", briefing_id=briefing.id, _anchor="delivery")))
    flash_with_links(parts + [(".", None)])


def _flash_delivery(done: str, briefing_id: int, notified: int) -> None:
    """"<done> — follow the delivery." with a link to the briefing's delivery panel."""
    if not notified:
        flash(f"{done}.", "success")
        return
    flash_with_links([(f"{done} — ", None),
                      ("follow the delivery",
                       url_for("briefings.show", briefing_id=briefing_id, _anchor="delivery")),
                      (".", None)])


def _no_store(response: Response) -> Response:
    """Figures that change every moment: never from a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _contacts(count: int) -> str:
    return f"{count} contact{'' if count == 1 else 's'}"
