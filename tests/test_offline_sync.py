"""The server side of the tablet's offline outbox, through the test client: messages
applied at most once when delivered twice or out of order, photo uploads that break
and are sent again, visits made on the tablet (and the pages that let a tablet plan one
without network), compression and the installable app."""
from __future__ import annotations

import gzip
import io
import json
import uuid

import pytest

from survey_app.storage import visits as visits_sql

from .conftest import csrf_token, login
from .support import jpeg_bytes, seed_visit
from .test_visit_pages import field_version, seed_id


def mid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def tablet(login_as, store):
    """thuky signed in; post(messages) sends one batch as the outbox does."""
    client = login_as("thuky")
    visit_id = seed_id(store)
    headers = {"X-CSRFToken": csrf_token(client, f"/visits/{visit_id}/capture")}

    def post(messages):
        response = client.post(f"/visits/{visit_id}/changes", json={"messages": messages}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return {r["id"]: r for r in response.get_json()["results"]}
    return client, headers, visit_id, post


def items_of(store, visit_id, kind):
    """Every row of that kind, deleted ones too: a duplicate row of any state counts (a storage check)."""
    return [row for row in store.db.execute(
        "SELECT uid, data, deleted FROM visit_items WHERE visit_id = ? AND kind = ?", [visit_id, kind]).fetchall()]


def test_the_same_batch_twice_applies_once(tablet, store):
    _, _, visit_id, post = tablet
    item = mid()
    version = field_version(store, visit_id, "conclusion.text")
    batch = [{"id": mid(), "target": "difficulty", "op": "add", "item": item, "value": {"text": "Mạng yếu"}},
             {"id": mid(), "target": "conclusion.text", "op": "set", "value": "Kết luận A", "base_version": version}]
    first = post(batch)
    again = post(batch)  # the answer was lost on the way: the outbox sends the batch again
    assert all(r["status"] == 200 for r in first.values())
    assert all(r["status"] == 200 and r["repeated"] for r in again.values())
    assert [r["version"] for r in again.values()] == [r["version"] for r in first.values()]
    assert [row[0] for row in items_of(store, visit_id, "difficulty")].count(item) == 1
    assert field_version(store, visit_id, "conclusion.text") == version + 1


def test_repeats_in_another_order_change_nothing(tablet, store):
    _, _, visit_id, post = tablet
    item = mid()
    add = {"id": mid(), "target": "proposal", "op": "add", "item": item,
           "value": {"text": "Nâng cấp đường truyền", "addressee": "UBND tỉnh Gia Lai"}}
    edit = {"id": mid(), "target": "proposal", "op": "set", "item": item,
            "value": {"text": "Nâng cấp đường truyền Internet", "addressee": "UBND tỉnh Gia Lai"},
            "base_version": 1}
    post([add, edit])
    results = post([edit, add])
    assert results[edit["id"]]["repeated"] and results[add["id"]]["repeated"]
    rows = [row for row in items_of(store, visit_id, "proposal") if row[0] == item]
    assert len(rows) == 1 and json.loads(rows[0][1])["text"] == "Nâng cấp đường truyền Internet"
    assert visits_sql.get_item(store.db, item)["version"] == 2


def test_a_set_before_its_add_is_refused_and_can_be_sent_later(tablet, store):
    _, _, visit_id, post = tablet
    item = mid()
    edit = {"id": mid(), "target": "difficulty", "op": "set", "item": item, "value": {"text": "Sau"},
            "base_version": 1}
    early = post([edit])[edit["id"]]
    assert early["status"] == 404 and early["field"] == "item"  # not recorded: the same id may come again
    add = {"id": mid(), "target": "difficulty", "op": "add", "item": item, "value": {"text": "Trước"}}
    results = post([add, edit])
    assert results[add["id"]]["status"] == 200 and results[edit["id"]]["status"] == 200
    assert not results[edit["id"]].get("repeated")
    assert visits_sql.get_item(store.db, item)["data"]["text"] == "Sau"


def test_same_field_conflicts_other_fields_merge(tablet, store):
    _, _, visit_id, post = tablet
    base = field_version(store, visit_id, "report.summary")
    other = field_version(store, visit_id, "conclusion.by")
    mine = {"id": mid(), "target": "report.summary", "op": "set", "value": "Bản của máy tính bảng", "base_version": base}
    theirs = {"id": mid(), "target": "report.summary", "op": "set", "value": "Bản của thư ký", "base_version": base}
    merged = {"id": mid(), "target": "conclusion.by", "op": "set", "value": "Đinh Ly An", "base_version": other}
    post([theirs])
    results = post([mine, merged])
    conflict = results[mine["id"]]
    assert conflict["status"] == 409 and conflict["conflict"]
    assert conflict["server_value"] == "Bản của thư ký" and conflict["your_value"] == "Bản của máy tính bảng"
    assert conflict["server_version"] == base + 1
    assert results[merged["id"]]["status"] == 200  # a different field: no question asked
    assert post([mine])[mine["id"]]["status"] == 409  # a repeat answers the first result
    choose = {**mine, "id": mid(), "base_version": conflict["server_version"]}  # "keep mine"
    assert post([choose])[choose["id"]]["status"] == 200
    assert visits_sql.get_field(store.db, visit_id, "report.summary")["value"] == "Bản của máy tính bảng"


def test_a_broken_photo_upload_leaves_nothing_and_a_resend_stores_it_once(tablet, store, app):
    client, headers, visit_id, _ = tablet
    photos = app.extensions["survey_files"] / "photos"
    before = sorted(p.name for p in photos.rglob("*") if p.is_file())
    item, data = mid(), jpeg_bytes((640, 480), (20, 120, 60), quality=90)

    def upload(payload):
        return client.post(f"/visits/{visit_id}/photos", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(payload), "a.jpg"), "item": item, "caption": "Quầy"})
    broken = upload(data[: len(data) // 2])
    assert broken.status_code == 400
    assert visits_sql.get_item(store.db, item) is None
    assert sorted(p.name for p in photos.rglob("*") if p.is_file()) == before  # no half file
    first, again = upload(data), upload(data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["item"] == again.get_json()["item"] == item
    after = [p for p in photos.rglob("*") if p.is_file() and p.name not in before]
    assert len(after) == 1 and not any(p.name.startswith(".tmp") for p in photos.rglob("*"))
    assert client.get(first.get_json()["url"]).data == after[0].read_bytes()


def test_a_visit_made_on_the_tablet_is_created_once(tablet, store):
    client, headers, _, _ = tablet
    made = {"uuid": mid(), "delegation": seed_visit(store)["delegation_id"], "unit": "UBND xã Ia Hrú", "form": "ttpvhcc-xa",
            "started_at": "2025-10-20T08:00:00+07:00", "place": "Trụ sở xã"}
    first = client.post("/visits/from-device", json=made, headers=headers)
    again = client.post("/visits/from-device", json=made, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["url"] == f"/visits/{first.get_json()['id']}/capture"
    bad = client.post("/visits/from-device", json={"uuid": "x"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "uuid"


def test_pages_scripts_and_json_are_gzipped(tablet):
    client, _, visit_id, _ = tablet
    for path in (f"/visits/{visit_id}/capture", "/static/css/capture.css", "/static/js/capture.js",
                 "/vendor/idb-keyval.js"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data, path
        assert len(packed.data) < len(plain.data) / 2, path
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers


def test_the_installable_app_is_served_from_the_root(client, login_as):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/" and "no-cache" in worker.headers["Cache-Control"]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["scope"] == "/" and manifest.get_json()["icons"]
    assert client.get("/offline/token").status_code == 302  # a token only for a signed-in user
    assert login_as("thuky").get("/offline/token").get_json()["csrf"]


def signed_in(app, username):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert login(client, username).status_code == 302
    return client


@pytest.mark.parametrize("username, status", [("thuky", 200), ("truongdoan", 200), ("admin", 200),
                                              ("thanhvien", 403), ("xahra", 403), ("xem", 403)])
def test_the_blank_capture_page_of_a_form_is_for_those_who_plan_visits(app, demo, username, status):
    response = signed_in(app, username).get("/visits/blank/ttpvhcc-xa/capture")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert 'data-blank="ttpvhcc-xa"' in html and 'data-visit=""' in html
        assert "/static/js/capture-local.js" in html and "/static/js/capture.js" not in html
        assert 'data-field="report.summary"' in html and 'id="item-network_stable"' in html
        assert "Chưa đồng bộ" in html and "/changes" not in html  # no server visit behind it


def test_the_blank_capture_page_of_an_unknown_form_is_404(login_as):
    assert login_as("thuky").get("/visits/blank/no-such-form/capture").status_code == 404
    assert login_as("thuky").get("/visits/blank/ttpvhcc-xa/overview").status_code == 404


def test_the_blank_capture_page_needs_a_signed_in_user(client, demo):
    response = client.get("/visits/blank/ttpvhcc-xa/capture")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_local_address_of_a_synced_visit_leads_to_its_page(tablet, app, store):
    client, headers, _, _ = tablet
    made = {"uuid": mid(), "delegation": seed_visit(store)["delegation_id"], "unit": "UBND xã Hra", "form": "ttpvhcc-xa",
            "started_at": "2025-10-24T08:00:00+07:00"}
    assert client.get(f"/visits/local/{made['uuid']}/capture").status_code == 404  # not synced yet
    visit_id = client.post("/visits/from-device", json=made, headers=headers).get_json()["id"]
    response = client.get(f"/visits/local/{made['uuid']}/capture")
    assert response.status_code == 302 and response.headers["Location"] == f"/visits/{visit_id}/capture"
    assert signed_in(app, "xaiahru").get(f"/visits/local/{made['uuid']}/capture").status_code == 404


def test_the_plan_page_answers_its_script_with_json(login_as):
    client = login_as("thuky")
    form = {"csrf_token": csrf_token(client, "/visits/new"), "delegation": "1", "unit": "UBND xã Hra",
            "started_at": "2025-10-25T08:00", "form": "ttpvhcc-xa"}
    answer = client.post("/visits/new", data=form, headers={"Accept": "application/json, text/html;q=0.9"})
    assert answer.status_code == 200 and answer.get_json()["url"] == f"/visits/{answer.get_json()['id']}/capture"
    plain = client.post("/visits/new", data=form)
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/capture")
    errors = client.post("/visits/new", data={**form, "unit": ""}, headers={"Accept": "application/json, text/html;q=0.9"})
    assert errors.status_code == 400 and errors.mimetype == "text/html"  # plan.js shows the page's errors


def test_the_worker_keeps_the_plan_page_and_serves_local_visits(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    for name in ("plan.js", "capture-local.js", "visits-local.js"):
        assert f"/static/js/{name}" in worker
        assert client.get(f"/static/js/{name}").status_code == 200
    assert "visits(\\/new)?$" in worker and "visits\\/local\\/" in worker
