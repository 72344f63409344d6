"""The administrator's user pages: only for administrators; a new user with a unit."""
from __future__ import annotations

from .conftest import csrf_token, login


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
