"""The timeline picture of a session's page, laid out as plain numbers (no drawing here).

`layout()` takes what happens around a UPR session, in whole Geneva days, and places it
on a grid: one column per day from the first day shown to the session's last day, one
lane per kind of thing (planning window, Human Rights Council, busy periods, each
proposal, the confirmed briefings, the session), weekends and public holidays as shaded
columns, and a line for today. A template turns the result into SVG; the same spans,
in date order, make the table that screen readers and phones can read instead.

The words it makes (lane titles, what each kind is called, the planning window's label,
month names) are English unless a `Writing` says how the page's language writes them;
right to left (Arabic), the days run from the right edge to the left, the lane titles
stand on the right and every text starts at its right end (`Writing.right_to_left`: the
geometry is mirrored, not the drawing, so that the text still reads the right way).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .calendar import geneva_public_holidays
from .messages import N_



def _english(message: str, **variables) -> str:
    return message % variables if variables else message


def _english_plural(singular: str, plural: str, count: int, **variables) -> str:
    variables.setdefault("num", count)  # as Flask-Babel's ngettext does
    return _english(singular if count == 1 else plural, **variables)


@dataclass(frozen=True)
class Writing:
    """How one language writes the timeline: its translation of a message (gettext, with
    %(name)s variables) and of a message with a count (ngettext, which gives %(num)d), a
    month's name with its year, and its direction. English, left to right, by default."""

    gettext: Callable[..., str] = _english
    ngettext: Callable[..., str] = _english_plural
    month: Callable[[date], str] = lambda day: f"{day:%b %Y}"
    right_to_left: bool = False


ENGLISH = Writing()

#: the kinds of span, in the order of their lanes (top to bottom)
LANE_ORDER = ("window", "hrc", "busy", "proposal", "briefing", "session")
#: lane titles (proposals and the session are titled by their span's `group`)
LANE_TITLES = {"window": N_("Planning window"), "hrc": N_("Human Rights Council"),
               "busy": N_("Busy periods"), "briefing": N_("Confirmed briefings")}
#: what each kind is called in the legend and the table
KIND_LABELS = {"window": N_("Planning window"), "hrc": N_("Human Rights Council session"),
               "busy": N_("Busy period"), "proposal": N_("Proposed meeting (not confirmed)"),
               "briefing": N_("Confirmed briefing"), "session": N_("UPR session"),
               "holiday": N_("Geneva public holiday"), "weekend": N_("Weekend")}
#: ... and when the span is only expected
EXPECTED_KIND_LABELS = {"session": N_("UPR session (expected)")}

#: drawing units of the picture (a viewBox: it scales to any width)
WIDTH = 1000.0
#: the column of lane titles: this wide, wider (up to the most) for longer titles
LABEL_WIDTH = 150.0
MAX_LABEL_WIDTH = 230.0
#: about how wide a character of a lane title is (bold, 11 units), and the title's margin
TITLE_CHARACTER_WIDTH = 6.6
TITLE_MARGIN = 6.0
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
        """What the kind of span is called, in English, e.g. "Confirmed briefing" ("UPR
        session (expected)" for an expected session)."""
        return self.kind_label_in(ENGLISH)

    def kind_label_in(self, writing: Writing) -> str:
        """What the kind of span is called, as `writing` writes it."""
        if self.expected and self.kind in EXPECTED_KIND_LABELS:
            return writing.gettext(EXPECTED_KIND_LABELS[self.kind])
        label = KIND_LABELS.get(self.kind)
        if label is None:
            return self.kind
        label = writing.gettext(label)
        return writing.gettext(N_("%(kind)s (expected)"), kind=label) if self.expected \
            else label


@dataclass(frozen=True)
class Bar:
    """A span placed on the picture."""

    span: Span
    x: float
    y: float
    width: float
    height: float
    #: the picture runs right to left (the label then starts at the bar's right end)
    right_to_left: bool = False

    @property
    def label_x(self) -> float:
        """Where the label inside the bar starts: 4 units in from the bar's starting end
        (the left one, or the right one right to left)."""
        return self.x + self.width - 4 if self.right_to_left else self.x + 4

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
    #: the width of the column of lane titles
    label_width: float = LABEL_WIDTH
    #: how the page's language writes the words (and which way the days run)
    writing: Writing = ENGLISH

    @property
    def width(self) -> float:
        """The picture's width in drawing units."""
        return WIDTH

    @property
    def right_to_left(self) -> bool:
        """True when day 1 is at the right edge and later days to its left (Arabic)."""
        return self.writing.right_to_left

    @property
    def direction(self) -> str:
        """The SVG's writing direction: "rtl" or "ltr"."""
        return "rtl" if self.right_to_left else "ltr"

    @property
    def lane_title_x(self) -> float:
        """Where the lane titles start: at the left edge, or at the right edge right to
        left (a text's start is its right end there)."""
        return WIDTH - TITLE_MARGIN if self.right_to_left else TITLE_MARGIN

    @property
    def today_label_x(self) -> float | None:
        """Where the "Today" label starts, beside its line: on the right of it, or on its
        left right to left (where it reads towards the left)."""
        if self.today_x is None:
            return None
        return self.today_x - 3 if self.right_to_left else self.today_x + 3

    def kind_label(self, span: Span) -> str:
        """What the kind of `span` is called, in the page's language."""
        return span.kind_label_in(self.writing)

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
        """Each month's name ("Jan 2026") and the x of the edge where its first day shown
        begins: the day's left edge, or its right edge right to left."""
        found: list[tuple[str, float]] = []
        for column in self.days:
            if column is self.days[0] or column.day.day == 1:
                edge = column.x + self.day_width if self.right_to_left else column.x
                found.append((self.writing.month(column.day), edge))
        return found

    @property
    def month_labels(self) -> list[tuple[str, float]]:
        """Each month's name and where it starts: 2 units inside its first day, reading
        away from it (rightwards, or leftwards right to left)."""
        inward = -2 if self.right_to_left else 2
        return [(name, edge + inward) for name, edge in self.months]


def layout(session: Span, window: list[date], today: date, spans: list[Span],
           writing: Writing = ENGLISH) -> Timeline:
    """Lay out `session` (kind "session"), its planning `window` (working days, oldest
    first) and the other `spans` (busy periods, proposals, briefings) day by day, with
    the words as `writing` writes them (the spans' own labels are the caller's).

    The days shown run from a little before the window (or the earliest span inside
    the window's reach) to the session's last day; spans outside are cut to fit, and
    spans entirely outside are left out. Right to left, every x is mirrored
    (x -> WIDTH - x): the first day is at the right, next to the lane titles.
    """
    _, ngettext = writing.gettext, writing.ngettext
    starts = [window[0]] if window else [session.first]
    starts += [s.first for s in spans if s.kind in ("proposal", "briefing")
               and s.first <= session.last]
    first = min(starts) - timedelta(days=MARGIN_DAYS)
    last = session.last
    count = (last - first).days + 1
    holidays = {day: _(name) for day, name in geneva_public_holidays(first, last).items()}
    every = list(spans) + [session]
    if window:
        every.append(Span(
            "window",
            ngettext("%(num)d working day", "%(num)d working days", len(window)),
            window[0], window[-1],
            detail=ngettext("briefings take place on the %(num)d working day before the "
                            "session",
                            "briefings take place on the %(num)d working days before the "
                            "session", len(window))))
    shown = [_clip(s, first, last) for s in every if s.last >= first and s.first <= last]
    keys = _lane_keys(shown)
    titles = [group or _(LANE_TITLES[kind]) for kind, group in keys]
    label_width = _label_width(titles)
    day_width = (WIDTH - label_width) / count
    flip = _mirror if writing.right_to_left else _unchanged
    step = 1 if day_width >= 16 else 2 if day_width >= 9 else 7
    days = [Day(first + timedelta(days=n), flip(label_width + n * day_width, day_width),
                holidays.get(first + timedelta(days=n), ""), n % step == 0)
            for n in range(count)]
    lanes, bars = _lanes_and_bars(shown, keys, titles, first, day_width, label_width,
                                  writing.right_to_left)
    height = (lanes[-1].y + lanes[-1].height if lanes else HEADER_HEIGHT) + 8
    today_x = flip(label_width + ((today - first).days + 0.5) * day_width, 0.0) \
        if first <= today <= last else None
    rows = sorted(shown + [Span("holiday", name, day, day) for day, name in holidays.items()],
                  key=lambda s: (s.first, LANE_ORDER.index(s.kind) if s.kind in LANE_ORDER
                                 else -1, s.group, s.last))
    return Timeline(first, last, day_width, height, days, lanes, bars, today_x, today, rows,
                    label_width, writing)


def _label_width(titles: list[str]) -> float:
    """The width of the column of lane titles: LABEL_WIDTH, more for a longer title (as
    some languages write them), up to MAX_LABEL_WIDTH."""
    longest = max((len(title) for title in titles), default=0)
    needed = TITLE_CHARACTER_WIDTH * longest + 2 * TITLE_MARGIN
    return min(MAX_LABEL_WIDTH, max(LABEL_WIDTH, needed))


def _unchanged(x: float, width: float) -> float:
    """The left edge of a shape `width` wide whose left edge is `x` left to right."""
    return x


def _mirror(x: float, width: float) -> float:
    """The left edge of a shape `width` wide, right to left, whose left edge is `x` left to
    right (the picture mirrored: its right edge lands at WIDTH - x)."""
    return WIDTH - x - width


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


def _lanes_and_bars(spans: list[Span], keys: list[tuple[str, str]], titles: list[str],
                    first: date, day_width: float, label_width: float,
                    right_to_left: bool) -> tuple[list[Lane], list[Bar]]:
    lanes: list[Lane] = []
    bars: list[Bar] = []
    flip = _mirror if right_to_left else _unchanged
    y = HEADER_HEIGHT
    for (kind, group), title in zip(keys, titles):
        members = sorted((s for s in spans if s.kind == kind
                          and (group == "" or s.group == group)), key=lambda s: s.first)
        rows = _pack(members)
        height = ROW_HEIGHT * (max(rows, default=0) + 1)
        lanes.append(Lane(title, kind, y, height))
        for span, row in zip(members, rows):
            top = y + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
            width = ((span.last - span.first).days + 1) * day_width
            x = flip(label_width + (span.first - first).days * day_width, width)
            bars.append(Bar(span, x, top, width, BAR_HEIGHT, right_to_left))
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
