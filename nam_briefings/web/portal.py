"""The mission portal: public pages behind the signed link in every e-mail to a contact.

No login: the link is the key. A mission sees its briefings, answers them, keeps its
contacts up to date and finds its calendar feed. Every change is a POST form with a
CSRF token; a bad, expired or voided link shows what to do instead (400 / 404).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug import Response

from ..domain.errors import Invalid, NotFound
from ..i18n import NATIVE_NAMES, forget_chosen_language, set_page_language, translated
from ..i18n import gettext as _
from ..services import portal
from ..services.invitations import AnswerResult
from .auth import public
from .filters import PARTSTAT_LABELS
from .forms import ContactForm, LanguageForm, RsvpForm, add_error, form_status

bp = Blueprint("portal", __name__, url_prefix="/portal/<token>")


@bp.after_request
def _private(response: Response) -> Response:
    """The pages carry a personal link: not to be cached, indexed, framed or leaked."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.before_request
def _check_link() -> Any:
    """Refuse a bad, expired or voided link before anything else, with what to do instead;
    a good one opens its pages in the contact's language."""
    token = (request.view_args or {}).get("token", "")
    g.language_home = url_for("portal.show", token=token)  # where the switcher goes after a POST
    try:
        contact = portal.contact_from_token(token)
    except Invalid as error:
        return _problem(400, str(error))
    except NotFound as error:
        return _problem(404, str(error))
    set_page_language(contact.language)
    return None


@bp.errorhandler(CSRFError)
def _expired_form(error: CSRFError) -> Any:
    """The form's token was missing or stale: show the page again; nothing was changed."""
    problem = _check_link()
    if problem is not None:
        return problem
    return _page(400, error=_("The page had expired, so nothing was changed. Please try again."))


@bp.route("", endpoint="show")
@public
def show(token: str) -> Any:
    """The mission's briefings, answers, contacts and calendar feed."""
    return _page()


@bp.route("/briefings/<int:briefing_id>/answer", methods=["POST"])
@public
def answer(token: str, briefing_id: int) -> Any:
    """Record this contact's answer (the pressed button) to a briefing."""
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            result = portal.answer(token, briefing_id, request.form.get("answer", ""),
                                   form.comment.data or "")
        except (Invalid, NotFound) as error:
            if getattr(error, "field", None) != "comment":
                return _page(400, error=_("%(problem)s Nothing was recorded.",
                                          problem=_sentence(translated(error))))
            add_error(form, error)
        else:
            flash(_answer_message(result), "success")
            return redirect(url_for("portal.show", token=token) + f"#briefing-{briefing_id}")
    return _page(400, answer_form=form, answer_briefing_id=briefing_id)


def _sentence(message: str) -> str:
    """A service's message as a sentence: capital first, full stop last."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def _answer_message(result: AnswerResult) -> str:
    """What the page says once an answer is recorded: the answer, then what it did."""
    invitation = result.invitation
    sentences = [_("Your answer is recorded: %(answer)s.",
                   answer=translated(PARTSTAT_LABELS[invitation.partstat]))]
    if result.agenda_changed and invitation.briefing.agenda_pending:
        sentences.append(_("Your Mission's presentation slot has been released; the "
                           "secretariat has been told and will send the new agenda."))
    elif result.agenda_changed:
        sentences.append(_("Your Mission's presentation slot has been released; everyone "
                           "invited is sent the updated invitation."))
    elif invitation.role == "presenter" and invitation.partstat == "ACCEPTED":
        sentences.append(_("Your Mission's presentation slot is confirmed."))
    return " ".join(sentences)


@bp.route("/contacts/new", methods=["GET", "POST"])
@public
def new_contact(token: str) -> Any:
    """Add a focal point (or another contact) to the mission."""
    me = portal.contact_from_token(token)
    form = ContactForm(data={"role": "focal_point", "language": me.language})
    if form.validate_on_submit():
        try:
            contact = portal.add_contact(token, form.name.data, form.role.data,
                                         form.email.data, form.language.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("%(name)s added: they are sent the current invitations, and the "
                    "secretariat is told.", name=contact.name), "success")
            return redirect(url_for("portal.show", token=token) + "#contacts-heading")
    return _contact_form(form, me, None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@public
def edit_contact(token: str, contact_id: int) -> Any:
    """Change a contact's name, role, e-mail address or language."""
    me = portal.contact_from_token(token)
    contact = portal.colleague(token, contact_id)
    form = ContactForm(obj=contact)
    form.keep_language(contact.language)
    if form.validate_on_submit():
        try:
            token = portal.edit_contact(token, contact_id, form.name.data, form.role.data,
                                        form.email.data, form.language.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("%(name)s saved; the secretariat is told.", name=contact.name), "success")
            return redirect(url_for("portal.show", token=token) + "#contacts-heading")
    return _contact_form(form, me, contact)


@bp.route("/contacts/<int:contact_id>/remove", methods=["POST"])
@public
def remove_contact(token: str, contact_id: int) -> Any:
    """Mark a contact as no longer at the mission (never the last one)."""
    me = portal.contact_from_token(token)
    try:
        removed = portal.remove_contact(token, contact_id)
    except Invalid as error:
        return _page(400, contacts_error=_sentence(translated(error)))
    if removed.id == me.id:
        return render_template("portal/removed.html", contact=removed,
                               secretariat_email=current_app.config["ORGANIZER_EMAIL"])
    flash(_("%(name)s is no longer listed and receives nothing more; the secretariat is "
            "told.", name=removed.name), "success")
    return redirect(url_for("portal.show", token=token) + "#contacts-heading")


@bp.route("/language", methods=["POST"])
@public
def language(token: str) -> Any:
    """Save the language this contact reads the portal and the answer pages in (and is
    written to in); from then on they open in it, unless a ?lang= asks otherwise."""
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            contact = portal.set_language(token, form.language.data or "")
        except Invalid as error:
            add_error(form, error)
        else:
            forget_chosen_language()  # the language just saved, not one chosen by a link
            set_page_language(contact.language)
            flash(_("Language saved: %(language)s. Your Mission's page, the answer pages and "
                    "your e-mails are written in it from now on.",
                    language=NATIVE_NAMES[contact.language]), "success")
            return redirect(url_for("portal.show", token=token) + "#language-heading")
    return _page(400, language_form=form)


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    token = (request.view_args or {})["token"]
    view = portal.page(token)
    extra.setdefault("language_form", LanguageForm(formdata=None,
                                                   data={"language": view.contact.language}))
    return render_template("portal/show.html", page=view, token=token, contact=view.contact,
                           mission=view.mission, comment_max=portal.COMMENT_MAX,
                           secretariat_email=current_app.config["ORGANIZER_EMAIL"],
                           **extra), status


def _contact_form(form: ContactForm, me: Any, contact: Any) -> tuple[str, int]:
    return (render_template("portal/contact_form.html", form=form, me=me, contact=contact,
                            mission=me.mission, token=(request.view_args or {})["token"]),
            form_status(form))


def _problem(status: int, message: str) -> tuple[str, int]:
    body = render_template("portal/problem.html", status=status, message=translated(message),
                           secretariat_email=current_app.config["ORGANIZER_EMAIL"])
    return body, status
