"""Vietnamese formats for numbers, dates and times, shared by pages and documents,
through Babel (CLDR's number symbols; the patterns are named here).

Vietnamese writes `1.234.567` for thousands and `88,2` for decimals, and dates
as `13/10/2025`; the minutes' place-and-date line reads
`ngày 13 tháng 10 năm 2025`. English pages keep ISO dates (`2025-10-13`).
"""
from __future__ import annotations

import datetime as dt

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from survey_app.clock import VN_TZ  # noqa: F401  (re-exported for templates' helpers)

DATE_PATTERNS = {"vi": "dd/MM/y", "en": "y-MM-dd"}
# Parsed once: a list page formats a few hundred numbers and dates, and Babel would
# parse the locale and the number pattern again on every call.
LOCALES = {code: Locale.parse(code) for code in DATE_PATTERNS}
NUMBER_PATTERNS = {decimals: babel_numbers.parse_pattern(pattern) for decimals, pattern in (
    (None, "#,##0.##"), (0, "#,##0"), (1, "#,##0.0"), (2, "#,##0.00"))}


def _locale(code: str) -> Locale:
    return LOCALES.get(code) or Locale.parse(code)


def _date_pattern(locale: str) -> str:
    return DATE_PATTERNS.get(locale, DATE_PATTERNS["vi"])


def format_number(value, decimals: int | None = None, locale: str = "vi") -> str:
    """`509` → `509`, `88.2` → `88,2`, `1234.5` → `1.234,5` (vi); en uses `1,234.5`.
    Without `decimals`, at most two are shown and none for a whole number."""
    if value is None or value == "":
        return ""
    pattern = NUMBER_PATTERNS.get(decimals) or babel_numbers.parse_pattern("#,##0." + "0" * decimals)
    return pattern.apply(value, _locale(locale))


class Number(float):
    """A number given as a message's param: it reads `0,5` in Vietnamese and `0.5` in
    English once the message is translated (`formatted`); `str` gives the Vietnamese."""

    def __str__(self) -> str:
        return self.formatted("vi")

    def formatted(self, locale: str) -> str:
        return format_number(float(self), None, locale)


def format_percent(value, decimals: int = 1, locale: str = "vi") -> str:
    """`85.27` → `85,3%` (the value is already a percentage)."""
    if value is None:
        return ""
    return format_number(value, decimals, locale) + "%"


def parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def format_date(value, locale: str = "vi") -> str:
    """`2025-10-13` → `13/10/2025` (vi) or `2025-10-13` (en)."""
    day = parse_date(value)
    if day is None:
        return ""
    return babel_dates.format_date(day, _date_pattern(locale), locale=_locale(locale))


def format_long_date(value) -> str:
    """`2025-10-13` → `ngày 13 tháng 10 năm 2025` (days below 10 and the months 1
    and 2 padded with a zero, as Decree 30 asks: `ngày 05 tháng 02`)."""
    day = parse_date(value)
    if day is None:
        return ""
    month = "MM" if day.month < 3 else "M"
    return babel_dates.format_date(day, f"'ngày' dd 'tháng' {month} 'năm' y", locale=LOCALES["vi"])


def parse_datetime(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _vietnam_time(value) -> dt.datetime | None:
    """A moment with an offset in Vietnam time; a naive one as it is."""
    moment = parse_datetime(value)
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment


def format_time(value) -> str:
    """`2025-10-13T08:30:00+07:00` → `08 giờ 30 phút` in Vietnam time."""
    moment = _vietnam_time(value)
    if moment is None:
        return ""
    return babel_dates.format_time(moment, "HH 'giờ' mm 'phút'", locale=LOCALES["vi"])


def format_datetime(value, locale: str = "vi") -> str:
    """`2025-10-13T08:00:00+07:00` → `13/10/2025 08:00` in Vietnam time: the one date-time
    format of every page (the date first, as the date line of a document)."""
    moment = _vietnam_time(value)
    if moment is None:
        return ""
    return babel_dates.format_datetime(moment, f"{_date_pattern(locale)} HH:mm", locale=_locale(locale))
