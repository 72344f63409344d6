"""The parts of every page around its content (top bar, navigation, sign-out form),
rendered for each request in its language and for its user."""
from __future__ import annotations

import re

import pytest

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page


def top_bar(html: str) -> str:
    return html[html.index('<header class="topbar">'):html.index("</header>")]


def test_navigation_follows_the_language_and_the_role(login_as, client):
    admin = login_as("admin")
    vi, en = top_bar(admin.get("/").get_data(as_text=True)), top_bar(admin.get("/?lang=en").get_data(as_text=True))
    assert '<a class="home" href="/">Trang chủ</a>' in vi and '<a href="/admin/users">Người dùng</a>' in vi
    assert '<a class="home" href="/">Home</a>' in en and '<a href="/admin/users">Users</a>' in en and "Sign out" in en
    assert "Người dùng" not in en
    back = top_bar(admin.get("/?lang=vi").get_data(as_text=True))
    assert back == vi.replace(re.search(r'name="csrf_token" value="([^"]+)"', vi).group(1),
                              re.search(r'name="csrf_token" value="([^"]+)"', back).group(1))
    admin.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', back).group(1)})
    host = top_bar(login_as("xahra").get("/").get_data(as_text=True))
    assert "/admin/users" not in host and "Theo dõi kiến nghị" in host


def test_sign_out_form_carries_the_sessions_token(login_as):
    client = login_as("thuky")
    tokens = [re.search(r'id="logout-form">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                        client.get(path).get_data(as_text=True)).group(1) for path in ("/", "/followup/")]
    assert client.post("/logout", data={"csrf_token": tokens[-1]}).status_code == 302
    assert client.get("/followup/").status_code == 302  # signed out: back to the login page


def test_the_administrators_pages_are_under_one_menu(login_as):
    admin = top_bar(login_as("admin").get("/").get_data(as_text=True))
    menu = admin[admin.index('<details class="nav-more">'):admin.index("</details>")]
    for path in ("/admin/users", "/admin/forms", "/admin/audit", "/units/", "/delegations/"):
        assert f'href="{path}' in menu, path
    outside = admin.replace(menu, "")
    assert 'href="/visits"' in outside and 'href="/followup/"' in outside and "/admin/users" not in outside


def test_no_menu_for_a_role_without_administrators_pages(login_as):
    assert "nav-more" not in top_bar(login_as("thuky").get("/").get_data(as_text=True))


@pytest.mark.browser
def test_the_administrators_top_bar_keeps_one_line_and_its_menu_opens_and_closes(page, live_server):
    """Before: ten entries made three lines of top bar (a fifth of a portrait tablet)."""
    login_page(page, live_server, "admin")
    for size in (TABLET_PORTRAIT, TABLET_LANDSCAPE):
        page.set_viewport_size(size)
        page.goto(live_server.url + "/?lang=vi")
        shown = page.locator(".topbar .nav > a:visible, .topbar .nav-more summary")
        rows = {round(shown.nth(i).bounding_box()["y"]) for i in range(shown.count())}
        assert len(rows) == 1, (size, rows)
        assert page.locator(".nav-menu a[href='/units/']").is_hidden()
        page.click(".nav-more summary")
        assert page.locator(".nav-menu a[href='/units/']").is_visible()
        page.keyboard.press("Escape")
        assert page.locator(".nav-menu a[href='/units/']").is_hidden()
        assert page.evaluate("document.activeElement.matches('.nav-more summary')")
        page.click(".nav-more summary")
        page.click("main h1")
        assert page.locator(".nav-menu a[href='/units/']").is_hidden()
        page.click(".nav-more summary")
        page.click(".nav-menu a[href='/units/']")
        page.wait_for_url("**/units/")
    page.context.clear_cookies()
    login_page(page, live_server, "xahra")  # the unit's host: the longest menu without the administrator's
    page.set_viewport_size(TABLET_PORTRAIT)
    page.goto(live_server.url + "/?lang=vi")
    shown = page.locator(".topbar .nav > a:visible")
    assert shown.count() >= 4 and len({round(shown.nth(i).bounding_box()["y"]) for i in range(shown.count())}) == 1
