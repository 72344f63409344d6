"""An administrator edits accounts (issue 12, item 3): name, e-mail, role and unit; a
temporary password; the role list preselects nothing; the last active administrator
stays one; a disabled account stops working at once on every path (page session, API
token, calendar feed). Each change is in the audit trail; a refusal changes nothing."""
from __future__ import annotations

import re

import pytest

from survey_app.domain.accounts import operations
from survey_app.domain.errors import Conflict
from survey_app.domain.followup import reminders
from survey_app.storage import accounts as sql
from survey_app.storage import audit as audit_sql

from .conftest import csrf_token, login
from .support import api_headers, user


def _client(app, username=None, password=None):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    if username:
        assert login(client, username, password).status_code == 302
    return client


def _signed_out(client) -> bool:
    response = client.get("/visits")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _edit(admin, store, username, **changes):
    row = user(store, username)
    unit = store.db.execute("SELECT name FROM units WHERE id = ?", [row["unit_id"]]).fetchone()
    data = {"full_name": row["full_name"], "email": row["email"], "role": row["role"],
            "unit": unit[0] if unit else "", **changes}
    path = f"/admin/users/{row['id']}"
    return admin.post(path, data={**data, "csrf_token": csrf_token(admin, path)})


def _actions(store, username) -> list[str]:
    return [e["action"] for e in store.read(audit_sql.entries_for, "user", user(store, username)["id"])]


def _selected_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                      select)


def test_the_role_list_preselects_nothing_and_a_role_is_required(app, store):
    admin = _client(app, "admin")
    html = admin.get("/admin/users").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', html, re.S).group(1)
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select)
    assert 'value=""' in first.group(1) and "chọn vai trò" in first.group(2)
    assert _selected_options(html, "role") == []
    before = store.db.execute("SELECT count(*) FROM users").fetchone()[0]
    refused = admin.post("/admin/users", data={"username": "moi", "password": "mat-khau-dai-1", "role": "",
                                               "csrf_token": csrf_token(admin, "/admin/users")})
    assert refused.status_code == 400 and "Vui lòng chọn vai trò." in refused.get_data(as_text=True)
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == before


def test_the_edit_page_shows_the_accounts_own_role(app, store):
    admin = _client(app, "admin")
    html = admin.get(f"/admin/users/{user(store, 'xahra')['id']}").get_data(as_text=True)
    assert [value for pair in _selected_options(html, "role") for value in pair if value] == ["host"]
    assert 'value="UBND xã Hra"' in html and "/delegations/" in html  # memberships: the delegation pages


def test_admin_edits_name_email_role_and_unit_with_an_audit_entry(app, store):
    admin, member = _client(app, "admin"), _client(app, "thanhvien")
    response = _edit(admin, store, "thanhvien", full_name="Rơ Mah Khuê (Phó Trưởng Ban)",
                     email="khue@hdnd.gialai.gov.vn")
    assert response.status_code == 302
    row = user(store, "thanhvien")
    assert (row["full_name"], row["email"]) == ("Rơ Mah Khuê (Phó Trưởng Ban)", "khue@hdnd.gialai.gov.vn")
    assert not _signed_out(member)  # an edit of the name does not end sessions
    assert _edit(admin, store, "thanhvien", role="host", unit="UBND xã Ia Hrú").status_code == 302
    row = user(store, "thanhvien")
    assert row["role"] == "host" and row["unit_id"] == store.db.execute(
        "SELECT id FROM units WHERE name = 'UBND xã Ia Hrú'").fetchone()[0]
    assert member.get("/admin/users").status_code == 403 and member.get("/visits/new").status_code == 403
    entries = [e for e in store.read(audit_sql.entries_for, "user", row["id"]) if e["action"] == "user.edit"]
    assert len(entries) == 2 and all(e["actor"] == "admin" for e in entries)
    assert '"role": ["member", "host"]' in entries[-1]["detail"]


def test_a_host_without_a_unit_is_refused_naming_the_field(app, store):
    admin = _client(app, "admin")
    before = dict(user(store, "thanhvien"))
    for unit, message in (("", "Vui lòng nhập đơn vị cho tài khoản đại diện đơn vị được khảo sát."),
                          ("Xã Không Có", "Đơn vị không tồn tại: &#39;Xã Không Có&#39;")):
        response = _edit(admin, store, "thanhvien", role="host", unit=unit)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html
        assert re.search(r'id="unit"[^>]*>\s*<p class="error-text">', html)  # under the unit field
    assert dict(user(store, "thanhvien")) == before
    assert "user.edit" not in _actions(store, "thanhvien")
    created = admin.post("/admin/users", data={"username": "h3", "password": "mat-khau-dai-1", "role": "host",
                                               "csrf_token": csrf_token(admin, "/admin/users")})
    assert created.status_code == 400 and "Vui lòng nhập đơn vị cho tài khoản đại diện" in created.get_data(as_text=True)


def test_the_last_active_admin_cannot_demote_themself(app, store):
    admin = _client(app, "admin")
    response = _edit(admin, store, "admin", role="viewer")
    assert response.status_code == 409
    assert "quản trị viên cuối cùng đang hoạt động" in response.get_data(as_text=True)
    assert user(store, "admin")["role"] == "admin" and "user.edit" not in _actions(store, "admin")
    # With a second active admin, demoting oneself is allowed; that one is then the last.
    assert _edit(admin, store, "xem", role="admin").status_code == 302
    assert _edit(admin, store, "admin", role="viewer").status_code == 302
    assert admin.get("/admin/users").status_code == 403  # the change applies to the open session at once
    other = _client(app, "xem")
    assert _edit(other, store, "xem", role="member").status_code == 409
    assert user(store, "xem")["role"] == "admin"


def test_the_last_active_admin_cannot_be_disabled_by_anyone(app, store):
    """Disabling oneself was refused already (400); the rule also holds for a CLI actor."""
    with pytest.raises(Conflict) as refused:
        operations.set_active(store, user(store, "admin")["id"], False, None)
    assert refused.value.status == 409 and user(store, "admin")["active"] == 1


def test_reset_password_sets_a_temporary_one_and_ends_sessions_and_tokens(app, store, runner):
    admin, head = _client(app, "admin"), _client(app, "truongdoan")
    token = api_headers(runner, "truongdoan")
    path = f"/admin/users/{user(store, 'truongdoan')['id']}/password"
    short = admin.post(path, data={"password": "ngan", "csrf_token": csrf_token(admin, "/admin/users")})
    assert short.status_code == 400 and "mật khẩu tạm thời dài ít nhất 8 ký tự" in short.get_data(as_text=True)
    assert not _signed_out(head)
    done = admin.post(path, data={"password": "tam-thoi-2026", "csrf_token": csrf_token(admin, "/admin/users")})
    assert done.status_code == 302
    page = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "người dùng phải đổi mật khẩu ngay khi đăng nhập" in page and "Chưa đổi mật khẩu tạm thời" in page
    assert _signed_out(head) and head.get("/api/v1/me", headers=token).status_code == 401
    assert login(_client(app), "truongdoan").status_code == 401
    assert "user.password_reset" in _actions(store, "truongdoan")


def test_a_temporary_password_must_be_changed_before_any_other_page(app, store):
    admin = _client(app, "admin")
    path = f"/admin/users/{user(store, 'truongdoan')['id']}/password"
    assert admin.post(path, data={"password": "tam-thoi-2026",
                                  "csrf_token": csrf_token(admin, "/admin/users")}).status_code == 302
    head = _client(app, "truongdoan", "tam-thoi-2026")
    for page in ("/", "/visits", "/followup/", f"/visits/{store.db.execute('SELECT min(id) FROM visits').fetchone()[0]}"):
        response = head.get(page)
        assert response.status_code == 302 and response.headers["Location"].endswith("/password"), page
    form = head.get("/password")
    assert form.status_code == 200 and 'id="temporary-password"' in form.get_data(as_text=True)
    changed = head.post("/password", data={"current_password": "tam-thoi-2026", "new_password": "cua-rieng-toi-2026",
                                           "confirm": "cua-rieng-toi-2026", "csrf_token": csrf_token(head, "/password")})
    assert changed.status_code == 302
    assert head.get("/").status_code == 200 and user(store, "truongdoan")["must_change_password"] == 0
    assert 'id="temporary-password"' not in head.get("/password").get_data(as_text=True)
    own = admin.post(f"/admin/users/{user(store, 'admin')['id']}/password",
                     data={"password": "tam-thoi-2026", "csrf_token": csrf_token(admin, "/admin/users")})
    assert own.status_code == 400 and "trang Đổi mật khẩu" in own.get_data(as_text=True)


def test_non_admins_cannot_edit_or_reset(app, store):
    secretary = _client(app, "thuky")
    target = user(store, "thanhvien")
    token = csrf_token(secretary, "/")
    assert secretary.post(f"/admin/users/{target['id']}", data={"role": "admin", "csrf_token": token}).status_code == 403
    assert secretary.post(f"/admin/users/{target['id']}/password",
                          data={"password": "tam-thoi-2026", "csrf_token": token}).status_code == 403
    assert dict(user(store, "thanhvien")) == dict(target)
    assert _client(app, "admin").get("/admin/users/99999").status_code == 404


def _disable(admin, store, username):
    row = store.read(sql.get_user_by_username, username)
    return admin.post("/admin/users/action", data={"user_id": row["id"], "action": "disable",
                                                   "csrf_token": csrf_token(admin, "/admin/users")})


def test_disabled_page_session_goes_to_the_login_at_once(app, store):
    admin, viewer = _client(app, "admin"), _client(app, "xem")
    assert viewer.get("/").status_code == 200
    assert _disable(admin, store, "xem").status_code == 302
    response = viewer.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabled_api_token_answers_401_at_once(app, store, runner):
    admin, token = _client(app, "admin"), api_headers(runner, "thanhvien")
    api = _client(app)
    assert api.get("/api/v1/me", headers=token).status_code == 200
    assert _disable(admin, store, "thanhvien").status_code == 302
    response = api.get("/api/v1/me", headers=token)
    assert response.status_code == 401 and response.get_json()["field"] == "Authorization"


def test_disabled_calendar_feed_stops_at_once_and_stays_stopped(app, store):
    admin, anyone = _client(app, "admin"), _client(app)
    feed = reminders.create_calendar_token(store, user(store, "thuky"))
    assert anyone.get(f"/followup/calendar/{feed}.ics").status_code == 200
    assert _disable(admin, store, "thuky").status_code == 302
    assert anyone.get(f"/followup/calendar/{feed}.ics").status_code == 404
    enable = admin.post("/admin/users/action", data={"user_id": user(store, "thuky")["id"], "action": "enable",
                                                     "csrf_token": csrf_token(admin, "/admin/users")})
    assert enable.status_code == 302
    # Like the API tokens, the old feed address does not come back with the account.
    assert anyone.get(f"/followup/calendar/{feed}.ics").status_code == 404
