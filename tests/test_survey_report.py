"""The survey report of a delegation (issue 13, items 1-2): built from its three final
visits; totals recomputed from the visits; Decree 30 PDF and DOCX; wording, finalize,
the signer's signature and the seal, verification; refusals."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from survey_app.documents import docx_kit as kit

from survey_app.domain.survey_report import material
from survey_app.domain.visits.document import export_document
from survey_app.storage import survey_reports as reports_sql

from .report_world import DELEGATION, pdftotext
from .support import api_headers, signature_b64


@pytest.fixture
def head(rapp):
    return api_headers(rapp.test_cli_runner(), "truongdoan")


@pytest.fixture
def secretary(rapp):
    return api_headers(rapp.test_cli_runner(), "thuky")


def url(path: str) -> str:
    return f"/api/v1/delegations/{DELEGATION}/report{path}"


def test_totals_and_computed_indicators_are_recomputed_from_the_visits(rapp, rstore):
    gathered = material.gather(rstore, rapp.extensions["survey_forms"], DELEGATION)
    visits = rstore.read(reports_sql.visits_of, DELEGATION)
    figures = [export_document(rstore, v["id"])["report"]["indicators"] for v in visits]
    assert [u["unit"] for u in gathered["units"]] == ["UBND xã Hra", "UBND xã Đak Đoa", "UBND xã Ia Grai"]
    rows = {r["key"]: r for r in gathered["indicators"]}
    for key in ("dossiers_received", "dossiers_online", "dossiers_resolved", "dossiers_in_progress"):
        assert rows[key]["values"] == [f.get(key) for f in figures]
        assert rows[key]["total"] == sum(f[key] for f in figures)
    assert rows["dossiers_received"]["total"] == 509 + 1248 + 386
    assert rows["on_time_rate_pct"]["total"] is None  # a reported percentage is never summed
    online = {c["key"]: c for c in gathered["computed"]}["online_rate_pct"]
    expected = sum(f["dossiers_online"] for f in figures) / sum(f["dossiers_received"] for f in figures) * 100
    assert online["total"] == pytest.approx(round(expected, 1))
    averaged = sum(f["dossiers_online"] / f["dossiers_received"] * 100 for f in figures) / 3
    assert abs(online["total"] - averaged) > 1  # recomputed on the totals, not the mean of rates


def test_checklist_answers_and_points_are_grouped_with_their_units(rapp, rstore):
    gathered = material.gather(rstore, rapp.extensions["survey_forms"], DELEGATION)
    network = next(r for r in gathered["checklist"] if r["label"].startswith("Đường truyền mạng"))
    assert {a["answer"]: a["units"] for a in network["answers"]} == {
        "Một phần": ["UBND xã Đak Đoa"], "Không": ["UBND xã Ia Grai"]}
    common = next(d for d in gathered["difficulties"] if d["text"].startswith("Hệ thống kỹ thuật"))
    assert common["units"] == ["UBND xã Hra", "UBND xã Đak Đoa", "UBND xã Ia Grai"]
    assert {p["addressee"] for p in gathered["proposals"]} == {"UBND tỉnh Gia Lai", "Sở Nội vụ"}


def test_draft_pdf_has_the_decree_30_parts_with_diacritics(rclient, head):
    answer = rclient.get(url(".pdf"), headers=head)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    xmp = PdfReader(io.BytesIO(answer.data)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp)
    text = " ".join(pdftotext(answer.data).split())
    for part in ("HĐND TỈNH GIA LAI", "BAN PHÁP CHẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: /BC-BPC",
                 "BÁO CÁO", "Kết quả khảo sát hoạt động của Trung tâm Phục vụ hành chính công", "DỰ THẢO",
                 "TM. BAN PHÁP CHẾ", "TRƯỞNG BAN", "Đinh Ly An", "Nơi nhận:", "Thường trực HĐND tỉnh Gia Lai",
                 "1. Đối với UBND tỉnh Gia Lai:", "Đối với Sở Nội vụ:", "Tổng cộng 2.143 1.647 1.967",
                 "UBND xã Đak Đoa 1.248", "Biểu đồ 2: Tỷ lệ hồ sơ tiếp nhận trực tuyến", "PHỤ LỤC",
                 "thời hạn:", "Khó khăn, vướng mắc", "III. ĐÁNH GIÁ CHUNG", "IV. KIẾN NGHỊ"):
        assert part in text, part


def test_docx_has_the_styles_tables_and_charts(rclient, head):
    answer = rclient.get(url(".docx"), headers=head)
    assert answer.status_code == 200
    document = Document(io.BytesIO(answer.data))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(kit.BODY_PT)  # as the minutes' DOCX
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert round(section.left_margin.mm) == 30
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts and any(t.startswith("Kết quả khảo sát") for t in texts)
    assert document.styles["Title"].font.bold and document.styles["Heading 1"].font.bold
    assert any(p.style.name == "Heading 1" and p.text == "IV. KIẾN NGHỊ" for p in document.paragraphs)
    comparison = next(t for t in document.tables if t.rows[0].cells[0].text == "Đơn vị")
    assert comparison.style.name == "Table Grid"
    assert [c.text for c in comparison.rows[-1].cells[:4]] == ["Tổng cộng", "2.143", "1.647", "1.967"]
    media = [n for n in zipfile.ZipFile(io.BytesIO(answer.data)).namelist() if n.startswith("word/media/")]
    assert len(media) >= 3  # a chart per key indicator
    closing = document.tables[-1] if document.tables[-1].rows[0].cells[0].text.startswith("Nơi nhận") else \
        next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận"))
    assert "TM. BAN PHÁP CHẾ" in closing.rows[0].cells[1].text and "Đinh Ly An" in closing.rows[0].cells[1].text


def test_report_is_refused_while_a_visit_is_not_final(client, runner):
    headers = api_headers(runner, "truongdoan")
    answer = client.get(url(".pdf"), headers=headers)
    assert answer.status_code == 409
    assert "UBND xã Hra" in answer.get_json()["error"] and answer.get_json()["field"] == "visits"
    refused = client.post(url("/wording"), json={"assessment": "x"}, headers=headers)
    assert refused.status_code == 409


def test_wording_is_checked_and_frozen_after_finalize(rclient, rstore, secretary, head):
    bad = rclient.post(url("/wording"), json={"recommendations": "không có dấu hai chấm"}, headers=secretary)
    assert bad.status_code == 400 and bad.get_json()["field"] == "recommendations"
    assert rstore.read(reports_sql.latest, DELEGATION) is None  # nothing saved by a refused request
    unknown = rclient.post(url("/wording"), json={"nope": "x"}, headers=secretary)
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "nope"
    wording = {"assessment": "Đoàn đánh giá cao tinh thần trách nhiệm của các đơn vị.",
               "recommendations": "UBND tỉnh Gia Lai: Đầu tư nâng cấp đường truyền cho các xã (thời hạn: 30/06/2026)\n"
                                  "Sở Nội vụ: Bổ sung biên chế cho Trung tâm\nUBND xã Hra: Khắc phục tồn tại"}
    saved = rclient.post(url("/wording"), json=wording, headers=secretary)
    assert saved.status_code == 200 and saved.get_json()["status"] == "draft"
    final = rclient.post(url("/finalize"), headers=secretary)
    assert final.status_code == 200, final.get_json()
    assert final.get_json()["status"] == "final" and final.get_json()["number"] == "01/BC-BPC"
    again = rclient.post(url("/wording"), json={"assessment": "sửa"}, headers=secretary)
    assert again.status_code == 409
    assert rclient.post(url("/finalize"), headers=secretary).status_code == 409
    text = " ".join(pdftotext(rclient.get(url(".pdf"), headers=head).data).split())
    assert "Số: 01/BC-BPC" in text and "DỰ THẢO" not in text
    assert "Đoàn đánh giá cao tinh thần trách nhiệm" in text and "(thời hạn: 30/06/2026)" in text


def test_finalized_recommendations_join_the_board(rclient, rstore, secretary):
    rclient.post(url("/wording"), json={"recommendations": "UBND tỉnh Gia Lai: Nâng cấp đường truyền (thời hạn: "
                                                           "30/06/2026)\nSở Nội vụ: Bổ sung biên chế"},
                 headers=secretary)
    report = rclient.post(url("/finalize"), headers=secretary).get_json()
    rows = rstore.read(reports_sql.recommendations_of, report["id"], "2026-01-01")
    assert [(r["addressee"], r["due"]) for r in rows][0] == ("UBND tỉnh Gia Lai", "2026-06-30")
    assert rows[1]["addressee"] == "Sở Nội vụ" and rows[1]["status"] == "open"
    board = rclient.get("/api/v1/recommendations?delegation=1", headers=secretary)
    texts = [r["text"] for r in board.get_json()["recommendations"]]
    assert "Nâng cấp đường truyền" in texts and "Bổ sung biên chế" in texts


def test_signer_signs_the_final_report_which_is_sealed_and_verifies(rclient, secretary, head, runner_for):
    assert rclient.post(url("/signatures"), json={"role": "signer", "name": "Đinh Ly An", "image": signature_b64()},
                        headers=head).status_code == 409  # no report yet
    rclient.post(url("/finalize"), headers=secretary)
    member = api_headers(runner_for, "thanhvien")
    refused = rclient.post(url("/signatures"), json={"role": "signer", "name": "X", "image": signature_b64()},
                           headers=member)
    assert refused.status_code == 403
    signed = rclient.post(url("/signatures"), json={"role": "signer", "name": "Đinh Ly An",
                                                    "image": signature_b64()}, headers=head)
    assert signed.status_code == 201 and signed.get_json()["sealed"] is True
    pdf = rclient.get(url(".pdf"), headers=head).data
    verdict = rclient.post("/api/v1/verify", data=pdf, headers={**head, "Content-Type": "application/pdf"})
    body = verdict.get_json()
    assert body["valid"] is True and body["minutes"] is None
    assert body["survey_report"]["number"] == "01/BC-BPC" and body["survey_report"]["status"] == "signed"
    assert "ĐÃ KÝ SỐ" in " ".join(pdftotext(pdf).split())
    code = body["survey_report"]["content_sha256"][:12]
    page = rclient.get(f"/verify?code={code}").get_data(as_text=True)
    assert "01/BC-BPC" in page and "survey-report-info" in page


@pytest.fixture
def runner_for(rapp):
    return rapp.test_cli_runner()


def test_annex_shows_the_units_own_figures_next_to_the_verified_ones(rclient, rstore, head):
    from survey_app.storage import unit_reports as unit_reports_sql
    from .support import seed_visit
    rstore.write(unit_reports_sql.save_report, seed_visit(rstore)["id"], {
        "summary": "Báo cáo trước buổi khảo sát", "indicators": {"dossiers_received": 512, "dossiers_online": 430},
        "submitted_at": "2025-10-10T02:00:00+00:00"})
    text = " ".join(pdftotext(rclient.get(url(".pdf"), headers=head).data).split())
    assert "512 / 509" in text and "430 / 434" in text and "— / 1.248" in text
    assert "Mỗi ô: số liệu đơn vị báo cáo / số liệu Đoàn xác nhận" in text
    assert "Tổng cộng 2.143" in text  # the comparison stays on the verified figures


def test_the_signature_never_stands_alone_on_its_page_and_the_annex_names_its_report(rclient, head, secretary):
    """Item 5 of the task (pages looked at): the closing paragraph goes with the signer's
    block and the recipients (the block once stood alone on page 4); the annex says
    which report, of which date and body, it belongs to (Decree 30)."""
    rclient.post(url("/finalize"), headers=secretary)
    pdf = rclient.get(url(".pdf"), headers=head).data
    pages = [" ".join(pdftotext(page_pdf).split()) for page_pdf in _pages(pdf)]
    signer_page = next(p for p in pages if "TM. BAN PHÁP CHẾ" in p)
    assert "Trên đây là báo cáo kết quả khảo sát của Ban Pháp chế HĐND tỉnh Gia Lai./." in signer_page
    assert "Nơi nhận:" in signer_page
    assert re.search(r"\(Kèm theo Báo cáo số 01/BC-BPC ngày \d\d/\d\d/\d{4} của Ban Pháp chế\)", pages[-1])
    document = Document(io.BytesIO(rclient.get(url(".docx"), headers=head).data))
    closing = next(p for p in document.paragraphs if p.text.startswith("Trên đây là báo cáo"))
    assert closing.paragraph_format.keep_with_next is True


def _pages(pdf: bytes) -> list[bytes]:
    from pypdf import PdfWriter
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out
