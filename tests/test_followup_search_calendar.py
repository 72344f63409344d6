"""Follow-up on a tablet (issue 16, item 12): the board's text search (no diacritics,
no case, through m007's search index) and the month calendar of due dates, scoped like
the board; the board's charts are those of domain/followup/charts.py."""
from __future__ import annotations

import re
import uuid

from survey_app.clock import today_vn
from survey_app.domain.followup import month as followup_month
from survey_app.storage import visits as visits_sql

from .support import seed_recs, seed_visit, user

LAND = "Đẩy nhanh việc giải quyết hồ sơ đất đai tồn đọng tại Trung tâm."


def add_rec(client, headers, store, text: str, addressee: str, due: str) -> None:
    message = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "add", "item": str(uuid.uuid4()),
               "value": {"text": text, "addressee": addressee, "due": due}}
    answer = client.post(f"/api/v1/visits/{seed_visit(store)['id']}/changes", json=message, headers=headers)
    assert answer.status_code == 200, answer.get_json()


def board_texts(client, **args) -> list[str]:
    page = client.get("/followup/", query_string=args)
    assert page.status_code == 200
    return re.findall(r'<td class="text"><a href="/followup/r/\d+">([^<]*)</a>', page.get_data(as_text=True))


def test_search_ignores_diacritics_and_case(login_as, token, store):
    add_rec(login_as("thuky"), token("thuky"), store, LAND, "UBND xã Ia Hrú", "2026-12-15")
    client = login_as("thuky")
    assert len(board_texts(client)) == 6
    for query in ("dat dai", "ĐẤT ĐAI", "Dat  Đai", "đất đai"):
        assert board_texts(client, q=query) == [LAND], query
    hra = board_texts(client, q="hra")  # the implementing unit "UBND xã Hra", "... xã Hra"
    assert len(hra) == 5 and all("đất đai" not in t for t in hra)
    assert len(board_texts(client, q="HRA")) == 5
    assert board_texts(client, q="dat dai hra") == []  # every word must match
    assert len(board_texts(client, q="tang cuong")) == 1  # "Tăng cường tuyên truyền..."
    assert board_texts(client, q='"; DROP TABLE recommendations; --') == []
    assert len(board_texts(client)) == 6
    # the counts follow the search
    page = client.get("/followup/", query_string={"q": "dat dai"}).get_data(as_text=True)
    assert re.search(r"Tất cả <strong>1</strong>", page)


def test_search_keeps_the_hosts_scope(login_as, token, store):
    add_rec(login_as("thuky"), token("thuky"), store, LAND, "UBND xã Ia Hrú", "2026-12-15")
    assert board_texts(login_as("xahra"), q="dat dai") == []
    assert board_texts(login_as("xaiahru"), q="dat dai") == [LAND]
    assert board_texts(login_as("xaiahru"), q="hra") == []


def test_search_stays_in_step_with_an_edited_recommendation(login_as, token, store):
    headers = token("thuky")
    item = store.read(visits_sql.items_of, seed_visit(store)["id"], "recommendation")[0]
    message = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "set", "item": item["uid"],
               "value": {**item["data"], "text": "Sắp xếp lại quầy tiếp nhận hồ sơ đất đai."},
               "base_version": item["version"]}
    client = login_as("thuky")
    assert client.post(f"/api/v1/visits/{seed_visit(store)['id']}/changes", json=message,
                       headers=headers).status_code == 200
    assert board_texts(client, q="dat dai") == ["Sắp xếp lại quầy tiếp nhận hồ sơ đất đai."]
    assert board_texts(client, q="cai cach") == []  # the old text is gone from the index


def day_items(page: str, day: str) -> list[str]:
    match = re.search(rf'id="day-{day}".*?</section>', page, re.S)
    return re.findall(r'<a href="/followup/r/\d+">([^<]*)</a>', match.group(0)) if match else []


def test_a_due_date_lands_on_its_day_and_overdue_is_marked(login_as, token, store):
    add_rec(login_as("thuky"), token("thuky"), store, LAND, "UBND xã Ia Hrú", "2026-12-15")
    client = login_as("thuky")
    page = client.get("/followup/calendar/2026-01").get_data(as_text=True)
    assert "tháng 01/2026" in page
    seed = [r for r in seed_recs(store) if r["due"] == "2026-01-11"]
    assert len(day_items(page, "2026-01-11")) == len(seed) == 4
    assert all(day_items(page, f"2026-01-{d:02d}") == [] for d in range(1, 32) if d != 11)
    day = re.search(r'id="day-2026-01-11".*?</section>', page, re.S).group(0)
    overdue = today_vn() > "2026-01-11"
    assert day.count('class="overdue"') == (4 if overdue else 0)
    assert day.count("Quá hạn") == (4 if overdue else 0)
    # the previous and next months
    assert 'href="/followup/calendar/2025-12"' in page and 'href="/followup/calendar/2026-02"' in page
    december = client.get("/followup/calendar/2026-12").get_data(as_text=True)
    assert day_items(december, "2026-12-15") == [LAND]
    assert 'href="/followup/calendar/2027-01"' in december
    june = client.get("/followup/calendar/2026-06").get_data(as_text=True)
    assert len(day_items(june, "2026-06-30")) == 1
    # the iCal link stays
    assert 'href="/followup/calendar"' in page
    assert "/followup/calendar/" in client.get("/followup/").get_data(as_text=True)


def test_the_calendar_is_scoped_like_the_board(login_as, token, store):
    add_rec(login_as("thuky"), token("thuky"), store, LAND, "UBND xã Ia Hrú", "2026-01-11")
    assert len(day_items(login_as("thuky").get("/followup/calendar/2026-01").get_data(as_text=True),
                         "2026-01-11")) == 5
    own = [r for r in seed_recs(store) if r["due"] == "2026-01-11" and r["unit_name"] == "UBND xã Hra"]
    hra = login_as("xahra").get("/followup/calendar/2026-01").get_data(as_text=True)
    assert len(day_items(hra, "2026-01-11")) == len(own) == 3 and LAND not in hra
    other = login_as("xaiahru").get("/followup/calendar/2026-01").get_data(as_text=True)
    assert day_items(other, "2026-01-11") == [LAND]
    # the board's filters carry over: a search narrows the calendar too
    searched = login_as("thuky").get("/followup/calendar/2026-01?q=dat+dai").get_data(as_text=True)
    assert day_items(searched, "2026-01-11") == [LAND]


def test_a_wrong_month_is_not_found(login_as):
    client = login_as("thuky")
    for path in ("/followup/calendar/2026-13", "/followup/calendar/2026-00", "/followup/calendar/0999-01",
                 "/followup/calendar/26-01", "/followup/calendar/2026-1"):
        assert client.get(path).status_code == 404, path
    assert client.get("/followup/calendar/2026-02?status=bogus").status_code == 400


def test_month_grid_starts_on_monday_and_covers_the_month(store):
    data = followup_month.month_calendar(store, user(store, "admin"), 2026, 2, today="2026-02-10")
    days = [d for week in data["weeks"] for d in week]
    assert all(len(week) == 7 for week in data["weeks"]) and days[0]["date"].weekday() == 0
    assert [d["date"].day for d in days if d["in_month"]] == list(range(1, 29))
    assert [d["date"].isoformat() for d in days if d["today"]] == ["2026-02-10"]
    assert followup_month.shifted(2026, 1, -1) == (2025, 12) and followup_month.shifted(2026, 12, 1) == (2027, 1)


def test_the_boards_charts_use_the_whole_number_charts(login_as):
    client = login_as("thuky")
    svg = client.get("/followup/charts/status-by-unit.svg").get_data(as_text=True)
    # the value axis: whole numbers only (pygal's own ticks would go 0.5, 1.5 ...)
    labels = re.findall(r'<text[^>]*class="[^"]*"[^>]*>(\d+(?:[.,]\d+)?)</text>', svg)
    assert labels and all(re.fullmatch(r"\d+", v) for v in labels)
    assert "<script" not in svg and 'font-size:15' in svg.replace(" ", "").replace("px", "")
