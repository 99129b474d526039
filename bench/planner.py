"""Benchmark of the briefing planner: speed on the shipped UPR calendar, and exactness.

Run with `.venv/bin/python bench/planner.py` (or `make bench`). It prints the machine, then

1. the time to plan each shipped session (41–50) with the default rules: median and p95
   per session, and the whole cycle, over several repetitions;
2. what writing the reasons in French, Spanish and Arabic too adds (the catalogs compiled,
   `make translations`): the same sessions planned in English only, then in the four
   languages, and the ratio;
3. on small random instances, the planner's best score (and its top proposals' scores)
   against an exhaustive search over every valid combination of meeting times and rooms,
   written here independently of the planner. The exit status is non-zero when they differ.
"""
from __future__ import annotations

import csv
import itertools
import math
import platform
import random
import statistics
import sys
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nam_briefings.domain.local_dates import WRITTEN_LANGUAGES  # noqa: E402
from nam_briefings.domain.phrasing import Phrasing, written_in  # noqa: E402
from nam_briefings.domain.planner import (  # noqa: E402
    DEFAULT_RULES,
    Busy,
    MissionPreference,
    Presenter,
    Room,
    Rules,
    SessionInfo,
    propose,
)

DATA = ROOT / "nam_briefings" / "data"
ZURICH = ZoneInfo("Europe/Zurich")
ROOMS = [Room("Room XXIV", 150), Room("Room XXV", 90)]


# --- the shipped calendar --------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ZURICH).astimezone(timezone.utc)


def shipped_calendar() -> tuple[list[SessionInfo], dict[int, list[Presenter]], list[Busy]]:
    """Sessions, their states under review and the HRC sessions (soft), from the CSV files."""
    states = {r["iso3"]: r for r in _rows("states.csv")}
    sessions = [SessionInfo(int(r["number"]), date.fromisoformat(r["start_date"]),
                            date.fromisoformat(r["end_date"])) for r in _rows("upr_sessions.csv")]
    reviews: dict[int, list[Presenter]] = {}
    for r in _rows("upr_reviews.csv"):
        state = states[r["iso3"]]
        reviews.setdefault(int(r["session"]), []).append(
            Presenter(r["iso3"], state["name"], int(r["position"]), state["nam_status"]))
    hrc = [Busy(_midnight(date.fromisoformat(r["start_date"])),
                _midnight(date.fromisoformat(r["end_date"]) + timedelta(days=1)),
                "hrc_session", f"HRC{r['number']}") for r in _rows("hrc_sessions.csv")]
    return sessions, reviews, hrc


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def time_shipped_sessions(repeats: int = 30) -> None:
    """Print the time per session and per cycle, planning with the default rules."""
    sessions, reviews, hrc = shipped_calendar()
    start = clock.perf_counter()
    propose(sessions[0], reviews[sessions[0].number], ROOMS, hrc, DEFAULT_RULES)
    cold = clock.perf_counter() - start
    per_session: list[float] = []
    per_cycle: list[float] = []
    for _ in range(repeats):
        cycle_start = clock.perf_counter()
        for session in sessions:
            start = clock.perf_counter()
            result = propose(session, reviews[session.number], ROOMS, hrc, DEFAULT_RULES)
            per_session.append(clock.perf_counter() - start)
            assert result.proposals, f"session {session.number}: {result.why}"
        per_cycle.append(clock.perf_counter() - cycle_start)
    print(f"\nShipped sessions {sessions[0].number}–{sessions[-1].number} "
          f"({len(sessions)} sessions, default rules, {repeats} repetitions):")
    print(f"  per session: median {statistics.median(per_session) * 1000:.2f} ms, "
          f"p95 {_percentile(per_session, 0.95) * 1000:.2f} ms, "
          f"max {max(per_session) * 1000:.2f} ms")
    print(f"  whole cycle: median {statistics.median(per_cycle) * 1000:.1f} ms")
    print(f"  first call of the process (holiday tables not yet built): {cold * 1000:.1f} ms")
    for session in sessions:
        result = propose(session, reviews[session.number], ROOMS, hrc, DEFAULT_RULES)
        best = result.proposals[0]
        print(f"  UPR{session.number}: {len(best.meetings)} meeting(s), best score "
              f"{best.score:+.2f}, {best.reasons[0]}")


def catalogs() -> dict[str, Any]:
    """The compiled catalogs of French, Spanish and Arabic (loaded once, as Flask-Babel
    keeps them); a language whose catalog is not compiled is left out."""
    from babel.support import Translations

    directory = ROOT / "nam_briefings" / "translations"
    return {code: Translations.load(str(directory), [code]) for code in WRITTEN_LANGUAGES
            if code != "en" and (directory / code / "LC_MESSAGES" / "messages.mo").exists()}


def phrasings(loaded: dict[str, Any]) -> dict[str, Phrasing]:
    """How each language writes (a phrasing remembers the days, times and lists it wrote)."""
    return {code: written_in(code, catalog) for code, catalog in loaded.items()}


def time_words_in_four_languages(repeats: int = 30) -> None:
    """Print the time per session planned in English only and in the four languages: with
    the phrasings kept from one run to the next, as the service keeps them
    (services/languages), and made afresh for each run (nothing remembered)."""
    sessions, reviews, hrc = shipped_calendar()
    loaded = catalogs()
    if len(loaded) < 3:
        print("\nReasons in four languages: the catalogs are not compiled (make translations)")
        return
    kept = phrasings(loaded)
    for session in sessions:  # warm up: holiday tables, Babel's locale data
        propose(session, reviews[session.number], ROOMS, hrc, DEFAULT_RULES, phrasings=kept)
    ways = {"English only": lambda: None, "en, fr, es, ar": lambda: kept,
            "en, fr, es, ar, phrasings made afresh": lambda: phrasings(loaded)}
    timed: dict[str, list[float]] = {label: [] for label in ways}
    for _ in range(repeats):
        for label, words in ways.items():
            for session in sessions:
                start = clock.perf_counter()
                propose(session, reviews[session.number], ROOMS, hrc, DEFAULT_RULES,
                        phrasings=words())
                timed[label].append(clock.perf_counter() - start)
    medians = {label: statistics.median(times) for label, times in timed.items()}
    english = medians["English only"]
    print(f"\nReasons in four languages ({len(sessions)} shipped sessions, {repeats} repetitions, "
          "median per session):")
    for label, median in medians.items():
        print(f"  {label}: {median * 1000:.2f} ms (ratio {median / english:.2f})")


# --- the exhaustive reference -----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One way to hold one meeting: its working day, Geneva times, room and score."""

    day_index: int
    start: datetime
    end: datetime
    room: str
    score: float


def _working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays(
        "CH", subdiv="GE", years=day.year)


def _window(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        day -= timedelta(days=1)
        if _working_day(day):
            days.append(day)
    return days[::-1]


def _groups(presenters: list[Presenter], most: int) -> list[list[Presenter]]:
    count = -(-len(presenters) // most)
    sizes = [len(presenters) // count + (1 if i < len(presenters) % count else 0)
             for i in range(count)]
    groups, at = [], 0
    for size in sizes:
        groups.append(presenters[at:at + size])
        at += size
    return groups


def _overlaps(item: Busy, start: datetime, end: datetime) -> bool:
    return item.start < end and start < item.end


def _concerns(item: Busy, room: str, missions: set[str]) -> bool:
    if item.room is not None:
        return item.room == room
    if item.mission_iso3 is not None:
        return item.mission_iso3 in missions
    return True


def _options(session: SessionInfo, group: list[Presenter], rooms: list[Room], busy: list[Busy],
             rules: Rules, preferences: list[MissionPreference]) -> list[Option]:
    days = _window(session.start_date, rules.window_working_days)
    minutes = -(-(rules.opening_minutes + len(group) * rules.minutes_per_state)
                // rules.slot_minutes) * rules.slot_minutes
    missions = {p.iso3 for p in group}
    prefs = [p for p in preferences if p.iso3 in missions]
    options = []
    for index, day in enumerate(days):
        lead = len(days) - index
        for first, last in rules.meeting_hours:
            start = datetime.combine(day, first, ZURICH)
            while start + timedelta(minutes=minutes) <= datetime.combine(day, last, ZURICH):
                end = start + timedelta(minutes=minutes)
                for room in rooms:
                    if room.capacity < rules.expected_audience:
                        continue
                    hits = [b for b in busy if _overlaps(b, start, end)
                            and _concerns(b, room.name, missions)]
                    if any(b.kind != "hrc_session" for b in hits):
                        continue
                    score = (-rules.lead_time_weight * abs(lead - rules.preferred_lead_working_days)
                             - (rules.hrc_weight if hits else 0.0)
                             + (rules.morning_weight if start.hour < 12 else 0.0)
                             + rules.mission_weight * sum(p.leaning(day) for p in prefs))
                    options.append(Option(index, start, end, room.name, score))
                start += timedelta(minutes=rules.slot_minutes)
    return options


def exhaustive_scores(session: SessionInfo, presenters: list[Presenter], rooms: list[Room],
                      busy: list[Busy], rules: Rules,
                      preferences: list[MissionPreference]) -> list[float]:
    """The best score of each combination of days, best first, trying every valid plan."""
    allowed = {"member", "observer"} if rules.include_observers else {"member"}
    chosen = sorted((p for p in presenters if p.nam_status in allowed), key=lambda p: p.position)
    if not chosen:
        return []
    groups = _groups(chosen, rules.max_states_per_meeting)
    options = [_options(session, g, rooms, busy, rules, preferences) for g in groups]
    best: dict[tuple[int, ...], float] = {}
    for plan in itertools.product(*options):
        score = sum(o.score for o in plan)
        valid = True
        for a, b in zip(plan, plan[1:]):
            gap = b.day_index - a.day_index
            if gap < rules.min_gap_working_days or b.start < a.end:
                valid = False
                break
            score -= rules.spacing_weight * abs(gap - rules.preferred_gap_working_days)
        if valid:
            days = tuple(o.day_index for o in plan)
            best[days] = max(best.get(days, -math.inf), score)
    return sorted(best.values(), reverse=True)


# --- small random instances ------------------------------------------------------------------


def small_instance(seed: int) -> tuple[SessionInfo, list[Presenter], list[Room], list[Busy],
                                       Rules, list[MissionPreference]]:
    """A random instance small enough to search exhaustively (at most 3 meetings)."""
    rnd = random.Random(seed)
    start = date(2019, 1, 1) + timedelta(days=rnd.randrange(12 * 365))
    session = SessionInfo(100 + seed % 50, start, start + timedelta(days=11))
    window = rnd.randint(2, 6)
    first = rnd.choice([8, 9, 10])
    hours = ((time(first), time(first + rnd.randint(2, 3))),)
    if rnd.random() < 0.5:
        hours += ((time(14), time(14 + rnd.randint(1, 3))),)
    rules = DEFAULT_RULES.with_overrides(
        window_working_days=window, preferred_lead_working_days=rnd.randint(1, window),
        meeting_hours=hours, slot_minutes=rnd.choice([30, 60]),
        opening_minutes=rnd.choice([0, 10, 15]), minutes_per_state=rnd.choice([15, 20, 30]),
        max_states_per_meeting=rnd.randint(1, 3), min_gap_working_days=rnd.randint(0, 2),
        preferred_gap_working_days=rnd.randint(0, 2), expected_audience=rnd.choice([60, 100]),
        max_proposals=rnd.randint(1, 5), include_observers=rnd.random() < 0.3,
        hrc_weight=rnd.choice([0, 1, 2.5]), lead_time_weight=rnd.choice([0, 0.7, 1]),
        morning_weight=rnd.choice([0, 0.5, 1.3]), spacing_weight=rnd.choice([0, 0.5, 2]),
        mission_weight=rnd.choice([0, 1, 0.25]))
    count = rnd.randint(1, 3 * rules.max_states_per_meeting)
    positions = rnd.sample(range(1, 30), count)
    presenters = [Presenter(f"S{i:02d}", f"State {i}", positions[i],
                            rnd.choice(["member", "member", "observer", "none"]))
                  for i in range(count)]
    rooms = [Room(f"Room {c}", c) for c in rnd.sample([50, 80, 120, 150], rnd.randint(1, 2))]
    low = datetime.combine(start - timedelta(days=10), time(), ZURICH)
    busy = []
    for i in range(rnd.randint(0, 6)):
        begin = low + timedelta(minutes=30 * rnd.randrange(10 * 48))
        end = begin + timedelta(minutes=30 * rnd.choice([rnd.randint(1, 8), rnd.randint(1, 96)]))
        scope = rnd.choice(["global", "room", "mission"])
        busy.append(Busy(begin.astimezone(timezone.utc), end.astimezone(timezone.utc),
                         rnd.choice(["hrc_session", "closure", "meeting", "blackout"]), f"B{i}",
                         room=rnd.choice(rooms).name if scope == "room" else None,
                         mission_iso3=rnd.choice(presenters).iso3 if scope == "mission" else None))
    for i in range(rnd.randint(0, 3)):  # short soft periods make some hours of a day worse
        begin = datetime.combine(start - timedelta(days=rnd.randint(1, 9)),
                                 time(rnd.randint(8, 15), rnd.choice([0, 30])), ZURICH)
        end = begin + timedelta(minutes=30 * rnd.randint(1, 8))
        busy.append(Busy(begin.astimezone(timezone.utc), end.astimezone(timezone.utc),
                         "hrc_session", f"H{i}"))
    preferences = [MissionPreference(p.iso3, preferred_weekdays=frozenset({rnd.randrange(5)}),
                                     avoided_weekdays=frozenset({rnd.randrange(5)}))
                   for p in presenters if rnd.random() < 0.3]
    return session, presenters, rooms, busy, rules, preferences


def compare_with_exhaustive(seeds: range) -> int:
    """Compare planner and exhaustive search on each seed; print and return the mismatches."""
    mismatches = feasible = 0
    planner_time = exhaustive_time = 0.0
    for seed in seeds:
        instance = small_instance(seed)
        t0 = clock.perf_counter()
        result = propose(*instance[:5], preferences=instance[5])
        t1 = clock.perf_counter()
        reference = exhaustive_scores(*instance)[:instance[4].max_proposals]
        t2 = clock.perf_counter()
        planner_time += t1 - t0
        exhaustive_time += t2 - t1
        found = [p.score for p in result.proposals]
        feasible += bool(reference)
        if len(found) != len(reference) or any(
                not math.isclose(a, b, abs_tol=1e-6) for a, b in zip(found, reference)):
            mismatches += 1
            print(f"  MISMATCH seed {seed}: planner {found} exhaustive {reference}")
    print(f"\nSmall instances against exhaustive search ({len(seeds)} instances, "
          f"{feasible} with a valid plan, up to 3 meetings):")
    print(f"  best score equal: {len(seeds) - mismatches}/{len(seeds)} "
          "(top proposals' scores compared too)")
    print(f"  time: planner {planner_time * 1000:.0f} ms in all, "
          f"exhaustive {exhaustive_time * 1000:.0f} ms in all")
    return mismatches


def main() -> int:
    """Print the machine and the figures; non-zero exit when the planner is not exact."""
    print(f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} CPUs, Python {platform.python_version()}")
    time_shipped_sessions()
    time_words_in_four_languages()
    mismatches = compare_with_exhaustive(range(1000))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
