"""The delegations pages: an admin or secretary creates and edits a delegation with
its members in a plain form (Vietnamese labels of the glossary), refusals shown beside
the field they name; and in real Chromium at both tablet sizes."""
from __future__ import annotations

import re

import pytest

from .conftest import csrf_token
from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page


def form_data(token, **changes) -> dict:
    data = {"csrf_token": token, "name": "Đoàn khảo sát chuyển đổi số", "kind": "khao_sat",
            "body": "Ban Pháp chế HĐND tỉnh", "parent_body": "HĐND tỉnh Gia Lai", "topic": "Chuyển đổi số cấp xã",
            "decision_number": "21/QĐ-BPC", "decision_date": "2025-10-15", "symbol": "BPC", "followup_days": "45",
            "members-0-name": "Đinh Ly An", "members-0-title": "Trưởng Ban Pháp chế", "members-0-role": "head",
            "members-0-username": "truongdoan",
            "members-1-name": "Nguyễn Thị Thu", "members-1-title": "Chuyên viên", "members-1-role": "secretary",
            "members-1-username": "thuky",
            "members-2-name": "", "members-2-title": "", "members-2-role": "member", "members-2-username": ""}
    data.update(changes)
    return data


def count(store, table="delegations") -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_form_uses_the_glossary_labels(login_as):
    client = login_as("thuky")
    html = client.get("/delegations/new").get_data(as_text=True)
    for label in ("Trưởng đoàn", "Phó Trưởng đoàn", "Thành viên Đoàn", "Thư ký Đoàn", "Tên đoàn", "Loại đoàn",
                  "Giám sát", "Số quyết định thành lập đoàn", "Ký hiệu trong số văn bản"):
        assert label in html, label


def test_a_secretary_creates_then_edits_a_delegation(login_as, store):
    client = login_as("thuky")
    token = csrf_token(client, "/delegations/new")
    before = count(store)
    created = client.post("/delegations/new", data=form_data(token))
    assert created.status_code == 302, created.get_data(as_text=True)
    new_id = int(re.search(r"/delegations/(\d+)/edit", created.headers["Location"]).group(1))
    assert count(store) == before + 1
    row = store.db.execute("SELECT kind, symbol, decision_no, decision_date, follow_up_days FROM delegations "
                           "WHERE id = ?", [new_id]).fetchone()
    assert tuple(row) == ("khao_sat", "BPC", "21/QĐ-BPC", "2025-10-15", 45)
    page = client.get(f"/delegations/{new_id}/edit").get_data(as_text=True)
    assert 'value="Đinh Ly An"' in page and 'value="truongdoan"' in page
    # Edit: add a deputy in the blank row, drop the secretary's row... and keep a secretary.
    edited = client.post(f"/delegations/{new_id}/edit", data=form_data(
        token, topic="Chuyển đổi số và dịch vụ công", **{
            "members-2-name": "Lê Văn Phó", "members-2-title": "Phó Trưởng Ban", "members-2-role": "deputy"}))
    assert edited.status_code == 302, edited.get_data(as_text=True)
    members = store.db.execute("SELECT name, role FROM memberships WHERE delegation_id = ? ORDER BY position",
                               [new_id]).fetchall()
    assert [tuple(m) for m in members] == [("Đinh Ly An", "head"), ("Nguyễn Thị Thu", "secretary"),
                                           ("Lê Văn Phó", "deputy")]
    removed = client.post(f"/delegations/{new_id}/edit", data=form_data(token, **{"members-1-remove": "y"}))
    assert removed.status_code == 302
    assert store.db.execute("SELECT count(*) FROM memberships WHERE delegation_id = ?", [new_id]).fetchone()[0] == 1
    assert store.db.execute("SELECT count(*) FROM audit_log WHERE action = 'delegation.update' AND object_id = ?",
                            [str(new_id)]).fetchone()[0] == 2
    listing = client.get("/delegations/").get_data(as_text=True)
    assert "Đoàn khảo sát chuyển đổi số" in listing and "15/10/2025" in listing


def test_add_row_gives_one_more_blank_row_and_saves_nothing(login_as, store):
    client = login_as("admin")
    token = csrf_token(client, "/delegations/new")
    before = count(store)
    more = client.post("/delegations/new", data={**form_data(token), "add_row": "1"})
    assert more.status_code == 200 and count(store) == before
    html = more.get_data(as_text=True)
    assert 'name="members-3-name"' in html and 'value="Đinh Ly An"' in html


@pytest.mark.parametrize("changes,where,message", [
    ({"members-0-role": "member"}, None, "đúng một Trưởng đoàn"),
    ({"members-1-name": "Đinh Ly An"}, "members-1-name", "hai lần"),
    ({"members-1-username": "xahra"}, "members-1-username", "xahra"),
    ({"symbol": "B/PC"}, "symbol", "ký hiệu"),
    ({"name": ""}, "name", "Vui lòng nhập"),
])
def test_refusals_are_shown_beside_the_field_and_nothing_is_saved(login_as, store, changes, where, message):
    client = login_as("admin")
    token = csrf_token(client, "/delegations/new")
    before = count(store), count(store, "memberships"), count(store, "audit_log")
    refused = client.post("/delegations/new", data=form_data(token, **changes))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert message in html
    if where:  # the message follows that field's input
        after_field = html.split(f'id="{where}"', 1)[1]
        assert after_field.index(message) < after_field.index("<label")
    assert (count(store), count(store, "memberships"), count(store, "audit_log")) == before


def test_a_duplicate_from_the_page_names_the_existing_one(login_as, store):
    client = login_as("admin")
    token = csrf_token(client, "/delegations/new")
    assert client.post("/delegations/new", data=form_data(token)).status_code == 302
    existing = store.db.execute("SELECT max(id) FROM delegations").fetchone()[0]
    again = client.post("/delegations/new", data=form_data(token))
    assert again.status_code == 400 and f"mã {existing}" in again.get_data(as_text=True)


@pytest.mark.parametrize("username", ["truongdoan", "thanhvien", "xahra", "xem"])
def test_other_roles_cannot_open_the_pages(login_as, username):
    client = login_as(username)
    assert client.get("/delegations/").status_code == 403
    assert client.get("/delegations/new").status_code == 403


@pytest.mark.browser
def test_create_a_delegation_in_chromium_at_both_tablet_sizes(page, live_server, tmp_path):
    login_page(page, live_server, "thuky")
    nav = page.locator(".topbar .nav > a:visible")
    assert len({round(nav.nth(i).bounding_box()["y"]) for i in range(nav.count())}) == 1  # the menu on one line
    page.click("nav a:has-text('Buổi khảo sát')")
    page.click(".page-head a:has-text('Các đoàn')")
    page.click("text=Tạo đoàn")
    page.fill("#name", "Đoàn giám sát an toàn thực phẩm")
    page.select_option("#kind", "giam_sat")
    page.fill("#body", "Ban Văn hóa - Xã hội HĐND tỉnh")
    page.fill("#decision_number", "30/QĐ-BVHXH")
    page.fill("#decision_date", "2025-11-20")
    page.fill("#symbol", "BVHXH")
    page.fill("#members-0-name", "Đinh Ly An")
    page.select_option("#members-0-role", "head")
    page.fill("#members-0-username", "truongdoan")
    page.fill("#members-1-name", "Nguyễn Thị Thu")
    page.select_option("#members-1-role", "secretary")
    page.fill("#members-1-username", "thuky")
    page.screenshot(path=str(tmp_path / "delegation-new-portrait.png"), full_page=True)
    for selector in ("#name", "#members-0-role", "form.delegation-form button.primary", "#members-0-remove"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= TABLET_PORTRAIT["width"], selector
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]
    page.click("form.delegation-form button.primary")
    page.wait_for_url(re.compile(r".*/delegations/\d+/edit"))
    assert "Đã lưu đoàn" in page.locator(".flash").inner_text()
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.screenshot(path=str(tmp_path / "delegation-edit-landscape.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_LANDSCAPE["width"]
    assert page.locator("#members-0-role").input_value() == "head"
    page.click("a:has-text('← Đoàn khảo sát')")
    assert page.locator("table.delegations", has_text="Đoàn giám sát an toàn thực phẩm").count() == 1
    page.screenshot(path=str(tmp_path / "delegations-landscape.png"), full_page=True)
    page.set_viewport_size(TABLET_PORTRAIT)
    page.screenshot(path=str(tmp_path / "delegations-portrait.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]
