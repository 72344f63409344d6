"""Minutes that read like an HĐND biên bản (issue #19, item 2): the seed's minutes, as
the secretary downloads them (real SQLite file, WeasyPrint, pdftotext), cite their
basis, spell out abbreviations, group the recommendations by addressee, close with
the copies and who keeps them, and end with Nơi nhận; a delegation may choose its
own copies, Nơi nhận and place (API and edit page), frozen with the minutes; the
survey report's date line has the same place as the minutes."""
from __future__ import annotations

import dataclasses
import io
import re
import subprocess

import docx
import pytest

from survey_app.domain.minutes.context import build_context, content_sha256
from survey_app.domain.plans import operations as plans
from survey_app.storage import plans as plans_sql
from survey_app.domain.minutes.input import freeze, thaw

from .conftest import csrf_token
from .support import hra_rec, user
from .test_delegation_pages import form_data
from .test_minutes_documents import make_input, visit_document  # noqa: F401  (fixture)

DECISION = {"number": "25/QĐ-BPC", "date": "2025-10-01"}
OPENING = ("Thực hiện Quyết định số 25/QĐ-BPC ngày 01/10/2025 của Ban Pháp chế Hội đồng nhân dân (HĐND) tỉnh "
           "Gia Lai; Hôm nay, vào lúc 08 giờ 00 phút, ngày 13/10/2025, tại Trung tâm Phục vụ hành chính công xã "
           "Hra, Đoàn khảo sát của Ban Pháp chế HĐND tỉnh Gia Lai làm việc với Ủy ban nhân dân (UBND) xã Hra về")
CONCLUSION = ("Thay mặt Đoàn khảo sát, đồng chí Đinh Ly An, Trưởng Ban Pháp chế HĐND tỉnh, Trưởng đoàn kết luận "
              "như sau:")
GROUPS = ("Đoàn khảo sát đề nghị như sau: Đối với UBND xã Hra: 1. Tiếp tục đẩy mạnh cải cách hành chính",
          "Đối với Trung tâm Phục vụ hành chính công xã Hra: 1. Bảo đảm sự phối hợp đồng bộ, chặt chẽ giữa các bộ "
          "phận (đơn vị thực hiện: Trung tâm Phục vụ hành chính công xã Hra; thời hạn mặc định:")
CLOSING = ("Biên bản đã được đọc lại cho các thành phần tham dự cùng nghe, thống nhất thông qua và ký tên. Biên bản "
           "được lập thành 03 bản có giá trị như nhau, Đoàn khảo sát giữ 02 bản, UBND xã Hra giữ 01 bản./.")
RECIPIENTS = ("Nơi nhận: - Thường trực HĐND tỉnh (để báo cáo); - UBND xã Hra; - Thành viên Đoàn khảo sát; "
              "- Lưu: VT, BPC.")
HOST = "[Đơn vị được khảo sát]"


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    """The text of the pages one after another, without each page's footer and number."""
    text = flat(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())
    return re.sub(r" (Mã xác thực: [0-9a-f]{12}|Dự thảo, không có giá trị pháp lý) Phiên bản \d+( \d+(?= ))?", "", text)


@pytest.fixture
def delegation_id(store, seed_visit_id) -> int:
    return store.db.execute("SELECT delegation_id FROM visits WHERE id = ?", [seed_visit_id]).fetchone()[0]


def settings_in_db(store, delegation_id: int) -> tuple:
    return tuple(store.db.execute("SELECT minutes_place, minutes_copies, minutes_recipients FROM delegations "
                                  "WHERE id = ?", [delegation_id]).fetchone())


def audit_count(store) -> int:
    return store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def draft_text(client, headers, visit_id: int) -> str:
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/draft", headers=headers).status_code == 200
    response = client.get(f"/api/v1/visits/{visit_id}/minutes.pdf", headers=headers)
    assert response.status_code == 200
    return pdf_text(response.data)


def test_the_seed_minutes_read_like_an_hdnd_bien_ban(client, token, seed_visit_id, delegation_id):
    headers = token("admin")
    assert client.patch(f"/api/v1/delegations/{delegation_id}", json={"decision": DECISION},
                        headers=headers).status_code == 200
    headers = token()
    text = draft_text(client, headers, seed_visit_id)
    for expected in (OPENING, CONCLUSION, *GROUPS, CLOSING, RECIPIENTS,
                     "Gia Lai, ngày 13 tháng 10 năm 2025",  # Decree 30: the province of a provincial body
                     "PHỤ LỤC HÌNH ẢNH BUỔI LÀM VIỆC (Kèm theo Biên bản số /BB-BPC ngày 13/10/2025)"):
        assert expected in text, expected
    assert "Lưu ý" not in text and "Hra, ngày" not in text
    assert "doanh nghiệp. (" not in text and "Hra. (Ảnh" not in text  # the stop after the parenthesis
    assert client.post(f"/api/v1/visits/{seed_visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    final = pdf_text(client.get(f"/api/v1/visits/{seed_visit_id}/minutes.pdf", headers=headers).data)
    number = re.search(r"Số: (\d+/BB-BPC)", final).group(1)
    assert f"(Kèm theo Biên bản số {number} ngày 13/10/2025)" in final and OPENING in final


def test_without_a_deciding_document_the_opening_starts_with_the_day(client, token, seed_visit_id):
    text = draft_text(client, token(), seed_visit_id)
    assert "Thực hiện" not in text
    assert "Hôm nay, vào lúc 08 giờ 00 phút" in text and "làm việc với Ủy ban nhân dân (UBND) xã Hra" in text


def test_a_numbered_survey_plan_is_cited_in_the_deciding_documents_place(app, client, token, store,
                                                                            seed_visit_id, delegation_id):
    assert client.patch(f"/api/v1/delegations/{delegation_id}", json={"decision": DECISION},
                        headers=token("admin")).status_code == 200
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), delegation_id,
                    {"fields": {"issued_date": "2025-09-25"}, "rows": []})
    number = store.read(plans_sql.get_plan, delegation_id)["number"]
    text = draft_text(client, token(), seed_visit_id)
    assert (f"Thực hiện Kế hoạch số {number:02d}/KH-BPC ngày 25/09/2025 của Ban Pháp chế Hội đồng nhân dân (HĐND) "
            "tỉnh Gia Lai; Hôm nay, vào lúc 08 giờ 00 phút") in text
    assert "Quyết định số 25/QĐ-BPC" not in text


def test_the_settings_are_optional_checked_shown_once_chosen_and_printed(client, store, token, seed_visit_id,
                                                                         delegation_id):
    admin = token("admin")
    listed = client.get("/api/v1/delegations", headers=admin).get_json()["delegations"]
    assert all(not {"minutes_place", "minutes_copies", "minutes_recipients"} & set(d) for d in listed)
    before = audit_count(store)
    for bad, field in (({"minutes_copies": [{"holder": "Đoàn khảo sát", "copies": 0}]}, "minutes_copies[0].copies"),
                       ({"minutes_copies": [{"holder": " ", "copies": 1}]}, "minutes_copies[0].holder"),
                       ({"minutes_copies": [{"holder": "Đoàn", "copies": 1, "x": 1}]}, "minutes_copies[0]"),
                       ({"minutes_recipients": []}, "minutes_recipients"),
                       ({"minutes_recipients": ["x" * 301]}, "minutes_recipients"),
                       ({"minutes_place": ""}, "minutes_place")):
        refused = client.patch(f"/api/v1/delegations/{delegation_id}", json=bad, headers=admin)
        assert refused.status_code == 400 and refused.get_json()["field"] == field, (bad, refused.get_json())
        assert refused.get_json()["error"].startswith("Vui lòng")
    assert settings_in_db(store, delegation_id) == (None, None, None) and audit_count(store) == before
    chosen = {"minutes_place": "Pleiku",
              "minutes_copies": [{"holder": "Đoàn khảo sát", "copies": 3}, {"holder": HOST, "copies": 2}],
              "minutes_recipients": ["Thường trực HĐND tỉnh (để báo cáo)", HOST, "Lưu: VT, BPC"]}
    changed = client.patch(f"/api/v1/delegations/{delegation_id}", json=chosen, headers=admin)
    assert changed.status_code == 200 and {k: changed.get_json()[k] for k in chosen} == chosen
    assert audit_count(store) == before + 1
    text = draft_text(client, token(), seed_visit_id)
    assert ("Biên bản được lập thành 05 bản có giá trị như nhau, Đoàn khảo sát giữ 03 bản, UBND xã Hra giữ 02 "
            "bản./.") in text
    assert "Pleiku, ngày 13 tháng 10 năm 2025" in text
    assert "Nơi nhận: - Thường trực HĐND tỉnh (để báo cáo); - UBND xã Hra; - Lưu: VT, BPC." in text
    cleared = client.patch(f"/api/v1/delegations/{delegation_id}", json={"minutes_place": None}, headers=admin)
    assert cleared.status_code == 200 and "minutes_place" not in cleared.get_json()
    assert "Gia Lai, ngày 13 tháng 10 năm 2025" in draft_text(client, token(), seed_visit_id)


def test_frozen_minutes_keep_the_settings_they_were_finalized_with(client, login_as, token, seed_visit_id,
                                                                   delegation_id):
    headers = token()
    client.post(f"/api/v1/visits/{seed_visit_id}/minutes/draft", headers=headers)
    assert client.post(f"/api/v1/visits/{seed_visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    pdf = client.get(f"/api/v1/visits/{seed_visit_id}/minutes.pdf", headers=headers).data
    assert client.patch(f"/api/v1/delegations/{delegation_id}", headers=token("admin"), json={
        "minutes_place": "Pleiku", "minutes_copies": [{"holder": "Đoàn khảo sát", "copies": 4}],
        "minutes_recipients": ["Lưu: VT"]}).status_code == 200
    assert client.get(f"/api/v1/visits/{seed_visit_id}/minutes.pdf", headers=headers).data == pdf
    assert CLOSING in pdf_text(pdf) and RECIPIENTS in pdf_text(pdf)
    word = login_as("thuky").get(f"/visits/{seed_visit_id}/minutes/v1.docx")  # made again from the frozen input
    assert word.status_code == 200
    text = flat(" ".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs))
    assert CLOSING in text and "Pleiku" not in text and "- Thường trực HĐND tỉnh (để báo cáo);" in text


def test_the_edit_page_saves_and_shows_the_settings(login_as, store):
    client = login_as("thuky")
    token = csrf_token(client, "/delegations/new")
    page = client.get("/delegations/new").get_data(as_text=True)
    for name in ("minutes_place", "minutes_copies", "minutes_recipients"):
        assert f'name="{name}"' in page
    assert HOST in page
    created = client.post("/delegations/new", data=form_data(
        token, minutes_place="Pleiku", minutes_copies=f"Đoàn khảo sát: 2\n{HOST}: 1\n",
        minutes_recipients=f"- Thường trực HĐND tỉnh (để báo cáo);\n{HOST}\n\nLưu: VT, BPC."))
    assert created.status_code == 302, created.get_data(as_text=True)
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    place, copies, recipients = settings_in_db(store, new_id)
    assert place == "Pleiku" and f'"holder": "{HOST}", "copies": 1' in copies
    assert recipients == f'["Thường trực HĐND tỉnh (để báo cáo)", "{HOST}", "Lưu: VT, BPC"]'
    edit = client.get(f"/delegations/{new_id}/edit").get_data(as_text=True)
    assert f"Đoàn khảo sát: 2\n{HOST}: 1" in edit and "Pleiku" in edit
    refused = client.post(f"/delegations/{new_id}/edit", data=form_data(token, minutes_copies="Đoàn khảo sát: hai"))
    assert refused.status_code == 400 and "Vui lòng nhập số bản từ 1 đến 20." in refused.get_data(as_text=True)
    assert settings_in_db(store, new_id)[1] == copies
    cleared = client.post(f"/delegations/{new_id}/edit", data=form_data(token))
    assert cleared.status_code == 302 and settings_in_db(store, new_id) == (None, None, None)


def test_recommendations_to_higher_bodies_are_kien_nghi_after_the_host_units_de_nghi(visit_document):  # noqa: F811
    visit_document["recommendations"].insert(0, {"text": "Bố trí kinh phí nâng cấp đường truyền.",
                                                 "addressee": "UBND tỉnh Gia Lai", "due": "2026-03-31"})
    body = build_context(make_input(visit_document))["body"]
    texts = [b["text"] for b in body if b["type"] == "paragraph"]
    lead = texts.index("Đoàn khảo sát đề nghị, kiến nghị như sau:")
    assert texts[lead + 1:lead + 4] == ["Đối với UBND xã Hra:", "Đối với Trung tâm Phục vụ hành chính công xã Hra:",
                                        "Kiến nghị với UBND tỉnh Gia Lai:"]
    numbered = [b["items"] for b in body if b["type"] == "numbered"]
    assert [len(items) for items in numbered] == [4, 1, 1]
    assert numbered[2][0] == {"text": "Bố trí kinh phí nâng cấp đường truyền",
                              "detail": "(đơn vị thực hiện: UBND tỉnh Gia Lai; thời hạn: 31/03/2026)", "end": "."}


def test_attendee_lists_end_with_a_full_stop_and_headings_are_alike(visit_document):  # noqa: F811
    visit_document["host"]["attendees"] = [{"name": "Trần Văn Hùng", "title": "Chủ tịch UBND xã"},
                                           {"name": "Lê Thị Lan", "title": "Giám đốc Trung tâm"}]
    body = build_context(make_input(visit_document))["body"]
    bullets = [b["items"] for b in body if b["type"] == "bullets"][:2]
    assert bullets[1] == ["Trần Văn Hùng, Chủ tịch UBND xã;", "Lê Thị Lan, Giám đốc Trung tâm."]
    assert bullets[0][-1].endswith("Trưởng đoàn.")
    headings = [b["text"] for b in body if b["type"] == "heading" and b["level"] == 2]
    assert headings and not any(h.endswith((":", ".", ";")) for h in headings)


def test_a_version_frozen_before_the_wording_keeps_its_hash(visit_document):  # noqa: F811
    old = make_input(visit_document)
    frozen = freeze(old)
    frozen.pop("copies_kept"), frozen.pop("basis")  # as stored before m025
    assert content_sha256(thaw(frozen)) == content_sha256(old)
    chosen = dataclasses.replace(old, copies_kept=[{"holder": "Đoàn khảo sát", "copies": 3}])
    assert content_sha256(chosen) != content_sha256(old)
    assert content_sha256(dataclasses.replace(old, basis={"number": "1/QĐ"})) != content_sha256(old)


def test_the_survey_report_has_the_place_of_the_minutes(client, login_as, token, store, delegation_id):
    def report_text() -> str:
        page = login_as("thuky")
        csrf = csrf_token(page, f"/followup/report?delegation={delegation_id}&show=1")
        response = page.post("/followup/reports", data={
            "csrf_token": csrf, "from": "2025-10-01", "to": "2025-10-31", "delegation": str(delegation_id),
            "unit": str(hra_rec(store)["unit_id"]), "signer_name": "", "signer_title": ""})
        assert response.status_code == 302
        return pdf_text(page.get(response.headers["Location"] + ".pdf").data)
    assert re.search(r"Gia Lai, ngày \d+ tháng \d+ năm \d{4}", report_text())
    assert client.patch(f"/api/v1/delegations/{delegation_id}", json={"minutes_place": "Pleiku"},
                        headers=token("admin")).status_code == 200
    assert re.search(r"Pleiku, ngày \d+ tháng \d+ năm \d{4}", report_text())
