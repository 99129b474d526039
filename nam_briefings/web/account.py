"""A secretariat user's own account: the language the pages are written in."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from ..domain.errors import Invalid
from ..i18n import LANGUAGES, NATIVE_NAMES, forget_chosen_language, lazy_gettext as _l
from ..i18n import gettext as _
from ..services import users
from .auth import current_actor
from .forms import add_error, form_status

bp = Blueprint("account", __name__, url_prefix="/account")


class PageLanguageForm(FlaskForm):
    """The language a user reads the pages in; empty follows the browser. The service
    refuses any other value (with its reason), so the form does not check the choice."""

    language = SelectField(_l("Language of the pages"), validate_choice=False,
                           choices=[SelectChoice("", _l("As my browser asks"))]
                           + [SelectChoice(code, NATIVE_NAMES[code]) for code in LANGUAGES])


@bp.route("", methods=["GET", "POST"])
def show() -> Any:
    """The user's account page; POST saves the language of the pages."""
    form = PageLanguageForm(data={"language": current_user.language or ""})
    if form.validate_on_submit():
        try:
            user = users.set_language(current_user.id, form.language.data or None,
                                      current_actor())
        except Invalid as error:
            add_error(form, error)
        else:
            forget_chosen_language()  # the saved language, not one a ?lang= link chose
            flash(_("Language saved: %(language)s.", language=NATIVE_NAMES[user.language])
                  if user.language else
                  _("The pages now follow the language your browser asks for."), "success")
            return redirect(url_for("account.show"))
    return render_template("account/show.html", form=form), form_status(form)
