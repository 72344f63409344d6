"""Visit pages: list and search, planning, the capture page with autosave and photos
through the page routes (session + CSRF header), and the overview."""
from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from survey_app.clock import now_utc
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import image_bytes, seed_visit

SEED_UNIT = "UBND xã Hra"


def seed_id(store) -> int:
    return seed_visit(store)["id"]


def jpeg(size=(40, 30), fmt="JPEG", exif=None) -> bytes:
    return image_bytes(fmt, size, (200, 30, 30), **({"exif": exif} if exif else {}))


@pytest.fixture
def editor(login_as, store):
    """thuky signed in, with the CSRF header for the page's JSON routes."""
    client = login_as("thuky")
    token = csrf_token(client, f"/visits/{seed_id(store)}/capture")
    return client, {"X-CSRFToken": token}


def field_version(store, visit_id, path) -> int:
    found = visits_sql.get_field(store.db, visit_id, path)
    return found["version"] if found else 0


# ----------------------------------------------------------------- list and search

def listed(client, store, query="") -> bool:
    page = client.get("/visits" + query).get_data(as_text=True)
    return f'href="/visits/{seed_id(store)}"' in page


def test_list_and_search_with_diacritics_and_filters(login_as, store, unit_id):
    client = login_as("thuky")
    page = client.get("/visits").get_data(as_text=True)
    assert "Buổi khảo sát" in page and listed(client, store)
    for q in ("Pháp chế", "phap che", "PHÁP CHẾ", "hành chính công", "Hra", "Đinh Ly"):
        assert listed(client, store, "?q=" + q), q
    assert not listed(client, store, "?q=khôngcótừnày")
    assert not listed(client, store, "?date_from=2025-10-14")
    assert listed(client, store, "?date_from=2025-10-13&date_to=2025-10-13&status=in_progress")
    assert not listed(client, store, "?status=signed")
    delegation = seed_visit(store)["delegation_id"]
    assert listed(client, store, f"?delegation={delegation}&unit={unit_id(SEED_UNIT)}")
    assert not listed(client, store, f"?unit={unit_id('UBND xã Ia Hrú')}")


def test_search_follows_each_change_and_every_term_may_be_in_another_part(editor, store):
    """An autosaved item is found at once, together with a word of the unit's name (the
    visit's own part of the index); a changed field no longer matches its old text; a
    deleted item is no longer found."""
    client, headers = editor
    visit_id = seed_id(store)
    uid = str(uuid.uuid4())

    def change(**message) -> dict:
        response = client.post(f"/visits/{visit_id}/changes", headers=headers,
                               json={"id": str(uuid.uuid4()), **message})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert not listed(client, store, "?q=Thủy điện")
    added = change(target="difficulty", op="add", item=uid, value={"text": "Thủy điện cắt điện luân phiên"})
    assert listed(client, store, "?q=thuy luan phien") and listed(client, store, "?q=Hra luân phiên")
    assert not listed(client, store, "?q=Hra luân phiên khôngcótừnày")
    base = field_version(store, visit_id, "report.summary")
    change(target="report.summary", op="set", value="Báo cáo về bưu chính", base_version=base)
    assert listed(client, store, "?q=bưu chính")
    change(target="report.summary", op="set", value="Báo cáo đã sửa", base_version=base + 1)
    assert not listed(client, store, "?q=bưu chính") and listed(client, store, "?q=đã sửa")
    change(target="difficulty", op="delete", item=uid, base_version=added["version"])
    assert not listed(client, store, "?q=luân phiên")
    # The search index is storage's own table: read directly, as a storage test.
    parts = store.db.execute("SELECT count(*) FROM visit_search WHERE visit_id = ?", [visit_id]).fetchone()[0]
    live = store.db.execute("SELECT count(*) FROM visit_items WHERE visit_id = ? AND deleted = 0",
                            [visit_id]).fetchone()[0]
    assert parts == live + 1  # the visit's own part and one per item still there


def test_the_search_migration_indexes_what_was_there(tmp_path):
    """m007 rebuilds the index from the visits and items written before it."""
    # A migration test: raw SQL against the schema on purpose.
    import sqlite_utils

    from survey_app.demo import load_demo
    from survey_app.storage.migrations import migrations

    from .conftest import make_app
    app = make_app(tmp_path)
    store = app.extensions["survey_store"]
    load_demo(store, app.extensions["survey_forms"], app.extensions["survey_files"] / "photos")
    before = {row[0] for row in store.db.execute(
        "SELECT visit_id FROM visit_search WHERE visit_search MATCH '\"phap\"* \"che\"*'")}
    expected = store.db.execute("SELECT count(*) FROM visit_items WHERE deleted = 0").fetchone()[0] + \
        store.db.execute("SELECT count(*) FROM visits").fetchone()[0]
    db = sqlite_utils.Database(store.path)
    db.execute("DROP TABLE visit_search")  # as before m007: ask for it again
    db.execute("CREATE VIRTUAL TABLE visit_search USING fts5(visit_id UNINDEXED, content)")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_search_parts'")
    for trigger in [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                             "AND name LIKE 'visit_search_%'")]:
        db.execute(f"DROP TRIGGER {trigger}")
    db.conn.commit()
    migrations.apply(db)
    assert db.execute("SELECT count(*) FROM visit_search").fetchone()[0] == expected
    after = {row[0] for row in db.execute(
        "SELECT visit_id FROM visit_search WHERE visit_search MATCH '\"phap\"* \"che\"*'")}
    assert after == before and after


@pytest.mark.parametrize("q", ['"', "AND", "(*", "NEAR(", "a OR", "-x", "'; DROP", "^"])
def test_fts_syntax_in_user_text_never_fails(login_as, q):
    assert login_as("xem").get("/visits", query_string={"q": q}).status_code == 200


def test_a_host_sees_only_their_unit(login_as, client, store, unit_id):
    assert listed(login_as("xahra"), store)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("xaiahru")
    assert not listed(client, store) and not listed(client, store, f"?unit={unit_id(SEED_UNIT)}")
    assert client.get(f"/visits/{seed_id(store)}").status_code == 404


# ----------------------------------------------------------------- planning

def plan_data(client, **changes):
    data = {"csrf_token": csrf_token(client, "/visits/new"), "delegation": "1", "unit": "UBND xã Ia Hrú",
            "place": "Trung tâm Phục vụ hành chính công xã Ia Hrú", "locality": "xã Ia Hrú",
            "started_at": "2025-11-03T08:30", "form": "ttpvhcc-xa"}
    return {**data, **changes}


def test_planning_a_visit_stores_vietnam_time(login_as, store):
    client = login_as("thuky")
    response = client.post("/visits/new", data=plan_data(client))
    assert response.status_code == 302 and response.location.endswith("/capture")
    visit_id = int(response.location.split("/")[-2])
    visit = visits_sql.get_visit(store.db, visit_id)
    assert visit["started_at"] == "2025-11-03T08:30:00+07:00" and visit["status"] == "planned"
    assert visit["unit_name"] == "UBND xã Ia Hrú"


@pytest.mark.parametrize("changes", [{"started_at": "13/10/2025"}, {"form": "khong-co"}, {"unit": ""}])
def test_planning_refuses_bad_input(login_as, changes):
    client = login_as("thuky")
    response = client.post("/visits/new", data=plan_data(client, **changes))
    assert response.status_code == 400
    assert "error-text" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["xahra", "xem", "thanhvien"])
def test_planning_is_forbidden_to_other_roles(login_as, username):
    client = login_as(username)
    assert client.get("/visits/new").status_code == 403
    assert client.post("/visits/new", data={}).status_code in (400, 403)


# ----------------------------------------------------------------- capture page

def test_capture_page_has_every_section_in_order_and_the_form(login_as, store):
    page = login_as("thuky").get(f"/visits/{seed_id(store)}/capture").get_data(as_text=True)
    headings = ["Thành phần tham dự", "Thời gian", "Báo cáo của đơn vị", "Nội dung khảo sát", "Khó khăn",
                "Đề xuất của đơn vị", "Ý kiến thành viên", "Kết luận", "Kiến nghị", "<h2>Ảnh"]
    positions = [page.index(h, page.index('class="sections"')) for h in headings]
    assert positions == sorted(positions)
    for text in ("premises_adequate", "portal_performance", "Chậm vào giờ cao điểm", "Một phần",
                 'data-field="indicators.dossiers_received"', 'data-computed="online_rate_pct"', "85,3%",
                 'capture="environment"', 'data-field="checklist.premises_adequate.note"', "Đinh Ly An"):
        assert text in page, text
    assert "<script>" not in page and "style=" not in page and " onclick" not in page


def test_frozen_visit_renders_read_only(login_as, store):
    visit_id = seed_id(store)
    store.write(visits_sql.touch_visit, visit_id, now_utc(), status="minutes_final")
    page = login_as("thuky").get(f"/visits/{visit_id}/capture").get_data(as_text=True)
    assert "data-readonly" in page and 'data-action="add"' not in page and "disabled" in page


def test_autosave_through_the_page_route_needs_the_csrf_header(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    message = {"id": str(uuid.uuid4()), "target": "indicators.dossiers_resolved", "op": "set", "value": 400,
               "base_version": field_version(store, visit_id, "indicators.dossiers_resolved")}
    assert client.post(f"/visits/{visit_id}/changes", json=message).status_code == 400
    response = client.post(f"/visits/{visit_id}/changes", json=message, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["computed"]["online_rate_pct"] == 85.3 and len(body["warnings"]) == 1
    batch = {"messages": [{"id": str(uuid.uuid4()), "target": "difficulty", "op": "add",
                           "item": str(uuid.uuid4()), "value": {"text": "Mạng chậm"}}]}
    results = client.post(f"/visits/{visit_id}/changes", json=batch, headers=headers).get_json()["results"]
    assert results[0]["status"] == 200


def test_conflict_through_the_page_route(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    base = field_version(store, visit_id, "report.summary")
    first = {"id": str(uuid.uuid4()), "target": "report.summary", "op": "set", "value": "Bản A", "base_version": base}
    assert client.post(f"/visits/{visit_id}/changes", json=first, headers=headers).status_code == 200
    stale = {**first, "id": str(uuid.uuid4()), "value": "Bản B"}
    response = client.post(f"/visits/{visit_id}/changes", json=stale, headers=headers)
    assert response.status_code == 409
    body = response.get_json()
    assert body["server_value"] == "Bản A" and body["your_value"] == "Bản B"
    keep = {**stale, "id": str(uuid.uuid4()), "base_version": body["server_version"]}
    assert client.post(f"/visits/{visit_id}/changes", json=keep, headers=headers).status_code == 200


def test_frozen_visit_refuses_changes_as_json(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    store.write(visits_sql.touch_visit, visit_id, now_utc(), status="signed")
    message = {"id": str(uuid.uuid4()), "target": "report.summary", "value": "x", "base_version": 1}
    response = client.post(f"/visits/{visit_id}/changes", json=message, headers=headers)
    assert response.status_code == 409 and "đã được thông qua" in response.get_json()["error"]


# ----------------------------------------------------------------- photos

def upload(client, headers, visit_id, data, name="anh.jpg", **fields):
    form = {"file": (io.BytesIO(data), name), "caption": "Quầy tiếp nhận", "credit": "R'Piên",
            "item": fields.pop("item", str(uuid.uuid4())), **fields}
    return client.post(f"/visits/{visit_id}/photos", data=form, headers=headers,
                       content_type="multipart/form-data")


def photo_count(store, visit_id) -> int:
    return len(store.read(visits_sql.items_of, visit_id, "photo"))


def test_photo_upload_is_idempotent_and_served(editor, store, client):
    client, headers = editor
    visit_id = seed_id(store)
    before = photo_count(store, visit_id)
    item = str(uuid.uuid4())
    first = upload(client, headers, visit_id, jpeg(), item=item)
    assert first.status_code == 201, first.get_json()
    again = upload(client, headers, visit_id, jpeg(), item=item)
    assert again.status_code == 200 and again.get_json()["item"] == item
    assert photo_count(store, visit_id) == before + 1
    served = client.get(first.get_json()["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "Quầy tiếp nhận" in client.get(f"/visits/{visit_id}").get_data(as_text=True)


def test_png_with_exif_rotation_is_turned_upright(editor, store):
    client, headers = editor
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90°
    response = upload(client, headers, seed_id(store), jpeg((60, 20), "PNG", exif.tobytes()), name="a.png")
    assert response.status_code == 201, response.get_json()
    sha = response.get_json()["value"]["sha256"]
    stored = visits_sql.get_photo(store.db, sha)
    assert (stored["width"], stored["height"]) == (20, 60) and stored["content_type"] == "image/jpeg"


def test_not_an_image_or_too_big_is_refused_and_nothing_stored(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    before = photo_count(store, visit_id)
    text = upload(client, headers, visit_id, "không phải ảnh".encode(), name="anh.jpg")
    assert text.status_code == 400 and "không phải là ảnh" in text.get_json()["error"]
    big = upload(client, headers, visit_id, b"\xff\xd8" + b"0" * (16 * 1024 * 1024))
    assert big.status_code in (400, 413) and "quá lớn" in big.get_json()["error"]
    assert photo_count(store, visit_id) == before


def test_photo_answers_a_photo_checklist_item(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    response = upload(client, headers, visit_id, jpeg(), checklist_item="premises_photo")
    assert response.status_code == 201, response.get_json()
    field = visits_sql.get_field(store.db, visit_id, "checklist.premises_photo.value")
    assert field["value"] == response.get_json()["item"] == response.get_json()["field"]["value"]
    assert upload(client, headers, visit_id, jpeg(), checklist_item="premises_adequate").status_code == 400


def test_photo_is_served_only_to_allowed_users(editor, store, client):
    client, headers = editor
    visit_id = seed_id(store)
    url = upload(client, headers, visit_id, jpeg()).get_json()["url"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    from .conftest import login
    login(client, "xaiahru")
    assert client.get(url).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "xahra")
    assert client.get(url).status_code == 200


# ----------------------------------------------------------------- overview

def test_overview_of_the_seed(login_as, store):
    page = login_as("thuky").get(f"/visits/{seed_id(store)}").get_data(as_text=True)
    for text in ("509", "434", "88,2", "85,3%", "Đinh Ly An", "UBND tỉnh Gia Lai", "30/06/2026",
                 "mặc định", "Nhập thông tin buổi khảo sát", "Khảo sát hoạt động của Trung tâm Phục vụ hành chính công cấp xã",
                 "R&#39;Piên", "Mức độ đầy đủ"):
        assert text in page, text
    assert "Số liệu chưa khớp" not in page and "warning-box" not in page


def test_overview_shows_the_warning_of_broken_figures(editor, store):
    client, headers = editor
    visit_id = seed_id(store)
    message = {"id": str(uuid.uuid4()), "target": "indicators.dossiers_resolved", "op": "set", "value": 400,
               "base_version": field_version(store, visit_id, "indicators.dossiers_resolved")}
    client.post(f"/visits/{visit_id}/changes", json=message, headers=headers)
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert "Số hồ sơ tiếp nhận không bằng tổng số hồ sơ đã giải quyết và đang giải quyết." in page


def test_completeness_lists_missing_required_items(login_as, store):
    page = login_as("thuky").get(f"/visits/{seed_id(store)}").get_data(as_text=True)
    panel = page[page.index('id="completeness"'):page.index("Thành phần tham dự")]
    assert "Trụ sở, diện tích của Trung tâm đáp ứng yêu cầu" in panel
    assert "Mức độ phối hợp giữa Trung tâm" in panel
    assert "Số quầy tiếp nhận" not in panel  # not required
