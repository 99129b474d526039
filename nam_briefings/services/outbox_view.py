"""Read-only helpers for the Outbox pages: lists, one message, and the e-mail as sent.

`services.outbox` queues, delivers and retries; this module only reads. The e-mail is
rebuilt with `outbox.build_email`, the very function delivery uses, so what the page
shows and downloads is what the SMTP server gets (bar the Date header, set when built),
except the recipient's personal links: pages and downloads get a `redacted` copy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy.orm import defer

from ..domain.constants import OUTBOX_KINDS, OUTBOX_STATUSES
from ..domain.errors import NotFound
from ..domain.redaction import redact_personal_links
from ..extensions import db
from ..models import OutboxMessage
from . import outbox
from .languages import N_

#: messages per page on the Outbox page
PER_PAGE = 50


@dataclass(frozen=True)
class MessagePage:
    """One page of the outbox, newest first."""

    messages: list[OutboxMessage]
    page: int
    pages: int
    total: int
    per_page: int


def get_message(message_id: int) -> OutboxMessage:
    """The outbox message with this id, or NotFound."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(N_("There is no outbox message %(number)s."), params={"number": message_id})
    return message


def redacted(message: OutboxMessage) -> OutboxMessage:
    """A detached copy of the message without the recipient's personal links (RSVP,
    portal, private feed), for showing to the secretariat; never added to the session."""
    columns = {column.key: getattr(message, column.key)
               for column in OutboxMessage.__table__.columns}
    for name in ("body_text", "body_html", "ics"):
        if columns[name]:
            columns[name] = redact_personal_links(columns[name])
    return OutboxMessage(**columns)


def latest_messages(page: int = 1, per_page: int | None = None, status: str | None = None,
                    briefing_id: int | None = None, kind: str | None = None) -> MessagePage:
    """A page of messages (`PER_PAGE` by default), newest first, optionally of one status,
    one kind or one briefing. A page number past the end gives the last page.
    """
    per_page = per_page or PER_PAGE
    conditions = []
    if status in OUTBOX_STATUSES:
        conditions.append(OutboxMessage.status == status)
    if kind in OUTBOX_KINDS:
        conditions.append(OutboxMessage.kind == kind)
    if briefing_id is not None:
        conditions.append(OutboxMessage.briefing_id == briefing_id)
    total = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                              .where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    messages = list(db.session.scalars(
        db.select(OutboxMessage).where(*conditions).order_by(OutboxMessage.id.desc())
        .options(defer(OutboxMessage.body_text), defer(OutboxMessage.body_html),
                 defer(OutboxMessage.ics))  # the list shows none of them
        .offset((page - 1) * per_page).limit(per_page)))
    return MessagePage(messages, page, pages, total, per_page)


def briefing_status_counts(briefing_id: int) -> dict[str, int]:
    """How many of a briefing's messages are in each status."""
    counts = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).where(
            OutboxMessage.briefing_id == briefing_id).group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in OUTBOX_STATUSES}


def eml_bytes(message: OutboxMessage) -> bytes:
    """The message as an RFC 5322 file (.eml), exactly as delivery builds it."""
    return outbox.build_email(message).as_bytes()


def parsed_email(message: OutboxMessage) -> EmailMessage:
    """The built e-mail, parsed back by the standard library (for showing its headers)."""
    return message_from_bytes(eml_bytes(message), policy=policy.default)


def email_headers(message: OutboxMessage) -> list[tuple[str, str]]:
    """The top-level headers of the built e-mail, in order."""
    return [(name, str(value)) for name, value in parsed_email(message).items()]


def mime_outline(message: OutboxMessage) -> list[tuple[int, str]]:
    """The MIME tree of the built e-mail as (depth, content type with parameters)."""
    outline: list[tuple[int, str]] = []

    def walk(part: EmailMessage, depth: int) -> None:
        params = "".join(f"; {name}={value}" for name, value in part.get_params()[1:]
                         if name in {"method", "charset", "name"})
        disposition = part.get_content_disposition()
        outline.append((depth, part.get_content_type() + params
                        + (f" ({disposition})" if disposition else "")))
        if part.is_multipart():
            for child in part.iter_parts():
                walk(child, depth + 1)

    walk(parsed_email(message), 0)
    return outline
