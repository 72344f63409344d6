"""The follow-up report as an issued document (issue 17, item 2): numbered per body
and year at finalize, frozen, sealed with the organisation's certificate and known
to the verification API, page and CLI; its subject says what it covers; it
is signed on behalf of its body (TM.)."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import jsonschema
import pytest

from survey_app.demo import seed_document
from survey_app.domain.errors import Conflict, DomainError
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import reports as issued
from survey_app.domain.visits.document import import_document as import_visit
from survey_app.storage import followup_reports as reports_sql

from .conftest import csrf_token
from .support import hra_rec, seed_visit, user


def _env(app):
    with app.test_request_context("/"):
        from survey_app.web.context import minutes_env
        return minutes_env()


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60)
    return re.sub(r"\s+", " ", result.stdout)


def _other_body(app, store) -> int:
    """A visit of a delegation of another body (Ban Kinh tế - Ngân sách); its delegation id."""
    doc = seed_document()
    doc.update(uuid=str(uuid.uuid4()), photos=[],
               delegation={**doc["delegation"], "name": "Đoàn khảo sát của Ban Kinh tế - Ngân sách",
                           "body": "Ban Kinh tế - Ngân sách"})
    visit = import_visit(store, app.extensions["survey_forms"], user(store, "admin"), doc,
                         app.extensions["survey_files"] / "photos")
    return store.db.execute("SELECT delegation_id FROM visits WHERE id = ?", [visit["id"]]).fetchone()[0]


def test_numbers_count_per_body_and_year_and_stay_once_final(app, store, tmp_path):
    env, secretary, admin = _env(app), user(store, "thuky"), user(store, "admin")
    bpc = seed_visit(store)["delegation_id"]
    other = _other_body(app, store)

    def issue(who, delegation, day):
        return issued.finalize(store, env, who, issued.create_draft(store, who, {"delegation_id": delegation}), day)

    first, second = issue(secretary, bpc, "2026-03-02"), issue(secretary, bpc, "2026-04-10")
    ktns = issue(admin, other, "2026-04-11")
    next_year = issue(admin, bpc, "2027-01-05")
    assert [r["content"]["number"] for r in (first, second, ktns, next_year)] == \
        ["01/BC-BPC", "02/BC-BPC", "01/BC-BKTNS", "01/BC-BPC"]
    assert (first["body"], first["year"], next_year["year"]) == ("Ban Pháp chế", 2026, 2027)
    assert "Số: 01/BC-BKTNS" in _text(issued.pdf_of(store, env, admin, ktns["id"])[1], tmp_path)

    # Once final, nothing changes it: not the data moving on, not a second finalize.
    _, pdf_before = issued.pdf_of(store, env, secretary, first["id"])
    followup.report_progress(store, user(store, "xahra"), hra_rec(store)["item_id"], status="in_progress",
                             note="Đang lắp đặt thiết bị")
    with pytest.raises(Conflict):
        issued.finalize(store, env, secretary, first["id"], "2026-05-01")
    again = issued.load(store, secretary, first["id"])
    assert (again["number"], again["content_sha256"], again["content"]) == \
        (first["number"], first["content_sha256"], first["content"])
    assert issued.pdf_of(store, env, secretary, first["id"])[1] == pdf_before
    text = _text(pdf_before, tmp_path)
    assert "Số: 01/BC-BPC" in text and "Đang lắp đặt" not in text and "DỰ THẢO" not in text
    assert f"Mã xác thực: {first['content_sha256'][:12]}" in text
    # a third report of the body in 2026 goes on from 2, whatever came meanwhile
    assert issue(secretary, bpc, "2026-12-31")["content"]["number"] == "03/BC-BPC"


def test_a_draft_names_what_it_covers_and_who_signs(app, store, login_as, tmp_path):
    delegation = seed_visit(store)["delegation_id"]
    unit = hra_rec(store)["unit_id"]
    client = login_as("thuky")
    token = csrf_token(client, f"/followup/report?delegation={delegation}&show=1")
    response = client.post("/followup/reports", data={
        "csrf_token": token, "from": "2025-10-01", "to": "2025-10-31", "delegation": str(delegation),
        "unit": str(unit), "signer_name": "", "signer_title": ""})
    assert response.status_code == 302
    report_id = int(response.headers["Location"].rsplit("/", 1)[1])
    draft = store.read(reports_sql.get_report, report_id)
    assert draft["signer_name"] == "Đinh Ly An" and draft["signer_title"] == "Trưởng ban"  # the delegation's head
    text = _text(client.get(f"/followup/reports/{report_id}.pdf").data, tmp_path)
    assert "DỰ THẢO" in text and "Số: /BC-BPC" in text
    assert ("Kết quả theo dõi thực hiện các kiến nghị của Đoàn khảo sát của Ban Pháp chế HĐND tỉnh Gia Lai "
            "đối với UBND xã Hra, qua các buổi khảo sát từ ngày 01/10/2025 đến ngày 31/10/2025") in text
    assert "của tất cả kiến nghị" not in text
    assert "TM. BAN PHÁP CHẾ TRƯỞNG BAN" in text and "Đinh Ly An" in text and "Nơi nhận:" in text
    # without any filter, the subtitle still says what is covered
    everything = issued.draft_data(store, user(store, "admin"), {"filters": {}, "created_by": None,
                                                                  "signer_name": "", "signer_title": ""})
    assert everything["subject"] == ("các kiến nghị của các đoàn khảo sát đối với các đơn vị được khảo sát")


def test_editing_after_finalize_is_409_and_changes_nothing(app, store, login_as):
    client = login_as("thuky")
    report_id = issued.create_draft(store, user(store, "thuky"), {}, "Đinh Ly An")
    token = csrf_token(client, f"/followup/reports/{report_id}")
    edit = {"csrf_token": token, "signer_name": "Người Khác", "signer_title": "Phó Trưởng ban", "from": "2025-01-01"}
    assert client.post(f"/followup/reports/{report_id}", data=edit).status_code == 302
    assert store.read(reports_sql.get_report, report_id)["filters"] == {"visit_from": "2025-01-01"}
    assert client.post(f"/followup/reports/{report_id}/seal", data={"csrf_token": token}).status_code == 409
    assert client.post(f"/followup/reports/{report_id}/finalize", data={"csrf_token": token}).status_code == 302
    final = store.read(reports_sql.get_report, report_id)
    assert final["status"] == "final" and final["content"]["signer"]["name"] == "Người Khác"
    response = client.post(f"/followup/reports/{report_id}", data={**edit, "signer_name": "Ai Đó", "from": ""})
    assert response.status_code == 409 and "Báo cáo đã được thông qua" in response.get_data(as_text=True)
    assert client.post(f"/followup/reports/{report_id}/finalize", data={"csrf_token": token}).status_code == 409
    assert store.read(reports_sql.get_report, report_id) == final
    with pytest.raises(Conflict):
        issued.edit_draft(store, user(store, "thuky"), report_id, {}, "Ai Đó", "")


def test_bad_input_and_who_may(app, store, login_as):
    secretary = user(store, "thuky")
    with pytest.raises(DomainError) as long_name:
        issued.create_draft(store, secretary, {}, "x" * 201)
    assert long_name.value.field == "signer_name"
    report_id = issued.create_draft(store, secretary, {}, "")
    store.write(lambda db: reports_sql.update_report(db, report_id, signer_name=""))
    with pytest.raises(DomainError) as no_signer:
        issued.finalize(store, _env(app), secretary, report_id)
    assert no_signer.value.field == "signer_name"
    assert store.read(reports_sql.get_report, report_id)["status"] == "draft"
    host = login_as("xahra")
    assert host.post("/followup/reports", data={"csrf_token": csrf_token(host, "/followup/report")}).status_code == 403
    assert host.get(f"/followup/reports/{report_id}").status_code == 404
    assert host.get("/followup/reports").status_code == 403
    assert store.db.execute("SELECT count(*) FROM followup_reports").fetchone()[0] == 1


def test_sealed_report_verifies_through_api_page_and_cli(app, store, login_as, token, runner, tmp_path):
    env, secretary = _env(app), user(store, "thuky")
    report_id = issued.create_draft(store, secretary, {"delegation_id": seed_visit(store)["delegation_id"]})
    issued.finalize(store, env, secretary, report_id, "2026-03-02")
    sealed = issued.seal(store, env, secretary, report_id)
    assert sealed["status"] == "sealed" and sealed["sealed_pdf_sha256"]
    with pytest.raises(Conflict):
        issued.seal(store, env, secretary, report_id)
    _, pdf = issued.pdf_of(store, env, secretary, report_id)
    assert "ĐÃ KÝ SỐ" in _text(pdf, tmp_path)

    client = login_as("thuky")
    body = client.post("/api/v1/verify", data=pdf, headers=token()).get_json()
    assert body["valid"] and body["intact"] and body["minutes"] is None
    assert body["report"]["kind"] == "báo cáo" and body["report"]["number"] == "01/BC-BPC"
    assert body["report"]["date"] == "2026-03-02" and body["report"]["status"] == "sealed"
    spec = json.loads((Path(app.root_path) / "openapi.json").read_text(encoding="utf-8"))
    jsonschema.validate(body, spec["paths"]["/verify"]["post"]["responses"]["200"]["content"]
                        ["application/json"]["schema"])  # the answer is the documented one

    page = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                        "file": (__import__("io").BytesIO(pdf), "bc.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Hợp lệ: tệp nguyên vẹn" in page and "Báo cáo số 01/BC-BPC ngày 02/03/2026" in page
    code = sealed["content_sha256"][:12]
    assert "Báo cáo số 01/BC-BPC ngày 02/03/2026" in client.get(f"/verify?code={code}").get_data(as_text=True)

    path = tmp_path / "bc.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["verify", str(path)])
    assert result.exit_code == 0 and "Báo cáo số 01/BC-BPC ngày 02/03/2026" in result.output, result.output

    tampered = pdf.replace(b"/Producer", b"/Producez", 1) + b"\n%%EOF\n"
    path.write_bytes(tampered)
    assert runner.invoke(args=["verify", str(path)]).exit_code != 0
