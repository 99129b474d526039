"""Permanent Missions and their contacts: directory, pages, and editing (editors and admins)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain.errors import Invalid
from ..i18n import gettext as _
from ..services import feed_links, feeds, missions
from .auth import current_actor, role_required
from .forms import ContactForm, EditMissionForm, NewMissionForm, add_error, form_status

bp = Blueprint("missions", __name__)


# --- missions --------------------------------------------------------------------------


@bp.route("/missions")
def index() -> str:
    """The missions directory, optionally searched with ?q=."""
    query = request.args.get("q", "").strip()
    return render_template("missions/index.html", listings=missions.list_missions(query),
                           query=query)


@bp.route("/missions/new", methods=["GET", "POST"])
@role_required("editor")
def new() -> Any:
    """Create the mission of a state that has none yet."""
    form = NewMissionForm()
    form.set_states(missions.states_without_mission())
    if request.method == "GET" and request.args.get("state"):
        form.state.data = request.args["state"].upper()
    if form.validate_on_submit():
        try:
            mission = missions.create_mission(form.state.data, form.name.data, form.email.data,
                                              current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Mission of %(state)s created.", state=mission.state.name), "success")
            return redirect(url_for("missions.show", iso3=mission.state_iso3))
    return render_template("missions/new.html", form=form), form_status(form)


@bp.route("/missions/<iso3>")
def show(iso3: str) -> str:
    """A mission, its calendar feed and its contacts."""
    mission = missions.get_mission(iso3)
    path = feed_links.mission_feed_path(mission.feed_token) if mission.feed_token else ""
    return render_template("missions/show.html", mission=mission,
                           feed_url=feed_links.feed_url(path) if path else "",
                           feed_webcal=feed_links.feed_url(path, webcal=True) if path else "")


@bp.route("/missions/<iso3>/feed/rotate", methods=["POST"])
@role_required("editor")
def rotate_feed(iso3: str) -> Any:
    """Give the mission a new feed address; the old one stops working."""
    feeds.rotate_mission_token(iso3, current_actor())
    flash(_("New feed address made; the old one no longer works."), "success")
    return redirect(url_for("missions.show", iso3=iso3.upper()) + "#feed-heading")


@bp.route("/missions/<iso3>/feed/revoke", methods=["POST"])
@role_required("editor")
def revoke_feed(iso3: str) -> Any:
    """Switch the mission's feed off."""
    feeds.revoke_mission_token(iso3, current_actor())
    flash(_("The feed is switched off."), "success")
    return redirect(url_for("missions.show", iso3=iso3.upper()) + "#feed-heading")


@bp.route("/missions/<iso3>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit(iso3: str) -> Any:
    """Change a mission's name and functional mailbox."""
    mission = missions.get_mission(iso3)
    form = EditMissionForm(obj=mission)
    if form.validate_on_submit():
        try:
            missions.update_mission(iso3, form.name.data, form.email.data, current_actor(),
                                    form.preferred_weekdays.data, form.avoided_weekdays.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Mission saved."), "success")
            return redirect(url_for("missions.show", iso3=mission.state_iso3))
    return render_template("missions/edit.html", form=form, mission=mission), form_status(form)


@bp.route("/missions/<iso3>/deactivate", methods=["POST"])
@role_required("editor")
def deactivate(iso3: str) -> Any:
    """Deactivate a mission: it receives nothing until activated again."""
    changed = missions.set_mission_active(iso3, False, current_actor())
    flash(_("Mission deactivated.") if changed else _("The mission was already inactive."),
          "success")
    return redirect(url_for("missions.show", iso3=iso3.upper()))


@bp.route("/missions/<iso3>/activate", methods=["POST"])
@role_required("editor")
def activate(iso3: str) -> Any:
    """Activate a mission again."""
    changed = missions.set_mission_active(iso3, True, current_actor())
    flash(_("Mission activated.") if changed else _("The mission was already active."),
          "success")
    return redirect(url_for("missions.show", iso3=iso3.upper()))


# --- contacts --------------------------------------------------------------------------


@bp.route("/missions/<iso3>/contacts/new", methods=["GET", "POST"])
@role_required("editor")
def new_contact(iso3: str) -> Any:
    """Add a contact to a mission."""
    mission = missions.get_mission(iso3)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact = missions.create_contact(mission.state_iso3, **_contact_data(form),
                                              actor=current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Contact %(name)s added.", name=contact.name), "success")
            return redirect(url_for("missions.show", iso3=mission.state_iso3))
    return (render_template("contacts/form.html", form=form, mission=mission, contact=None),
            form_status(form))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit_contact(contact_id: int) -> Any:
    """Change a contact's name, role, e-mail address or language."""
    contact = missions.get_contact(contact_id)
    form = ContactForm(obj=contact)
    form.keep_language(contact.language)
    if form.validate_on_submit():
        try:
            missions.update_contact(contact_id, **_contact_data(form), actor=current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Contact %(name)s saved.", name=contact.name), "success")
            return redirect(url_for("missions.show", iso3=contact.mission.state_iso3))
    return (render_template("contacts/form.html", form=form, mission=contact.mission,
                            contact=contact), form_status(form))


@bp.route("/contacts/<int:contact_id>/deactivate", methods=["POST"])
@role_required("editor")
def deactivate_contact(contact_id: int) -> Any:
    """Deactivate a contact: kept for history, but sent nothing."""
    return _set_contact_active(contact_id, False)


@bp.route("/contacts/<int:contact_id>/activate", methods=["POST"])
@role_required("editor")
def activate_contact(contact_id: int) -> Any:
    """Activate a contact again."""
    return _set_contact_active(contact_id, True)


def _set_contact_active(contact_id: int, active: bool) -> Any:
    changed = missions.set_contact_active(contact_id, active, current_actor())
    contact = missions.get_contact(contact_id)
    if active:
        message = (_("%(contact)s is now active.", contact=contact.name) if changed
                   else _("%(contact)s was already active.", contact=contact.name))
    else:
        message = (_("%(contact)s is now inactive.", contact=contact.name) if changed
                   else _("%(contact)s was already inactive.", contact=contact.name))
    flash(message, "success")
    return redirect(url_for("missions.show", iso3=contact.mission.state_iso3))


def _contact_data(form: ContactForm) -> dict[str, str]:
    return {
        "name": form.name.data,
        "role": form.role.data,
        "email": form.email.data,
        "language": form.language.data,
    }
