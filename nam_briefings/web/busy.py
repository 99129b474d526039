"""Busy periods (closures, the chair's meetings, missions' blackouts, HRC sessions) and the
meeting rooms: what the planner must plan around, and where briefings take place.

Everyone may look; adding, changing and removing needs an editor.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain.constants import BUSY_KINDS
from ..domain.errors import Invalid
from ..i18n import N_, gettext as _
from ..services import busy, clock, missions, rooms
from .auth import current_actor, role_required
from .forms import BusyPeriodForm, ConfirmForm, RoomForm, add_error, form_status

bp = Blueprint("busy", __name__)

#: the time filters of the list: periods not over yet, or every one
WHEN_FILTERS = {"upcoming": N_("Current and upcoming"), "all": N_("All, including past")}


# --- busy periods ----------------------------------------------------------------------------


@bp.route("/busy")
def index() -> str:
    """Busy periods in time order; ?when=upcoming|all (default upcoming), ?kind=KIND."""
    when = request.args.get("when", "upcoming")
    when = when if when in WHEN_FILTERS else "upcoming"
    kind = request.args.get("kind")
    kind = kind if kind in BUSY_KINDS else None
    periods = busy.list_busy_periods(kind, ending_after=clock.now() if when == "upcoming"
                                     else None)
    return render_template("busy/index.html", periods=periods, when=when, kind=kind,
                           when_filters={key: _(label) for key, label in WHEN_FILTERS.items()},
                           kinds=BUSY_KINDS, form=ConfirmForm())


@bp.route("/busy/new", methods=["GET", "POST"])
@role_required("editor")
def new() -> Any:
    """Add a busy period: whole days, or hours on each day; global, a room's or a mission's."""
    form = BusyPeriodForm()
    form.set_choices(rooms.list_rooms(), missions.list_missions())
    if form.validate_on_submit():
        try:
            first = form.first_day.data
            period = busy.add_busy_period(
                form.kind.data, first, form.last_day.data or first, form.label.data,
                current_actor(), mission_iso3=form.mission.data or None,
                room_name=form.room.data or None, start_time=form.start_time.data,
                end_time=form.end_time.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Busy period “%(label)s” added.", label=period.label), "success")
            return redirect(url_for("busy.index", when="all", kind=period.kind))
    return render_template("busy/new.html", form=form), form_status(form)


@bp.route("/busy/<int:period_id>/remove", methods=["GET", "POST"])
@role_required("editor")
def remove(period_id: int) -> Any:
    """Remove a busy period after a confirmation step."""
    period = busy.get_busy_period(period_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        label = period.label
        busy.remove_busy_period(period_id, current_actor())
        flash(_("Busy period “%(label)s” removed.", label=label), "success")
        return redirect(url_for("busy.index"))
    return render_template("busy/remove.html", period=period, form=form)


# --- rooms -----------------------------------------------------------------------------------


@bp.route("/rooms")
def rooms_index() -> str:
    """Every room, active first, largest first."""
    return render_template("rooms/index.html", rooms=rooms.list_rooms())


@bp.route("/rooms/new", methods=["GET", "POST"])
@role_required("editor")
def new_room() -> Any:
    """Add a room."""
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = rooms.create_room(form.name.data, form.capacity.data, form.location.data,
                                     current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Room %(name)s added.", name=room.name), "success")
            return redirect(url_for("busy.rooms_index"))
    return render_template("rooms/form.html", form=form, room=None), form_status(form)


@bp.route("/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit_room(room_id: int) -> Any:
    """Change a room's name, seats or address."""
    room = rooms.get_room(room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            rooms.update_room(room_id, form.name.data, form.capacity.data, form.location.data,
                              current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Room %(name)s saved.", name=room.name), "success")
            return redirect(url_for("busy.rooms_index"))
    return render_template("rooms/form.html", form=form, room=room), form_status(form)


@bp.route("/rooms/<int:room_id>/deactivate", methods=["POST"])
@role_required("editor")
def deactivate_room(room_id: int) -> Any:
    """Deactivate a room: it is no longer proposed (briefings there keep it)."""
    return _set_room_active(room_id, False)


@bp.route("/rooms/<int:room_id>/activate", methods=["POST"])
@role_required("editor")
def activate_room(room_id: int) -> Any:
    """Activate a room again."""
    return _set_room_active(room_id, True)


def _set_room_active(room_id: int, active: bool) -> Any:
    changed = rooms.set_room_active(room_id, active, current_actor())
    room = rooms.get_room(room_id)
    if active:
        message = (_("%(room)s is now active.", room=room.name) if changed
                   else _("%(room)s was already active.", room=room.name))
    else:
        message = (_("%(room)s is now inactive.", room=room.name) if changed
                   else _("%(room)s was already inactive.", room=room.name))
    flash(message, "success")
    return redirect(url_for("busy.rooms_index"))
