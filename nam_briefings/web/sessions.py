"""UPR sessions: the list (upcoming first), one session with its timeline, reviews and
briefing; adding or changing a session, its states under review, publishing an expected
session, and CSV imports."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..domain.errors import Invalid
from ..domain.imports import ImportRejected, RowError, expected_header
from ..i18n import N_, gettext as _, ngettext, translated
from ..services import briefings, calendar, clock, proposals_view, sessions, timeline
from .auth import current_actor, role_required
from .forms import (
    ImportForm,
    ManualBriefingForm,
    PublishSessionForm,
    ReviewOrderForm,
    RulesForm,
    SessionForm,
    add_error,
    expected_label,
    form_status,
)

bp = Blueprint("sessions", __name__)


@bp.route("/sessions")
def index() -> str:
    """Current and upcoming sessions (soonest first), then past ones (latest first)."""
    today = clock.today()
    return render_template("sessions/index.html", sessions=sessions.list_sessions(today),
                           today=today)


@bp.route("/sessions/<int:number>")
def show(number: int) -> str:
    """One session: dates, timeline, its reviews in order, and its briefing or proposals."""
    return session_page(number)[0]


def session_page(number: int, rules_form: RulesForm | None = None,
                 manual_form: ManualBriefingForm | None = None,
                 status: int = 200, manual_preview=None) -> tuple[str, int]:
    """Render a session's page; a form given (with its errors) replaces the blank one, and
    `manual_preview` is the invitation the time set by hand would send
    (`services.previews.MailPreview`).

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
        manual_form.allow_expected.label.text = expected_label(number)
    body = render_template("sessions/show.html", overview=overview, today=clock.today(),
                           now=clock.now(), briefings=confirmed, proposals=proposals,
                           editing=editing, rules_form=rules_form, manual_form=manual_form,
                           manual_preview=manual_preview,
                           timeline=timeline.session_timeline(number),
                           coverage=None if confirmed else
                           proposals_view.proposals_coverage(number, proposals))
    return body, status


# --- adding and changing sessions ----------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required("editor")
def new() -> Any:
    """Add a session (the next one by default); then on to its states under review."""
    form = SessionForm()
    defaults = sessions.next_session_defaults()
    if request.method == "GET":
        form.number.data, form.cycle.data = defaults.number, defaults.cycle
        form.start_date.data, form.end_date.data = defaults.start_date, defaults.end_date
    if form.validate_on_submit():
        try:
            session = sessions.create_session(form.number.data, form.cycle.data,
                                              form.start_date.data, form.end_date.data,
                                              current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            expected = sessions.forecast_states_text(session.number)
            if expected:
                flash(_("UPR session %(number)s added. Now give its states under review, in "
                        "order. The list is filled in with the states the rotation expects, "
                        "by name: put them in OHCHR's order of review.",
                        number=session.number), "success")
            else:
                flash(_("UPR session %(number)s added. Now give its states under review, in "
                        "order.", number=session.number), "success")
            return redirect(url_for("sessions.reviews", number=session.number,
                                    forecast=1 if expected else None))
    return (render_template("sessions/form.html", form=form, overview=None, defaults=defaults),
            form_status(form))


@bp.route("/sessions/<int:number>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit(number: int) -> Any:
    """Change a session's cycle or dates (its number stays)."""
    overview = sessions.get_session(number)
    form = SessionForm(obj=overview.session)
    if form.validate_on_submit():
        try:
            if form.number.data != number:
                raise Invalid(N_("A session's number cannot change: add a new session "
                                 "instead."), field="number")
            sessions.update_session(number, form.cycle.data, form.start_date.data,
                                    form.end_date.data, current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("UPR session %(number)s saved.", number=number), "success")
            return redirect(url_for("sessions.show", number=number))
    return (render_template("sessions/form.html", form=form, overview=overview),
            form_status(form))


@bp.route("/sessions/<int:number>/reviews", methods=["GET", "POST"])
@role_required("editor")
def reviews(number: int) -> Any:
    """Give the states under review in a session, in order, one ISO code per line."""
    overview = sessions.get_session(number)
    form = ReviewOrderForm()
    if request.method == "GET":
        form.states.data = "\n".join(r.state_iso3 for r in overview.reviews) or (
            sessions.forecast_states_text(number) if request.args.get("forecast") else "")
    problems: list = []
    if form.validate_on_submit():
        report, problems = _save_states(form, lambda: calendar.import_review_order(
            number, form.codes(), current_actor()))
        if report is not None:
            flash(_("States under review in session %(number)s: %(added)s added, "
                    "%(changed)s changed, %(removed)s removed, %(unchanged)s unchanged.",
                    number=number, added=len(report.added), changed=len(report.changed),
                    removed=len(report.removed), unchanged=report.unchanged), "success")
            return redirect(url_for("sessions.show", number=number))
    return (render_template("sessions/reviews.html", form=form, overview=overview,
                            problems=problems), form_status(form))


def _save_states(form: ReviewOrderForm, save: Any) -> tuple[Any, list]:
    """Save a list of states under review with `save()`; (report, []) when saved, else
    (None, the problems by place in the list), the form's errors set."""
    try:
        return save(), []
    except ImportRejected as rejected:
        form.states.errors = [ngettext(
            "%(num)s problem found; nothing was imported. Each problem is listed with its line.",
            "%(num)s problems found; nothing was imported. Each problem is listed with its "
            "line.", len(rejected.errors))]
        return None, problems_in_page_language(rejected.errors)
    except Invalid as error:
        add_error(form, error)
        return None, []


@bp.route("/sessions/<int:number>/publish", methods=["GET", "POST"])
@role_required("editor")
def publish(number: int) -> Any:
    """Publish an expected session as OHCHR has: its dates and states in order of review
    (the states-under-review list, with the dates); open proposals are planned again."""
    overview = sessions.get_session(number)
    form = PublishSessionForm()
    if request.method == "GET":
        if not overview.expected:
            flash(_("UPR session %(number)s is already published.", number=number), "success")
            return redirect(url_for("sessions.show", number=number))
        form.start_date.data, form.end_date.data = (overview.session.start_date,
                                                    overview.session.end_date)
        form.states.data = "\n".join(r.state_iso3 for r in overview.reviews) or (
            sessions.forecast_states_text(number) if request.args.get("forecast") else "")
    problems: list = []
    if form.validate_on_submit():
        report, problems = _save_states(form, lambda: sessions.publish_session(
            number, form.start_date.data, form.end_date.data, form.codes(), current_actor()))
        if report is not None:
            moved = "".join(" " + _("%(state)s moved here from session %(number)s.",
                                    state=iso3, number=origin)
                            for iso3, origin, _history in report.moves)
            flash(_("UPR session %(number)s published with its order of review; open "
                    "proposals are planned again.", number=number) + moved, "success")
            return redirect(url_for("sessions.show", number=number))
    return (render_template("sessions/publish.html", form=form, overview=overview,
                            problems=problems), form_status(form))


@bp.route("/sessions/import", methods=["GET", "POST"])
@role_required("editor")
def import_csv() -> Any:
    """Import sessions, reviews or HRC sessions from CSV: check first (a dry run, showing
    what would change), then import on a second click. Nothing is written on a problem."""
    form = ImportForm()
    report, problems, data = None, [], ""
    if form.validate_on_submit():
        try:
            raw = form.data_given()
            data = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
            apply = form.apply.data == "1"
            report = calendar.import_csv(form.kind.data, raw, current_actor(),
                                         dry_run=not apply, source="web upload")
        except ImportRejected as rejected:
            problems = problems_in_page_language(rejected.errors)
            form.form_errors.append(ngettext(
                "%(num)s problem found; nothing was imported. Expected header: %(header)s",
                "%(num)s problems found; nothing was imported. Expected header: %(header)s",
                len(rejected.errors), header=expected_header(form.kind.data)))
        except Invalid as error:
            add_error(form, error)
        else:
            if apply:
                flash(_("Imported. %(summary)s.", summary=translated(report.summary)),
                      "success")
                return redirect(url_for("sessions.index"))
    return (render_template("sessions/import.html", form=form, report=report,
                            problems=problems, data=data,
                            headers={c.value: expected_header(c.value)
                                     for c in form.kind.choices}),
            400 if form.is_submitted() and (form.errors or problems) else 200)


def problems_in_page_language(errors: list[RowError]) -> list[RowError]:
    """A file's problems (by line) with their reasons in the page's language."""
    return [RowError(error.line, translated(error.message)) for error in errors]
