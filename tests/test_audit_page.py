"""The audit trail for administrators: the page with filters, the CSV export and
`GET /api/v1/audit`; backups and restores are in the trail."""
from __future__ import annotations

import csv
import io
import uuid

from survey_app.demo import seed_document
from survey_app.domain.visits import changes
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import audit as audit_sql
from survey_app.storage import visits as visits_sql


def autosave(app, store, text: str, base_version: int = 1) -> int:
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])
    user = store.read(accounts_sql.get_user_by_username, "thanhvien")
    status, _ = changes.apply_change(store, app.extensions["survey_forms"], user, visit["id"],
                                     {"id": str(uuid.uuid4()), "target": "report.summary",
                                      "value": text, "base_version": base_version})
    assert status == 200
    return visit["id"]


def test_the_api_filters_and_pages_the_trail(app, client, token, store):
    visit = autosave(app, store, "=HYPERLINK(\"http://x\")")
    headers = token("admin")
    body = client.get("/api/v1/audit?actor=thanhvien", headers=headers).get_json()
    assert body["page"] == 1 and body["has_next"] is False
    assert [e["action"] for e in body["entries"]] == ["visit.set"]
    entry = body["entries"][0]
    assert set(entry) == {"id", "at", "actor", "action", "object_type", "object_id", "details"}
    assert entry["object_id"] == str(visit) and entry["details"]["value"].startswith("=HYPERLINK")
    by_object = client.get(f"/api/v1/audit?object_type=visit&object_id={visit}", headers=headers).get_json()
    assert {e["action"] for e in by_object["entries"]} == {"visit.import", "visit.set"}
    assert client.get("/api/v1/audit?action=token.", headers=headers).get_json()["entries"][0]["action"] \
        == "token.create"  # a prefix with the dot selects a family of actions
    assert client.get("/api/v1/audit?page=0", headers=headers).status_code == 400
    assert client.get("/api/v1/audit?page=abc", headers=headers).get_json()["field"] == "page"


def test_pages_of_fifty(app, client, token, store):
    for n in range(55):
        autosave(app, store, f"Tóm tắt {n}", base_version=n + 1)
    headers = token("admin")
    first = client.get("/api/v1/audit?action=visit.set", headers=headers).get_json()
    second = client.get("/api/v1/audit?action=visit.set&page=2", headers=headers).get_json()
    assert len(first["entries"]) == 50 and first["has_next"] is True
    assert len(second["entries"]) == 5 and second["has_next"] is False
    ids = [e["id"] for e in first["entries"] + second["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 55


def test_only_administrators_read_the_trail(client, token, login_as):
    for username in ("thuky", "truongdoan", "xahra", "xem"):
        assert client.get("/api/v1/audit", headers=token(username)).status_code == 403
    page = login_as("xem")
    assert page.get("/admin/audit/").status_code == 403
    assert page.get("/admin/audit/audit.csv").status_code == 403


def test_the_page_and_its_csv_export(app, client, store, login_as):
    autosave(app, store, "Ủy ban nhân dân xã Hra; =1+2")
    page = login_as("admin")
    html = page.get("/admin/audit/?actor=thanhvien").get_data(as_text=True)
    assert "Nhật ký hệ thống" in html and "visit.set" in html and "Ủy ban nhân dân xã Hra" in html
    response = page.get("/admin/audit/audit.csv?actor=thanhvien")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Số" and rows[0][2] == "Người thực hiện"
    assert len(rows) == 2 and rows[1][3] == "visit.set" and "Ủy ban nhân dân xã Hra" in rows[1][6]
    english = page.get("/admin/audit/audit.csv?actor=thanhvien&lang=en").data.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Number,Time (UTC),Actor,")


def test_backup_and_restore_are_in_the_trail(client, runner, tmp_path, store):
    archive = tmp_path / "b.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    assert runner.invoke(args=["restore", str(archive)]).exit_code == 0
    actions = [e["action"] for e in store.read(lambda db: list(audit_sql.entries(db)))[-2:][::-1]]
    assert actions == ["instance.restore", "instance.backup"]  # the backup's own entry came back with it
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
