"""The Vietnamese login page and the shell in real Chromium against the real server."""
from __future__ import annotations

import pytest

from .live import PASSWORDS, TABLET_LANDSCAPE, login_page

pytestmark = pytest.mark.browser


def test_every_demo_account_logs_in_and_sees_only_its_role(page, live_server):
    for username in PASSWORDS:
        login_page(page, live_server, username)
        admin_link = page.locator("nav a", has_text="Người dùng")
        assert admin_link.count() == (1 if username == "admin" else 0), username
        page.click("#logout-form button")
        page.wait_for_url(live_server.url + "/login")


def test_login_page_at_tablet_sizes(page, live_server, tmp_path):
    page.goto(live_server.url + "/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Đăng nhập"
    box = page.locator("button[type=submit]").bounding_box()
    assert box["height"] >= 44
    page.screenshot(path=str(tmp_path / "login-portrait.png"))
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.fill("#username", "truongdoan")
    page.fill("#password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.locator(".flash").inner_text()
