"""The app factory, login/logout and throttling, anonymous access, headers."""
from __future__ import annotations

import os

from survey_app import create_app
from survey_app.storage import apply_migrations

from .conftest import csrf_token, login


def test_factory_uses_instance_folder_and_generates_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.setenv("SURVEY_APP_BASE_URL", "https://khaosat.example.vn")
    app = create_app()
    secret = (tmp_path / "inst" / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) == 64
    assert oct(os.stat(tmp_path / "inst" / "secret_key").st_mode)[-3:] == "600"
    assert app.config["DATABASE"] == str(tmp_path / "inst" / "survey_app.db")
    assert app.config["BASE_URL"] == "https://khaosat.example.vn"
    assert create_app().config["SECRET_KEY"] == secret  # the same key on the next start


def test_instance_config_file_then_environment_then_dict(tmp_path, monkeypatch):
    folder = tmp_path / "inst"
    folder.mkdir()
    (folder / "config.toml").write_text('base_url = "https://a.vn"\nmax_content_length = 1000\n')
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(folder))
    monkeypatch.setenv("SURVEY_APP_MAX_CONTENT_LENGTH", "2000")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["BASE_URL"] == "https://a.vn"
    assert app.config["MAX_CONTENT_LENGTH"] == 2000
    assert create_app({"BASE_URL": "https://b.vn"}).config["BASE_URL"] == "https://b.vn"


def test_migrations_applied_twice_change_nothing(store):
    db = store.db
    before = db.execute("SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    assert apply_migrations(db) == []
    after = db.execute("SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    assert before == after
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_login_page_is_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page and "Mật khẩu" in page
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Sign in" in english and "Password" in english


def test_login_logout_and_session(client, demo):
    response = login(client, "thuky")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Nguyễn Thị Thu" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_one_generic_message_then_throttled(client, demo):
    unknown = login(client, "nobody", "x")
    wrong = login(client, "thuky", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    for _ in range(4):
        login(client, "thuky", "wrong-password")
    throttled = login(client, "thuky")  # even the right password waits now
    assert throttled.status_code == 429
    assert "quá nhiều lần" in throttled.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_is_refused(client, demo):
    response = client.post("/login", data={"username": "thuky", "password": "demo-thuky-2025"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, demo):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "xem", "password": "demo-xem-2025", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_health_is_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_admin_pages_only_for_admin(login_as):
    client = login_as("thuky")
    assert client.get("/admin/users").status_code == 403
    client = login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "truongdoan" in page and "UBND xã Hra" in page


def test_admin_creates_user_with_unit(login_as, store):
    client = login_as("admin")
    token = csrf_token(client, "/admin/users")
    bad = client.post("/admin/users", data={"username": "h2", "password": "long-enough-1",
                                            "role": "host", "unit": "Xã Không Có", "csrf_token": token})
    assert bad.status_code == 400 and "Đơn vị không tồn tại" in bad.get_data(as_text=True)
    good = client.post("/admin/users", data={"username": "h2", "password": "long-enough-1",
                                             "role": "host", "unit": "UBND xã Hra", "csrf_token": token})
    assert good.status_code == 302
    assert login(client, "h2", "long-enough-1").status_code == 302
