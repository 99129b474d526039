"""Dates and times the local way in each language we write (domain.local_dates)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from nam_briefings.domain import local_dates

WEDNESDAY = datetime(2027, 1, 13, 10, 0)


@pytest.mark.parametrize("language, expected", [
    ("en", "Wed 13 Jan 2027, 10:00"),
    ("fr", "mercredi 13 janvier 2027, 10\u00a0h\u00a000"),
    ("es", "miércoles, 13 de enero de 2027, 10:00"),
    ("ar", "الأربعاء، 13 يناير 2027، 10:00"),
])
def test_a_day_and_time_as_each_language_writes_it(language, expected):
    assert local_dates.day_and_time(WEDNESDAY, language) == expected


def test_french_writes_the_first_of_the_month_1er():
    assert local_dates.long_day(date(2027, 1, 1), "fr") == "vendredi 1er janvier 2027"
    assert local_dates.long_day(date(2027, 1, 2), "fr") == "samedi 2 janvier 2027"
    assert local_dates.long_day(date(2027, 1, 1), "es") == "viernes, 1 de enero de 2027"


@pytest.mark.parametrize("language, first, forty_second", [
    ("en", "1st", "42nd"), ("fr", "1re", "42e"), ("es", "1.º", "42.º"), ("ar", "1", "42")])
def test_session_ordinals(language, first, forty_second):
    assert local_dates.ordinal(1, language) == first
    assert local_dates.ordinal(42, language) == forty_second


def test_a_span_of_days_is_as_short_as_the_language_writes_it():
    assert local_dates.date_range(date(2027, 1, 20), date(2027, 1, 31), "fr") == "20–31 janv. 2027"


@pytest.mark.parametrize("code, language", [
    ("fr", "fr"), ("FR", "fr"), ("fr-CH", "fr"), ("fr_CH", "fr"), (" ar ", "ar"), ("de", None),
    ("", None), (None, None), (42, None), ("zz-FR", None)])
def test_written_language_reads_the_usual_spellings(code, language):
    assert local_dates.written_language(code) == language


def test_only_arabic_is_right_to_left():
    assert [local_dates.direction(code) for code in ("en", "fr", "es", "ar", "ar-EG", None)] == \
        ["ltr", "ltr", "ltr", "rtl", "rtl", "ltr"]
