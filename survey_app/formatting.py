"""Vietnamese formats for numbers, dates and times, shared by pages and documents.

Vietnamese writes `1.234.567` for thousands and `88,2` for decimals, and dates
as `13/10/2025`; the minutes' place-and-date line reads
`ngày 13 tháng 10 năm 2025`.
"""
from __future__ import annotations

import datetime as dt

from survey_app.clock import VN_TZ  # noqa: F401  (re-exported for templates' helpers)


def format_number(value, decimals: int | None = None, locale: str = "vi") -> str:
    """`509` → `509`, `88.2` → `88,2`, `1234.5` → `1.234,5` (vi); en uses `1,234.5`."""
    if value is None or value == "":
        return ""
    if type(value) is int and decimals in (None, 0):  # the common case, kept quick for long tables
        return f"{value:,}".replace(",", "." if locale == "vi" else ",")
    number = float(value)
    if decimals is None:
        decimals = 0 if number == int(number) else len(repr(number).split(".")[1][:2])
    text = f"{number:,.{decimals}f}"
    if locale == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value, decimals: int = 1, locale: str = "vi") -> str:
    """`85.27` → `85,3%`."""
    if value is None:
        return ""
    return format_number(round(float(value), decimals), decimals, locale) + "%"


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
    return day.strftime("%d/%m/%Y") if locale == "vi" else day.isoformat()


def format_long_date(value) -> str:
    """`2025-10-13` → `ngày 13 tháng 10 năm 2025` (days and months below 10 padded
    only for 1 and 2, as Decree 30 asks: `ngày 05 tháng 02`)."""
    day = parse_date(value)
    if day is None:
        return ""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def parse_datetime(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def format_time(value) -> str:
    """`2025-10-13T08:30:00+07:00` → `08 giờ 30 phút` in Vietnam time."""
    moment = parse_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút"


def format_datetime(value, locale: str = "vi") -> str:
    """`2025-10-13T08:00:00+07:00` → `08:00 13/10/2025` in Vietnam time."""
    moment = parse_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return f"{moment:%H:%M} {format_date(moment, locale)}"
