"""The Outbox: every e-mail queued, its delivery status, and the message itself.

Every role may look at a message and download its calendar (.ics); the raw e-mail (.eml)
is for administrators. Pages and downloads never show the recipient's personal links
(RSVP answers, mission portal, private feed): they act for the mission without a login.
Putting a failed message back in the queue needs an editor.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from ..domain.constants import OUTBOX_KINDS, OUTBOX_STATUSES
from ..domain.errors import Invalid, NotFound
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from ..services import outbox, outbox_view, progress
from .auth import current_actor, role_required
from .forms import ConfirmForm

bp = Blueprint("outbox", __name__)


def _filters() -> tuple[str | None, int | None]:
    """The ?kind= and ?briefing= of the request (or of the posted form), checked."""
    values = request.values
    kind = values.get("kind") or None
    kind = kind if kind in OUTBOX_KINDS else None
    briefing_id = values.get("briefing", type=int)
    return kind, briefing_id if briefing_id is not None and 0 < briefing_id < 2**31 else None


@bp.route("/outbox")
def index() -> str:
    """Counts per status, the deliveries in progress, the failed messages (to retry) and
    the latest messages, paged.

    ?status=pending|sending|waiting|sent|failed|withdrawn, ?kind=KIND and ?briefing=ID
    narrow the list (and the failed messages); ?page=N pages it.
    """
    status = request.args.get("status")
    status = status if status in OUTBOX_STATUSES else None
    kind, briefing_id = _filters()
    listing = outbox_view.latest_messages(request.args.get("page", 1, type=int),
                                          status=status, briefing_id=briefing_id, kind=kind)
    delivery = progress.for_outbox()
    return render_template("outbox/index.html", counts=delivery.counts, delivery=delivery,
                           failed=outbox.failed_messages(kind=kind, briefing_id=briefing_id),
                           failed_total=outbox.failed_count(kind, briefing_id),
                           listing=listing, status=status, kind=kind,
                           briefing_id=briefing_id, form=ConfirmForm())


@bp.route("/outbox/progress")
def progress_json() -> Response:
    """The deliveries in progress and the counts by status, as JSON (polled by
    static/delivery-progress.js); ?briefing=ID (repeatable) adds briefings the page shows."""
    shown = [briefing_id for briefing_id in request.args.getlist("briefing", type=int)
             if 0 < briefing_id < 2**31]
    response = jsonify(progress.for_outbox(also=shown).as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/outbox/retry-failed", methods=["GET", "POST"])
@role_required("editor")
def retry_failed() -> Any:
    """Retry every failed message of the current filter, after a confirmation step."""
    kind, briefing_id = _filters()
    form = ConfirmForm()
    if form.validate_on_submit():
        result = outbox.retry_failed(current_actor(), kind=kind, briefing_id=briefing_id,
                                     allow_past=request.form.get("allow_past") == "y")
        flash(_("Failed messages: %(summary)s. They go with the next delivery pass.",
                summary=_retried(result)), "success")
        return redirect(url_for("outbox.index", kind=kind, briefing=briefing_id,
                                _anchor="failed"))
    return render_template("outbox/retry_failed.html", form=form, kind=kind,
                           briefing_id=briefing_id, count=outbox.failed_count(kind, briefing_id))


@bp.route("/outbox/<int:message_id>")
def show(message_id: int) -> str:
    """One message: its delivery facts, headers, bodies and calendar (links redacted)."""
    message = outbox_view.redacted(outbox_view.get_message(message_id))
    return render_template("outbox/show.html", message=message,
                           headers=outbox_view.email_headers(message),
                           outline=outbox_view.mime_outline(message))


@bp.route("/outbox/<int:message_id>.eml")
@role_required("admin")
def eml(message_id: int) -> Response:
    """The message as the SMTP server receives it (message/rfc822), personal links redacted."""
    message = outbox_view.redacted(outbox_view.get_message(message_id))
    return Response(outbox_view.eml_bytes(message), content_type="message/rfc822",
                    headers=_attachment(f"outbox-{message.id}.eml"))


@bp.route("/outbox/<int:message_id>.ics")
def ics(message_id: int) -> Response:
    """The message's calendar object (text/calendar with its METHOD), links redacted."""
    message = outbox_view.redacted(outbox_view.get_message(message_id))
    if not message.ics:
        raise NotFound(N_("Message %(number)s carries no calendar."),
                       params={"number": message_id})
    method = message.ics_method or "REQUEST"
    return Response(message.ics, content_type=f"text/calendar; method={method}; charset=utf-8",
                    headers=_attachment(f"outbox-{message.id}-{method.lower()}.ics"))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@role_required("editor")
def retry(message_id: int) -> Any:
    """Put a failed message back in the queue (a message in another state: 400).

    A message about a briefing that has begun needs the "send anyway" tick, which the
    message's page offers after a first refusal; one that should no longer go (its
    briefing cancelled, a newer version queued, its contact gone) is refused with the reason.
    """
    try:
        message = outbox.retry(message_id, current_actor(),
                               allow_past=request.form.get("allow_past") == "y")
    except Invalid as refusal:
        if refusal.field == "present":  # it should no longer go: say why, on its page
            flash(_("Not queued: %(refusal)s.", refusal=str(refusal)), "error")
            return redirect(url_for("outbox.show", message_id=message_id))
        if refusal.field != "allow_past":
            raise
        flash(_("Not queued: %(refusal)s. Tick the box to send it anyway.",
                refusal=str(refusal)), "error")
        return redirect(url_for("outbox.show", message_id=message_id, past=1))
    flash(_("Message %(id)s to %(address)s is queued again; it goes with the next delivery "
            "pass.", id=message.id, address=message.to_address), "success")
    if request.form.get("back") == "message":
        return redirect(url_for("outbox.show", message_id=message.id))
    return redirect(url_for("outbox.index", _anchor="failed"))


def _retried(result: outbox.BulkRetry) -> str:
    """What a retry of the failed messages did, in the page's language (`BulkRetry.summary`
    in English)."""
    parts = [ngettext("%(num)d queued again", "%(num)d queued again", result.retried)]
    if result.withdrawn:
        parts.append(ngettext("%(num)d withdrawn (no longer to be sent)",
                              "%(num)d withdrawn (no longer to be sent)", result.withdrawn))
    if result.past:
        parts.append(ngettext(
            "%(num)d left failed: their briefing has begun (--allow-past sends them)",
            "%(num)d left failed: their briefing has begun (--allow-past sends them)",
            result.past))
    return ", ".join(parts)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
