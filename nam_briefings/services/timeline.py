"""The timeline of a session's page: what happens around it, gathered for `domain.timeline`.

Only reads: the planning window (the configured rules), busy periods that concern the
session (global ones, room bookings, blackouts of missions under review), the open
proposals, the confirmed briefings and the session itself, in whole Geneva days.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..domain import timeline
from ..domain.calendar import day_bounds_utc, to_local
from ..models import Briefing, BusyPeriod
from . import briefings, busy, clock, invitations, proposals_view, sessions


def session_timeline(number: int) -> timeline.Timeline:
    """The laid-out timeline of session `number` (NotFound for an unknown session)."""
    overview = sessions.get_session(number)
    session = overview.session
    window = briefings.planning_window(session)
    presenting = {review.state_iso3 for review in overview.reviews}
    low, high = day_bounds_utc((window[0] if window else session.start_date)
                               - timedelta(days=31), session.end_date)
    spans = [busy_span(period) for period in busy.list_busy_periods(
                 ending_after=low, starting_before=high)
             if period.mission is None or period.mission.state_iso3 in presenting]
    for proposal in proposals_view.open_proposal_views(number):
        spans += [timeline.Span("proposal", f"{to_local(meeting.start):%H:%M}",
                                to_local(meeting.start).date(), to_local(meeting.start).date(),
                                group=f"Proposal {proposal.rank}",
                                detail=_meeting_detail(meeting.start, meeting.end, meeting.room,
                                                       [a.iso3 for a in meeting.agenda]))
                  for meeting in proposal.meetings]
    confirmed = briefings.session_briefings(number)
    invitations.load_agendas(confirmed)  # the page reads them too
    spans += [briefing_span(b) for b in confirmed]
    states = f"{len(overview.reviews)} states under review"
    session_span = timeline.Span(
        "session", f"UPR{session.number}", session.start_date, session.end_date,
        group=f"UPR session {session.number}" + (" (expected)" if overview.expected else ""),
        detail=f"{overview.expected_note}; {states}" if overview.expected else states,
        expected=overview.expected)
    return timeline.layout(session_span, window, clock.today(), spans)


def busy_span(period: BusyPeriod) -> timeline.Span:
    """A busy period over the Geneva days it touches; HRC sessions get their own lane."""
    first = to_local(period.start_at).date()
    last = to_local(period.end_at - timedelta(microseconds=1)).date()
    scope = (f" (mission of {period.mission.state_iso3})" if period.mission
             else f" ({period.room.name})" if period.room else "")
    hours = "whole days" if period.all_day else _hours(period.start_at, period.end_at)
    kind = "hrc" if period.kind == "hrc_session" else "busy"
    return timeline.Span(kind, period.label + scope, first, last,
                         detail=f"{period.kind.replace('_', ' ')}, {hours}")


def briefing_span(briefing: Briefing) -> timeline.Span:
    """A confirmed (or held) briefing on its day, labelled with its start time."""
    day = to_local(briefing.start_at).date()
    return timeline.Span("briefing", f"{to_local(briefing.start_at):%H:%M}", day, day,
                         detail=_meeting_detail(
                             briefing.start_at, briefing.end_at,
                             briefing.room.name if briefing.room else "no room",
                             [item.review.state_iso3 for item in briefing.items]))


def _hours(start: datetime, end: datetime) -> str:
    return f"{to_local(start):%H:%M}–{to_local(end):%H:%M %Z}"


def _meeting_detail(start: datetime, end: datetime, room: str, iso3s: list[str]) -> str:
    return f"{_hours(start, end)}, {room}; presenting: {', '.join(iso3s) or 'nobody'}"
