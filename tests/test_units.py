"""The units directory (issue 12, items 2 and 7): names compared after NFC and
Vietnamese case folding and searched without diacritics, the API's contract (DESIGN.md
"Additions of 2026-11-29"), the admin pages (create, rename, merge), the bulk import
with its dry run and every bad file of the issue, and the migration that rebuilt the
table keeping its ids. Real SQLite files, the real app, the real CLI."""
from __future__ import annotations

import codecs
import io
import json
import sqlite3
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from survey_app.demo import HOST_UNIT, OTHER_UNIT
from survey_app.domain.directory import unit_import
from survey_app.storage import units as units_sql
from survey_app.storage.db import connect
from survey_app.storage import migrations as _registered  # noqa: F401  (every migration registered)
from survey_app.storage.schema import apply_migrations, migrations
from survey_app.text import fold, search_key

from .conftest import csrf_token, make_app
from .support import api_headers

DATA = Path(__file__).parent / "data" / "units"
GIA_LAI = DATA / "gia_lai_135.csv"
PROVINCE = {"name": "UBND tỉnh Gia Lai", "kind": "ubnd_tinh", "locality": "tỉnh Gia Lai"}


def count(store, table="units", where="1") -> int:
    return store.db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


@pytest.fixture
def empty(tmp_path):
    """A new council's instance: no demo, one administrator (made by the CLI)."""
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "--username", "quantri", "--password", "mat-khau-2025",
                               "--role", "admin"])
    assert made.exit_code == 0, made.output
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    yield app, client, runner, api_headers(runner, "quantri")
    app.extensions["survey_store"].close()


# ----------------------------------------------------------------- folding

def test_names_fold_alike_and_search_without_diacritics():
    assert fold("UBND xã Hra") == fold("ubnd  XÃ hra") == fold("UBND xa\u0303 Hra")  # NFD typed
    assert fold("UBND xã Hra") != fold("UBND xa Hra")  # diacritics still tell names apart
    assert search_key("UBND xã Ia Hrú") == search_key("ubnd xa ia hru")
    assert search_key("Đak Pơ") == "dak po"


def test_delegations_use_the_same_fold():
    from survey_app.domain.directory import delegations
    assert delegations.fold is fold


# ----------------------------------------------------------------- API

def test_create_list_and_duplicate_through_the_api(client, store, token):
    admin = token("admin")
    created = client.post("/api/v1/units", json={"name": "Trung tâm Y tế xã Ia Le", "kind": "trung_tam",
                                                 "locality": "xã Ia Le"}, headers=admin)
    assert created.status_code == 201, created.get_data(as_text=True)
    new_id = created.get_json()["id"]
    found = client.get("/api/v1/units?q=trung tam y te", headers=token("thuky")).get_json()
    assert found["units"] == [{"id": new_id, "name": "Trung tâm Y tế xã Ia Le", "kind": "trung_tam",
                               "locality": "xã Ia Le", "parent_id": None}]
    assert found["page"] == 1 and found["has_next"] is False
    before = count(store), count(store, "audit_log")
    again = client.post("/api/v1/units", json={"name": "trung tâm Y TẾ  xã ia le", "kind": "trung_tam",
                                               "locality": "XÃ Ia Le"}, headers=admin)
    assert again.status_code == 409
    answer = again.get_json()
    assert answer["field"] == "name" and answer["id"] == new_id and "Trung tâm Y tế xã Ia Le" in answer["error"]
    assert (count(store), count(store, "audit_log")) == before
    # the same name in another locality is another unit
    other = client.post("/api/v1/units", json={"name": "Trung tâm Y tế xã Ia Le", "kind": "trung_tam",
                                               "locality": "tỉnh Kon Tum"}, headers=admin)
    assert other.status_code == 201


def test_demo_names_collide_after_folding(client, token, unit_id):
    answer = client.post("/api/v1/units", json={"name": "ubnd XÃ hra", "kind": "", "locality": "xã Hra"},
                         headers=token("admin"))
    assert answer.status_code == 409 and answer.get_json()["id"] == unit_id(HOST_UNIT)


@pytest.mark.parametrize("body, field", [({"kind": "ubnd_xa"}, "name"), ({"name": "  ", "kind": ""}, "name"),
                                         ({"name": "X", "kind": "bộ"}, "kind"), ({"name": "X", "colour": 1}, "colour"),
                                         ({"name": "X" * 301}, "name"), ({"name": "X", "parent_id": 999999}, "parent_id")])
def test_bad_input_is_refused_naming_the_field(client, store, token, body, field):
    before = count(store)
    answer = client.post("/api/v1/units", json=body, headers=token("admin"))
    assert answer.status_code in (400, 404) and answer.get_json()["field"] == field
    assert count(store) == before


@pytest.mark.parametrize("username", ["thuky", "truongdoan", "thanhvien", "xahra", "xem"])
def test_only_admins_create(client, store, token, username):
    before = count(store)
    answer = client.post("/api/v1/units", json={"name": "UBND xã Mới", "kind": "ubnd_xa"}, headers=token(username))
    assert answer.status_code == 403 and count(store) == before


def test_a_host_lists_only_their_own_unit(client, token):
    units = client.get("/api/v1/units", headers=token("xahra")).get_json()["units"]
    assert [u["name"] for u in units] == [HOST_UNIT]
    assert client.get("/api/v1/units?q=ia hru", headers=token("xahra")).get_json()["units"] == []
    everyone = {u["name"] for u in client.get("/api/v1/units", headers=token("xem")).get_json()["units"]}
    assert {HOST_UNIT, OTHER_UNIT} <= everyone


def test_the_list_is_paginated(empty):
    app, client, runner, admin = empty
    for n in range(53):
        assert client.post("/api/v1/units", json={"name": f"UBND xã Thử {n:02d}", "kind": "ubnd_xa"},
                           headers=admin).status_code == 201
    first = client.get("/api/v1/units?q=thu", headers=admin).get_json()
    second = client.get("/api/v1/units?q=thu&page=2", headers=admin).get_json()
    assert len(first["units"]) == 50 and first["has_next"] and len(second["units"]) == 3 and not second["has_next"]
    assert {u["id"] for u in first["units"]}.isdisjoint(u["id"] for u in second["units"])
    assert client.get("/api/v1/units?page=x", headers=admin).status_code == 400


# ----------------------------------------------------------------- pages: rename, merge

def test_admin_pages_create_rename_and_search(login_as, store):
    client = login_as("admin")
    token = csrf_token(client, "/units/new")
    made = client.post("/units/new", data={"csrf_token": token, "name": "Sở Nội vụ", "kind": "so",
                                           "locality": "tỉnh Gia Lai", "parent_name": "", "parent_id": ""})
    assert made.status_code == 302
    unit = store.read(units_sql.get_unit_by_name, "sở nội vụ")
    assert unit["kind"] == "so"
    page = client.get("/units/?q=so noi vu").get_data(as_text=True)
    assert "Sở Nội vụ" in page and HOST_UNIT not in page
    twice = client.post("/units/new", data={"csrf_token": token, "name": "SỞ NỘI VỤ", "kind": "so",
                                            "locality": "Tỉnh Gia Lai"})
    assert twice.status_code == 400 and "đã có trong danh mục" in twice.get_data(as_text=True)
    renamed = client.post(f"/units/{unit['id']}/edit", data={"csrf_token": token, "name": "Sở Nội vụ tỉnh Gia Lai",
                                                             "kind": "so", "locality": "tỉnh Gia Lai",
                                                             "parent_name": "UBND xã Hra"})
    assert renamed.status_code == 302
    after = store.read(units_sql.get_unit, unit["id"])
    assert after["name"] == "Sở Nội vụ tỉnh Gia Lai" and after["parent_id"] == store.read(
        units_sql.get_unit_by_name, HOST_UNIT)["id"]  # the parent typed without script, matched
    entry = json.loads(store.db.execute("SELECT detail FROM audit_log WHERE action = 'unit.update'").fetchone()[0])
    assert entry["before"]["name"] == "Sở Nội vụ" and entry["after"]["name"] == "Sở Nội vụ tỉnh Gia Lai"
    assert login_as("thuky").get("/units/").status_code == 403


def test_merge_moves_visits_recommendations_and_hosts(login_as, store, unit_id, runner):
    hra, other = unit_id(HOST_UNIT), unit_id(OTHER_UNIT)
    duplicate = store.write(units_sql.insert_unit, name="UBND xã Hra (cũ)", locality="xã Hra", kind="ubnd_xa")
    store.write(lambda db: db.execute("UPDATE visits SET unit_id = ? WHERE unit_id = ?", [duplicate, hra]))
    store.write(lambda db: db.execute("UPDATE recommendations SET unit_id = ? WHERE unit_id = ?", [duplicate, hra]))
    store.write(lambda db: db.execute("UPDATE users SET unit_id = ? WHERE unit_id = ?", [duplicate, hra]))
    moved = {t: count(store, t, f"unit_id = {duplicate}") for t in ("visits", "recommendations", "users")}
    assert moved["visits"] >= 1 and moved["recommendations"] >= 1 and moved["users"] == 1
    client = login_as("admin")
    token = csrf_token(client, f"/units/{duplicate}/edit")
    assert client.post(f"/units/{duplicate}/merge", data={"csrf_token": token, "into": str(duplicate)}).status_code == 400
    answer = client.post(f"/units/{duplicate}/merge", data={"csrf_token": token, "into": "", "into_name": "ubnd XÃ hra"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    for table, n in moved.items():
        assert count(store, table, f"unit_id = {duplicate}") == 0
        assert count(store, table, f"unit_id = {hra}") >= n
    assert store.read(units_sql.get_unit, duplicate)["merged_into"] == hra
    listed = client.get("/units/?q=hra").get_data(as_text=True)  # (after the flash of the merge)
    assert ">UBND xã Hra (cũ)</a>" not in listed and f">{HOST_UNIT}</a>" in listed
    assert client.get("/units/search?q=cu").get_json()["units"] == []
    entry = json.loads(store.db.execute("SELECT detail FROM audit_log WHERE action = 'unit.merge'").fetchone()[0])
    assert entry["before"]["name"] == "UBND xã Hra (cũ)" and entry["into"]["id"] == hra
    assert entry["moved"]["visits"] == moved["visits"]
    # a unit merged away cannot be merged or edited again; the old name leads to the target
    assert client.post(f"/units/{duplicate}/merge", data={"csrf_token": token, "into": str(other)}).status_code == 404
    assert store.read(units_sql.get_unit_by_name, "UBND xã Hra (cũ)")["id"] == hra
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # the host account moved with its unit: it sees the visits, and its unit is the target
    host = login_as("xahra")
    assert [u["id"] for u in host.get("/units/search?q=").get_json()["units"]] == [hra]


def test_the_picker_search_is_short_and_scoped(login_as, store):
    store.write(lambda db: [units_sql.insert_unit(db, name=f"UBND xã Kim {n}", locality="tỉnh A")
                            for n in range(30)])
    found = login_as("admin").get("/units/search?q=kim").get_json()["units"]
    assert len(found) == 20 and all("Kim" in u["name"] for u in found)
    assert set(found[0]) == {"id", "name", "locality"}


# ----------------------------------------------------------------- import

def test_gia_lai_list_dry_run_then_import(empty):
    app, client, runner, admin = empty
    store = app.extensions["survey_store"]
    dry = runner.invoke(args=["unit", "import", str(GIA_LAI), "--dry-run"])
    assert dry.exit_code == 2 and dry.output.count("cột don_vi_cap_tren") == 135  # no province yet
    assert count(store) == 0
    province = client.post("/api/v1/units", json=PROVINCE, headers=admin).get_json()["id"]
    dry = runner.invoke(args=["unit", "import", str(GIA_LAI), "--dry-run"])
    assert dry.exit_code == 0 and "135 tạo mới, 0 đã có, 0 bị từ chối" in dry.output
    assert "dòng 2: tạo 'UBND phường Quy Nhơn' (tỉnh Gia Lai)" in dry.output and count(store) == 1
    done = runner.invoke(args=["unit", "import", str(GIA_LAI)])
    assert done.exit_code == 0, done.output
    assert count(store) == 136 and count(store, where=f"parent_id = {province}") == 135
    assert count(store, where="kind = 'ubnd_phuong'") == 25 and count(store, where="kind = 'ubnd_xa'") == 110
    again = runner.invoke(args=["unit", "import", str(GIA_LAI)])
    assert again.exit_code == 0 and "0 tạo mới, 135 đã có" in again.output and count(store) == 136
    found = client.get("/api/v1/units?q=ia hru", headers=admin).get_json()["units"]
    assert [u["name"] for u in found] == ["UBND xã Ia Hrú", "UBND xã Ia Hrung"]  # the whole word first


def _upload(client, name: str, data: bytes, apply: bool = False):
    token = csrf_token(client, "/units/import")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    form["apply" if apply else "dry_run"] = "1"
    return client.post("/units/import", data=form, content_type="multipart/form-data")


def test_import_page_shows_created_matched_and_refused(login_as, store):
    client = login_as("admin")
    text = ("\ufeffname,kind,locality,parent\n"  # the English header, a UTF-8 BOM as Excel writes it
            "ubnd XÃ hra,UBND xã,xã Hra,\n"
            "UBND xã Ia Le,xa,xã Ia Le,UBND xã Hra\n"
            "UBND xã Ia Le,UBND xã,xã Ia Le,\n"
            ",UBND xã,xã Trống,\n"
            "Sở Tài chính,bộ,tỉnh Gia Lai,\n")
    before = count(store), count(store, "audit_log")
    page = _upload(client, "don-vi.csv", text.encode()).get_data(as_text=True)
    assert "1 đơn vị sẽ được tạo, 1 đơn vị đã có, 3 dòng bị từ chối" in page
    assert "Trùng với dòng 3" in page and "Vui lòng nhập tên đơn vị" in page and "Loại đơn vị 'bộ' không có trong danh sách (UBND tỉnh, UBND xã" in page
    assert (count(store), count(store, "audit_log")) == before
    refused = _upload(client, "don-vi.csv", text.encode(), apply=True)
    assert refused.status_code == 400 and (count(store), count(store, "audit_log")) == before  # nothing half-imported
    good = "\n".join(text.split("\n")[:3]) + "\n"
    assert _upload(client, "don-vi.csv", good.encode(), apply=True).status_code == 302
    assert count(store) == before[0] + 1
    assert store.read(units_sql.get_unit_by_name, "UBND xã Ia Le")["kind"] == "ubnd_xa"


@pytest.mark.parametrize("name, data, words", [
    ("don-vi.csv", "ten_don_vi,loai,dia_ban\nUBND xã Hra,UBND xã,xã Hra\n".encode(), "thiếu cột don_vi_cap_tren"),
    ("don-vi.csv", "ten,loai,dia_ban,don_vi_cap_tren\n".encode(), "thiếu cột ten_don_vi"),
    ("don-vi.csv", unicodedata.normalize(  # Windows-1258 writes tones as combining marks
        "NFD", "ten_don_vi,loai,dia_ban,don_vi_cap_tren\nUBND xã Ia Hrú,UBND xã,,\n").encode("cp1258"),
     "CSV UTF-8"),
    ("don-vi.csv", codecs.BOM_UTF16_LE + "ten_don_vi,loai,dia_ban,don_vi_cap_tren\n".encode("utf-16-le"), "UTF-16"),
    ("don-vi.csv", "ten_don_vi\tloai\n".encode("utf-16-le"), "Lưu thành"),
    ("don-vi.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xlsx"),
    ("don-vi.xlsx", b"PK\x03\x04 not a zip", "không phải là bảng tính"),
])
def test_bad_files_are_refused_saying_what_to_do(login_as, store, name, data, words):
    client = login_as("admin")
    before = count(store), count(store, "audit_log")
    answer = _upload(client, name, data, apply=True)
    assert answer.status_code == 400 and words in answer.get_data(as_text=True)
    assert (count(store), count(store, "audit_log")) == before


def _rows(n: int) -> list[str]:
    return [f"UBND xã Số {i},UBND xã,tỉnh Thử," for i in range(n)]


def test_ten_thousand_rows_are_refused_with_the_limit_named(empty):
    app, client, runner, admin = empty
    store = app.extensions["survey_store"]
    csv_file = Path(app.instance_path) / "10000.csv"
    csv_file.write_text("\n".join(["ten_don_vi,loai,dia_ban,don_vi_cap_tren", *_rows(10_000)]), encoding="utf-8")
    answer = runner.invoke(args=["unit", "import", str(csv_file)])
    assert answer.exit_code == 2 and "hơn 5.000 dòng" in answer.output and count(store) == 0
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ten_don_vi", "loai", "dia_ban", "don_vi_cap_tren"])
    for i in range(10_000):
        sheet.append([f"UBND xã Số {i}", "UBND xã", "tỉnh Thử", None])
    xlsx_file = Path(app.instance_path) / "10000.xlsx"
    book.save(xlsx_file)
    answer = runner.invoke(args=["unit", "import", str(xlsx_file)])
    assert answer.exit_code == 2 and "hơn 5.000 dòng" in answer.output and count(store) == 0
    csv_file.write_text("\n".join(["ten_don_vi,loai,dia_ban,don_vi_cap_tren", *_rows(5_000)]), encoding="utf-8")
    assert runner.invoke(args=["unit", "import", str(csv_file)]).exit_code == 0 and count(store) == 5_000


def test_xlsx_import_with_parents_inside_the_file(empty):
    app, client, runner, admin = empty
    store = app.extensions["survey_store"]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Tên đơn vị (bỏ qua)"], [], ["name", "kind", "locality", "parent"],
                ["UBND xã Ia Pia", "ubnd_xa", "tỉnh Gia Lai", "UBND tỉnh Gia Lai"],
                ["UBND tỉnh Gia Lai", "UBND tỉnh", "tỉnh Gia Lai", None]):
        sheet.append(row)
    path = Path(app.instance_path) / "don-vi.xlsx"
    book.save(path)
    # the first row is taken as the header: the file is refused naming what is missing
    answer = runner.invoke(args=["unit", "import", str(path)])
    assert answer.exit_code == 2 and "thiếu cột" in answer.output
    sheet.delete_rows(1, 2)
    book.save(path)
    answer = runner.invoke(args=["unit", "import", str(path)])
    assert answer.exit_code == 0, answer.output
    pia = store.read(units_sql.get_unit_by_name, "UBND xã Ia Pia")
    assert store.read(units_sql.get_unit, pia["parent_id"])["name"] == "UBND tỉnh Gia Lai"


def test_import_refuses_non_admins_before_reading(client, store, token, runner, tmp_path):
    from survey_app.domain.errors import Forbidden
    viewer = {"id": 1, "role": "secretary", "unit_id": None}
    with pytest.raises(Forbidden):
        unit_import.import_units(store, viewer, "x.csv", b"\xff\xfe garbage", dry_run=False)


# ----------------------------------------------------------------- the planning page and the capture path

def test_planning_matches_an_existing_unit_after_folding(login_as, store, unit_id):
    client = login_as("thuky")
    token = csrf_token(client, "/visits/new")
    html = client.get("/visits/new").get_data(as_text=True)
    assert 'id="plan-unit"' in html and "<datalist" not in html
    delegation = store.db.execute("SELECT id FROM delegations ORDER BY id LIMIT 1").fetchone()[0]
    form = store.db.execute("SELECT form_id FROM visits ORDER BY id LIMIT 1").fetchone()[0]
    before = count(store)
    answer = client.post("/visits/new", data={"csrf_token": token, "delegation": delegation, "unit": "ubnd  XÃ hra",
                                              "unit_id": "", "form": form, "started_at": "2026-12-01T08:00"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    visit = store.db.execute("SELECT unit_id FROM visits ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert visit == unit_id(HOST_UNIT) and count(store) == before
    chosen = client.post("/visits/new", data={"csrf_token": token, "delegation": delegation, "unit": "ignored text",
                                              "unit_id": str(unit_id(OTHER_UNIT)), "form": form,
                                              "started_at": "2026-12-02T08:00"})
    assert chosen.status_code == 302
    assert store.db.execute("SELECT unit_id FROM visits ORDER BY id DESC LIMIT 1").fetchone()[0] == unit_id(OTHER_UNIT)
    assert count(store) == before


# ----------------------------------------------------------------- the migration

def test_m018_rebuilds_units_keeping_ids_and_merging_folded_duplicates(tmp_path):
    db = connect(tmp_path / "old.db")
    migrations.apply(db, stop_before="m018_unit_directory")
    db.execute("INSERT INTO units (id, name, locality) VALUES (5, 'UBND xã Hra', 'xã Hra'), "
               "(9, 'ubnd XÃ  hra', 'Xã Hra'), (12, 'UBND xã Ia Hrú', '')")
    db.execute("INSERT INTO users (username, password_hash, role, unit_id, created_at) "
               "VALUES ('h', 'x', 'host', 9, '2025-01-01')")
    assert apply_migrations(db)[0] == "m018_unit_directory"  # then those appended after it
    rows = {row[0]: row[1:] for row in db.execute("SELECT id, name, merged_into, search_key FROM units")}
    assert rows == {5: ("UBND xã Hra", None, "ubnd xa hra"), 9: ("ubnd XÃ  hra", 5, "ubnd xa hra"),
                    12: ("UBND xã Ia Hrú", None, "ubnd xa ia hru")}
    assert db.execute("SELECT unit_id FROM users").fetchone()[0] == 5
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):  # the foreign keys hold on the new table
        db.execute("DELETE FROM units WHERE id = 5")
    with pytest.raises(sqlite3.IntegrityError):  # one live unit per folded name and locality
        db.execute("INSERT INTO units (name, name_key, locality_key, search_key) VALUES ('x', 'ubnd xã hra', 'xã hra', 'x')")
    db.close()


# ----------------------------------------------------------------- the picker in Chromium

@pytest.mark.browser
def test_the_unit_picker_in_chromium_at_768_by_1024(page, live_server, tmp_path):
    from .live import TABLET_PORTRAIT, login_page
    login_page(page, live_server, "admin")
    page.goto(live_server.url + "/followup/", wait_until="networkidle")
    page.click(".topbar .nav-more summary")  # the way in: the administrator's menu
    assert page.locator(".topbar .nav").get_by_role("link", name="Đơn vị", exact=True).is_visible()
    page.keyboard.press("Escape")
    box = page.locator("#f-unit-text")
    box.fill("ia hru")  # without diacritics
    option = page.locator("#f-unit-list [role=option]").first
    option.wait_for()
    assert option.inner_text().startswith("UBND xã Ia Hrú")
    listed = page.locator("#f-unit-list").bounding_box()
    assert listed["x"] >= 0 and listed["x"] + listed["width"] <= TABLET_PORTRAIT["width"]
    box.press("ArrowDown")
    assert page.locator("#f-unit-text").get_attribute("aria-activedescendant") == "f-unit-option-0"
    box.press("Enter")
    chosen = page.locator("#f-unit input[type=hidden]").input_value()
    assert chosen.isdigit() and box.input_value() == "UBND xã Ia Hrú"
    page.screenshot(path=str(tmp_path / "unit-picker-board.png"), full_page=True)
    page.click(".fu-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"unit={chosen}" in page.url and page.locator("#f-unit-text").input_value() == "UBND xã Ia Hrú"
    # typing again forgets the chosen id: the typed name is what is sent
    box = page.locator("#f-unit-text")
    box.fill("UBND xã")
    assert page.locator("#f-unit input[type=hidden]").input_value() == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]


def test_the_capture_page_suggests_addressees_from_the_directory_not_every_unit(login_as, store, seed_visit_id):
    store.write(lambda db: [units_sql.insert_unit(db, name=f"UBND xã Kim {n}", locality="tỉnh A") for n in range(50)])
    html = login_as("thuky").get(f"/visits/{seed_visit_id}/capture").get_data(as_text=True)
    options = html.split('<datalist id="unit-options">')[1].split("</datalist>")[0]
    assert f'value="{HOST_UNIT}"' in options  # the visit's own unit, kept for offline use
    assert "Kim" not in options and OTHER_UNIT not in options
    assert 'id="unit-suggestions" data-mode="datalist"' in html


def test_the_visit_list_filters_by_the_picker_or_a_typed_name(login_as, store, unit_id):
    client = login_as("admin")
    page = client.get("/visits").get_data(as_text=True)
    assert 'id="visits-unit"' in page and "<option>UBND xã Ia Hrú</option>" not in page
    chosen = client.get(f"/visits?unit={unit_id(HOST_UNIT)}").get_data(as_text=True)
    typed = client.get("/visits?unit_name=ubnd XÃ hra").get_data(as_text=True)
    unknown = client.get("/visits?unit_name=UBND xã Không Có").get_data(as_text=True)
    row = f">{HOST_UNIT}</a></td>"
    assert row in chosen and row in typed and row not in unknown
    assert client.get("/visits?unit=abc").status_code in (200, 400)  # never a 500


def test_the_plan_page_suggests_units_from_the_directory_not_every_unit(login_as, store, seed_visit_id):
    from .support import seed_visit
    store.write(lambda db: [units_sql.insert_unit(db, name=f"UBND xã Kim {n}", locality="tỉnh A") for n in range(50)])
    page = login_as("thuky").get(f"/delegations/{seed_visit(store)['delegation_id']}/plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    options = html.split('<datalist id="plan-units">')[1].split("</datalist>")[0]
    assert f'value="{HOST_UNIT}"' in options and "Kim" not in options
    assert 'id="plan-unit-suggestions" data-mode="datalist"' in html
