"""Answers by e-mail: every iMIP REPLY read and what became of it (every role may look);
an editor accepts or rejects the replies whose sender could not be verified."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain.errors import Invalid
from ..domain.imip import OUTCOMES
from ..i18n import gettext as _
from ..i18n import translated
from ..services import replies
from .auth import current_actor, role_required

bp = Blueprint("replies", __name__)

#: how many replies the page shows
SHOWN = 200


@bp.route("/replies")
def index() -> str:
    """The latest replies, newest first, with their outcome; ?outcome=NAME narrows the list."""
    outcome = request.args.get("outcome")
    outcome = outcome if outcome in OUTCOMES else None
    return render_template("replies/index.html", replies=replies.latest(SHOWN, outcome),
                           counts=replies.outcome_counts(), outcome=outcome, shown=SHOWN)


@bp.route("/replies/<int:reply_id>/accept", methods=["POST"])
@role_required("editor")
def accept(reply_id: int) -> Any:
    """Apply an unverified reply as if its sender had been verified (checked again first)."""
    return _decide(replies.accept, reply_id)


@bp.route("/replies/<int:reply_id>/reject", methods=["POST"])
@role_required("editor")
def reject(reply_id: int) -> Any:
    """Refuse an unverified reply: it changes nothing."""
    return _decide(replies.reject, reply_id)


def _decide(decision, reply_id: int) -> Any:
    try:
        outcome = decision(reply_id, current_actor())
    except Invalid as refusal:
        flash(_("Reply %(id)s: %(refusal)s.", id=reply_id, refusal=translated(refusal)), "error")
    else:
        flash(_decided(reply_id, outcome),
              "success" if outcome.outcome in ("applied", "rejected") else "warning")
    return redirect(url_for("replies.index", outcome="unverified"))


def _decided(reply_id: int, outcome: replies.Outcome) -> str:
    """What became of a reply decided on, in the page's language (`Outcome.summary` in
    English)."""
    said = replies.outcome_word(outcome.outcome)
    extra = "".join(f" — {translated(text)}" for text in (outcome.reason, outcome.note) if text)
    if outcome.partstat and outcome.briefing_id:
        return _("Reply %(id)s %(outcome)s: %(answer)s from %(attendee)s (briefing "
                 "%(briefing)s)%(extra)s.", id=reply_id, outcome=said, answer=outcome.partstat,
                 attendee=outcome.attendee, briefing=outcome.briefing_id, extra=extra)
    if outcome.partstat:
        return _("Reply %(id)s %(outcome)s: %(answer)s from %(attendee)s%(extra)s.",
                 id=reply_id, outcome=said, answer=outcome.partstat, attendee=outcome.attendee,
                 extra=extra)
    if outcome.briefing_id:
        return _("Reply %(id)s %(outcome)s (briefing %(briefing)s)%(extra)s.", id=reply_id,
                 outcome=said, briefing=outcome.briefing_id, extra=extra)
    return _("Reply %(id)s %(outcome)s%(extra)s.", id=reply_id, outcome=said, extra=extra)
