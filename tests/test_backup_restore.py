"""Backup and restore of a live instance: the database and the stored files (photos,
evidence, signed minutes) come back, giving the same visit documents and PDF hashes."""
from __future__ import annotations

import pytest
import base64
import hashlib
import io
import shutil
import tarfile
import uuid

from survey_app.demo import seed_document
from survey_app.storage import recommendations as rec_sql

from .conftest import csrf_token
from .support import api_headers, jpeg_bytes, pdf_bytes, png_bytes, sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")


def build_instance(app, client, runner, login_as):
    """A visit with a photo, sealed minutes and a recommendation update with evidence."""
    headers = api_headers(runner, "thuky")
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["photos"][0]["data"] = base64.b64encode(jpeg_bytes()).decode()
    visit = client.post("/api/v1/visits", json=doc, headers=headers).get_json()["id"]
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).status_code in (200, 201)
    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    host = login_as("xahra")
    item = min(app.extensions["survey_store"].read(rec_sql.rows_of_visit, visit))
    response = host.post(f"/followup/r/{item}/updates", data={
        "csrf_token": csrf_token(host, f"/followup/r/{item}"), "status": "in_progress", "note": "Đã mua máy",
        "evidence": [(io.BytesIO(png_bytes("red", (20, 20))), "hoa-don.png"), (io.BytesIO(pdf_bytes()), "qd.pdf")]},
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


def fresh_app(folder):
    """A new instance on another folder: its own empty database, no certificate yet."""
    from .conftest import make_app
    return make_app(folder)


def test_a_restore_into_a_fresh_instance_verifies_every_sealed_document(app, client, runner, login_as,
                                                                         tmp_path):
    from survey_app.domain.minutes import keys
    visit, headers, _ = build_instance(app, client, runner, login_as)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    (tmp_path / "bien-ban.pdf").write_bytes(pdf)
    passphrase = tmp_path / "mat-khau.txt"
    passphrase.write_text("một mật khẩu đủ dài 2026\n", encoding="utf-8")
    archive = tmp_path / "sao-luu.tar"
    result = runner.invoke(args=["backup", str(archive), "--key-passphrase-file", str(passphrase)])
    assert result.exit_code == 0, result.output
    assert "được mã hóa" in result.output
    names = tarfile.open(archive).getnames()
    assert "certs/organisation.p12" in names and any(n.startswith("certs/trusted/") for n in names)
    assert "certs/organisation.pass" not in names  # the key never travels with its passphrase
    original = keys.current_subject(f"{app.instance_path}/certs")

    fresh = fresh_app(tmp_path / "moi")
    fresh_runner = fresh.test_cli_runner()
    assert fresh_runner.invoke(args=["verify", str(tmp_path / "bien-ban.pdf")]).exit_code == 1  # not trusted yet
    result = fresh_runner.invoke(args=["restore", str(archive), "--key-passphrase-file", str(passphrase)])
    assert result.exit_code == 0, result.output
    result = fresh_runner.invoke(args=["verify", str(tmp_path / "bien-ban.pdf")])
    assert result.exit_code == 0, result.output
    assert keys.current_subject(f"{fresh.instance_path}/certs") == original
    result = fresh_runner.invoke(args=["audit", "verify"])  # the trail came back with its key and anchors
    assert result.exit_code == 0, result.output
    fresh.extensions["survey_store"].close()


def test_the_key_stays_out_without_a_passphrase_and_restore_asks_for_it(app, runner, tmp_path, store):
    archive = tmp_path / "khong-khoa.tar"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0 and "KHÔNG có trong bản sao lưu" in result.output
    names = tarfile.open(archive).getnames()
    assert not any(n.endswith((".p12", ".pass")) for n in names)
    assert any(n.startswith("certs/trusted/") for n in names)

    passphrase = tmp_path / "p.txt"
    passphrase.write_text("mật khẩu sao lưu đúng", encoding="utf-8")
    with_key = tmp_path / "co-khoa.tar"
    assert runner.invoke(args=["backup", str(with_key), "--key-passphrase-file", str(passphrase)]).exit_code == 0
    users = store.db.execute("SELECT count(*) FROM users").fetchone()[0]
    store.db.execute("DELETE FROM api_tokens")
    result = runner.invoke(args=["restore", str(with_key)])
    assert result.exit_code == 2 and "--key-passphrase-file" in result.output
    wrong = tmp_path / "sai.txt"
    wrong.write_text("một mật khẩu khác hẳn", encoding="utf-8")
    result = runner.invoke(args=["restore", str(with_key), "--key-passphrase-file", str(wrong)])
    assert result.exit_code == 2 and "không đúng" in result.output
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == users
    result = runner.invoke(args=["restore", str(with_key), "--without-key"])
    assert result.exit_code == 0, result.output


def _tampered_backup(store, tmp_path, statement: str):
    import sqlite3
    path = tmp_path / "survey_app.db"
    store.read(lambda db: db.conn.backup(sqlite3.connect(path)))
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()
    archive = tmp_path / "tampered.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(path, arcname="survey_app.db")
    return archive


def test_a_backup_whose_schema_differs_is_refused_and_nothing_changes(app, runner, tmp_path, store):
    trigger = store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'audit_log' LIMIT 1").fetchone()[0]
    before = store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for statement in (f"DROP TRIGGER {trigger}",
                      "CREATE TABLE extra (x)",
                      "CREATE TRIGGER sneaky AFTER INSERT ON users BEGIN SELECT 1; END"):
        archive = _tampered_backup(store, tmp_path, statement)
        result = runner.invoke(args=["restore", str(archive)])
        assert result.exit_code == 2, statement
        assert "cấu trúc cơ sở dữ liệu" in result.output
        assert store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
        archive.unlink()
        (tmp_path / "survey_app.db").unlink()


def test_a_backup_from_a_newer_version_is_refused(app, runner, tmp_path, store):
    archive = _tampered_backup(store, tmp_path, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                                                "VALUES ('survey_app', 'm999_future', '2030-01-01')")
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 2 and "phiên bản mới hơn" in result.output
