"""Every event that matters is in the audit trail with its real actor, and every sealed
document carries the trail's head, so a trail cut back after a seal is caught even when
the anchor file is rewritten too."""
from __future__ import annotations

import pytest
import io
import json

from pypdf import PdfReader

from survey_app.domain.audit import ANCHOR_KEY
from survey_app.storage import audit as audit_sql

from .conftest import csrf_token, login
from .support import sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")

# The minutes tests' fixtures: the organisation certificate installed, the seed visit.


def actions(store, object_type=None) -> list[str]:
    rows = store.read(audit_sql.find_entries, {"object_type": object_type} if object_type else {}, 1000)
    return [row["action"] for row in reversed(rows)]


def test_the_minutes_workflow_is_in_the_trail(client, token, visit, store):
    headers = token()
    assert client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers).status_code == 200
    assert client.post(f"/api/v1/visits/{visit}/minutes/wording", headers=headers,
                       json={"conclusion": "Kết luận đã sửa"}).status_code == 200
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).status_code in (200, 201)
    sign_all(client, headers, visit)
    assert client.post(f"/api/v1/visits/{visit}/minutes/correction", headers=headers).status_code in (200, 201)
    trail = actions(store, "minutes")
    assert trail == ["minutes.draft", "minutes.wording", "minutes.finalize", "minutes.sign", "minutes.sign",
                     "minutes.sign", "minutes.seal", "minutes.correction"]
    rows = store.read(audit_sql.find_entries, {"action": "minutes.wording"}, 5)
    assert rows[0]["actor"] == "thuky"
    assert json.loads(rows[0]["detail"])["wording"] == {"conclusion": "Kết luận đã sửa"}
    finalize = json.loads(store.read(audit_sql.find_entries, {"action": "minutes.finalize"}, 1)[0]["detail"])
    assert finalize["number"].endswith("/BB-BPC") and len(finalize["pdf_sha256"]) == 64


def test_sign_in_success_and_failure_are_in_the_trail(client, store):
    assert login(client, "thuky", "mật khẩu sai").status_code != 302
    assert login(client, "khongcoai", "mật khẩu sai").status_code != 302
    assert login(client, "thuky").status_code == 302
    rows = store.read(audit_sql.find_entries, {"action": "user.login_failed"}, 10)
    assert sorted(json.loads(r["detail"])["username"] for r in rows) == ["khongcoai", "thuky"]
    assert store.read(audit_sql.find_entries, {"action": "user.login"}, 10)[0]["actor"] == "thuky"


def test_a_certificate_installation_is_in_the_trail(app, client, store, certs_folder):
    page = client
    assert login(page, "admin").status_code == 302
    p12 = (certs_folder / "organisation.p12").read_bytes()
    passphrase = (certs_folder / "organisation.pass").read_text()
    response = page.post("/admin/certificate", data={
        "csrf_token": csrf_token(page, "/admin/certificate"), "passphrase": passphrase,
        "p12": (io.BytesIO(p12), "co-quan.p12")}, content_type="multipart/form-data")
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:500]
    rows = store.read(audit_sql.find_entries, {"action": "certificate.install"}, 5)
    assert rows and rows[0]["actor"] == "admin" and "subject" in json.loads(rows[0]["detail"])


def test_a_sealed_document_carries_the_head_and_catches_a_cut_trail(client, token, visit, store, runner):
    headers = token()
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).status_code in (200, 201)
    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    anchor = PdfReader(io.BytesIO(pdf)).metadata[ANCHOR_KEY]
    count, _, link = anchor.partition(":")
    row = list(store.db.query("SELECT id, hash FROM audit_log WHERE id = ?", [int(count)]))[0]
    assert row["hash"] == link  # the head when the seal was made, signed with the document
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    # Someone with the database and the instance folder cuts the trail back to before the
    # seal and rewrites the anchor file to match: the sealed minutes still know.
    db = store.db
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute("DELETE FROM audit_log WHERE id >= ?", [int(count)])
    last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    db.execute("UPDATE audit_head SET entries = ?, hash = ? WHERE id = 1", [last[0], last[1]])
    seal = store.audit_seal
    first = seal.anchors.read_text().splitlines()[0]
    seal.anchors.write_text(first + "\n")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "biên bản đã ký" in result.output
