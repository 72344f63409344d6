"""A delegation chooses how its minutes place the signature blocks: Decree 30's Mẫu 1.9
(THƯ KÝ left, CHỦ TỌA right) or the three-party layout (host unit left, delegation
right, secretary below). Through the API and the edit page, on a real SQLite file;
the minutes follow it in the PDF (WeasyPrint) and the DOCX (rendered by LibreOffice)."""
from __future__ import annotations

import dataclasses

import pytest

from survey_app.domain.minutes.context import content_sha256
from survey_app.domain.minutes.input import freeze, thaw

from .conftest import csrf_token
from .libreoffice import convert_to_pdf, find_line, pdftotext
from .test_delegation_pages import form_data
from .test_minutes_documents import make_input, visit_document  # noqa: F401  (fixture)

MEMBERS = [{"name": "Đinh Ly An", "title": "Trưởng Ban Pháp chế HĐND tỉnh", "role": "head", "username": "truongdoan"},
           {"name": "Nguyễn Thị Thu", "title": "Chuyên viên", "role": "secretary", "username": "thuky"}]


def layout_in_db(store, delegation_id: int):
    return store.db.execute("SELECT signature_layout FROM delegations WHERE id = ?", [delegation_id]).fetchone()[0]


def audit_count(store) -> int:
    return store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


@pytest.fixture
def delegation_id(store, seed_visit_id) -> int:
    return store.db.execute("SELECT delegation_id FROM visits WHERE id = ?", [seed_visit_id]).fetchone()[0]


def test_the_api_field_is_optional_checked_and_shown_once_chosen(client, store, token, delegation_id):
    headers = token("admin")
    listed = client.get("/api/v1/delegations", headers=headers).get_json()["delegations"]
    assert all("signature_layout" not in d for d in listed)  # the contract's fields, unchanged
    before = audit_count(store)
    refused = client.patch(f"/api/v1/delegations/{delegation_id}", json={"signature_layout": "hai_ben"},
                           headers=headers)
    assert refused.status_code == 400 and refused.get_json()["field"] == "signature_layout"
    assert "Mẫu 1.9" in refused.get_json()["error"]
    assert layout_in_db(store, delegation_id) is None and audit_count(store) == before
    changed = client.patch(f"/api/v1/delegations/{delegation_id}", json={"signature_layout": "mau_1_9"},
                           headers=headers)
    assert changed.status_code == 200 and changed.get_json()["signature_layout"] == "mau_1_9"
    assert layout_in_db(store, delegation_id) == "mau_1_9" and audit_count(store) == before + 1
    shown = next(d for d in client.get("/api/v1/delegations", headers=headers).get_json()["delegations"]
                 if d["id"] == delegation_id)
    assert shown["signature_layout"] == "mau_1_9"


def test_a_new_delegation_can_be_created_with_a_layout(client, store, token):
    created = client.post("/api/v1/delegations", headers=token("admin"), json={
        "name": "Đoàn giám sát Mẫu 1.9", "body": "Ban Kinh tế - Ngân sách", "members": MEMBERS[:1],
        "signature_layout": "three_party"})
    assert created.status_code == 201, created.get_json()
    assert layout_in_db(store, created.get_json()["id"]) == "three_party"


def test_the_edit_page_offers_both_layouts_and_saves_the_choice(login_as, store):
    client = login_as("thuky")
    token = csrf_token(client, "/delegations/new")
    page = client.get("/delegations/new").get_data(as_text=True)
    assert 'name="signature_layout"' in page and "Mẫu 1.9" in page and "Thư ký Đoàn bên dưới" in page
    created = client.post("/delegations/new", data=form_data(token, signature_layout="mau_1_9"))
    assert created.status_code == 302, created.get_data(as_text=True)
    new_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    assert layout_in_db(store, new_id) == "mau_1_9"
    edit = client.get(f"/delegations/{new_id}/edit").get_data(as_text=True)
    assert 'value="mau_1_9" selected' in edit or "selected value=\"mau_1_9\"" in edit
    refused = client.post(f"/delegations/{new_id}/edit", data=form_data(token, signature_layout="hai_ben"))
    assert refused.status_code == 400 and layout_in_db(store, new_id) == "mau_1_9"


@pytest.fixture
def office(tmp_path):
    return lambda data: convert_to_pdf(data, ".docx", tmp_path / "run", tmp_path / "profile")


def documents(client, login_as, visit_id: int, office) -> dict[str, bytes]:
    """The draft minutes as the secretary downloads them: the PDF, and LibreOffice's PDF of the DOCX."""
    page = login_as("thuky")
    pdf = page.get(f"/visits/{visit_id}/minutes/v1.pdf")
    docx = page.get(f"/visits/{visit_id}/minutes/v1.docx")
    assert pdf.status_code == 200 and docx.status_code == 200
    return {"pdf": pdf.data, "docx": office(docx.data)}


@pytest.mark.libreoffice
def test_the_minutes_follow_the_delegations_layout_in_pdf_and_docx(client, store, token, login_as, office,
                                                                   seed_visit_id, delegation_id):
    headers = token("admin")
    assert client.patch(f"/api/v1/delegations/{delegation_id}", json={"members": MEMBERS},
                        headers=headers).status_code == 200
    assert client.post(f"/api/v1/visits/{seed_visit_id}/minutes/draft", headers=headers).status_code == 200
    for name, pdf in documents(client, login_as, seed_visit_id, office).items():
        host, head = find_line(pdf, "ĐẠI DIỆN UBND XÃ HRA"), find_line(pdf, "TM. ĐOÀN KHẢO SÁT")
        secretary = find_line(pdf, "THƯ KÝ")
        assert host[0] == head[0] and abs(host[2] - head[2]) < 1 and host[1] < head[1], name
        assert secretary[2] > head[2] and "CHỦ TỌA" not in pdftotext(pdf), name
    assert client.patch(f"/api/v1/delegations/{delegation_id}", json={"signature_layout": "mau_1_9"},
                        headers=headers).status_code == 200
    for name, pdf in documents(client, login_as, seed_visit_id, office).items():
        secretary, chair = find_line(pdf, "THƯ KÝ"), find_line(pdf, "CHỦ TỌA")
        assert secretary[0] == chair[0] and abs(secretary[2] - chair[2]) < 1 and secretary[1] < chair[1], name
        names = find_line(pdf, "Nguyễn Thị Thu"), find_line(pdf, "Đinh Ly An")
        assert abs(names[0][2] - names[1][2]) < 1 and names[0][1] < names[1][1] and names[0][2] > chair[2], name
        host = find_line(pdf, "ĐẠI DIỆN UBND XÃ HRA")
        assert host[2] > names[0][2] or host[0] > names[0][0], name  # the host's block below
        assert "TM. ĐOÀN KHẢO SÁT" not in pdftotext(pdf), name


def test_a_version_frozen_before_the_option_keeps_its_hash(visit_document):  # noqa: F811
    three_party = make_input(visit_document)
    frozen = freeze(three_party)
    frozen.pop("signature_layout")  # as stored before m022
    assert content_sha256(thaw(frozen)) == content_sha256(three_party)
    assert thaw(frozen).signature_layout == "three_party"
    mau = dataclasses.replace(three_party, signature_layout="mau_1_9")
    assert content_sha256(mau) != content_sha256(three_party)
