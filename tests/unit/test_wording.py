"""How dates and numbers are written (domain/wording.py): one way on pages, in e-mails and
in calendar entries."""
from datetime import date, datetime

import pytest

from nam_briefings.domain import wording


@pytest.mark.parametrize("number, written", [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
    (21, "21st"), (35, "35th"), (41, "41st"), (42, "42nd"), (43, "43rd"), (51, "51st"),
    (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"), (122, "122nd")])
def test_ordinals_are_english(number, written):
    assert wording.ordinal(number) == written


def test_days_have_no_leading_zero():
    day = date(2025, 2, 5)
    assert wording.day_month(day) == "5 Feb"
    assert wording.short_date(day) == "Wed 5 Feb 2025"
    assert wording.full_date(day) == "Wednesday 5 February 2025"
    assert wording.short_datetime(datetime(2025, 2, 5, 9, 5)) == "Wed 5 Feb 2025 09:05"


def test_date_ranges_give_the_year_once_when_they_share_it():
    assert wording.date_range(date(2024, 1, 22), date(2024, 2, 2)) == "22 Jan – 2 Feb 2024"
    assert wording.date_range(date(2024, 12, 30), date(2025, 1, 10)) == \
        "30 Dec 2024 – 10 Jan 2025"
