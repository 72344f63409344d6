"""The one clock: the current time in UTC (how it is stored), Vietnam's time zone
(how it is shown) and today's date in Vietnam (which decides what is overdue)."""
from __future__ import annotations

import datetime as dt

# Vietnam has kept UTC+7 without daylight saving since 1975; a fixed offset is exact.
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def now_utc() -> str:
    """Now, as stored: ISO 8601 in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def today_vn(now: dt.datetime | None = None) -> str:
    """Today's date in Vietnam (ISO), which decides what is overdue."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(VN_TZ).date().isoformat()


def day_vn(moment: str) -> str:
    """The date in Vietnam (ISO) of a stored moment (ISO 8601 with its offset)."""
    return dt.datetime.fromisoformat(moment).astimezone(VN_TZ).date().isoformat()
