"""Numbers, dates and times as pages and documents print them (Babel underneath)."""
from __future__ import annotations

import datetime as dt

import pytest

from survey_app import formatting as f


@pytest.mark.parametrize("value, decimals, vi, en", [
    (509, None, "509", "509"),
    (1234567, None, "1.234.567", "1,234,567"),
    (88.2, None, "88,2", "88.2"),
    (1234.5, None, "1.234,5", "1,234.5"),
    (12.0, None, "12", "12"),
    (2.0 / 3, None, "0,67", "0.67"),
    (-1500.25, None, "-1.500,25", "-1,500.25"),
    (1.5, 2, "1,50", "1.50"),
    (1234.56, 0, "1.235", "1,235"),
    ("12.5", None, "12,5", "12.5"),
])
def test_numbers_in_vietnamese_and_english(value, decimals, vi, en):
    assert f.format_number(value, decimals, "vi") == vi
    assert f.format_number(value, decimals, "en") == en


def test_empty_values_print_nothing():
    assert f.format_number(None) == f.format_number("") == f.format_percent(None) == ""
    assert f.format_date(None) == f.format_long_date("") == f.format_time(None) == f.format_datetime("") == ""


def test_percentages_keep_their_decimals():
    assert f.format_percent(85.27) == "85,3%"
    assert f.format_percent(88.2) == "88,2%"
    assert f.format_percent(100) == "100,0%"
    assert f.format_percent(85.27, 1, "en") == "85.3%"


def test_dates_short_and_as_the_decree_writes_them():
    assert f.format_date("2025-10-13") == "13/10/2025"
    assert f.format_date(dt.date(2025, 3, 5)) == "05/03/2025"
    assert f.format_date("2025-10-13T08:00:00+07:00", "en") == "2025-10-13"
    assert f.format_long_date("2025-10-13") == "ngày 13 tháng 10 năm 2025"
    # Decree 30: days below 10 and the months 1 and 2 take a leading zero, the others not.
    assert f.format_long_date("2026-02-05") == "ngày 05 tháng 02 năm 2026"
    assert f.format_long_date("2026-01-31") == "ngày 31 tháng 01 năm 2026"
    assert f.format_long_date(dt.datetime(2025, 3, 9, 23, 0)) == "ngày 09 tháng 3 năm 2025"


def test_times_are_shown_in_vietnam_time():
    assert f.format_time("2025-10-13T08:30:00+07:00") == "08 giờ 30 phút"
    assert f.format_time("2025-10-13T01:05:00+00:00") == "08 giờ 05 phút"
    assert f.format_time("2025-10-13T14:00:00") == "14 giờ 00 phút"  # no offset: as written
    assert f.format_datetime("2025-10-13T20:00:00+00:00") == "14/10/2025 03:00"  # the next day in Vietnam
    assert f.format_datetime("2025-10-13T08:00:00+07:00", "en") == "2025-10-13 08:00"
