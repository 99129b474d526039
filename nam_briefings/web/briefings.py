"""The secretariat's briefings: plan, confirm or set a time by hand on a session's page;
then each briefing's own page with its roster, and moving or cancelling it.

Viewers see proposals, briefings and rosters; every change here needs an editor (or admin).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from werkzeug import Response

from ..domain.calendar import to_local
from ..domain.errors import Invalid, NotFound
from ..i18n import gettext as _, ngettext
from ..services import (
    briefings,
    briefings_view,
    clock,
    invitations,
    progress,
    previews,
    proposals_view,
    reminders,
    sessions,
)
from ..services.languages import current_language
from .auth import current_actor, role_required
from .errors import refusal
from .filters import geneva_datetime, geneva_time
from .forms import (
    ConfirmForm,
    ConfirmProposalForm,
    ManualBriefingForm,
    NoteForm,
    RescheduleForm,
    ROLE_LABELS,
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
                flash(ngettext("%(num)d proposal for session %(number)s, best first.",
                               "%(num)d proposals for session %(number)s, best first.",
                               len(result.proposals), number=number), "success")
            else:
                flash(_("No time fits for session %(number)s with these rules.", number=number),
                      "error")
                for line in result.why_in(current_language()):  # the page's language
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
    status = 200
    if form.validate_on_submit() and not _wants_preview():
        try:
            created = briefings.confirm_proposal(proposal.key, current_actor(),
                                                 allow_past=form.allow_past.data,
                                                 allow_expected=form.allow_expected.data,
                                                 note=form.note.data)
        except Invalid as refusal:
            if refusal.field in ("allow_past", "allow_expected"):
                refusal = Invalid(_("%(problem)s. Tick the box to go ahead.", problem=refusal),
                                  refusal.field)
            add_error(form, refusal)
            status = 400
        else:
            count = len(created)
            if created.already:
                flash(ngettext("This proposal was already confirmed (%(num)d briefing for "
                               "session %(number)s); nothing more was sent.",
                               "This proposal was already confirmed (%(num)d briefings for "
                               "session %(number)s); nothing more was sent.",
                               count, number=number), "success")
            else:
                _flash_confirmed(ngettext("Confirmed: %(num)d briefing for session %(number)s",
                                          "Confirmed: %(num)d briefings for session %(number)s",
                                          count, number=number), created)
            return _back_to(number)
    preview = previews.invitation(proposal.key, form.note.data or "") \
        if proposal.is_open else None
    overview = sessions.get_session(number)
    past = any(meeting.start <= clock.now() for meeting in proposal.meetings)
    return render_template("briefings/confirm.html", overview=overview, proposal=proposal,
                           audience=len(invitations.audience()), form=form, preview=preview,
                           past=past), max(status, form_status(form))


@bp.route("/sessions/<int:number>/briefings/manual", methods=["POST"])
@role_required("editor")
def manual(number: int) -> Any:
    """Create a briefing at a time set by hand: hard problems refuse, soft ones warn."""
    overview = sessions.get_session(number)
    form = ManualBriefingForm()
    form.set_choices(proposals_view.active_rooms(), overview.reviews)
    if form.validate_on_submit() and _wants_preview():
        try:
            start, end = form.geneva_times()
            preview = previews.invitation_by_hand(number, start, end, form.room.data,
                                                  form.presenting_in_review_order(),
                                                  form.note.data or "")
        except Invalid as error:
            add_error(form, error)
        else:
            return session_page(number, manual_form=form, manual_preview=preview)
    elif form.validate_on_submit():
        try:
            start, end = form.geneva_times()
            result = briefings.set_by_hand(number, start, end, form.room.data,
                                           form.presenting_in_review_order(), current_actor(),
                                           allow_past=form.allow_past.data,
                                           allow_expected=form.allow_expected.data,
                                           note=form.note.data)
        except Invalid as error:
            add_error(form, error)
        else:
            _flash_confirmed(_("Briefing set for session %(number)s", number=number),
                             [result.briefing])
            for warning in result.warnings:
                flash(_("Please note: %(warning)s.", warning=warning), "warning")
            return _back_to(number)
    return session_page(number, manual_form=form, status=400)


# --- one briefing: its roster, moving and cancelling it ------------------------------------


@bp.route("/briefings/<int:briefing_id>")
def show(briefing_id: int) -> Any:
    """A briefing: time, room, agenda with slot answers, delivery, and the roster.

    The roster narrows by ?answer=, ?presenting=, ?role= and ?q= and orders by ?sort=
    (`briefings_view.RosterQuery`); an unknown value shows the whole roster with the
    message (400).
    """
    briefing = briefings.get_briefing(briefing_id)
    status, roster_error = 200, None
    try:
        query = _roster_query(request.args)
    except Invalid as error:
        query, status, roster_error = briefings_view.RosterQuery(), 400, str(error)
    return render_template(
        "briefings/show.html", briefing=briefing, summary=invitations.summary(briefing),
        roster=briefings_view.roster_view(briefing, query), roster_error=roster_error,
        counts=invitations.roster_counts(briefing), roles=ROLE_LABELS,
        audience=briefings_view.notified_audience(briefing),
        past=briefings_view.is_past(briefing), delivery=progress.for_briefing(briefing.id)
    ), status


def _roster_query(args) -> briefings_view.RosterQuery:
    return briefings_view.RosterQuery(
        answer=args.get("answer", ""), presenting=args.get("presenting", ""),
        role=args.get("role", ""), search=args.get("q", "")[:200],
        sort=args.get("sort", "") or "agenda")


@bp.route("/briefings/<int:briefing_id>/remind", methods=["GET", "POST"])
@role_required("editor")
def remind(briefing_id: int) -> Any:
    """Remind those who have not answered: first who gets what (and who not, and why),
    then, on POST, one reminder each (never twice a day to one contact)."""
    briefing = briefings.get_briefing(briefing_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            queued = reminders.send(briefing_id, current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            if queued:
                _flash_delivery(ngettext("%(num)d reminder queued to the contacts of missions "
                                         "that have not answered",
                                         "%(num)d reminders queued to the contacts of missions "
                                         "that have not answered", queued), briefing_id, queued)
            else:
                flash(_("Nobody was reminded: everyone who has not answered was reminded today "
                        "already, or may not be reminded yet (see why below)."), "warning")
            return redirect(url_for("briefings.show", briefing_id=briefing_id,
                                    _anchor="roster-heading"))
    return render_template("briefings/remind.html", briefing=briefing, form=form,
                           plan=reminders.plan(briefing),
                           refused=reminders.why_refused(briefing, clock.now())
                           ), form_status(form)


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
                           words=progress.status_words())


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

    The page says beforehand how many contacts and missions the update goes to, and
    offers the planner's best free times: each is a link (?day=&start_time=) that fills
    in the form. A time in the past needs a tick in an extra box, and so does one that
    breaks the order of review ("Move it anyway", shown with what it breaks); refusals
    re-render the form (400) and change nothing.
    """
    briefing = briefings.get_briefing(briefing_id)
    form = _reschedule_form(briefing.start_at)
    ask_past = bool(form.send_for_past.data)
    out_of_order: list[str] = []
    if form.validate_on_submit() and not _wants_preview():
        try:
            start, end = form.geneva_times()
            result = briefings.reschedule(briefing_id, start, end, current_actor(),
                                          allow_past=bool(form.send_for_past.data),
                                          allow_out_of_order=bool(form.move_anyway.data),
                                          note=form.note.data)
        except briefings.OutOfOrder as error:
            out_of_order = error.warnings
            add_error(form, Invalid(_("This time breaks the order of review: tick “%(box)s” "
                                      "to move it all the same, or choose another time.",
                                      box=form.move_anyway.label.text), field="move_anyway"))
        except Invalid as error:
            if error.field == "allow_past":
                ask_past = True
                error = Invalid(_("%(when)s is in the past: tick the box to send the update "
                                  "for a past date anyway.", when=geneva_datetime(start)),
                                field="send_for_past")
            add_error(form, error)
        else:
            moved = result.briefing
            if result.already:
                flash(_("The briefing is already at %(when)s; nothing more was sent.",
                        when=geneva_datetime(moved.start_at)), "success")
                return redirect(url_for("briefings.show", briefing_id=briefing_id))
            _flash_delivery(_("Briefing moved to %(start)s – %(end)s (SEQUENCE %(sequence)s); "
                              "update queued to %(contacts)s",
                              start=geneva_datetime(moved.start_at), end=geneva_time(moved.end_at),
                              sequence=moved.sequence, contacts=_contacts(result.notified)),
                            briefing_id, result.notified)
            for warning in result.warnings:
                flash(_("Please note: %(warning)s.", warning=warning), "warning")
            return redirect(url_for("briefings.show", briefing_id=briefing_id))
    new_time = _new_time(form, briefing)
    preview = previews.update_after_move(briefing_id, *new_time, form.note.data or "") \
        if new_time and briefing.status == "confirmed" else None
    briefing = briefings.get_briefing(briefing_id)  # as saved: the preview rolled back
    return render_template("briefings/reschedule.html", briefing=briefing, form=form,
                           preview=preview, audience=briefings_view.notified_audience(briefing),
                           past=briefings_view.is_past(briefing), ask_past=ask_past,
                           out_of_order=out_of_order,
                           suggestions=briefings.reschedule_suggestions(briefing_id),
                           length=briefing.end_at - briefing.start_at), form_status(form)


def _new_time(form: RescheduleForm, briefing) -> tuple[datetime, datetime] | None:
    """The start and end the form holds, when it holds a time other than the briefing's."""
    if form.day.data is None or form.start_time.data is None or form.errors.get("end_time"):
        return None
    try:
        start, end = form.geneva_times()
    except Invalid:
        return None
    end = end or start + (briefing.end_at - briefing.start_at)
    return None if (start, end) == (briefing.start_at, briefing.end_at) else (start, end)


def _reschedule_form(current_start: datetime) -> RescheduleForm:
    """The form as posted; on a GET, filled with the free time picked (?day=&start_time=)
    or else with the briefing's current start."""
    if request.method == "GET" and "day" in request.args:
        return RescheduleForm(formdata=request.args)
    form = RescheduleForm()
    if request.method == "GET":
        start = to_local(current_start)
        form.day.data, form.start_time.data = start.date(), start.time().replace(second=0)
    return form


@bp.route("/briefings/<int:briefing_id>/cancel", methods=["GET", "POST"])
@role_required("editor")
def cancel(briefing_id: int) -> Any:
    """Cancel a briefing after a confirmation step that shows the cancellation a mission
    will receive, with the secretariat's note: METHOD:CANCEL to everyone invited."""
    briefing = briefings.get_briefing(briefing_id)
    form = NoteForm()
    if form.validate_on_submit() and not _wants_preview():
        try:
            result = briefings.cancel(briefing_id, current_actor(), note=form.note.data)
        except Invalid as error:
            add_error(form, error)
        else:
            if result.already:
                flash(_("This briefing was already cancelled; nothing more was sent."),
                      "success")
            else:
                _flash_delivery(_("Briefing cancelled; cancellation queued to %(contacts)s",
                                  contacts=_contacts(result.notified)),
                                briefing_id, result.notified)
            return redirect(url_for("briefings.show", briefing_id=briefing_id))
    preview = previews.cancellation(briefing_id, form.note.data or "") \
        if briefing.status == "confirmed" else None
    return render_template("briefings/cancel.html", briefing=briefings.get_briefing(briefing_id),
                           form=form, preview=preview,
                           audience=briefings_view.notified_audience(briefing, cancelling=True),
                           past=briefings_view.is_past(briefing)), form_status(form)


@bp.route("/briefings/<int:briefing_id>/new-agenda", methods=["GET", "POST"])
@role_required("editor")
def new_agenda(briefing_id: int) -> Any:
    """The decision after a presenter left: keep the meeting and send everyone the new
    agenda, after a step that shows the update a mission will receive, with the note."""
    briefing = briefings.get_briefing(briefing_id)
    form = NoteForm()
    if form.validate_on_submit() and not _wants_preview():
        try:
            notified = briefings.send_new_agenda(briefing_id, current_actor(),
                                                 note=form.note.data)
        except Invalid as error:
            add_error(form, error)
        else:
            _flash_delivery(_("New agenda queued to %(contacts)s", contacts=_contacts(notified)),
                            briefing_id, notified)
            return redirect(url_for("briefings.show", briefing_id=briefing_id))
    pending = briefing.status == "confirmed" and briefing.agenda_pending
    preview = previews.new_agenda(briefing_id, form.note.data or "") if pending else None
    return render_template("briefings/new_agenda.html",
                           briefing=briefings.get_briefing(briefing_id), form=form,
                           preview=preview, pending=pending,
                           audience=briefings_view.notified_audience(briefing)
                           ), form_status(form)


def _wants_preview() -> bool:
    """True for "Show the e-mail with this note": the page shows it again, nothing is sent."""
    return bool(request.form.get("preview"))


def flash_with_links(parts: list[tuple[str, str | None]], category: str = "success") -> None:
    """Flash a message made of text and links: (text, None) or (label, url) parts.

    base.html escapes every part; nothing is marked safe."""
    flash({"parts": [list(part) for part in parts]}, category)


def _flash_confirmed(done: str, made: list) -> None:
    """"<done>; 484 invitations are being prepared and sent — follow them on the briefing
    pages: <link>, <link>."""
    count = progress.invitations_queued([b.id for b in made])
    pages = _("the briefing page") if len(made) == 1 else _("the briefing pages")
    parts: list[tuple[str, str | None]] = [
        (ngettext("%(done)s; %(num)d invitation is being prepared and sent — follow them on "
                  "%(pages)s: ",
                  "%(done)s; %(num)d invitations are being prepared and sent — follow them on "
                  "%(pages)s: ", count, done=done, pages=pages), None)]
    for index, briefing in enumerate(made):
        if index:
            parts.append((", ", None))
        parts.append((_("briefing of %(when)s", when=geneva_datetime(briefing.start_at)),
                      url_for("briefings.show", briefing_id=briefing.id, _anchor="delivery")))
    flash_with_links(parts + [(".", None)])


def _flash_delivery(done: str, briefing_id: int, notified: int) -> None:
    """"<done> — follow the delivery." with a link to the briefing's delivery panel."""
    if not notified:
        flash(f"{done}.", "success")
        return
    flash_with_links([(f"{done} — ", None),
                      (_("follow the delivery"),
                       url_for("briefings.show", briefing_id=briefing_id, _anchor="delivery")),
                      (".", None)])


def _no_store(response: Response) -> Response:
    """Figures that change every moment: never from a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _contacts(count: int) -> str:
    return ngettext("%(num)d contact", "%(num)d contacts", count)
