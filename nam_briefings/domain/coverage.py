"""What the reference data covers: can a planning window trust the Council sessions and
closures on file?

The planner treats Human Rights Council sessions as a soft preference and UN Geneva
closures as blocks, but it only knows the ones entered. The Council's programme is
published a session or two ahead and the closures year by year, so a window past the
last known Council session, or in a year without any closure entered, is planned on
missing data. `window_coverage` says so in plain words: the lines every proposal shows
("Human Rights Council sessions known up to HRC61 (ending 31 Mar 2026)", "UN Geneva
closures entered for 2027: none") and the warnings to act on. Pure: the services feed
it what is on file.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .phrasing import ENGLISH, Phrasing

#: what the planner says when no Council session is near the window (see planner._facts_text);
#: true only when the window lies within the Council sessions on file
NO_HRC_NEAR = "no Human Rights Council session near the window"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CouncilSession:
    """A Human Rights Council session on file: its number (None when entered by hand
    without one), its label and its first and last days (Geneva dates, inclusive)."""

    number: int | None
    label: str
    first_day: date
    last_day: date

    @property
    def name(self) -> str:
        """How people name it: "HRC61" (the label when the number is not known)."""
        return f"HRC{self.number}" if self.number is not None else self.label


@dataclass(frozen=True)
class CoverageWarning:
    """Something missing from the reference data for a window.

    `kind` is "hrc" (Council sessions) or "closures"; `text` is the whole sentence a
    proposal shows, `short` the part a dashboard line shows after the session's number.
    """

    kind: str
    text: str
    short: str


@dataclass(frozen=True)
class Coverage:
    """What covered a planning window: the Council sessions and the closures on file."""

    window_first: date
    window_last: date
    #: the Council sessions on file that start first and end last (None when none is)
    first_known: CouncilSession | None
    last_known: CouncilSession | None
    #: UN Geneva closures entered, per year the window touches
    closures: dict[int, int]
    lines: tuple[str, ...]
    warnings: tuple[CoverageWarning, ...]

    @property
    def hrc_known(self) -> bool:
        """True when the window lies within the Council sessions on file."""
        return not any(w.kind == "hrc" for w in self.warnings)

    def to_json(self) -> dict[str, Any]:
        """The `coverage` object of `propose --json`."""
        last = self.last_known
        return {
            "window": {"first": self.window_first.isoformat(),
                       "last": self.window_last.isoformat()},
            "hrc_known_until": last.last_day.isoformat() if last else None,
            "hrc_last_known": last.name if last else None,
            "closures_entered": {str(year): count for year, count in self.closures.items()},
            "lines": list(self.lines),
            "warnings": [w.text for w in self.warnings],
        }


def window_coverage(window_first: date, window_last: date,
                    council_sessions: Iterable[CouncilSession],
                    closures: Iterable[tuple[date, date]],
                    phrasing: Phrasing = ENGLISH) -> Coverage:
    """What the Council sessions and the closures (first and last days) on file say
    about the window `window_first`–`window_last` (inclusive), its lines and warnings in
    `phrasing`'s language (English by default: the CLI's JSON)."""
    _ = phrasing.gettext
    if window_last < window_first:
        raise ValueError("the window ends before it starts")
    known = list(council_sessions)
    first = min(known, key=lambda s: (s.first_day, s.last_day), default=None)
    last = max(known, key=lambda s: (s.last_day, s.first_day), default=None)
    per_year = closures_per_year(range(window_first.year, window_last.year + 1), closures)
    hrc_line, hrc_warning = _council(window_first, window_last, first, last, phrasing)
    lines = (hrc_line,) + tuple(
        _("UN Geneva closures entered for %(year)s: %(count)s", year=year, count=count)
        if count else _("UN Geneva closures entered for %(year)s: none", year=year)
        for year, count in per_year.items())
    missing = [year for year, count in per_year.items() if not count]
    warnings = ([hrc_warning] if hrc_warning else []) + (
        [_closures_warning(missing, phrasing)] if missing else [])
    return Coverage(window_first, window_last, first, last, per_year, lines, tuple(warnings))


def closures_per_year(years: Iterable[int],
                      closures: Iterable[tuple[date, date]]) -> dict[int, int]:
    """How many closures (first and last days) touch each of `years`."""
    spans = list(closures)
    return {year: sum(1 for a, b in spans if a <= date(year, 12, 31) and b >= date(year, 1, 1))
            for year in years}


def qualify_reasons(reasons: Sequence[str], coverage: Coverage,
                    phrasing: Phrasing = ENGLISH) -> list[str]:
    """The planner's reasons, not claiming "no Council session near" where none is known.

    Outside the Council sessions on file, the planner's "no Human Rights Council session
    near the window" becomes what is true: that they are not known there. `phrasing`: the
    language the reasons are written in (English by default).
    """
    if coverage.hrc_known:
        return list(reasons)
    if phrasing is ENGLISH:
        near, unknown = NO_HRC_NEAR, next(w.short for w in coverage.warnings if w.kind == "hrc")
    else:
        near = phrasing.gettext(NO_HRC_NEAR)
        unknown = hrc_gap(coverage.window_first, coverage.window_last, coverage.first_known,
                          coverage.last_known, phrasing) or near
    return [reason.replace(near, unknown) for reason in reasons]


def hrc_gap(window_first: date, window_last: date, first: CouncilSession | None,
            last: CouncilSession | None, phrasing: Phrasing = ENGLISH) -> str | None:
    """What is not known of the Council sessions around the window, in a few words ("Human
    Rights Council sessions after HRC61 are not known"), None when the window lies within
    the Council sessions on file (`first` and `last`: those that start first and end last)."""
    _ = phrasing.gettext
    if first is None or last is None:
        return _("no Human Rights Council session is on file")
    if window_last > last.last_day:
        return _("Human Rights Council sessions after %(session)s are not known",
                 session=last.name)
    if window_first < first.first_day:
        return _("Human Rights Council sessions before %(session)s are not known",
                 session=first.name)
    return None


def _council(window_first: date, window_last: date, first: CouncilSession | None,
             last: CouncilSession | None, w: Phrasing) -> tuple[str, CoverageWarning | None]:
    """The line about the Council sessions on file, and the warning when the window
    lies outside them."""
    _ = w.gettext
    months = w.months(window_first, window_last)
    short = hrc_gap(window_first, window_last, first, last, w)
    if first is None or last is None:
        return (_("Human Rights Council sessions known: none"),
                CoverageWarning("hrc", _("No Human Rights Council session is on file: import "
                                         "them, and check the Council's programme for "
                                         "%(months)s before confirming", months=months),
                                short or ""))
    day = _day if w is ENGLISH else w.day
    line = _("Human Rights Council sessions known up to %(last)s (ending %(day)s)",
             last=last.name, day=day(last.last_day))
    if short is None:
        return line, None
    if window_last <= last.last_day:  # the window starts before the first one known
        line = _("Human Rights Council sessions known from %(first)s (starting %(first_day)s) "
                 "up to %(last)s (ending %(last_day)s)", first=first.name,
                 first_day=day(first.first_day), last=last.name, last_day=day(last.last_day))
    return line, CoverageWarning("hrc", _("%(gap)s: check the Council's programme for "
                                          "%(months)s before confirming", gap=short,
                                          months=months), short)


def _closures_warning(years: Sequence[int], w: Phrasing) -> CoverageWarning:
    listed = w.either([str(year) for year in years])
    return CoverageWarning(
        "closures", w.gettext("No UN Geneva closures are entered for %(years)s: add them "
                              "under Busy & rooms", years=listed),
        w.gettext("no UN Geneva closures entered for %(years)s", years=listed))


def _day(day: date) -> str:
    """"31 Mar 2026" (English, whatever the machine's locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
