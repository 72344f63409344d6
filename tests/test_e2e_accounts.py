"""The administrator's account pages in real Chromium (read only: the shared server's
accounts stay as they are): the role list of a new account starts blank, and an
account's page fits both tablet sizes in both languages (screenshots in the test's folder)."""
from __future__ import annotations

import pytest

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page

pytestmark = pytest.mark.browser


def test_new_account_role_starts_blank_and_the_account_page_fits(page, live_server, tmp_path):
    login_page(page, live_server, "admin")
    page.goto(live_server.url + "/admin/users")
    assert page.eval_on_selector("#role", "el => el.value") == ""
    assert page.eval_on_selector("#role", "el => el.options[el.selectedIndex].text") == "— chọn vai trò —"
    page.click("a:text-is('xahra')")
    assert page.eval_on_selector("#role", "el => el.value") == "host"
    assert page.input_value("#unit") == "UBND xã Hra"
    edit_url = page.url
    for lang in ("vi", "en"):
        page.goto(f"{edit_url}?lang={lang}")
        for name, size in (("portrait", TABLET_PORTRAIT), ("landscape", TABLET_LANDSCAPE)):
            page.set_viewport_size(size)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (lang, name)
            page.screenshot(path=str(tmp_path / f"account-{lang}-{name}.png"), full_page=True)
    assert page.locator("h1").inner_text() == "Account xahra"
    page.set_viewport_size(TABLET_PORTRAIT)
    page.goto(live_server.url + "/?lang=vi")
