"""The month calendar of due dates (lịch thời hạn thực hiện): the recommendations due
in one month, in the user's scope and the board's other filters, laid out by day in
weeks from Monday; overdue is derived from today as on the board."""
from __future__ import annotations

import calendar
import datetime as dt

from survey_app.clock import today_vn
from survey_app.domain.access import scope
from survey_app.storage import recommendations as sql

MOST = 1000  # recommendations shown in one month; beyond, the board lists them all


def shifted(year: int, month: int, by: int) -> tuple[int, int]:
    """The month `by` months after (before, when negative) year-month."""
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def month_calendar(store, user: dict, year: int, month: int, filters: dict | None = None,
                   today: str | None = None) -> dict:
    """{"weeks": [[{"date", "in_month", "today", "due": [row...]}] × 7], "total",
    "more" (True when more than MOST are due), "previous"/"next" (year, month)}."""
    today = today or today_vn()
    key = f"{year:04d}-{month:02d}"
    rows = store.read(sql.page, {**(filters or {}), "due_month": key, "scope": scope(user)}, today, MOST + 1)
    by_day: dict[str, list[dict]] = {}
    for row in sorted(rows[:MOST], key=lambda r: (r["due"], not r["overdue"], r["item_id"])):
        by_day.setdefault(row["due"], []).append(row)
    weeks = [[{"date": day, "in_month": day.month == month, "today": day.isoformat() == today,
               "due": by_day.get(day.isoformat(), []) if day.month == month else []} for day in week]
             for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)]
    return {"year": year, "month": month, "key": key, "weeks": weeks, "total": min(len(rows), MOST),
            "more": len(rows) > MOST, "previous": shifted(year, month, -1), "next": shifted(year, month, 1),
            "first": dt.date(year, month, 1)}
