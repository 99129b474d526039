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

from .phrasing import ENGLISH, Phrasing

__all__ = ["ENGLISH", "Phrasing", "VersionFacts", "is_significant", "what_changed"]


@dataclass(frozen=True)
class VersionFacts:
    """What a version of a briefing told its recipients."""

    start: datetime
    end: datetime
    room: str
    #: presenting states' names, in agenda order
    presenters: tuple[str, ...]
    status: str = "confirmed"


def what_changed(before: VersionFacts, after: VersionFacts,
                 phrasing: Phrasing = ENGLISH) -> list[str]:
    """One sentence a change, time first, e.g. "Time changed from Tue 22 Apr 2025,
    10:00–11:30 to Wed 23 Apr 2025, 15:00–16:30.", "Tunisia no longer presents."."""
    _, ngettext = phrasing.gettext, phrasing.ngettext
    lines = []
    if (before.start, before.end) != (after.start, after.end):
        lines.append(_("Time changed from %(span)s.", span=_span(before, after, phrasing)))
    if before.room != after.room:
        lines.append(_("Room changed from %(old)s to %(new)s.",
                       old=before.room or _("none set"), new=after.room or _("none set")))
    gone = [name for name in before.presenters if name not in after.presenters]
    added = [name for name in after.presenters if name not in before.presenters]
    if gone:
        lines.append(ngettext("%(names)s no longer presents.", "%(names)s no longer present.",
                              len(gone), names=phrasing.names(gone)))
    if added:
        lines.append(ngettext("%(names)s now presents.", "%(names)s now present.",
                              len(added), names=phrasing.names(added)))
    kept_before = [name for name in before.presenters if name in after.presenters]
    kept_after = [name for name in after.presenters if name in before.presenters]
    if kept_before != kept_after:
        lines.append(_("The order of the presentations changed."))
    elif gone and after.presenters:
        lines.append(_("The presentations that remain close up after the opening."))
    return lines


def is_significant(before: VersionFacts, after: VersionFacts) -> bool:
    """True when the time or the place changed: the missions are asked to answer again."""
    return (before.start, before.end, before.room) != (after.start, after.end, after.room)


def _span(before: VersionFacts, after: VersionFacts, phrasing: Phrasing) -> str:
    """"10:00–11:30 to 14:00–15:30 on Tue 22 Apr 2025", or with both days when it moved."""
    _ = phrasing.gettext
    old, new = _times(before, phrasing), _times(after, phrasing)
    if before.start.date() == after.start.date():
        return _("%(old)s to %(new)s on %(day)s", old=old, new=new,
                 day=phrasing.day(after.start.date()))
    return _("%(old_day)s, %(old)s to %(new_day)s, %(new)s",
             old_day=phrasing.day(before.start.date()), old=old,
             new_day=phrasing.day(after.start.date()), new=new)


def _times(facts: VersionFacts, phrasing: Phrasing) -> str:
    return f"{phrasing.clock(facts.start)}–{phrasing.clock(facts.end)}"
