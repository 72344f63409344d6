"""The iCalendar feed of due dates: titles cut at a word with an ellipsis, a reminder
7 days before each due date that is still ahead, one charset in the Content-Type;
read back with the icalendar library as a calendar client would."""
from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from survey_app.domain.followup import reminders

from .conftest import csrf_token
from .support import seed_recs, user

BASE = "https://theodoi.hdnd.gialai.gov.vn"
LONG = ("Tăng cường tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến, góp phần "
        "thực hiện mục tiêu chuyển đổi số và xây dựng chính quyền điện tử.")


def feed_events(store, username, today):
    body = reminders.calendar_feed(store, user(store, username), BASE, today=today)
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_long_titles_are_cut_after_a_word_with_an_ellipsis(store):
    events = feed_events(store, "thuky", "2025-10-20")
    texts = {f"recommendation-{r['item_id']}@survey_app": r["text"] for r in seed_recs(store)}
    assert LONG in texts.values()
    for uid, event in events.items():
        summary = str(event["summary"])
        assert summary.startswith("Hạn kiến nghị: ")
        shown, text = summary.removeprefix("Hạn kiến nghị: "), texts[uid]
        assert len(shown) <= reminders.SUMMARY_TEXT
        if shown == text:
            continue
        assert shown.endswith("…") and not shown.endswith(" …")
        kept = shown[:-1]
        assert text.startswith(kept) and text[len(kept)] in " ,;:."  # ends where a word ends
    long_one = next(e for uid, e in events.items() if texts[uid] == LONG)
    assert str(long_one["summary"]) == ("Hạn kiến nghị: Tăng cường tuyên truyền, hướng dẫn người dân sử dụng "
                                        "dịch vụ công trực tuyến…")
    assert str(long_one["description"]).endswith(LONG)  # the whole text stays in the description


def test_an_alarm_7_days_before_each_due_date_still_ahead(store):
    events = feed_events(store, "thuky", "2025-10-20")
    assert len(events) == 5
    for event in events.values():
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        alarm = alarms[0]
        assert str(alarm["action"]) == "DISPLAY" and str(alarm["description"]).startswith("Còn 7 ngày: ")
        assert alarm["trigger"].dt == dt.timedelta(days=-7)
        assert alarm["trigger"].params.get("RELATED", "START") == "START"
        start = event["dtstart"].dt
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all day
        assert event["dtend"].dt == start + dt.timedelta(days=1)
        assert str(event["url"]).startswith(f"{BASE}/followup/r/")
    late = feed_events(store, "thuky", "2026-03-01")  # four are overdue by then: no alarm in the past
    with_alarm = [e for e in late.values() if e.walk("VALARM")]
    assert len(with_alarm) == 1 and with_alarm[0]["dtstart"].dt == dt.date(2026, 6, 30)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab cđệ,."), max_size=200), limit=st.integers(2, 120))
def test_shortening_keeps_whole_words_and_the_limit(text, limit):
    shown = reminders.shorten_at_word(text, limit)
    plain = " ".join(text.split())
    assert len(shown) <= limit
    if shown == plain:
        return
    assert shown.endswith("…")
    kept = shown[:-1]
    assert plain.startswith(kept)
    if " " in plain[:limit - 1].strip():
        assert plain[len(kept)] in " ,;:.-" or kept == plain[:limit - 1]


def test_the_feed_has_one_charset_in_its_content_type(login_as):
    client = login_as("xahra")
    page = client.post("/followup/calendar", data={"csrf_token": csrf_token(client, "/followup/calendar")})
    url = re.search(r'id="feed-url">([^<]+)<', page.get_data(as_text=True)).group(1)
    feed = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert Calendar.from_ical(feed.data).walk("VEVENT")
