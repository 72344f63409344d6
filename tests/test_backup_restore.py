"""Backup and restore of a live instance: the database and the stored files (photos,
evidence, signed minutes) come back, giving the same visit documents and PDF hashes."""
from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tarfile
import uuid

from PIL import Image

from survey_app.demo import seed_document
from survey_app.storage import recommendations as rec_sql  # noqa: F401  (the table exists)

from .conftest import csrf_token
from .test_followup import pdf_bytes, png_bytes
from .test_minutes_workflow import certs_folder, installed_certs, sign_all  # noqa: F401


def photo_b64() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def build_instance(app, client, runner, login_as):
    """A visit with a photo, sealed minutes and a recommendation update with evidence."""
    headers = {"Authorization": f"Bearer {runner.invoke(args=['token', 'create', 'thuky']).output.strip()}"}
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["photos"][0]["data"] = photo_b64()
    visit = client.post("/api/v1/visits", json=doc, headers=headers).get_json()["id"]
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers).status_code in (200, 201)
    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    host = login_as("xahra")
    item = app.extensions["survey_store"].db.execute(
        "SELECT item_id FROM recommendations WHERE visit_id = ? LIMIT 1", [visit]).fetchone()[0]
    response = host.post(f"/followup/r/{item}/updates", data={
        "csrf_token": csrf_token(host, f"/followup/r/{item}"), "status": "in_progress", "note": "Đã mua máy",
        "evidence": [(io.BytesIO(png_bytes()), "hoa-don.png"), (io.BytesIO(pdf_bytes()), "qd.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    return visit, headers, hashlib.sha256(pdf).hexdigest()


def test_backup_then_restore_on_a_new_instance(app, client, runner, login_as, tmp_path, store):
    visit, headers, pdf_hash = build_instance(app, client, runner, login_as)
    document = client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()
    assert document["photos"][0]["data"]
    archive = tmp_path / "sao-luu.tar"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    names = tarfile.open(archive).getnames()
    assert "survey_app.db" in names
    assert any("/photos/" in n for n in names) and any("/evidence/" in n for n in names)
    assert any("/minutes/" in n for n in names)

    # Lose everything: database rows and every stored file.
    files = app.extensions["survey_files"]
    shutil.rmtree(files)
    store.db.execute("DELETE FROM applied_changes")
    assert runner.invoke(args=["restore", str(archive)]).exit_code == 0
    assert client.get(f"/api/v1/visits/{visit}", headers=headers).get_json() == document
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert hashlib.sha256(pdf).hexdigest() == pdf_hash
    evidence = store.db.execute("SELECT id FROM recommendation_evidence ORDER BY id").fetchall()
    host = login_as("xahra")
    assert all(host.get(f"/followup/evidence/{row[0]}").status_code == 200 for row in evidence)


def test_archive_with_a_path_outside_is_refused(runner, tmp_path, store):
    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as archive:
        data = b"x"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    result = runner.invoke(args=["restore", str(bad)])
    assert result.exit_code == 2 and "không hợp lệ" in result.output
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 7
