"""What changed between two versions of a briefing, in words, for the top of an update.

Each contact is told what changed since the version *it* last received (updates are
paced and coalesced, so one contact may skip versions another one saw). Times are Geneva
wall-clock times (aware datetimes in Europe/Zurich).

Only a change of time or place is *significant* in the sense of RFC 5546 (§2.1.4): the
missions are asked to answer again. A change of agenda keeps every answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import wording


@dataclass(frozen=True)
class VersionFacts:
    """What a version of a briefing told its recipients."""

    start: datetime
    end: datetime
    room: str
    #: presenting states' names, in agenda order
    presenters: tuple[str, ...]
    status: str = "confirmed"


def what_changed(before: VersionFacts, after: VersionFacts) -> list[str]:
    """One sentence a change, time first, e.g. "Time changed from Tue 22 Apr 2025,
    10:00–11:30 to Wed 23 Apr 2025, 15:00–16:30.", "Tunisia no longer presents."."""
    lines = []
    if (before.start, before.end) != (after.start, after.end):
        lines.append(f"Time changed from {_span(before, after)}.")
    if before.room != after.room:
        lines.append(f"Room changed from {before.room or 'none set'} to "
                     f"{after.room or 'none set'}.")
    gone = [name for name in before.presenters if name not in after.presenters]
    added = [name for name in after.presenters if name not in before.presenters]
    if gone:
        lines.append(f"{wording.join_names(gone)} no longer present"
                     f"{'s' if len(gone) == 1 else ''}.")
    if added:
        lines.append(f"{wording.join_names(added)} now present{'s' if len(added) == 1 else ''}.")
    kept_before = [name for name in before.presenters if name in after.presenters]
    kept_after = [name for name in after.presenters if name in before.presenters]
    if kept_before != kept_after:
        lines.append("The order of the presentations changed.")
    elif gone and after.presenters:
        lines.append("The presentations that remain close up after the opening.")
    return lines


def is_significant(before: VersionFacts, after: VersionFacts) -> bool:
    """True when the time or the place changed: the missions are asked to answer again."""
    return (before.start, before.end, before.room) != (after.start, after.end, after.room)


def _span(before: VersionFacts, after: VersionFacts) -> str:
    """"10:00–11:30 to 14:00–15:30 on Tue 22 Apr 2025", or with both days when it moved."""
    old, new = _times(before), _times(after)
    if before.start.date() == after.start.date():
        return f"{old} to {new} on {wording.short_date(after.start.date())}"
    return (f"{wording.short_date(before.start.date())}, {old} to "
            f"{wording.short_date(after.start.date())}, {new}")


def _times(facts: VersionFacts) -> str:
    return f"{facts.start:%H:%M}–{facts.end:%H:%M}"
