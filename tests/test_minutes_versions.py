"""Versions (issue 14, item 5): verifying a replaced version says "replaced by version
N (number, date)" on the page, in the API (`replaced_by`) and the CLI, and it stays
valid as what was signed then; a correction cites the corrected minutes by number and
date; a draft's QR code leads to a page saying it is a draft with no legal value."""
from __future__ import annotations

import pytest
import datetime as dt
import io
import uuid

from survey_app.clock import VN_TZ
from survey_app.domain.minutes import documents as docs
from survey_app.domain.minutes import operations as ops

from .conftest import csrf_token
from .support import pdftotext, sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")


def corrected(client, headers, visit_id) -> tuple[bytes, bytes]:
    """Version 1 signed, version 2 (its correction) final: their PDFs."""
    client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True})
    sign_all(client, headers, visit_id)
    v1 = client.get(f"/api/v1/visits/{visit_id}/minutes/1.pdf", headers=headers).data
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/correction", headers=headers).status_code == 201
    change = {"id": str(uuid.uuid4()), "target": "report.summary", "value": "Báo cáo đã đính chính.",
              "base_version": 1}
    assert client.post(f"/api/v1/visits/{visit_id}/changes", json=change, headers=headers).status_code == 200
    client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True})
    return v1, client.get(f"/api/v1/visits/{visit_id}/minutes/2.pdf", headers=headers).data


def test_a_replaced_version_says_by_which_and_stays_valid(client, token, visit, store, runner, tmp_path):  # noqa: F811
    headers = token()
    v1, _ = corrected(client, headers, visit)
    pending = client.post("/api/v1/verify", data=v1, headers=headers).get_json()
    assert pending["valid"] and pending["replaced_by"] is None  # a correction replaces once signed
    sign_all(client, headers, visit)
    v2 = client.get(f"/api/v1/visits/{visit}/minutes/2.pdf", headers=headers).data
    signed_at = store.db.execute("SELECT signed_at FROM minutes_versions WHERE visit_id = ? AND version = 2",
                                 [visit]).fetchone()[0]
    day = dt.datetime.fromisoformat(signed_at).astimezone(VN_TZ).date()

    old = client.post("/api/v1/verify", data=v1, headers=headers).get_json()
    assert old["valid"] and old["version"] == 1
    assert old["replaced_by"] == {"version": 2, "number": "02/BB-BPC", "date": day.isoformat()}
    new = client.post("/api/v1/verify", data=v2, headers=headers).get_json()
    assert new["valid"] and new["version"] == 2 and new["replaced_by"] is None

    page = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                        "file": (io.BytesIO(v1), "bb.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Hợp lệ: tệp nguyên vẹn, chữ ký số hợp lệ" in page
    assert (f"đã được thay thế bởi phiên bản 2 (Biên bản số 02/BB-BPC, ngày {day.strftime('%d/%m/%Y')})"
            in page)
    (tmp_path / "v1.pdf").write_bytes(v1)
    result = runner.invoke(args=["verify", str(tmp_path / "v1.pdf")])
    assert result.exit_code == 0 and "Hợp lệ" in result.output
    assert f"Đã được thay thế bởi phiên bản 2 (Biên bản số 02/BB-BPC, ngày {day.strftime('%d/%m/%Y')})" \
        in result.output


def test_a_correction_cites_the_corrected_minutes_by_number_and_date(client, token, visit):  # noqa: F811
    headers = token()
    _, v2 = corrected(client, headers, visit)
    text = pdftotext(v2)
    assert "đính chính và thay thế phiên bản 1: Biên bản số 01/BB-BPC ngày 13/10/2025" in text


def test_a_drafts_qr_code_leads_to_the_draft_notice(app, client, token, visit, store):  # noqa: F811
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers)
    with app.test_request_context():
        from survey_app.web.minutes.pages import minutes_env
        context = docs.version_context(store, app.extensions["survey_forms"], minutes_env(),
                                       ops.latest(store, visit))
    assert context["verify_url"].endswith("/verify?draft=1") and "code=" not in context["verify_url"]
    text = pdftotext(client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data)
    assert "Dự thảo, không có giá trị pháp lý" in text and "Mã xác thực" not in text
    notice = client.get("/verify?draft=1").get_data(as_text=True)
    assert "Đây là dự thảo biên bản, không có giá trị pháp lý" in notice
    final = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).get_json()
    final_text = pdftotext(client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data)
    assert f"Mã xác thực: {final['content_sha256'][:12]}" in final_text
