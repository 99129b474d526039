"""The timeline of a session's page: what happens around it, gathered for `domain.timeline`.

Only reads: the planning window (the configured rules), busy periods that concern the
session (global ones, room bookings, blackouts of missions under review), the open
proposals, the confirmed briefings and the session itself, in whole Geneva days.

The words are in the page's language (`writing()`: Arabic runs right to left); the names
people gave (busy periods, rooms) and the states' codes stay as written.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..domain import local_dates, timeline
from ..domain.calendar import day_bounds_utc, to_local
from ..models import Briefing, BusyPeriod
from . import briefings, busy, clock, invitations, proposals_view, sessions
from .languages import N_, _, current_language, local_time

#: a busy period's kind, as the details of its bar say it
BUSY_KINDS = {"hrc_session": N_("hrc session"), "closure": N_("closure"),
              "meeting": N_("meeting"), "blackout": N_("blackout")}


def writing() -> timeline.Writing:
    """How the page's language writes the timeline (English: the domain's own words)."""
    language = current_language()
    if local_dates.is_english(language):
        return timeline.ENGLISH
    from babel.dates import format_skeleton
    from flask_babel import gettext, ngettext

    return timeline.Writing(gettext=gettext, ngettext=ngettext,
                            month=lambda day: format_skeleton("yMMM", day, locale=language),
                            right_to_left=local_dates.direction(language) == "rtl")


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
        spans += [timeline.Span("proposal", local_time(meeting.start),
                                to_local(meeting.start).date(), to_local(meeting.start).date(),
                                group=_("Proposal %(rank)s", rank=proposal.rank),
                                detail=_meeting_detail(meeting.start, meeting.end, meeting.room,
                                                       [a.iso3 for a in meeting.agenda]))
                  for meeting in proposal.meetings]
    confirmed = briefings.session_briefings(number)
    invitations.load_agendas(confirmed)  # the page reads them too
    spans += [briefing_span(b) for b in confirmed]
    words = writing()
    states = words.ngettext("%(num)d state under review", "%(num)d states under review",
                            len(overview.reviews))
    session_span = timeline.Span(
        "session", _("UPR%(number)s", number=session.number), session.start_date,
        session.end_date,
        group=(_("UPR session %(number)s (expected)", number=session.number)
               if overview.expected else _("UPR session %(number)s", number=session.number)),
        detail=_("%(note)s; %(states)s", note=overview.expected_note, states=states)
        if overview.expected else states,
        expected=overview.expected)
    return timeline.layout(session_span, window, clock.today(), spans, words)


def busy_span(period: BusyPeriod) -> timeline.Span:
    """A busy period over the Geneva days it touches; HRC sessions get their own lane."""
    first = to_local(period.start_at).date()
    last = to_local(period.end_at - timedelta(microseconds=1)).date()
    if period.mission:
        label = _("%(label)s (mission of %(state)s)", label=period.label,
                  state=period.mission.state_iso3)
    else:
        label = f"{period.label} ({period.room.name})" if period.room else period.label
    hours = _("whole days") if period.all_day else _hours(period.start_at, period.end_at)
    kind = "hrc" if period.kind == "hrc_session" else "busy"
    what = BUSY_KINDS.get(period.kind)
    return timeline.Span(kind, label, first, last, detail=_(
        "%(kind)s, %(hours)s", kind=_(what) if what else period.kind.replace("_", " "),
        hours=hours))


def briefing_span(briefing: Briefing) -> timeline.Span:
    """A confirmed (or held) briefing on its day, labelled with its start time."""
    day = to_local(briefing.start_at).date()
    return timeline.Span("briefing", local_time(briefing.start_at), day, day,
                         detail=_meeting_detail(
                             briefing.start_at, briefing.end_at,
                             briefing.room.name if briefing.room else _("no room"),
                             [item.review.state_iso3 for item in briefing.items]))


def _hours(start: datetime, end: datetime) -> str:
    """"10:00–11:30 CEST" (in English with the zone; other languages without it, as the
    page says its times are Geneva time)."""
    return f"{local_time(start)}–{local_time(end, zone=True)}"


def _meeting_detail(start: datetime, end: datetime, room: str, iso3s: list[str]) -> str:
    separator = local_dates.comma(current_language())
    return _("%(hours)s, %(room)s; presenting: %(states)s", hours=_hours(start, end),
             room=room, states=separator.join(iso3s) or _("nobody"))
