"""The timeline layout (domain/timeline.py): days, lanes and bars as plain numbers."""
from __future__ import annotations

from datetime import date

from nam_briefings.domain import timeline
from nam_briefings.domain.calendar import working_days_before
from nam_briefings.domain.timeline import LABEL_WIDTH, WIDTH, Span, layout

#: UPR session 49 (28 April – 9 May 2025) and its 15 working days before it
SESSION = Span("session", "UPR49", date(2025, 4, 28), date(2025, 5, 9), group="UPR session 49")
WINDOW = working_days_before(date(2025, 4, 28), 15)


def bars(result: timeline.Timeline, kind: str) -> list[timeline.Bar]:
    return [bar for bar in result.bars if bar.span.kind == kind]


def test_days_run_from_just_before_the_window_to_the_session_end():
    result = layout(SESSION, WINDOW, date(2025, 3, 3), [])
    assert WINDOW[0] == date(2025, 4, 3)
    assert result.first == date(2025, 4, 1) and result.last == date(2025, 5, 9)
    assert len(result.days) == 39
    assert result.days[0].x == LABEL_WIDTH
    assert result.day_width * 39 == WIDTH - LABEL_WIDTH
    weekends = [d.day for d in result.days if d.weekend]
    assert weekends[:2] == [date(2025, 4, 5), date(2025, 4, 6)] and len(weekends) == 10
    holidays = {d.day: d.holiday for d in result.days if d.holiday}
    assert holidays == {date(2025, 4, 18): "Good Friday", date(2025, 4, 21): "Easter Monday"}
    assert result.months == [("Apr 2025", LABEL_WIDTH), ("May 2025", result.days[30].x)]


def test_lanes_come_in_a_fixed_order_one_per_proposal():
    spans = [
        Span("proposal", "10:00", date(2025, 4, 23), date(2025, 4, 23), group="Proposal 2"),
        Span("briefing", "10:00", date(2025, 4, 22), date(2025, 4, 22)),
        Span("hrc", "HRC58", date(2025, 2, 24), date(2025, 4, 4)),
        Span("proposal", "15:00", date(2025, 4, 17), date(2025, 4, 17), group="Proposal 1"),
        Span("busy", "UN Geneva closure", date(2025, 4, 14), date(2025, 4, 14)),
    ]
    result = layout(SESSION, WINDOW, date(2025, 4, 10), spans)
    assert [lane.title for lane in result.lanes] == [
        "Planning window", "Human Rights Council", "Busy periods", "Proposal 2", "Proposal 1",
        "Confirmed briefings", "UPR session 49"]
    tops = [lane.y for lane in result.lanes]
    assert tops == sorted(tops) and tops[0] == timeline.HEADER_HEIGHT
    # the HRC session started long before: cut to the first day shown
    (hrc,) = bars(result, "hrc")
    assert hrc.x == LABEL_WIDTH and hrc.span.first == result.first
    assert hrc.span.last == date(2025, 4, 4)
    (briefing,) = bars(result, "briefing")
    assert briefing.x == LABEL_WIDTH + 21 * result.day_width
    assert briefing.width == result.day_width
    assert not briefing.text_fits and briefing.small_text_fits  # "10:00" in small print
    (session,) = bars(result, "session")
    assert session.x + session.width == WIDTH
    (window,) = bars(result, "window")
    assert window.span.first == WINDOW[0] and window.span.last == WINDOW[-1]
    assert window.span.label == "15 working days" and window.text_fits
    assert result.today_x == LABEL_WIDTH + 9.5 * result.day_width


def test_overlapping_busy_periods_share_a_lane_on_separate_rows():
    spans = [Span("busy", "Closure", date(2025, 4, 14), date(2025, 4, 16)),
             Span("busy", "Chair's meeting", date(2025, 4, 15), date(2025, 4, 15)),
             Span("busy", "Another", date(2025, 4, 22), date(2025, 4, 22))]
    result = layout(SESSION, WINDOW, date(2025, 3, 3), spans)
    (lane,) = [lane for lane in result.lanes if lane.kind == "busy"]
    assert lane.height == 2 * timeline.ROW_HEIGHT
    closure, meeting, another = bars(result, "busy")
    assert meeting.y == closure.y + timeline.ROW_HEIGHT
    assert another.y == closure.y  # no overlap: back on the first row


def test_today_outside_the_days_shown_has_no_line_and_spans_outside_are_left_out():
    far = Span("busy", "Last year", date(2024, 4, 1), date(2024, 4, 2))
    result = layout(SESSION, WINDOW, date(2026, 12, 1), [far])
    assert result.today_x is None
    assert not bars(result, "busy") and far not in result.rows


def test_an_early_proposal_widens_the_days_shown():
    early = Span("proposal", "10:00", date(2025, 3, 20), date(2025, 3, 20), group="Proposal 1")
    result = layout(SESSION, WINDOW, date(2025, 3, 3), [early])
    assert result.first == date(2025, 3, 18) and len(result.days) == 53
    assert [bar.span.first for bar in bars(result, "proposal")] == [date(2025, 3, 20)]


def test_the_rows_for_the_table_are_in_date_order_with_the_holidays():
    spans = [Span("briefing", "10:00", date(2025, 4, 22), date(2025, 4, 22)),
             Span("busy", "Closure", date(2025, 4, 14), date(2025, 4, 14))]
    result = layout(SESSION, WINDOW, date(2025, 3, 3), spans)
    firsts = [row.first for row in result.rows]
    assert firsts == sorted(firsts)
    kinds = [row.kind for row in result.rows]
    assert {"window", "busy", "holiday", "briefing", "session"} <= set(kinds)
    assert result.rows[-1].kind == "session"
    assert [r.kind_label for r in result.rows if r.kind == "briefing"] == ["Confirmed briefing"]
