"""Moving one meeting: `free_times` (the planner's best times for it) and the order of review."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from nam_briefings.domain.planner import (
    Busy,
    OtherMeeting,
    Presenter,
    Room,
    SessionInfo,
    free_times,
    review_order_bounds,
    review_order_warnings,
)

ZURICH = ZoneInfo("Europe/Zurich")
#: session 49 starts on Mon 28 Apr 2025 (Good Friday and Easter Monday in the window)
SESSION = SessionInfo(49, date(2025, 4, 28), date(2025, 5, 9))
ROOM = Room("Room XXIV", 200)
EARLY = [Presenter("GRD", "Grenada", 1), Presenter("GUY", "Guyana", 2)]
LATE = [Presenter("KEN", "Kenya", 3), Presenter("LAO", "Lao PDR", 4)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 4, day, hour, minute, tzinfo=ZURICH)


def test_free_times_are_the_right_length_one_a_day_best_first_clear_of_busy_periods():
    closure = Busy(at(24, 0), at(25, 0), "closure", "UN Geneva closure")
    found = free_times(SESSION, LATE, ROOM, 75, [closure], limit=4)
    assert len(found) == 4
    assert len({t.start.date() for t in found}) == 4
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)
    assert all(t.end - t.start == timedelta(minutes=75) for t in found)
    assert all(t.start.date() not in (date(2025, 4, 24), date(2025, 4, 18), date(2025, 4, 21))
               for t in found)
    assert found[0].reason.startswith("3 working days before the session")


def test_free_times_leave_out_the_current_time_the_past_and_keep_the_order():
    best = free_times(SESSION, LATE, ROOM, 90)[0]
    skipped = free_times(SESSION, LATE, ROOM, 90, skip=best.start)
    assert best.start not in {t.start for t in skipped}
    later = free_times(SESSION, LATE, ROOM, 90, not_before=at(24, 0))
    assert later and all(t.start >= at(24, 0) for t in later)
    # after the meeting reviewed before (a working day apart, as the rules want) and
    # before the one reviewed after
    between = free_times(SESSION, LATE, ROOM, 90, after=at(15, 11, 30), before=at(23, 10))
    assert {t.start.date() for t in between} == {date(2025, 4, d) for d in (16, 17, 22)}
    assert any("1 working day after the previous meeting" in t.reason for t in between)


def test_the_order_of_review_between_meetings():
    first = OtherMeeting(at(22, 10), at(22, 11, 30), tuple(EARLY))
    assert review_order_bounds(LATE, [first]) == (at(22, 11, 30), None)
    assert review_order_bounds(EARLY, [OtherMeeting(at(23, 10), at(23, 11), tuple(LATE))]) \
        == (None, at(23, 10))
    assert review_order_warnings(LATE, at(24, 10), at(24, 11), [first]) == []
    assert review_order_warnings(LATE, at(17, 10), at(17, 11), [first]) == [
        "Kenya and Lao PDR are reviewed after Grenada and Guyana, so this briefing should "
        "come after theirs (Tue 22 Apr 2025, 10:00)"]
    # states whose reviews interleave have no order to keep
    mixed = OtherMeeting(at(22, 10), at(22, 11), (EARLY[0], LATE[1]))
    assert review_order_warnings([EARLY[1]], at(23, 10), at(23, 11), [mixed]) == []
