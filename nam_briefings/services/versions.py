"""What each version of a briefing said when it went out (`BriefingVersion`).

`fanout.queue` records the version it sends, with the secretariat's note; an update then
tells each contact what changed since the version that contact last received
(`domain.changes`). Works in the caller's transaction.
"""
from __future__ import annotations

from ..domain.calendar import to_local
from ..domain.changes import VersionFacts
from ..extensions import db
from ..models import Briefing, BriefingVersion



def record(briefing: Briefing, note: str = "") -> BriefingVersion:
    """Write down the briefing's current version (its SEQUENCE) and the note that goes with
    it; a version recorded before (e.g. fanned out again) is brought up to date."""
    version = db.session.scalar(db.select(BriefingVersion).filter_by(
        briefing_id=briefing.id, sequence=briefing.sequence))
    if version is None:
        version = BriefingVersion(briefing_id=briefing.id, sequence=briefing.sequence)
        db.session.add(version)
    version.start_at, version.end_at = briefing.start_at, briefing.end_at
    version.room = _room(briefing)
    version.presenters = "\n".join(_presenters(briefing))
    version.status = briefing.status
    version.note = note.strip() or version.note or ""
    return version


def facts_of(briefing: Briefing) -> VersionFacts:
    """The briefing as it stands (what an e-mail composed now says), as `facts` gives a
    recorded version."""
    return VersionFacts(to_local(briefing.start_at), to_local(briefing.end_at),
                        _room(briefing), tuple(_presenters(briefing)), briefing.status)


def _room(briefing: Briefing) -> str:
    from . import invitations  # invitations reads versions too

    return invitations.event_data(briefing).location


def _presenters(briefing: Briefing) -> list[str]:
    from . import invitations

    return [item.review.state.name for item in invitations.agenda(briefing)]


def of_briefing(briefing_id: int) -> dict[int, BriefingVersion]:
    """SEQUENCE -> the version recorded for it, in one query."""
    return {version.sequence: version for version in db.session.scalars(
        db.select(BriefingVersion).filter_by(briefing_id=briefing_id))}


def facts(version: BriefingVersion) -> VersionFacts:
    """A recorded version as `domain.changes` compares them (Geneva times)."""
    return VersionFacts(to_local(version.start_at), to_local(version.end_at), version.room,
                        tuple(name for name in version.presenters.split("\n") if name),
                        version.status)
