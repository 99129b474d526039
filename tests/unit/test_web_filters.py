"""Jinja filters: Geneva time with its zone, readable dates."""
from datetime import date, datetime, timezone

from nam_briefings.web.filters import geneva_datetime, geneva_time, long_date


def test_instants_are_shown_in_geneva_time_with_the_zone():
    assert geneva_datetime(datetime(2024, 1, 23, 8, 0, tzinfo=timezone.utc)) == \
        "Tue 23 Jan 2024, 09:00 CET"
    assert geneva_datetime(datetime(2024, 7, 2, 7, 30, tzinfo=timezone.utc)) == \
        "Tue 2 Jul 2024, 09:30 CEST"
    assert geneva_time(datetime(2024, 1, 23, 11, 30, tzinfo=timezone.utc)) == "12:30 CET"
    assert geneva_datetime(None) == "" and geneva_time(None) == ""


def test_dates():
    assert long_date(date(2024, 2, 3)) == "Sat 3 Feb 2024" and long_date(None) == ""
