"""The minutes workflow through the test client on a real SQLite file: draft, wording,
finalize (409 afterwards), numbering, drawn signatures and the seal, verification
through the API, the page and the CLI, corrections, permissions."""
from __future__ import annotations

import base64
import io
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import minutes as minutes_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import import_visit, pdftotext, sign_all, signature_b64


pytestmark = pytest.mark.usefixtures("installed_certs")


def test_draft_pdf_has_the_header_figures_and_recommendations(client, token, visit):
    headers = token()
    assert client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers).status_code == 200
    response = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdftotext(response.data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BIÊN BẢN",
                     "HĐND TỈNH GIA LAI", "BAN PHÁP CHẾ", "/BB-BPC", "Gia Lai, ngày 13 tháng 10 năm 2025",
                     "(DỰ THẢO)", "TM. ĐOÀN KHẢO SÁT", "TRƯỞNG ĐOÀN", "THƯ KÝ", "ĐẠI DIỆN UBND XÃ HRA",
                     "Nơi nhận:", "Lưu: VT"):
        assert expected in text, expected
    assert {"509", "434", "88,2", "85,3"} <= set(text.split())
    for recommendation in seed_document()["recommendations"]:
        assert " ".join(recommendation["text"].split()).rstrip(".") in text  # the stop after the detail


def test_wording_edit_shows_in_the_pdf_and_markup_stays_text(client, token, visit):
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers)
    wording = {"opening": "Đoạn mở đầu do thư ký viết lại <b>đậm</b> <script>x()</script>."}
    assert client.post(f"/api/v1/visits/{visit}/minutes/wording", json=wording, headers=headers).status_code == 200
    text = pdftotext(client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data)
    assert "Đoạn mở đầu do thư ký viết lại <b>đậm</b> <script>x()</script>." in text
    assert "Hôm nay, vào lúc" not in text


def test_wording_page_saves_only_what_differs(login_as, visit, store):
    client = login_as("thuky")
    token = csrf_token(client, f"/visits/{visit}/minutes")
    client.post(f"/visits/{visit}/minutes/draft", data={"csrf_token": token})
    page = client.get(f"/visits/{visit}/minutes/wording").get_data(as_text=True)
    assert "Hôm nay, vào lúc 08 giờ 00 phút" in page  # generated text prefilled
    response = client.post(f"/visits/{visit}/minutes/wording", data={
        "csrf_token": token, "conclusion": "Kết luận viết lại.", "opening": "", "closing": ""})
    assert response.status_code == 302
    wording = store.read(minutes_sql.latest_version, visit)["wording"]
    assert wording == {"conclusion": "Kết luận viết lại."}


def test_finalize_freezes_record_and_wording(client, token, visit, store):
    headers = token()
    response = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["number"] == "01/BB-BPC" and response.get_json()["status"] == "final"
    assert store.read(visits_sql.get_visit, visit)["status"] == "minutes_final"
    change = {"id": str(uuid.uuid4()), "target": "report.summary", "value": "Sửa sau khi chốt", "base_version": 1}
    refused = client.post(f"/api/v1/visits/{visit}/changes", json=change, headers=headers)
    assert refused.status_code == 409 and "Biên bản đã được thông qua" in refused.get_json()["error"]
    wording = client.post(f"/api/v1/visits/{visit}/minutes/wording", json={"opening": "x"}, headers=headers)
    assert wording.status_code == 409 and "Biên bản đã được thông qua" in wording.get_json()["error"]
    again = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    assert again.status_code == 409 and again.get_json()["error"]
    text = pdftotext(client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data)
    assert "Số: 01/BB-BPC" in text and "DỰ THẢO" not in text


def test_numbers_per_body_and_year_without_gaps(client, token, visit):
    headers = token("admin")
    second = import_visit(client, headers)
    next_year = import_visit(client, headers, "2026-01-05T08:00:00+07:00")
    numbers = [client.post(f"/api/v1/visits/{v}/minutes/finalize", headers=headers, json={"confirm": True}).get_json()["number"]
               for v in (second, visit, next_year)]
    assert numbers == ["01/BB-BPC", "02/BB-BPC", "01/BB-BPC"]
    text = pdftotext(client.get(f"/api/v1/visits/{next_year}/minutes.pdf", headers=headers).data)
    assert "ngày 05 tháng 01 năm 2026" in text


def test_three_signatures_seal_a_pdf_that_verifies(client, token, visit, runner, tmp_path, app, store):
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    answers = sign_all(client, headers, visit)
    assert [a["sealed"] for a in answers] == [False, False, True]
    assert store.read(visits_sql.get_visit, visit)["status"] == "signed"
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    text = pdftotext(pdf)
    assert "Trần Văn Hùng" in text and "Số: 01/BB-BPC" in text

    from survey_app.documents import verify_pdf
    roots = minutes_keys.trust_roots(f"{app.instance_path}/certs")
    assert verify_pdf(pdf, roots).valid

    api = client.post("/api/v1/verify", data=pdf, headers={**headers, "Content-Type": "application/pdf"})
    body = api.get_json()
    assert body["intact"] and body["valid"] and body["visit_id"] == visit and body["version"] == 1
    assert "HĐND tỉnh Gia Lai" in body["signers"][0]["name"]
    multipart = client.post("/api/v1/verify", data={"file": (io.BytesIO(pdf), "bb.pdf")}, headers=headers)
    assert multipart.get_json()["valid"]

    good, bad = tmp_path / "bb.pdf", tmp_path / "bb-sua.pdf"
    good.write_bytes(pdf)
    tampered = bytearray(pdf)
    tampered[12] ^= 0x01
    bad.write_bytes(bytes(tampered))
    ok = runner.invoke(args=["verify", str(good)])
    assert ok.exit_code == 0 and "Hợp lệ" in ok.output, ok.output
    failed = runner.invoke(args=["verify", str(bad)])
    assert failed.exit_code == 1 and "sửa đổi" in failed.output
    modified = client.post("/api/v1/verify", data=bytes(tampered), headers=headers).get_json()
    assert modified["modified"] and not modified["valid"]

    out = tmp_path / "cli.pdf"
    assert runner.invoke(args=["minutes", str(visit), "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == pdf


def test_signature_errors(client, token, visit):
    headers = token()
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    early = client.post(url, json={"role": "head", "name": "A", "image": signature_b64()}, headers=headers)
    assert early.status_code == 409
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    not_png = base64.b64encode(b"GIF89a" + b"\0" * 100).decode()
    for image in (not_png, "###", "A" * 600000):
        bad = client.post(url, json={"role": "head", "name": "A", "image": image}, headers=headers)
        assert bad.status_code == 400 and bad.get_json()["field"] == "image"
    assert client.post(url, json={"role": "chief", "name": "A", "image": signature_b64()},
                       headers=headers).get_json()["field"] == "role"
    assert client.post(url, json={"role": "head", "name": "A", "image": signature_b64()},
                       headers=headers).status_code == 201
    twice = client.post(url, json={"role": "head", "name": "A", "image": signature_b64()}, headers=headers)
    assert twice.status_code == 409 and "đã ký" in twice.get_json()["error"]


def test_signatory_roles_are_configurable(login_as, visit, client, token):
    page_client = login_as("thuky")
    token_value = csrf_token(page_client, f"/visits/{visit}/minutes")
    page_client.post(f"/visits/{visit}/minutes/signatories", data={"csrf_token": token_value,
                                                                    "roles": ["head", "secretary"]})
    headers = token()
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).get_json()[
        "required_roles"] == ["head", "secretary"]
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    host = client.post(url, json={"role": "host", "name": "B", "image": signature_b64()}, headers=headers)
    assert host.status_code == 409
    client.post(url, json={"role": "head", "name": "A", "image": signature_b64()}, headers=headers)
    last = client.post(url, json={"role": "secretary", "name": "C", "image": signature_b64()}, headers=headers)
    assert last.get_json()["sealed"] is True


def test_correction_is_a_new_version_and_both_verify(client, token, visit, store):
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    sign_all(client, headers, visit)
    v1 = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert client.post(f"/api/v1/visits/{visit}/minutes/correction", headers=headers).status_code == 201
    assert store.read(visits_sql.get_visit, visit)["status"] == "minutes_draft"
    change = {"id": str(uuid.uuid4()), "target": "report.summary", "value": "Báo cáo đã đính chính.",
              "base_version": 1}
    assert client.post(f"/api/v1/visits/{visit}/changes", json=change, headers=headers).status_code == 200
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).get_json()["number"] == "02/BB-BPC"
    sign_all(client, headers, visit)
    versions = client.get(f"/api/v1/visits/{visit}/minutes", headers=headers).get_json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "signed"), (2, "signed")]
    v2 = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert client.get(f"/api/v1/visits/{visit}/minutes/1.pdf", headers=headers).data == v1
    assert "đính chính và thay thế phiên bản 1" in pdftotext(v2) and "Báo cáo đã đính chính." in pdftotext(v2)
    for pdf, version in ((v1, 1), (v2, 2)):
        body = client.post("/api/v1/verify", data=pdf, headers=headers).get_json()
        assert body["valid"] and body["version"] == version
    row = store.read(minutes_sql.get_version, visit, 2)
    first = store.read(minutes_sql.get_version, visit, 1)
    assert row["corrects"] == first["id"]


def test_permissions(client, token, visit):
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=token(), json={"confirm": True})
    for user, status in (("xem", 403), ("xahra", 403), ("thanhvien", 403)):
        assert client.post(f"/api/v1/visits/{visit}/minutes/wording", json={}, headers=token(user)).status_code == status
    assert client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=token("xaiahru")).status_code == 404
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    assert client.post(url, json={"role": "host", "name": "L", "image": signature_b64()},
                       headers=token("xaiahru")).status_code == 404
    assert client.post(url, json={"role": "head", "name": "H", "image": signature_b64()},
                       headers=token("xahra")).status_code == 403
    assert client.post(url, json={"role": "host", "name": "H", "image": signature_b64()},
                       headers=token("xahra")).status_code == 201
    assert client.post(url, json={"role": "head", "name": "H", "image": signature_b64()},
                       headers=token("xem")).status_code == 403


def test_pages_and_anonymous_verify(login_as, client, token, visit):
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    code = client.get(f"/api/v1/visits/{visit}/minutes", headers=headers).get_json()["versions"][0]["content_sha256"][:12]
    anonymous = client.get(f"/verify?code={code}")
    assert anonymous.status_code == 200 and "UBND xã Hra" in anonymous.get_data(as_text=True)
    token_value = csrf_token(client, "/verify")
    answer = client.post("/verify", data={"csrf_token": token_value, "file": (io.BytesIO(pdf), "bb.pdf")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "Hợp lệ: tệp nguyên vẹn, chữ ký số hợp lệ" in answer
    page_client = login_as("thuky")
    page = page_client.get(f"/visits/{visit}/minutes").get_data(as_text=True)
    assert "01/BB-BPC" in page and code in page
    sign_page = page_client.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    assert sign_page.count("Đã ký") >= 3
    docx_file = page_client.get(f"/visits/{visit}/minutes/v1.docx")
    assert docx_file.status_code == 200 and docx_file.data[:2] == b"PK"


def test_latest_minutes_before_any_draft_is_a_preview_that_creates_nothing(client, token, store, runner, tmp_path):
    visit = import_visit(client, token())
    response = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=token())
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "DỰ THẢO" in pdftotext(response.data) and "509" in pdftotext(response.data)
    assert store.read(minutes_sql.versions_of, visit) == []
    out = tmp_path / "bien-ban.pdf"
    result = runner.invoke(args=["minutes", str(visit), "--out", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
