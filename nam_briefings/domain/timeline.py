"""The timeline picture of a session's page, laid out as plain numbers (no drawing here).

`layout()` takes what happens around a UPR session, in whole Geneva days, and places it
on a grid: one column per day from the first day shown to the session's last day, one
lane per kind of thing (planning window, Human Rights Council, busy periods, each
proposal, the confirmed briefings, the session), weekends and public holidays as shaded
columns, and a line for today. A template turns the result into SVG; the same spans,
in date order, make the table that screen readers and phones can read instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .calendar import geneva_public_holidays

#: the kinds of span, in the order of their lanes (top to bottom)
LANE_ORDER = ("window", "hrc", "busy", "proposal", "briefing", "session")
#: lane titles (proposals and the session are titled by their span's `group`)
LANE_TITLES = {"window": "Planning window", "hrc": "Human Rights Council",
               "busy": "Busy periods", "briefing": "Confirmed briefings"}
#: what each kind is called in the legend and the table
KIND_LABELS = {"window": "Planning window", "hrc": "Human Rights Council session",
               "busy": "Busy period", "proposal": "Proposed meeting (not confirmed)",
               "briefing": "Confirmed briefing", "session": "UPR session",
               "holiday": "Geneva public holiday", "weekend": "Weekend"}

#: drawing units of the picture (a viewBox: it scales to any width)
WIDTH = 1000.0
LABEL_WIDTH = 150.0
HEADER_HEIGHT = 44.0
ROW_HEIGHT = 24.0
BAR_HEIGHT = 16.0
#: days shown before the first thing in the window, for context
MARGIN_DAYS = 2


@dataclass(frozen=True)
class Span:
    """Something on the timeline, over whole Geneva days `first`..`last` (inclusive).

    `kind` is one of LANE_ORDER; `group` names the lane of proposals ("Proposal 1") and
    of the session; `detail` says more in tooltips and the table (e.g. the hours).
    `expected`: only forecast, not yet published (an expected session), drawn dashed.
    """

    kind: str
    label: str
    first: date
    last: date
    group: str = ""
    detail: str = ""
    expected: bool = False

    @property
    def kind_label(self) -> str:
        """What the kind of span is called, e.g. "Confirmed briefing" ("UPR session
        (expected)" for an expected session)."""
        label = KIND_LABELS.get(self.kind, self.kind)
        return f"{label} (expected)" if self.expected else label


@dataclass(frozen=True)
class Bar:
    """A span placed on the picture."""

    span: Span
    x: float
    y: float
    width: float
    height: float

    @property
    def text_fits(self) -> bool:
        """True when the span's label fits inside the bar (about 6.5 units a character)."""
        return self.width >= 6.5 * len(self.span.label) + 6

    @property
    def small_text_fits(self) -> bool:
        """True when the label fits in small print (about 4.1 units a character), centred."""
        return not self.text_fits and self.width >= 4.1 * len(self.span.label)


@dataclass(frozen=True)
class Lane:
    """A row of the picture with its title."""

    title: str
    kind: str
    y: float
    height: float


@dataclass(frozen=True)
class Day:
    """One column: its day, where it is, and what kind of day it is."""

    day: date
    x: float
    #: the Geneva public holiday's name, if it is one
    holiday: str = ""
    #: show the day's number above the column (every day when there is room)
    numbered: bool = True

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday."""
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class Timeline:
    """The laid-out picture: columns, lanes, bars and the line for today."""

    first: date
    last: date
    day_width: float
    height: float
    days: list[Day]
    lanes: list[Lane]
    bars: list[Bar]
    #: where today's line goes, or None when today is outside the days shown
    today_x: float | None
    today: date
    #: every span and holiday, in date order (for the table beneath the picture)
    rows: list[Span] = field(default_factory=list)

    @property
    def width(self) -> float:
        """The picture's width in drawing units."""
        return WIDTH

    @property
    def label_width(self) -> float:
        """The width of the column of lane titles."""
        return LABEL_WIDTH

    @property
    def header_height(self) -> float:
        """The height of the month and day numbers above the lanes."""
        return HEADER_HEIGHT

    @property
    def has_expected(self) -> bool:
        """True when something shown is only expected (the legend then explains it)."""
        return any(bar.span.expected for bar in self.bars)

    def count(self, kind: str) -> int:
        """How many spans of `kind` are shown."""
        return sum(1 for bar in self.bars if bar.span.kind == kind)

    @property
    def proposal_count(self) -> int:
        """How many proposals (lanes of proposed meetings) are shown."""
        return sum(1 for lane in self.lanes if lane.kind == "proposal")

    @property
    def months(self) -> list[tuple[str, float]]:
        """Each month's name ("Jan 2026") and the x of its first day shown."""
        found: list[tuple[str, float]] = []
        for column in self.days:
            if column is self.days[0] or column.day.day == 1:
                found.append((f"{column.day:%b %Y}", column.x))
        return found


def layout(session: Span, window: list[date], today: date, spans: list[Span]) -> Timeline:
    """Lay out `session` (kind "session"), its planning `window` (working days, oldest
    first) and the other `spans` (busy periods, proposals, briefings) day by day.

    The days shown run from a little before the window (or the earliest span inside
    the window's reach) to the session's last day; spans outside are cut to fit, and
    spans entirely outside are left out.
    """
    starts = [window[0]] if window else [session.first]
    starts += [s.first for s in spans if s.kind in ("proposal", "briefing")
               and s.first <= session.last]
    first = min(starts) - timedelta(days=MARGIN_DAYS)
    last = session.last
    count = (last - first).days + 1
    day_width = (WIDTH - LABEL_WIDTH) / count
    holidays = geneva_public_holidays(first, last)
    step = 1 if day_width >= 16 else 2 if day_width >= 9 else 7
    days = [Day(first + timedelta(days=n), LABEL_WIDTH + n * day_width,
                holidays.get(first + timedelta(days=n), ""), n % step == 0)
            for n in range(count)]
    every = list(spans) + [session]
    if window:
        every.append(Span("window", f"{len(window)} working days", window[0], window[-1],
                          detail=f"briefings take place on the {len(window)} working days "
                                 "before the session"))
    shown = [_clip(s, first, last) for s in every if s.last >= first and s.first <= last]
    lanes, bars = _lanes_and_bars(shown, first, day_width)
    height = (lanes[-1].y + lanes[-1].height if lanes else HEADER_HEIGHT) + 8
    today_x = LABEL_WIDTH + ((today - first).days + 0.5) * day_width \
        if first <= today <= last else None
    rows = sorted(shown + [Span("holiday", name, day, day) for day, name in holidays.items()],
                  key=lambda s: (s.first, LANE_ORDER.index(s.kind) if s.kind in LANE_ORDER
                                 else -1, s.group, s.last))
    return Timeline(first, last, day_width, height, days, lanes, bars, today_x, today, rows)


def _clip(span: Span, first: date, last: date) -> Span:
    if span.first >= first and span.last <= last:
        return span
    return replace(span, first=max(span.first, first), last=min(span.last, last))


def _lane_keys(spans: list[Span]) -> list[tuple[str, str]]:
    """(kind, group) of each lane, in LANE_ORDER, groups in order of first appearance."""
    keys: list[tuple[str, str]] = []
    for kind in LANE_ORDER:
        for span in spans:
            key = (kind, span.group if kind in ("proposal", "session") else "")
            if span.kind == kind and key not in keys:
                keys.append(key)
    return keys


def _lanes_and_bars(spans: list[Span], first: date,
                    day_width: float) -> tuple[list[Lane], list[Bar]]:
    lanes: list[Lane] = []
    bars: list[Bar] = []
    y = HEADER_HEIGHT
    for kind, group in _lane_keys(spans):
        members = sorted((s for s in spans if s.kind == kind
                          and (group == "" or s.group == group)), key=lambda s: s.first)
        rows = _pack(members)
        height = ROW_HEIGHT * (max(rows, default=0) + 1)
        lanes.append(Lane(group or LANE_TITLES[kind], kind, y, height))
        for span, row in zip(members, rows):
            top = y + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
            x = LABEL_WIDTH + (span.first - first).days * day_width
            bars.append(Bar(span, x, top, ((span.last - span.first).days + 1) * day_width,
                            BAR_HEIGHT))
        y += height
    return lanes, bars


def _pack(spans: list[Span]) -> list[int]:
    """The row within the lane of each span (sorted by first day), so that none overlap."""
    ends: list[date] = []
    rows: list[int] = []
    for span in spans:
        row = next((i for i, end in enumerate(ends) if end < span.first), len(ends))
        if row == len(ends):
            ends.append(span.last)
        else:
            ends[row] = span.last
        rows.append(row)
    return rows
