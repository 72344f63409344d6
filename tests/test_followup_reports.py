"""Follow-up documents: report PDF/XLSX/CSV, charts, reminders, iCal feed, unit page."""
from __future__ import annotations

import io
import re
import subprocess
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook

from survey_app.demo import seed_document
from survey_app.domain.followup import operations as followup
from survey_app.domain.visits.document import import_document as import_visit
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import units as units_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import hra_rec, seed_recs, user

PERIOD = "/followup/report.{fmt}?from=2025-10-01&to=2025-10-31"
TEXT = "Bảo đảm sự phối hợp đồng bộ, chặt chẽ giữa các bộ phận."


def test_report_pdf_lists_all_five_with_status(login_as, store, tmp_path):
    followup.report_progress(store, user(store, "xahra"), hra_rec(store)["item_id"], status="in_progress",
                             note="Đang lắp đặt thiết bị")
    client = login_as("thuky")
    response = client.get(PERIOD.format(fmt="pdf"))
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    path = tmp_path / "r.pdf"
    path.write_bytes(response.data)
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    assert "Đang thực hiện" in text and "Trần Văn Hùng: Đang lắp đặt" in text
    assert "Bảo đảm sự" in text and "Trung tâm Phục vụ" in text and "Rà soát, xếp" in text
    assert "Tổng số kiến nghị theo dõi: 5" in text


def test_report_xlsx_and_csv(login_as):
    client = login_as("xem")
    book = load_workbook(io.BytesIO(client.get(PERIOD.format(fmt="xlsx")).data))
    cells = [c.value for row in book["Kiến nghị"].iter_rows() for c in row]
    assert TEXT in cells and "Chưa thực hiện" in cells and "Đơn vị thực hiện" in cells
    csv = client.get(PERIOD.format(fmt="csv"))
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert TEXT in csv.data.decode("utf-8-sig") and csv.data.decode("utf-8-sig").count("\n") == 6
    assert client.get("/followup/report.doc").status_code == 404
    assert "Tải PDF" in client.get("/followup/report?from=2025-10-01&show=1").get_data(as_text=True)


def test_charts_are_svg_without_scripts(login_as):
    client = login_as("truongdoan")
    for url in ("/followup/charts/status-by-unit.svg", "/followup/charts/closed.svg?overdue=1"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<script" not in response.data and b"<svg" in response.data
    by_unit = client.get("/followup/charts/status-by-unit.svg").get_data(as_text=True)
    assert "UBND xã Hra" in by_unit and "Trung tâm Phục vụ hành chính công xã Hra" in by_unit


def test_counts_from_the_tally_match_the_rows_after_every_change(store):
    """The per-status tally is kept by triggers in the changing transaction: never stale."""
    item, others = hra_rec(store)["item_id"], [r["item_id"] for r in seed_recs(store)]
    followup.report_progress(store, user(store, "xahra"), item, status="done", note="Xong")
    dropped, moved = [i for i in others if i != item][:2]
    followup.report_progress(store, user(store, "thuky"), dropped, status="dropped", note="Không còn phù hợp")
    store.write(rec_sql.set_state, moved, due="2025-01-01")
    for today in ("2025-12-01", "2026-02-01", "2027-01-01"):
        tally = store.read(rec_sql.counts, {}, today)
        assert tally == store.read(rec_sql.counts, {"visit_from": "2000-01-01"}, today)  # counted on the rows
    assert tally["done"] == 1 and tally["pending"] == 1 and tally["dropped"] == 1 and tally["overdue"] == 3


def test_unit_page_shows_visits_figures_and_recommendations(login_as, store):
    client = login_as("thanhvien")
    page = client.get(f"/followup/units/{hra_rec(store)['unit_id']}").get_data(as_text=True)
    assert "13/10/2025" in page and "Kiến nghị trước đây" in page
    assert "Trung tâm Phục vụ hành chính công xã Hra" in page  # made at the visit, addressed to the centre
    assert "style=" not in page and "<script>" not in page


def test_board_filters_and_bad_filters(login_as, store):
    client = login_as("admin")
    assert "Không có kiến nghị" in client.get("/followup/?month=2030-01").get_data(as_text=True)
    assert "30/06/2026" in client.get("/followup/?month=2026-06").get_data(as_text=True)
    assert client.get("/followup/?status=xyz").status_code == 400
    assert client.get("/followup/?month=2026-13").status_code == 400
    page = client.get("/followup/?status=open&page=1").get_data(as_text=True)
    assert "style=" not in page
    unit = hra_rec(store)["unit_id"]
    chosen = client.get(f"/followup/?unit={unit}").get_data(as_text=True)
    assert f'name="unit" value="{unit}"' in chosen and 'name="unit_name" value="UBND xã Hra"' in chosen


def test_unit_filter_is_a_search_box_that_follows_renamed_and_added_units(login_as, store):
    """The board's unit filter is the unit picker (issue 12: no 3,321-option select);
    a renamed or an added unit shows at once, and the typed name works without script."""
    client = login_as("admin")
    unit = hra_rec(store)["unit_id"]
    board = client.get("/followup/").get_data(as_text=True)
    assert 'id="f-unit"' in board and "<option" not in board.split('id="f-unit"')[1].split("</div>")[0]
    store.write(units_sql.rename_unit, unit, "UBND xã Hra mới")
    renamed = client.get(f"/followup/?unit={unit}").get_data(as_text=True)
    assert 'value="UBND xã Hra mới"' in renamed
    added = store.write(units_sql.ensure_unit, "UBND xã Ia Le", "xã Ia Le")
    found = client.get("/units/search?q=ia le").get_json()["units"]
    assert [u["id"] for u in found] == [added]
    typed = client.get("/followup/?unit_name=ubnd XÃ ia le").get_data(as_text=True)  # no script: the typed name
    assert f'name="unit" value="{added}"' in typed
    assert client.get("/followup/?unit_name=UBND xã Không Có").status_code == 400


def test_the_report_form_reaches_any_unit_of_the_directory(login_as, store):
    """The follow-up report's unit filter is the unit picker too: it used to list only
    the first 500 units by name, so a unit further down could not be chosen at all."""
    for n in range(520):
        store.write(units_sql.ensure_unit, f"UBND xã A{n:03d}", f"xã A{n:03d}")
    client = login_as("admin")
    form = client.get("/followup/report").get_data(as_text=True)
    assert 'id="p-unit"' in form and "UBND xã A000" not in form  # no option list of units
    unit = hra_rec(store)["unit_id"]  # "UBND xã Hra" sorts after the 520 "UBND xã A…"
    typed = client.get("/followup/report?show=1&unit_name=ubnd xã HRA").get_data(as_text=True)
    assert f'name="unit" value="{unit}"' in typed and "đối với UBND xã Hra" in typed
    assert client.get("/followup/report?show=1&unit_name=UBND xã Không Có").status_code == 400


def test_reminder_page_and_cli(login_as, runner, tmp_path):
    client = login_as("xahra")
    page = client.get("/followup/reminders?days=400").status_code
    assert page == 400
    assert "UBND xã Hra" in client.get("/followup/reminders?days=366").get_data(as_text=True)
    result = runner.invoke(args=["remind", "--days", "366", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    texts = sorted(tmp_path.glob("*.txt"))
    assert len(texts) == 2 and len(list(tmp_path.glob("*.html"))) == 2
    joined = "".join(p.read_text(encoding="utf-8") for p in texts)
    assert "UBND xã Hra" in joined and "Trung tâm Phục vụ hành chính công xã Hra" in joined


def test_calendar_feed_with_token(login_as, client):
    client = login_as("xahra")
    token = csrf_token(client, "/followup/calendar")
    page = client.post("/followup/calendar", data={"csrf_token": token}).get_data(as_text=True)
    url = re.search(r'id="feed-url">([^<]+)<', page).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    feed = client.get("/" + path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert len(events) == 4 and all(e.get("dtstart") for e in events)
    assert any("phục vụ người dân" in str(e.get("summary")) for e in events)
    assert client.get("/followup/calendar/wrong-token.ics").status_code == 404
    assert client.get("/followup/calendar/.ics").status_code in (302, 404)  # no token: no feed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("ab cđ ệ<&\"'"), max_size=220),
       other=st.text(alphabet=st.sampled_from("ab cđ<&\"'"), max_size=60))
def test_list_rows_cut_and_escape_texts_in_the_templates(app, text, other):
    """The follow-up lists' rows are Jinja macros (templates/followup/_rows.html): the
    text is cut to whole words by `truncate` and every text is escaped by autoescaping."""
    from jinja2 import Environment
    from markupsafe import escape

    truncate = Environment().filters["truncate"]
    row = {"item_id": 7, "unit_id": 3, "text": text, "unit_name": other, "delegation_name": other,
           "visit_date": "2025-10-13", "due": "2026-01-31", "status": "open", "accepted": None, "overdue": 1}
    with app.test_request_context("/followup/"):
        macros = app.jinja_env.get_template("followup/_rows.html").module
        board, unit = str(macros.board_row(row)), str(macros.unit_row(row, 4))
        head = str(macros.visit_head({"started_at": "2025-10-13", "delegation_name": text}))
    cut = str(escape(truncate(Environment(), text, 160)))
    assert f'<a href="/followup/r/7">{cut}</a>' in board and f'<a href="/followup/r/7">{cut}</a>' in unit
    assert f'<a href="/followup/units/3">{escape(other)}</a>' in board
    assert f"<td class=\"hide-sm\">{escape(other)}<br>" in board and f": {escape(other)}</span>" in unit
    assert f'<span class="muted">{escape(truncate(Environment(), text, 40))}</span>' in head
    for html in (board, unit, head):  # no tag but the template's own
        assert set(re.findall(r"<(/?[a-z]+)", html)) <= {"tr", "/tr", "td", "/td", "th", "/th", "a", "/a", "br",
                                                         "span", "/span"}


def test_figure_rows_show_values_and_changes_in_the_request_language(app):
    figure = {"label": "Tỷ lệ <đúng hạn>", "unit": "%", "cells": [
        {"value": None, "change": None}, {"value": 1234.5, "change": None},
        {"value": 1240, "change": 5.5}, {"value": 1000, "change": -240}]}
    for lang, cells in (("vi", ["—", "1.234,5", '1.240 <span class="up">(+5,5)</span>',
                                '1.000 <span class="down">(-240)</span>']),
                        ("en", ["—", "1,234.5", '1,240 <span class="up">(+5.5)</span>',
                                '1,000 <span class="down">(-240)</span>'])):
        with app.test_request_context(f"/followup/?lang={lang}"):
            html = str(app.jinja_env.get_template("followup/_rows.html").module.figure_row(figure))
        assert html.startswith('<tr><td>Tỷ lệ &lt;đúng hạn&gt; <span class="muted">(%)</span></td>'), html
        assert re.findall(r'<td class="num">(.*?)</td>', html) == cells


def test_board_and_unit_page_escape_texts_from_the_database(login_as, app, store):
    """A recommendation's text and a unit's name with markup in them reach the pages
    as text (autoescaping), in the rows and in the unit filter."""
    unit_name, text = 'UBND xã <Hra> & "Ia"', '<b>Lắp</b> "máy" & <i>camera</i>'
    doc = seed_document()
    doc.update(uuid=str(uuid.uuid4()), photos=[], host={**doc["host"], "unit": unit_name},
               recommendations=[{"text": text, "addressee": unit_name, "due": "2026-06-30"}])
    visit_id = import_visit(store, app.extensions["survey_forms"], user(store, "thuky"), doc,
                            app.extensions["survey_files"] / "photos")["id"]
    unit_id = store.read(visits_sql.get_visit, visit_id)["unit_id"]
    client = login_as("admin")
    for url in ("/followup/", f"/followup/units/{unit_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;b&gt;Lắp&lt;/b&gt; &#34;máy&#34; &amp; &lt;i&gt;camera&lt;/i&gt;" in page, url
        assert "<b>Lắp</b>" not in page and "<i>camera</i>" not in page and "<Hra>" not in page, url
    board = client.get(f"/followup/?unit={unit_id}").get_data(as_text=True)
    assert 'name="unit_name" value="UBND xã &lt;Hra&gt; &amp; &#34;Ia&#34;"' in board  # the unit picker's box
