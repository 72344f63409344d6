"""Signing in and out: the login page in both languages, the session cookie, one
generic message for a wrong name or password, throttling, CSRF, and `next`."""
from __future__ import annotations

from .conftest import csrf_token, login


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
