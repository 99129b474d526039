"""The timeline layout (domain/timeline.py): days, lanes and bars as plain numbers."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

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


# --- the words in other languages, and right to left (issue 15, point 4) -------------------

FRENCH = {"Planning window": "Période de planification", "Human Rights Council":
          "Conseil des droits de l'homme", "Confirmed briefing": "Réunion d'information confirmée",
          "Good Friday": "Vendredi saint", "UPR session (expected)": "Session de l'EPU (prévue)"}


def french_gettext(message: str, **variables) -> str:
    return FRENCH.get(message, message) % variables if variables else FRENCH.get(message, message)


def french_ngettext(singular: str, plural: str, count: int, **variables) -> str:
    variables.setdefault("num", count)
    words = {"%(num)d working days": "%(num)d jours ouvrables"}
    return words.get(plural, plural) % variables


def test_a_writing_gives_the_words_of_the_page_language():
    writing = timeline.Writing(gettext=french_gettext, ngettext=french_ngettext,
                               month=lambda day: f"{day.month}/{day.year}")
    spans = [Span("hrc", "HRC58", date(2025, 2, 24), date(2025, 4, 4)),
             Span("briefing", "10 h 00", date(2025, 4, 22), date(2025, 4, 22))]
    result = layout(SESSION, WINDOW, date(2025, 3, 3), spans, writing)
    assert [lane.title for lane in result.lanes][:2] == [
        "Période de planification", "Conseil des droits de l'homme"]
    (window,) = bars(result, "window")
    assert window.span.label == "15 jours ouvrables"
    assert {d.holiday for d in result.days if d.holiday} == {"Vendredi saint", "Easter Monday"}
    assert [result.kind_label(r) for r in result.rows if r.kind == "briefing"] == [
        "Réunion d'information confirmée"]
    assert result.rows[-1].kind_label == "UPR session"  # the span's own property: English
    assert [name for name, _ in result.months] == ["4/2025", "5/2025"]
    expected = replace(SESSION, expected=True)
    assert expected.kind_label == "UPR session (expected)"
    assert expected.kind_label_in(writing) == "Session de l'EPU (prévue)"


def test_the_column_of_lane_titles_widens_for_long_titles_up_to_a_limit():
    assert layout(SESSION, WINDOW, date(2025, 3, 3), []).label_width == LABEL_WIDTH
    long = replace(SESSION, group="Período de sesiones 49 del EPU (previsto)")
    result = layout(long, WINDOW, date(2025, 3, 3), [])
    assert LABEL_WIDTH < result.label_width == timeline.MAX_LABEL_WIDTH
    assert result.days[0].x == result.label_width
    assert result.day_width * len(result.days) == pytest.approx(WIDTH - result.label_width)


def test_right_to_left_the_days_run_from_the_right_edge_to_the_left():
    spans = [Span("hrc", "HRC58", date(2025, 2, 24), date(2025, 4, 4)),
             Span("busy", "UN Geneva closure", date(2025, 4, 14), date(2025, 4, 16)),
             Span("briefing", "10:00", date(2025, 4, 22), date(2025, 4, 22))]
    today = date(2025, 4, 10)
    ltr = layout(SESSION, WINDOW, today, spans)
    rtl = layout(SESSION, WINDOW, today, spans, timeline.Writing(right_to_left=True))
    assert (rtl.right_to_left, rtl.direction, ltr.direction) == (True, "rtl", "ltr")
    # day 1 next to the lane titles at the right edge, the last day at the left edge
    first, last = rtl.days[0], rtl.days[-1]
    assert first.x + rtl.day_width == pytest.approx(WIDTH - rtl.label_width)
    assert last.x == pytest.approx(0) and first.x > last.x
    assert all(a.x > b.x for a, b in zip(rtl.days, rtl.days[1:]))
    # the same picture mirrored: every shape's right edge is where its left edge was
    for left, right in zip(ltr.days, rtl.days):
        assert right.x == pytest.approx(WIDTH - left.x - ltr.day_width)
    for left, right in zip(ltr.bars, rtl.bars):
        assert (right.span, right.y, right.width) == (left.span, left.y, left.width)
        assert right.x == pytest.approx(WIDTH - left.x - left.width)
    (hrc,) = bars(rtl, "hrc")
    assert hrc.x + hrc.width == pytest.approx(WIDTH - rtl.label_width)  # cut at day 1
    (session,) = bars(rtl, "session")
    assert session.x == pytest.approx(0)
    assert rtl.today_x == pytest.approx(WIDTH - ltr.today_x)
    # texts start at their right end: lane titles at the right edge, labels at the bar's
    # right end, month names at the right of their first day, "Today" left of its line
    assert (ltr.lane_title_x, rtl.lane_title_x) == (6, WIDTH - 6)
    (window,) = bars(rtl, "window")
    assert window.label_x == pytest.approx(window.x + window.width - 4)
    (ltr_window,) = bars(ltr, "window")
    assert ltr_window.label_x == pytest.approx(ltr_window.x + 4)
    assert rtl.months[0][1] == pytest.approx(first.x + rtl.day_width)
    assert rtl.month_labels[0][1] == pytest.approx(first.x + rtl.day_width - 2)
    assert ltr.month_labels[0][1] == pytest.approx(ltr.days[0].x + 2)
    may = next(d for d in rtl.days if d.day == date(2025, 5, 1))
    assert rtl.months[1] == ("May 2025", pytest.approx(may.x + rtl.day_width))
    assert rtl.today_label_x == pytest.approx(rtl.today_x - 3)
    assert ltr.today_label_x == pytest.approx(ltr.today_x + 3)
