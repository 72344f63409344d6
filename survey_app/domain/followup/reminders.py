"""Reminders: per unit, a digest of what is due within N days and what is overdue;
and an iCalendar feed of due dates per user (a secret token in the URL)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata

from icalendar import Alarm, Calendar, Event

from survey_app.formatting import format_date
from survey_app.storage import recommendations as sql
from survey_app.clock import now_utc
from survey_app.domain.access import scope
from survey_app.domain.followup.operations import ACTIVE_STATUSES, STATUS_LABELS
from survey_app.clock import today_vn


def digests(store, user: dict, days: int, today: str | None = None, unit_id: int | None = None) -> list[dict]:
    """[{unit, due_soon [...], overdue [...]}] for every unit with something to remind."""
    today = today or today_vn()
    until = (dt.date.fromisoformat(today) + dt.timedelta(days=max(0, int(days)))).isoformat()
    filters = {"scope": scope(user), "due_until": until}
    if unit_id:
        filters["unit_id"] = unit_id
    per_unit: dict[int, dict] = {}
    for row in store.read(sql.all_rows, filters, today):
        if row["status"] not in ACTIVE_STATUSES:
            continue
        entry = per_unit.setdefault(row["unit_id"], {"unit_id": row["unit_id"], "unit": row["unit_name"],
                                                     "due_soon": [], "overdue": []})
        entry["overdue" if row["due"] < today else "due_soon"].append(row)
    return sorted(per_unit.values(), key=lambda d: d["unit"])


def item_url(base_url: str, item_id: int) -> str:
    """The address of a recommendation's page (where the unit reports progress)."""
    return f"{base_url.rstrip('/')}/followup/r/{item_id}" if base_url else ""


def digest_text(digest: dict, days: int, today: str, base_url: str = "") -> str:
    lines = [f"NHẮC VIỆC THỰC HIỆN KIẾN NGHỊ — {digest['unit']}",
             f"Ngày {format_date(today)}; hạn trong {days} ngày tới và đã quá hạn.", ""]
    for title, key in (("Đã quá hạn", "overdue"), (f"Đến hạn trong {days} ngày", "due_soon")):
        lines.append(f"{title}: {len(digest[key])}")
        for row in digest[key]:
            lines.append(f"  - [{format_date(row['due'])}] {row['text']} "
                         f"({STATUS_LABELS[row['status']]}; {row['delegation_name']})")
            if base_url:
                lines.append(f"    {item_url(base_url, row['item_id'])}")
        lines.append("")
    return "\n".join(lines)


def digest_html(digest: dict, days: int, today: str, base_url: str = "") -> str:
    """The digest as an HTML page (the file, and the HTML part of the e-mail)."""
    from survey_app.documents.render import template_environment
    template = template_environment().get_template("followup/digest.html")
    return template.render(digest=digest, days=days, today=format_date(today), labels=STATUS_LABELS,
                           format_date=format_date, url=lambda row: item_url(base_url, row["item_id"]),
                           reminders_url=f"{base_url.rstrip('/')}/followup/reminders" if base_url else "")


def unit_slug(name: str) -> str:
    """`UBND xã Hra` → `ubnd-xa-hra`: a file name made from the unit's name."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_text = plain.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].rstrip("-") or "don-vi"


def file_stems(found: list[dict]) -> dict[int, str]:
    """unit id → file stem, by the unit's name; two names with one slug also get the id."""
    slugs = {d["unit_id"]: unit_slug(d["unit"]) for d in found}
    taken = [slug for slug in slugs.values()]
    return {unit_id: f"nhac-viec-{slug}" + (f"-{unit_id}" if taken.count(slug) > 1 else "")
            for unit_id, slug in slugs.items()}


def write_digests(store, user: dict, days: int, out_dir, today: str | None = None,
                  base_url: str = "") -> list:
    """One UTF-8 text file and one HTML file per unit, named by the unit; returns the paths."""
    from pathlib import Path
    from survey_app.domain.files import write_atomic
    today = today or today_vn()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    found = digests(store, user, days, today)
    stems = file_stems(found)
    written = []
    for digest in found:
        stem = stems[digest["unit_id"]]
        write_atomic(out / f"{stem}.txt", digest_text(digest, days, today, base_url).encode("utf-8"))
        write_atomic(out / f"{stem}.html", digest_html(digest, days, today, base_url).encode("utf-8"))
        written += [out / f"{stem}.txt", out / f"{stem}.html"]
    return written


# ----------------------------------------------------------------- calendar

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_calendar_token(store, user: dict) -> str:
    """A new secret for the user's feed (replaces the old one); shown once."""
    token = secrets.token_urlsafe(24)
    store.write(sql.set_calendar_token, user["id"], _hash(token), now_utc())
    return token


def user_for_calendar(store, token: str) -> dict | None:
    if not token or len(token) > 100:
        return None
    return store.read(sql.user_for_calendar_token, _hash(token))


def has_calendar(store, user: dict) -> bool:
    return store.read(sql.has_calendar_token, user["id"])


SUMMARY_TEXT = 80  # characters of the recommendation in an event's title
ALARM_BEFORE = dt.timedelta(days=7)


def shorten_at_word(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut after a whole word, with `…`
    (at most `limit` characters in all; a single word longer than that is cut in it)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    head = cut.rsplit(" ", 1)[0] if text[limit - 1] != " " and " " in cut else cut
    return head.rstrip(" ,;:.-–—") + "…"


def calendar_feed(store, user: dict, base_url: str = "", today: str | None = None) -> bytes:
    """An iCalendar document: one all-day VEVENT per active recommendation the user sees,
    with a reminder 7 days before the due date (not for those already overdue)."""
    today = today or today_vn()
    calendar = Calendar()
    calendar.add("prodid", "-//survey_app//Theo doi kien nghi//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Thời hạn thực hiện kiến nghị")
    stamp = dt.datetime.now(dt.timezone.utc)
    for row in store.read(sql.all_rows, {"scope": scope(user)}, today):
        if row["status"] in ACTIVE_STATUSES:
            calendar.add_component(_event(row, stamp, base_url, today))
    return calendar.to_ical()


def _event(row: dict, stamp: dt.datetime, base_url: str, today: str) -> Event:
    due = dt.date.fromisoformat(row["due"])
    summary = f"Hạn kiến nghị: {shorten_at_word(row['text'], SUMMARY_TEXT)}"
    event = Event()
    event.add("uid", f"recommendation-{row['item_id']}@survey_app")
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{row['unit_name']} — {STATUS_LABELS[row['status']]}\n{row['text']}")
    if base_url:
        event.add("url", item_url(base_url, row["item_id"]))
    if row["due"] >= today:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Còn 7 ngày: {summary}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event
