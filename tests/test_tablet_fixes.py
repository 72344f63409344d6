"""Issue 16 (the tablet), the server's side of each defect, through the test client on a
real SQLite file: attendees typed on site in the minutes, a decimal comma in a figure,
finalize with required items unanswered, WTForms and page titles in the page's
language, a closed recommendation's page. The browser's side is in test_e2e_tablet.py."""
from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import hra_rec


@pytest.fixture
def visit(store) -> int:
    return store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]


@pytest.fixture(autouse=True)
def installed_certs(app, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "tablet-certs"
    if not folder.exists():
        minutes_keys.ensure_certificate(folder)
    shutil.copytree(folder, f"{app.instance_path}/certs")


def pdftotext(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def add_attendee(client, headers, visit_id, side, name, title):
    message = {"id": str(uuid.uuid4()), "target": "attendee", "op": "add", "item": str(uuid.uuid4()),
               "value": {"side": side, "name": name, "title": title}, "position": 10}
    answer = client.post(f"/api/v1/visits/{visit_id}/changes", json=message, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["ok"], answer.get_json()


# ----------------------------------------------------------------- 1. attendees

def test_attendees_typed_on_site_are_printed_with_their_titles(client, token, visit):
    headers = token()
    add_attendee(client, headers, visit, "guest", "Phạm Thị Khách", "Phó Giám đốc Sở Tư pháp")
    add_attendee(client, headers, visit, "delegation", "Lê Văn Mới", "Chuyên viên Văn phòng Đoàn ĐBQH và HĐND tỉnh")
    add_attendee(client, headers, visit, "delegation", "Đinh Ly An", "Phó Trưởng Ban Pháp chế HĐND tỉnh (gõ tại chỗ)")
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers)
    assert pdf.status_code == 200
    text = pdftotext(pdf.data)
    attendees = text[text.index("I. THÀNH PHẦN THAM DỰ"):text.index("II. ")]
    assert "Khách mời" in attendees
    assert "Phạm Thị Khách, Phó Giám đốc Sở Tư pháp" in attendees
    assert "Lê Văn Mới, Chuyên viên Văn phòng Đoàn ĐBQH và HĐND tỉnh - Thành viên" in attendees
    assert "Đinh Ly An, Phó Trưởng Ban Pháp chế HĐND tỉnh (gõ tại chỗ) - Trưởng đoàn" in attendees
    assert "Trưởng Ban Pháp chế HĐND tỉnh - Trưởng đoàn" not in attendees.replace("Phó Trưởng Ban", "")


# ----------------------------------------------------------------- 4. decimal comma

@pytest.mark.parametrize("typed, stored", [("88,2", 88.2), ("88.2", 88.2), (" 90 ", 90), ("99,0", 99.0)])
def test_a_figure_typed_with_a_decimal_comma_is_the_number_it_means(client, token, visit, typed, stored):
    headers = token()
    answer = client.post(f"/api/v1/visits/{visit}/changes", headers=headers, json={
        "id": str(uuid.uuid4()), "target": "indicators.on_time_rate_pct", "op": "set", "value": typed,
        "base_version": 1})
    assert answer.status_code in (200, 409), answer.get_json()
    if answer.status_code == 409:  # the seed's figure has another version: keep ours on it
        answer = client.post(f"/api/v1/visits/{visit}/changes", headers=headers, json={
            "id": str(uuid.uuid4()), "target": "indicators.on_time_rate_pct", "op": "set", "value": typed,
            "base_version": answer.get_json()["server_version"]})
    assert answer.status_code == 200 and answer.get_json()["ok"], answer.get_json()
    doc = client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()
    assert doc["report"]["indicators"]["on_time_rate_pct"] == stored


def test_a_figure_that_is_no_number_is_refused_naming_its_field(client, token, visit):
    headers = token()
    before = client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()["report"]["indicators"]
    answer = client.post(f"/api/v1/visits/{visit}/changes", headers=headers, json={
        "id": str(uuid.uuid4()), "target": "indicators.on_time_rate_pct", "op": "set", "value": "88,2x",
        "base_version": 99})
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "indicators.on_time_rate_pct"
    assert "88,2" in answer.get_json()["error"]
    assert client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()["report"]["indicators"] == before


def test_the_visit_document_still_refuses_a_figure_as_text(client, token):
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["report"]["indicators"]["on_time_rate_pct"] = "88,2"
    answer = client.post("/api/v1/visits", json=doc, headers=token())
    assert answer.status_code == 400 and answer.get_json()["field"] == "report.indicators.on_time_rate_pct"


def test_the_capture_page_shows_a_figure_with_a_decimal_comma_in_a_text_input(login_as, visit):
    page = login_as("thuky").get(f"/visits/{visit}/capture").get_data(as_text=True)
    start = page.index('data-field="indicators.on_time_rate_pct"')
    tag = page[page.rindex("<input", 0, start):page.index(">", start)]
    assert 'type="text"' in tag and 'inputmode="decimal"' in tag and 'value="88,2"' in tag


# ----------------------------------------------------------------- 6. finalize with items missing

def test_finalize_with_required_items_unanswered_needs_a_confirmation(client, token, visit, store):
    headers = token()
    assert client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers).status_code in (200, 201)
    refused = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": False})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["field"] == "confirm" and "Còn 8 mục bắt buộc" in body["error"]
    assert store.read(visits_sql.get_visit, visit)["status"] == "minutes_draft"  # nothing frozen
    not_bool = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": "yes"})
    assert not_bool.status_code == 400 and not_bool.get_json()["field"] == "confirm"
    assert store.read(visits_sql.get_visit, visit)["status"] == "minutes_draft"
    # the contract's finalize (no body) still finalizes: the page is where the user is asked
    done = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers)
    assert done.status_code == 200 and done.get_json()["number"]


def test_the_minutes_page_lists_the_missing_items_and_its_button_confirms(login_as, visit):
    client = login_as("thuky")
    client.post(f"/visits/{visit}/minutes/draft", data={"csrf_token": csrf_token(client, f"/visits/{visit}/minutes")})
    page = client.get(f"/visits/{visit}/minutes").get_data(as_text=True)
    box = page[page.index('id="missing-items"'):]
    box = box[:box.index("</div>")]
    assert "Còn 8 mục bắt buộc" in box and box.count("<li>") == 8
    assert "Trụ sở, diện tích của Trung tâm đáp ứng yêu cầu tiếp nhận và trả kết quả" in box
    assert 'name="confirm" value="1"' in page and "Vẫn thông qua biên bản (còn thiếu 8 mục)" in page
    token = csrf_token(client, f"/visits/{visit}/minutes")
    refused = client.post(f"/visits/{visit}/minutes/finalize", data={"csrf_token": token})
    assert refused.status_code in (302, 303, 409)
    assert "Còn 8 mục bắt buộc" in client.get(f"/visits/{visit}/minutes").get_data(as_text=True)
    assert client.post(f"/visits/{visit}/minutes/finalize", data={"csrf_token": token, "confirm": "1"}).status_code == 302
    assert 'id="missing-items"' not in client.get(f"/visits/{visit}/minutes").get_data(as_text=True)


# ----------------------------------------------------------------- 5. language

def test_wtforms_messages_speak_the_page_language(login_as):
    client = login_as("admin")
    token = csrf_token(client, "/admin/users")
    page = client.post("/admin/users", data={"csrf_token": token, "username": "", "password": "mat-khau-dai",
                                            "role": "member"}).get_data(as_text=True)
    assert "This field is required." not in page and "Vui lòng điền trường này." in page
    token = csrf_token(client, "/admin/users?lang=en")
    page = client.post("/admin/users", data={"csrf_token": token, "username": "", "password": "mat-khau-dai",
                                            "role": "member"}).get_data(as_text=True)
    assert "This field is required." in page and "Vui lòng điền" not in page


def test_length_message_in_vietnamese(login_as):
    client = login_as("admin")
    token = csrf_token(client, "/admin/users")
    page = client.post("/admin/users", data={"csrf_token": token, "username": "moi", "password": "ngan",
                                            "role": "member"}).get_data(as_text=True)
    assert "characters long" not in page and "Vui lòng nhập từ 8 đến 200 ký tự." in page


def test_titles_name_the_product_in_the_page_language(login_as, visit):
    client = login_as("thuky")
    for path in ("/", f"/visits/{visit}/capture", f"/visits/{visit}"):
        page = client.get(path).get_data(as_text=True)
        title = page[page.index("<title>"):page.index("</title>")]
        assert "survey_app" not in title and title.endswith("Khảo sát, giám sát"), title
        assert ">Checklist<" not in page and "Nội dung khảo sát" in page or path == "/"


def test_english_pages_use_the_forms_english_texts(login_as, visit):
    client = login_as("thuky")
    page = client.get(f"/visits/{visit}/capture?lang=en").get_data(as_text=True)
    for text in ("Premises and equipment", "The premises meet the needs of receiving dossiers and returning results",
                 "Dossiers received (dossiers)</label>", "Share of dossiers received online", "Checklist",
                 "Slow at peak hours", "Quantity (counters)</label>"):  # units: the form's unit_en (issue 19)
        assert text in page, text
    for text in ("Cơ sở vật chất, trang thiết bị", "Chậm vào giờ cao điểm", "(quầy)", "(hồ sơ)"):
        assert text not in page, text
    vietnamese = login_as("thuky").get(f"/visits/{visit}/capture?lang=vi").get_data(as_text=True)
    assert "Số hồ sơ tiếp nhận (hồ sơ)" in vietnamese and "Số lượng (quầy)" in vietnamese
    assert page[page.index("<title>"):page.index("</title>")].endswith(" · Surveys and oversight")


# ----------------------------------------------------------------- 7. a closed recommendation

def test_a_closed_recommendation_has_no_progress_form_and_links_its_visit(client, token, store, login_as):
    item = hra_rec(store)["item_id"]
    url = f"/api/v1/recommendations/{item}/updates"
    assert client.post(url, json={"status": "done", "note": "Đã xong"}, headers=token("xahra")).status_code == 201
    host = login_as("xahra")
    open_page = host.get(f"/followup/r/{item}").get_data(as_text=True)
    assert 'id="send-update"' in open_page  # done, awaiting the committee: the unit may still add
    assert client.post(url, json={"decision": "accept"}, headers=token("truongdoan")).status_code == 201
    page = host.get(f"/followup/r/{item}").get_data(as_text=True)
    assert 'id="send-update"' not in page
    visit_id = hra_rec(store)["visit_id"]
    assert f'href="/visits/{visit_id}"' in page and f'href="/visits/{visit_id}/minutes"' in page
