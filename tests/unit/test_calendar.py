"""Geneva time and holidays."""
from datetime import date, datetime, timezone

import pytest

from nam_briefings.domain.calendar import day_bounds_utc, geneva_public_holidays, local_to_utc


def test_geneva_holidays_come_from_the_holidays_package():
    days = geneva_public_holidays(date(2025, 1, 1), date(2025, 12, 31))
    assert days[date(2025, 9, 11)] == "Genevan Fast"  # Jeûne genevois, canton only
    assert days[date(2025, 12, 31)] == "Restoration Day"
    assert date(2025, 5, 1) not in days  # Labour Day is not a Geneva holiday
    assert list(days) == sorted(days)


def test_holidays_across_years_are_filtered_to_the_range():
    days = geneva_public_holidays(date(2019, 12, 20), date(2020, 1, 5))
    assert set(days) == {date(2019, 12, 25), date(2019, 12, 31), date(2020, 1, 1)}


def test_local_midnights_follow_the_clock_changes():
    # 30 March 2025: clocks go forward, the day has 23 hours.
    start, end = day_bounds_utc(date(2025, 3, 30), date(2025, 3, 30))
    assert start == datetime(2025, 3, 29, 23, tzinfo=timezone.utc)
    assert (end - start).total_seconds() == 23 * 3600
    # 26 October 2025: clocks go back, the day has 25 hours.
    start, end = day_bounds_utc(date(2025, 10, 26), date(2025, 10, 26))
    assert (end - start).total_seconds() == 25 * 3600


def test_summer_and_winter_offsets():
    assert local_to_utc(datetime(2025, 7, 1, 10, 0)).hour == 8
    assert local_to_utc(datetime(2025, 1, 15, 10, 0)).hour == 9
    with pytest.raises(ValueError, match="does not exist"):
        local_to_utc(datetime(2025, 3, 30, 2, 30))
