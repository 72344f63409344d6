"""The parts of every page around its content (top bar, navigation, sign-out form),
rendered for each request in its language and for its user."""
from __future__ import annotations

import re


def top_bar(html: str) -> str:
    return html[html.index('<header class="topbar">'):html.index("</header>")]


def test_navigation_follows_the_language_and_the_role(login_as, client):
    admin = login_as("admin")
    vi, en = top_bar(admin.get("/").get_data(as_text=True)), top_bar(admin.get("/?lang=en").get_data(as_text=True))
    assert '<a href="/">Trang chủ</a>' in vi and '<a href="/admin/users">Người dùng</a>' in vi
    assert '<a href="/">Home</a>' in en and '<a href="/admin/users">Users</a>' in en and "Sign out" in en
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
