"""One-click answers to an invitation: public pages reached through the signed e-mail links.

Opening a link (GET) only shows the briefing and a one-button form: mail scanners fetch
every link in a message, so looking never records anything. Sending the form (POST)
records the answer. For people whose browser runs JavaScript, a small static script
(static/rsvp.js) sends the form at once, so the link stays one click; it never does so
for a presenting mission's "decline", which takes the mission off the agenda and sends
everyone the updated invitation. Without JavaScript the button works.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug import Response

from ..domain.errors import Invalid, NotFound
from ..i18n import N_, set_page_language, translated
from ..services import briefings, briefings_view, invitations
from .auth import public
from .forms import RsvpForm, add_error, form_status

if TYPE_CHECKING:
    from ..models import Invitation

bp = Blueprint("rsvp", __name__)

#: The services' fixed messages these pages show, marked for the catalogs: services/
#: invitations.py writes them in English (for the secretariat, the CLI and the logs), the
#: pages show them in their language (`translated`). tests/unit/test_catalogs.py checks
#: that each is still one the services write.
SERVICE_MESSAGES = (
    N_("this link has expired: ask the secretariat for a new invitation"),
    N_("this link is not valid: it may have been cut or changed"),
    N_("this invitation no longer exists"),
    N_("this link was sent to an address that is no longer on file: use the link in a more "
       "recent e-mail, or write to the secretariat"),
    N_("this link belongs to someone who no longer receives NAM invitations (no longer listed "
       "for the mission, or the mission is no longer invited): a colleague's link still "
       "works, or write to the secretariat"),
    N_("this briefing has been cancelled; no answer is needed"),
    N_("this briefing has been held; no answer is needed"),
)
UNKNOWN_ANSWER = N_("This link does not say which answer to record (accept, tentative or "
                    "decline).")
EXPIRED_FORM = N_("The page had expired, so nothing was recorded yet. Please press the button "
                  "again.")


@bp.after_request
def _private(response: Response) -> Response:
    """The pages carry a personal link and a form token: not to be cached, indexed or leaked."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/rsvp/<token>/<answer>", methods=["GET", "POST"], endpoint="answer")
@public
def answer_page(token: str, answer: str) -> Any:
    """GET: the briefing and a "Confirm: <answer>" button. POST: record the answer.

    A bad or expired link shows what went wrong (400 / 404) and records nothing; so
    does a cancelled briefing (409 when an answer is sent).
    """
    invitation, problem = _invitation(token, answer)
    if problem is not None:
        return problem
    briefing = invitation.briefing
    if briefing.status != "confirmed":
        status = 409 if request.method == "POST" else 200
        return render_template("rsvp/closed.html", **_context(invitation, answer)), status
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            result = briefings.answer_by_link(token, answer,
                                              comment=(form.comment.data or "").strip())
        except Invalid as error:  # e.g. cancelled between opening the link and the click
            add_error(form, error)
        else:
            return render_template("rsvp/recorded.html", result=result,
                                   form=RsvpForm(formdata=None),
                                   **_context(result.invitation, answer))
    return render_template("rsvp/answer.html", form=form, **_context(invitation, answer)), \
        form_status(form)


@bp.errorhandler(CSRFError)
def _expired_form(error: CSRFError) -> Any:
    """The form's token was missing or stale (cookies cleared, page kept open for days):
    show the page again with a fresh token, the comment kept, and nothing recorded."""
    token = (request.view_args or {}).get("token", "")
    answer = (request.view_args or {}).get("answer", "")
    invitation, problem = _invitation(token, answer)
    if problem is not None:
        return problem
    if invitation.briefing.status != "confirmed":
        return render_template("rsvp/closed.html", **_context(invitation, answer)), 409
    form = RsvpForm(formdata=None, data={"comment": request.form.get("comment", "")})
    add_error(form, Invalid(EXPIRED_FORM))
    return render_template("rsvp/answer.html", form=form, **_context(invitation, answer)), 400


def _invitation(token: str, answer: str) -> tuple[Invitation | None, Any]:
    """The invitation a link names, or (None, the page explaining why it cannot be used)."""
    if answer not in invitations.ANSWERS:
        return None, _problem(404, UNKNOWN_ANSWER)
    try:
        invitation = invitations.invitation_from_token(token)
    except Invalid as error:
        return None, _problem(400, str(error))
    except NotFound as error:
        return None, _problem(404, str(error))
    set_page_language(invitation.contact.language)  # the page opens in the contact's language
    return invitation, None


def _problem(status: int, message: str) -> tuple[str, int]:
    """The page saying why a link cannot be used (in the page's language when the catalogs
    know the message)."""
    body = render_template("rsvp/problem.html", status=status, message=translated(message),
                           secretariat_email=current_app.config["ORGANIZER_EMAIL"])
    return body, status


def _context(invitation: Invitation, answer: str) -> dict[str, Any]:
    """What every RSVP page shows: the briefing, the agenda and the mission's place on it."""
    briefing = invitation.briefing
    slot = briefings_view.mission_slot(invitation)
    presenting = invitation.role == "presenter" and slot is not None \
        and slot.slot_status != "declined"
    past = briefings_view.is_past(briefing)
    releases_slot = presenting and answer == "decline"
    return {
        "invitation": invitation,
        "briefing": briefing,
        "contact": invitation.contact,
        "slot": slot,
        "presenting": presenting,
        "releases_slot": releases_slot,
        "agenda": invitations.agenda(briefing),
        "answer": answer,
        "partstat": invitations.ANSWERS[answer],
        "answers": list(invitations.ANSWERS),
        "token": request.view_args["token"] if request.view_args else "",
        "past": past,
        # one click for people: the script sends the form unless the answer has
        # consequences for others, is already recorded, or the briefing is over
        "auto_submit": (request.method == "GET" and not past and not releases_slot
                        and invitation.partstat != invitations.ANSWERS[answer]),
        "secretariat_email": current_app.config["ORGANIZER_EMAIL"],
    }
