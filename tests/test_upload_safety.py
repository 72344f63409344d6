"""Uploads under attack (issue 15 items 2, 6 and 17): permission and state are checked
before a byte of an upload is inspected, archives are inspected by their declared
sizes with bounded reads, a refused request leaves no file behind, and stored files
are named and served by their detected type."""
from __future__ import annotations

import base64
import io
import tracemalloc
import uuid
import zipfile
from urllib.parse import urlsplit

import docx
import pytest

from survey_app.demo import seed_document
from survey_app.domain import files
from survey_app.domain.errors import DomainError
from survey_app.domain.followup import evidence
from survey_app.storage import recommendations as rec_sql

from .conftest import csrf_token
from .crafted_files import zip_bomb
from .support import hra_rec, pdf_bytes, png_bytes, seed_visit, stored_files


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb(200)  # ~200 kB that unpacks to 200 MB


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện kiến nghị")
    document.save(out)
    return out.getvalue()


def peak_mb(call):
    """(result, peak of Python allocations in MB) while `call` runs."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------- 15.2 zip bomb

def test_a_viewers_zip_bomb_is_refused_before_it_is_read(app, store, login_as, client, token, bomb):
    item, before = hra_rec(store)["item_id"], stored_files(app)
    page = login_as("xem")
    form_token = csrf_token(page, f"/followup/r/{item}")
    answer, peak = peak_mb(lambda: page.post(f"/followup/r/{item}/updates", data={
        "csrf_token": form_token, "status": "in_progress", "note": "x",
        "evidence": [(io.BytesIO(bomb), "bao-cao.odt")]}, content_type="multipart/form-data"))
    assert answer.status_code == 403
    assert peak < 30  # the old code unpacked the 200 MB member first
    api, peak = peak_mb(lambda: client.post(f"/api/v1/recommendations/{item}/evidence", headers=token("xem"),
                                            data={"file": (io.BytesIO(bomb), "bao-cao.odt")}))
    assert api.status_code == 403 and peak < 30
    assert stored_files(app) == before
    assert store.read(rec_sql.count_updates) == 0


def test_a_hosts_zip_bomb_is_refused_with_bounded_memory(app, store, client, token, bomb):
    item, before = hra_rec(store)["item_id"], stored_files(app)
    answer, peak = peak_mb(lambda: client.post(
        f"/api/v1/recommendations/{item}/evidence", headers=token("xahra"),
        data={"note": "Báo cáo", "file": (io.BytesIO(bomb), "bao-cao.odt")}))
    assert answer.status_code == 400 and answer.get_json()["field"] == "file"
    assert "bao-cao.odt" in answer.get_json()["error"]
    assert peak < 30
    assert stored_files(app) == before
    assert store.read(rec_sql.count_updates) == 0


def test_archives_are_judged_by_their_directory():
    with pytest.raises(DomainError):  # declares 300 MB unpacked: refused unread
        evidence.check(zip_bomb(300), "bom.odt")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(evidence.MAX_MEMBERS):
            archive.writestr(f"word/media/{i}.xml", "")
    with pytest.raises(DomainError):
        evidence.check(many.getvalue(), "nhieu-phan.docx")
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    assert evidence.check(odt.getvalue(), "bao-cao.odt") == "application/vnd.oasis.opendocument.text"
    assert evidence.check(docx_bytes(), "bao-cao.docx").endswith("wordprocessingml.document")


# ----------------------------------------------------------------- 15.6 refused requests keep nothing

def test_refused_status_updates_keep_no_file(app, store, login_as):
    item, before = hra_rec(store)["item_id"], stored_files(app)
    client = login_as("xahra")
    token = csrf_token(client, f"/followup/r/{item}")
    dropped = client.post(f"/followup/r/{item}/updates", data={  # only the committee drops
        "csrf_token": token, "status": "dropped", "note": "Không làm",
        "evidence": [(io.BytesIO(pdf_bytes()), "qd.pdf")]}, content_type="multipart/form-data")
    assert dropped.status_code == 403
    unknown = client.post(f"/followup/r/{item}/updates", data={
        "csrf_token": token, "status": "xong", "note": "x",
        "evidence": [(io.BytesIO(png_bytes("red", (20, 20))), "anh.png")]}, content_type="multipart/form-data")
    assert unknown.status_code == 303
    one_bad = client.post(f"/followup/r/{item}/updates", data={  # a good file with a refused one
        "csrf_token": token, "status": "in_progress", "note": "x",
        "evidence": [(io.BytesIO(png_bytes("red", (20, 20))), "anh.png"), (io.BytesIO(b"MZ\x90\x00"), "gia.pdf")]},
        content_type="multipart/form-data")
    assert one_bad.status_code == 303
    assert stored_files(app) == before
    assert store.read(rec_sql.count_updates) == 0


def test_a_refused_signature_keeps_no_image(app, store, client, token):
    visit_id = seed_visit(store)["id"]
    before = stored_files(app)
    image = base64.b64encode(png_bytes("red", (20, 20))).decode()
    answer = client.post(f"/api/v1/visits/{visit_id}/minutes/signatures", headers=token("truongdoan"),
                         json={"role": "head", "name": "Đinh Ly An", "image": image})
    assert answer.status_code == 409  # the minutes are not final yet
    assert stored_files(app) == before


def test_a_refused_import_keeps_no_photo(app, store, client, token, runner):
    runner.invoke(args=["create-user", "--username", "truongdoan2", "--password", "mat-khau-dai-2025",
                        "--role", "head", "--full-name", "Người ngoài đoàn"])
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["photos"] = [{"caption": "Ảnh", "credit": "R'Piên", "data": base64.b64encode(png_bytes("red", (20, 20))).decode()}]
    before = stored_files(app)
    answer = client.post("/api/v1/visits", headers=token("truongdoan2"), json=doc)
    assert answer.status_code == 403  # not a member of the seed delegation
    assert stored_files(app) == before
    created = client.post("/api/v1/visits", headers=token("truongdoan"), json=doc)
    assert created.status_code == 201 and len(stored_files(app)) == len(before) + 1


def test_refused_photo_uploads_keep_nothing(app, store, client, token):
    visit_id = seed_visit(store)["id"]
    before = stored_files(app)
    viewer = client.post(f"/api/v1/visits/{visit_id}/photos", headers=token("xem"),
                         data={"file": (io.BytesIO(png_bytes("red", (20, 20))), "anh.png")})
    host = client.post(f"/api/v1/visits/{visit_id}/photos", headers=token("xahra"),
                       data={"file": (io.BytesIO(png_bytes("red", (20, 20))), "anh.png")})
    assert viewer.status_code == 403 and host.status_code == 403
    secretary = token("thuky")
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=secretary, json={"confirm": True}).status_code == 200
    before = stored_files(app)
    frozen = client.post(f"/api/v1/visits/{visit_id}/photos", headers=secretary,
                         data={"file": (io.BytesIO(png_bytes("red", (20, 20))), "anh.png")})
    assert frozen.status_code == 409
    assert stored_files(app) == before


# ----------------------------------------------------------------- 15.17 named by the detected type

def test_evidence_is_named_and_served_by_its_detected_type(app, store, client, token, login_as):
    item = hra_rec(store)["item_id"]
    answer = client.post(f"/api/v1/recommendations/{item}/evidence", headers=token("xahra"), data={
        "note": "Minh chứng", "file": [(io.BytesIO(docx_bytes()), "bao-cao.html"),
                                       (io.BytesIO(png_bytes("red", (20, 20))), "anh.svg")]})
    assert answer.status_code == 201
    names = stored_files(app)
    assert sum(n.endswith(".docx") for n in names) == 1 and sum(n.endswith(".png") for n in names) == 1
    assert not any(n.endswith((".html", ".svg")) for n in names)
    listed = client.get(f"/api/v1/recommendations/{item}", headers=token("xahra")).get_json()["evidence"]
    assert [e["filename"] for e in listed] == ["bao-cao.docx", "anh.png"]
    page = login_as("xahra")
    document = page.get(urlsplit(listed[0]["url"]).path)
    assert document.status_code == 200
    assert document.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert "bao-cao.docx" in document.headers["Content-Disposition"]
    picture = page.get(urlsplit(listed[1]["url"]).path)
    assert picture.mimetype == "image/png" and picture.headers["Content-Disposition"].startswith("inline")
    assert "anh.png" in picture.headers["Content-Disposition"]
    assert document.headers["X-Content-Type-Options"] == picture.headers["X-Content-Type-Options"] == "nosniff"


# ----------------------------------------------------------------- staging and placing

def _place_then_fail(db, staged):
    with files.placing([staged]):
        assert staged.path.exists()
        raise RuntimeError("the transaction fails after the file was placed")


def test_a_failed_transaction_takes_back_the_files_it_placed(store, tmp_path):
    folder = tmp_path / "files"
    staged = files.stage_bytes(folder, b"minh chung", ".pdf")
    with pytest.raises(RuntimeError), files.cleaned_up([staged]):
        store.write(_place_then_fail, staged)
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    kept = files.file_path(folder, files.store_bytes(folder, b"minh chung", ".pdf"), ".pdf")
    again = files.stage_bytes(folder, b"minh chung", ".pdf")  # equal content already stored
    with pytest.raises(RuntimeError), files.cleaned_up([again]):
        store.write(_place_then_fail, again)
    assert [p for p in folder.rglob("*") if p.is_file()] == [kept]  # what others rely on stays
