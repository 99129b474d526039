"""The audit trail: who changed what, when."""
from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a logged-in user, the CLI or the system itself."""

    label: str
    user_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")


def record(actor: Actor, action: str, target_type: str = "", target_id: object = "",
           details: str = "") -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        actor=actor.label,
        user_id=actor.user_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
    db.session.add(event)
    return event


def recent(limit: int = 100) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    return list(
        db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        )
    )
