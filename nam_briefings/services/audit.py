"""The audit trail: who changed what, when; and the log of it in sentences."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.audit_log import LoggedEvent, sentence
from ..domain.phrasing import ENGLISH, Phrasing
from ..extensions import db
from ..models import AuditEvent, Briefing, Contact, Proposal, Room, UprSession


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


@dataclass(frozen=True)
class LogEntry:
    """One line of the audit log: the event as stored, and the sentence saying it."""

    event: AuditEvent
    sentence: str


def recent_entries(limit: int = 100, phrasing: Phrasing = ENGLISH) -> list[LogEntry]:
    """The latest audit events, newest first, each with its sentence (which names the UPR
    session of a briefing or proposal, and the contact or room changed), written in the
    language of `phrasing` (services.languages.phrasing() gives the page's)."""
    events = recent(limit)
    sessions = _briefing_sessions(_ids(events, "briefing"))
    proposals = _proposal_ranks(e.target_id for e in events if e.target_type == "proposal")
    names = {"contact": _names(Contact, _ids(events, "contact")),
             "room": _names(Room, _ids(events, "room"))}
    return [LogEntry(event, sentence(_logged(event, sessions, proposals, names), phrasing))
            for event in events]


def _logged(event: AuditEvent, sessions: dict[str, int],
            proposals: dict[str, tuple[int, int]],
            names: dict[str, dict[str, str]]) -> LoggedEvent:
    key, kind = event.target_id, event.target_type
    session, rank = proposals.get(key, (None, None))
    if kind == "briefing":
        session, rank = sessions.get(key), None
    elif kind != "proposal":
        session, rank = None, None
    return LoggedEvent(actor=event.actor, action=event.action, target_type=kind,
                       target_id=key, details=event.details, session=session, rank=rank,
                       name=names.get(kind, {}).get(key))


def _ids(events: list[AuditEvent], kind: str) -> set[int]:
    return {int(e.target_id) for e in events if e.target_type == kind and e.target_id.isdigit()}


def _briefing_sessions(ids: set[int]) -> dict[str, int]:
    """Briefing id (as the log stores it) -> its session's number."""
    if not ids:
        return {}
    rows = db.session.execute(db.select(Briefing.id, UprSession.number)
                              .join(UprSession, Briefing.session_id == UprSession.id)
                              .where(Briefing.id.in_(ids)))
    return {str(briefing_id): number for briefing_id, number in rows}


def _proposal_ranks(keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Proposal key -> (its session's number, its rank)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = db.session.execute(db.select(Proposal.key, UprSession.number, Proposal.rank)
                              .join(UprSession, Proposal.session_id == UprSession.id)
                              .where(Proposal.key.in_(wanted)))
    return {key: (number, rank) for key, number, rank in rows}


def _names(model: type[Contact] | type[Room], ids: set[int]) -> dict[str, str]:
    """Row id (as the log stores it) -> the row's current name."""
    if not ids:
        return {}
    rows = db.session.execute(db.select(model.id, model.name).where(model.id.in_(ids)))
    return {str(row_id): name for row_id, name in rows}
