"""Administration (administrators only): secretariat accounts and the settings in force."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..domain.errors import Invalid
from ..i18n import gettext as _, translated
from ..services import settings, users
from .auth import current_actor, role_required
from .forms import (
    ConfirmForm,
    NewUserForm,
    PasswordResetForm,
    UserRoleForm,
    add_error,
    form_status,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users_page() -> Any:
    """Every account with its role; a form to create one with an initial password."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(form.email.data, form.password.data, form.role.data,
                                     current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Account %(email)s created as %(role)s. Pass the initial password on "
                    "securely.", email=user.email, role=translated(user.role)), "success")
            return redirect(url_for("admin.users_page"))
    return (render_template("admin/users.html", users=users.list_users(), form=form),
            form_status(form))


@bp.route("/users/<int:user_id>", methods=["GET"])
@role_required("admin")
def user(user_id: int) -> str:
    """One account: change its role, reset its password, deactivate or activate it."""
    account = users.get_user_or_404(user_id)
    return user_page(account, UserRoleForm(data={"role": account.role}), PasswordResetForm())[0]


def user_page(account: Any, role_form: UserRoleForm, password_form: PasswordResetForm,
              status: int = 200) -> tuple[str, int]:
    """Render an account's page with the given forms (and their errors)."""
    return render_template("admin/user.html", account=account, role_form=role_form,
                           password_form=password_form, form=ConfirmForm()), status


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required("admin")
def user_role(user_id: int) -> Any:
    """Give an account another role (never taking it from the last administrator)."""
    account = users.get_user_or_404(user_id)
    form = UserRoleForm()
    if form.validate_on_submit():
        try:
            changed = users.set_role(user_id, form.role.data, current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            role = translated(account.role)  # the role's word: N_ in base.html's badge
            flash(_("%(email)s is now %(role)s.", email=account.email, role=role) if changed
                  else _("%(email)s already was %(role)s.", email=account.email, role=role),
                  "success")
            return redirect(url_for("admin.user", user_id=user_id))
    return user_page(account, form, PasswordResetForm(), 400)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def user_password(user_id: int) -> Any:
    """Set a new password for an account (to pass on to its owner)."""
    account = users.get_user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            users.reset_password(user_id, form.password.data, current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("New password set for %(email)s.", email=account.email), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    return user_page(account, UserRoleForm(data={"role": account.role}), form, 400)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required("admin")
def user_deactivate(user_id: int) -> Any:
    """Deactivate an account: it can no longer log in (never the last administrator)."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@role_required("admin")
def user_activate(user_id: int) -> Any:
    """Let a deactivated account log in again."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool) -> Any:
    account = users.get_user_or_404(user_id)
    try:
        changed = users.set_active(user_id, active, current_actor())
    except Invalid as error:
        problem = translated(error)  # the service's refusal, English unless marked
        flash(f"{problem[:1].upper()}{problem[1:]}. {_('Nothing was changed.')}", "error")
    else:
        email = account.email
        if active:
            message = (_("%(email)s is now active.", email=email) if changed
                       else _("%(email)s already was active.", email=email))
        else:
            message = (_("%(email)s is now deactivated.", email=email) if changed
                       else _("%(email)s already was deactivated.", email=email))
        flash(message, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/settings")
@role_required("admin")
def settings_page() -> str:
    """The configuration in force (read from the environment), secrets masked."""
    return render_template("admin/settings.html",
                           groups=settings.effective_settings(current_app.config))
