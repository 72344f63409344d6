"""Sessions that end on the server: logout, a password change, disabling an account and
an administrator's "sign out everywhere" end every session of the user at once (a
copied cookie no longer works), and the last three revoke the user's API tokens."""
from __future__ import annotations

import pytest

from survey_app.storage import accounts as sql
from survey_app.storage import audit as audit_sql

from .conftest import PASSWORDS, csrf_token, login
from .support import api_headers


@pytest.fixture
def signed_in(app):
    """A new test client signed in as `username` (HTTPS, so the Secure cookie is sent)."""
    def make(username, password=None):
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        assert login(client, username, password).status_code == 302
        assert client.get("/visits").status_code == 200
        return client
    return make


def _copy_of(app, client):
    """Another browser holding a copy of the client's session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.environ_base["wsgi.url_scheme"] = "https"
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost", secure=True)
    return thief


def _signed_out(client) -> bool:
    response = client.get("/visits")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _token(runner, username):
    return api_headers(runner, username)


def _admin_action(admin, store, username, action):
    user = store.read(sql.get_user_by_username, username)
    return admin.post("/admin/users/action", data={"user_id": user["id"], "action": action,
                                                   "csrf_token": csrf_token(admin, "/admin/users")})


def test_logout_ends_the_session_on_the_server(app, signed_in):
    laptop, tablet = signed_in("thuky"), signed_in("thuky")
    stolen = _copy_of(app, laptop)
    assert stolen.get("/visits").status_code == 200
    response = laptop.post("/logout", data={"csrf_token": csrf_token(laptop, "/")})
    assert response.status_code == 302
    assert _signed_out(laptop) and _signed_out(stolen) and _signed_out(tablet)
    assert _signed_out(signed_in("thuky")) is False  # signing in again works


def test_password_change_ends_other_sessions_and_tokens(app, signed_in, runner, store):
    here, elsewhere = signed_in("thanhvien"), signed_in("thanhvien")
    stolen = _copy_of(app, here)
    token = _token(runner, "thanhvien")
    assert here.get("/api/v1/me", headers=token).status_code == 200
    response = here.post("/password", data={
        "current_password": PASSWORDS["thanhvien"], "new_password": "mat-khau-moi-2026",
        "confirm": "mat-khau-moi-2026", "csrf_token": csrf_token(here, "/password")})
    assert response.status_code == 302
    assert here.get("/visits").status_code == 200  # the session that changed it continues
    assert _signed_out(elsewhere) and _signed_out(stolen)
    assert here.get("/api/v1/me", headers=token).status_code == 401
    fresh = app.test_client()
    fresh.environ_base["wsgi.url_scheme"] = "https"
    assert login(fresh, "thanhvien").status_code == 401  # the old password
    assert login(fresh, "thanhvien", "mat-khau-moi-2026").status_code == 302


def test_a_refused_password_change_changes_nothing(signed_in, store):
    here, elsewhere = signed_in("thanhvien"), signed_in("thanhvien")
    before = store.read(sql.get_user_by_username, "thanhvien")
    for data, message in (
            ({"current_password": "sai", "new_password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"},
             "Mật khẩu hiện tại không đúng."),
            ({"current_password": PASSWORDS["thanhvien"], "new_password": "ngan", "confirm": "ngan"},
             "ít nhất 8 ký tự"),
            ({"current_password": PASSWORDS["thanhvien"], "new_password": "mat-khau-moi-2026",
              "confirm": "khac-hẳn-2026"}, "nhập lại đúng mật khẩu mới")):
        response = here.post("/password", data={**data, "csrf_token": csrf_token(here, "/password")})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    after = store.read(sql.get_user_by_username, "thanhvien")
    assert (after["password_hash"], after["session_epoch"]) == (before["password_hash"], before["session_epoch"])
    assert not _signed_out(elsewhere)


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(app, signed_in, runner, store):
    admin, viewer = signed_in("admin"), signed_in("xem")
    token = _token(runner, "xem")
    assert viewer.get("/api/v1/me", headers=token).status_code == 200
    response = _admin_action(admin, store, "xem", "disable")
    assert response.status_code == 302
    assert "Đã khóa tài khoản xem." in admin.get("/admin/users").get_data(as_text=True)
    assert _signed_out(viewer)
    assert viewer.get("/api/v1/me", headers=token).status_code == 401
    assert login(app.test_client(), "xem").status_code == 401
    assert _admin_action(admin, store, "xem", "enable").status_code == 302
    assert not _signed_out(signed_in("xem"))
    assert viewer.get("/api/v1/me", headers=token).status_code == 401  # a revoked token stays revoked


def test_sign_out_everywhere_from_the_admin_page(app, signed_in, runner, store):
    admin, head, tablet = signed_in("admin"), signed_in("truongdoan"), signed_in("truongdoan")
    token = _token(runner, "truongdoan")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert page.count("Đăng xuất khỏi mọi thiết bị") == 7  # one button per user
    assert _admin_action(admin, store, "truongdoan", "sign_out").status_code == 302
    assert _signed_out(head) and _signed_out(tablet)
    assert head.get("/api/v1/me", headers=token).status_code == 401
    assert not _signed_out(admin)
    assert not _signed_out(signed_in("truongdoan"))  # the account itself still works
    user = store.read(sql.get_user_by_username, "truongdoan")
    ended = [e for e in store.read(audit_sql.entries_for, "user", user["id"]) if e["action"] == "user.sessions_end"]
    assert [e["actor"] for e in ended] == ["admin"]


def test_user_actions_refused_for_others_and_for_oneself(app, signed_in, store):
    admin, secretary = signed_in("admin"), signed_in("thuky")
    user = store.read(sql.get_user_by_username, "xem")
    refused = secretary.post("/admin/users/action", data={"user_id": user["id"], "action": "disable",
                                                          "csrf_token": csrf_token(secretary, "/")})
    assert refused.status_code == 403
    assert store.read(sql.get_user_by_username, "xem")["active"] == 1
    own = _admin_action(admin, store, "admin", "disable")
    assert own.status_code == 400 and "Không thể khóa tài khoản đang đăng nhập" in own.get_data(as_text=True)
    assert store.read(sql.get_user_by_username, "admin")["active"] == 1 and not _signed_out(admin)
    unknown = admin.post("/admin/users/action", data={"user_id": 99999, "action": "sign_out",
                                                      "csrf_token": csrf_token(admin, "/admin/users")})
    assert unknown.status_code == 404 and "Không tìm thấy người dùng." in unknown.get_data(as_text=True)
    odd = admin.post("/admin/users/action", data={"user_id": user["id"], "action": "delete",
                                                  "csrf_token": csrf_token(admin, "/admin/users")})
    assert odd.status_code == 400 and store.read(sql.get_user_by_username, "xem")["active"] == 1
