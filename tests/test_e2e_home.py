"""The home page in real Chromium, as every role, at 768×1024 and 1024×768, in
Vietnamese and English (screenshots in the test's folder): nothing wider than the
screen, and the outbox count the script reads from the capture page's IndexedDB queue."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from .conftest import make_app
from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, login_page
from .test_home_page import build_world

pytestmark = pytest.mark.browser

ROLES = ("admin", "thuky", "truongdoan", "thanhvien", "xahra", "xem")
OUTBOX = "#home-outbox [data-slot=count]"


@pytest.fixture(scope="module")
def home_server(tmp_path_factory, demo_instance):
    """A server of its own on the world of two delegations and two units (the shared
    live server keeps the bare demo for the other tests)."""
    folder = tmp_path_factory.mktemp("home-live")
    shutil.copytree(demo_instance, folder / "instance")
    app = make_app(folder)
    build_world(app)
    app.extensions["survey_store"].close()
    with LiveServer(folder) as server:
        yield server


def _no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("username", ROLES)
def test_home_as_each_role_at_both_tablet_sizes_in_both_languages(page, home_server, username, tmp_path):
    login_page(page, home_server, username)
    for lang, none in (("vi", "Không có mục nào chờ gửi."), ("en", "No entries waiting to be sent.")):
        page.goto(f"{home_server.url}/?lang={lang}")
        expect(page.locator(OUTBOX)).to_have_text(none)  # filled by the script (no eval: the CSP forbids it)
        for name, size in (("portrait", TABLET_PORTRAIT), ("landscape", TABLET_LANDSCAPE)):
            page.set_viewport_size(size)
            assert _no_overflow(page), (username, lang, name)
            page.screenshot(path=str(tmp_path / f"home-{username}-{lang}-{name}.png"), full_page=True)
        assert page.locator("html").get_attribute("lang") == lang
    page.set_viewport_size(TABLET_PORTRAIT)


def test_the_outbox_count_comes_from_the_capture_pages_queue(page, context, home_server):
    login_page(page, home_server, "thanhvien")
    expect(page.locator(OUTBOX)).to_have_text("Không có mục nào chờ gửi.")
    context.set_offline(True)  # what is queued stays queued
    page.evaluate("""async () => {
        const { store } = window.surveyOffline;
        await store.set("outbox", [
            {id: "home-e2e-1", kind: "change", visit: 1, message: {id: "home-e2e-1", target: "host.place",
             op: "set", value: "Hội trường", base_version: 0}, sent: false},
            {id: "home-e2e-2", kind: "change", visit: 1, message: {id: "home-e2e-2", target: "host.locality",
             op: "set", value: "xã Hra", base_version: 0}, sent: false}]);
        await window.surveyOffline.showOutbox();
    }""")
    expect(page.locator(OUTBOX)).to_have_text("2 mục đang chờ gửi từ thiết bị này")
    page.evaluate("window.surveyOffline.store.del('outbox')")
    context.set_offline(False)
