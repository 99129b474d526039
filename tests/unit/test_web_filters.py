"""Jinja filters: Geneva time with its zone, readable dates."""
from datetime import date, datetime, timezone

from nam_briefings.web.filters import date_range, geneva_datetime, geneva_time, long_date


def test_instants_are_shown_in_geneva_time_with_the_zone():
    assert geneva_datetime(datetime(2024, 1, 23, 8, 0, tzinfo=timezone.utc)) == \
        "Tue 23 Jan 2024, 09:00 CET"
    assert geneva_datetime(datetime(2024, 7, 2, 7, 30, tzinfo=timezone.utc)) == \
        "Tue 2 Jul 2024, 09:30 CEST"
    assert geneva_time(datetime(2024, 1, 23, 11, 30, tzinfo=timezone.utc)) == "12:30 CET"
    assert geneva_datetime(None) == "" and geneva_time(None) == ""


def test_dates_and_date_ranges():
    assert long_date(date(2024, 2, 3)) == "Sat 3 Feb 2024"
    assert date_range(date(2024, 1, 22), date(2024, 2, 2)) == "22 Jan – 2 Feb 2024"
    assert date_range(date(2024, 12, 30), date(2025, 1, 10)) == "30 Dec 2024 – 10 Jan 2025"
