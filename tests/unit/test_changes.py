"""What changed between two versions of a briefing, in words (domain/changes.py)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from nam_briefings.domain.changes import VersionFacts, is_significant, what_changed

GENEVA = ZoneInfo("Europe/Zurich")
START = datetime(2025, 4, 22, 10, 0, tzinfo=GENEVA)
BEFORE = VersionFacts(START, START + timedelta(minutes=90), "Room XXIV, Palais des Nations",
                      ("Grenada", "Tunisia", "Guyana"))


def facts(**changes) -> VersionFacts:
    values = {"start": BEFORE.start, "end": BEFORE.end, "room": BEFORE.room,
              "presenters": BEFORE.presenters, **changes}
    return VersionFacts(**values)


def test_nothing_changed_says_nothing():
    assert what_changed(BEFORE, facts()) == []
    assert not is_significant(BEFORE, facts())


def test_a_move_within_the_day_and_to_another_day():
    later = facts(start=START + timedelta(hours=4), end=START + timedelta(hours=5, minutes=30))
    assert what_changed(BEFORE, later) == [
        "Time changed from 10:00–11:30 to 14:00–15:30 on Tue 22 Apr 2025."]
    next_day = facts(start=START + timedelta(days=1), end=BEFORE.end + timedelta(days=1))
    assert what_changed(BEFORE, next_day) == [
        "Time changed from Tue 22 Apr 2025, 10:00–11:30 to Wed 23 Apr 2025, 10:00–11:30."]
    assert is_significant(BEFORE, later) and is_significant(BEFORE, next_day)


def test_a_new_room_is_significant():
    moved = facts(room="Room XX, Palais des Nations")
    assert what_changed(BEFORE, moved) == [
        "Room changed from Room XXIV, Palais des Nations to Room XX, Palais des Nations."]
    assert is_significant(BEFORE, moved)


def test_presenters_leaving_joining_or_reordered_are_said_and_are_not_significant():
    one_left = facts(presenters=("Grenada", "Guyana"))
    assert what_changed(BEFORE, one_left) == [
        "Tunisia no longer presents.", "The presentations that remain close up after the opening."]
    two_left = facts(presenters=("Guyana",))
    assert what_changed(BEFORE, two_left)[0] == "Grenada and Tunisia no longer present."
    joined = facts(presenters=("Grenada", "Tunisia", "Guyana", "Chile"))
    assert what_changed(BEFORE, joined) == ["Chile now presents."]
    reordered = facts(presenters=("Guyana", "Grenada", "Tunisia"))
    assert what_changed(BEFORE, reordered) == ["The order of the presentations changed."]
    assert not any(is_significant(BEFORE, after) for after in (one_left, joined, reordered))


def test_time_comes_first_when_several_things_change():
    both = facts(start=START + timedelta(days=1), end=BEFORE.end + timedelta(days=1),
                 presenters=("Grenada", "Guyana"))
    assert what_changed(BEFORE, both)[:2] == [
        "Time changed from Tue 22 Apr 2025, 10:00–11:30 to Wed 23 Apr 2025, 10:00–11:30.",
        "Tunisia no longer presents."]
