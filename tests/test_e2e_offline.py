"""The tablet without network, in real headless Chromium: a visit recorded offline
survives a reload and a closed browser and reaches the server whole, each entry once;
a visit planned offline gets its server id and page; conflicts are shown and resolved
both ways; the first load fits the byte budget."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest

from survey_app.demo import seed_document

from .live import CHROMIUM, CHROMIUM_ARGS, TABLET_LANDSCAPE, TABLET_PORTRAIT, first_load_bytes, login_page
from .test_e2e_capture import add, fill_indicators, plan, small_jpeg

pytestmark = pytest.mark.browser
SEED = seed_document()
CONTEXT = {"viewport": TABLET_PORTRAIT, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "has_touch": True}
EMPTY = "() => document.getElementById('net-status').dataset.count === '0'"
BUDGET = 150_000


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def chromium(playwright):
    """Debian's Chromium, closed after the test even when it fails."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def tablet(chromium):
    """(context, page) of a portrait tablet in Vietnamese, with touch."""
    context = chromium.new_context(**CONTEXT)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def persistent(playwright, folder):
    context = playwright.chromium.launch_persistent_context(
        str(folder), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **CONTEXT)
    context.set_default_timeout(15000)
    return context


def api(server, method, path, body=None):
    token = getattr(server, "_token", None) or server.cli("token", "create", "thuky").strip().split()[-1]
    server._token = token
    request = urllib.request.Request(server.url + "/api/v1" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def ready_offline(page):
    """The worker is installed and the opened page is kept for offline use."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; await window.surveyOffline.snapshot; }")


def queued(page) -> int:
    page.locator("h1").click()  # blur: the last input is queued now
    page.wait_for_timeout(900)
    return int(page.locator("#net-status").get_attribute("data-count"))


def shoot(page, name):
    for size, label in ((TABLET_PORTRAIT, "portrait"), (TABLET_LANDSCAPE, "landscape")):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=f"/tmp/{name}-{label}.png")
    page.set_viewport_size(TABLET_PORTRAIT)


def test_a_visit_recorded_offline_arrives_whole_and_once(playwright, live_server, tmp_path):
    context = persistent(playwright, tmp_path / "tablet")
    page = context.pages[0] if context.pages else context.new_page()
    login_page(page, live_server, "thuky")
    plan(page, live_server, "2025-10-21T08:00")
    url = page.url
    visit_id = int(url.split("/")[-2])
    ready_offline(page)

    context.set_offline(True)
    report = SEED["report"]
    page.fill('[data-field="report.summary"]', report["summary"])
    fill_indicators(page, report["indicators"])
    page.locator("#item-network_stable label.choice").nth(2).click()
    add(page, "difficulty", text=SEED["difficulties"][0]["text"])
    add(page, "recommendation", **SEED["recommendations"][0])
    page.fill('[data-field="conclusion.text"]', SEED["conclusion"]["text"])
    page.set_input_files("#photo-file", files=[{"name": "hra.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}])
    page.fill("#photo-caption", SEED["photos"][0]["caption"])
    page.click("#photo-upload")
    page.wait_for_selector('ol[data-kind="photo"] img.thumb:not([hidden])')
    waiting = queued(page)
    assert waiting >= 10
    assert page.locator("#net-status").get_attribute("data-state") == "offline"
    assert "Ngoại tuyến" in page.locator("#net-status").inner_text()
    shoot(page, "offline-capture")

    page.reload()  # offline: the page comes from the worker's cache, the values from IndexedDB
    page.wait_for_selector("#capture[data-restored]")
    assert page.locator('[data-field="report.summary"]').input_value() == report["summary"]
    assert page.locator('[data-field="indicators.dossiers_received"]').input_value() == str(report["indicators"]["dossiers_received"])
    assert page.locator('ol[data-kind="recommendation"] > li.item [data-key="text"]').input_value() == SEED["recommendations"][0]["text"]
    assert page.locator('ol[data-kind="photo"] img.thumb:not([hidden])').count() == 1
    page.wait_for_function(f"() => document.getElementById('net-status').dataset.count === '{waiting}'")
    context.close()

    context = persistent(playwright, tmp_path / "tablet")  # the browser closed and opened again
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    page.wait_for_selector("#capture[data-restored]")
    assert page.locator('[data-field="conclusion.text"]').input_value() == SEED["conclusion"]["text"]
    assert page.locator('ol[data-kind="difficulty"] > li.item').count() == 1
    page.wait_for_function(f"() => document.getElementById('net-status').dataset.count === '{waiting}'")
    context.set_offline(False)
    page.wait_for_function(EMPTY, timeout=30000)
    assert page.locator("#net-status").get_attribute("data-state") == "online"
    assert page.locator('ol[data-kind="photo"] img.thumb').get_attribute("src").startswith(f"/visits/{visit_id}/photos/")
    context.close()

    doc = api(live_server, "GET", f"/visits/{visit_id}")
    assert doc["report"]["summary"] == report["summary"]
    assert doc["report"]["indicators"] == report["indicators"]
    assert doc["checklist"]["network_stable"]["value"] == "no"
    assert [d["text"] for d in doc["difficulties"]] == [SEED["difficulties"][0]["text"]]
    assert [r["text"] for r in doc["recommendations"]] == [SEED["recommendations"][0]["text"]]
    assert doc["conclusion"]["text"] == SEED["conclusion"]["text"]
    assert [p["caption"] for p in doc["photos"]] == [SEED["photos"][0]["caption"]]


def test_a_visit_planned_offline_gets_its_server_id_and_arrives_once(tablet, live_server):
    context, page = tablet
    login_page(page, live_server, "thuky")
    page.goto(live_server.url + "/visits")
    ready_offline(page)
    page.goto(live_server.url + "/visits/new")  # kept, with the blank capture page of each form
    ready_offline(page)
    page.evaluate("() => window.surveyOffline.blankPages")

    context.set_offline(True)
    page.goto(live_server.url + "/visits/new")
    assert page.locator("#plan-offline-note").is_visible()
    page.select_option("#delegation", label=SEED["delegation"]["name"])
    page.fill("#unit", SEED["host"]["unit"])
    page.fill("#place", SEED["host"]["place"])
    page.fill("#locality", SEED["host"]["locality"])
    page.fill("#started_at", "2025-10-27T08:00")
    page.select_option("#form", "ttpvhcc-xa")
    page.screenshot(path="/tmp/offline-plan-portrait.png")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/visits/local/[0-9a-f-]{36}/capture$"))
    uuid = page.url.split("/")[-2]
    page.wait_for_selector("#capture[data-restored]")
    assert page.locator("h1").inner_text() == SEED["host"]["unit"]
    assert page.locator('[data-field="started_at"]').input_value() == "2025-10-27T08:00"
    report = SEED["report"]
    page.fill('[data-field="report.summary"]', report["summary"])
    page.fill('[data-field="indicators.dossiers_received"]', str(report["indicators"]["dossiers_received"]))
    add(page, "difficulty", text=SEED["difficulties"][0]["text"])
    add(page, "recommendation", **SEED["recommendations"][0])
    assert queued(page) == 5  # the visit itself first, then its four entries
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path="/tmp/offline-local-capture-portrait.png")

    page.reload()  # offline: the tablet's copy of the page, the values from IndexedDB
    page.wait_for_selector("#capture[data-restored]")
    assert page.url.endswith(f"/visits/local/{uuid}/capture")
    assert page.locator('[data-field="report.summary"]').input_value() == report["summary"]
    assert page.locator('ol[data-kind="difficulty"] > li.item').count() == 1
    page.goto(live_server.url + "/visits")  # the cached list shows the visit made here
    local = page.locator(f'#local-visits tr[data-uuid="{uuid}"]')
    assert "Chưa đồng bộ" in local.inner_text()
    page.screenshot(path="/tmp/offline-local-list-portrait.png")
    local.locator("a").first.click()
    page.wait_for_selector("#capture[data-restored]")

    context.set_offline(False)
    page.wait_for_url(re.compile(r"/visits/\d+/capture$"), timeout=30000)  # the server's address
    visit_id = int(page.url.split("/")[-2])
    page.wait_for_selector("#capture[data-restored]")
    page.wait_for_function(EMPTY, timeout=30000)
    assert page.locator('[data-field="report.summary"]').input_value() == report["summary"]
    page.goto(live_server.url + f"/visits/local/{uuid}/capture")  # an old link still works
    page.wait_for_url(f"**/visits/{visit_id}/capture")
    page.goto(live_server.url + "/visits?date_from=2025-10-27&date_to=2025-10-27")
    assert page.locator("#server-visits tbody tr").count() == 1  # made once
    assert page.locator("#local-visits").is_hidden()

    doc = api(live_server, "GET", f"/visits/{visit_id}")
    assert doc["uuid"] == uuid and doc["host"]["unit"] == SEED["host"]["unit"]
    assert doc["report"]["summary"] == report["summary"]
    assert doc["report"]["indicators"]["dossiers_received"] == report["indicators"]["dossiers_received"]
    assert [d["text"] for d in doc["difficulties"]] == [SEED["difficulties"][0]["text"]]
    assert [r["text"] for r in doc["recommendations"]] == [SEED["recommendations"][0]["text"]]


def test_a_conflict_is_shown_and_resolved_both_ways(tablet, live_server):
    context, page = tablet
    login_page(page, live_server, "thuky")
    plan(page, live_server, "2025-10-22T08:00")
    visit_id = int(page.url.split("/")[-2])
    ready_offline(page)
    context.set_offline(True)
    page.fill('[data-field="report.summary"]', "Bản ghi trên máy tính bảng")
    page.fill('[data-field="conclusion.text"]', "Kết luận trên máy tính bảng")
    page.fill('[data-field="conclusion.by"]', "Đinh Ly An")
    assert queued(page) == 3
    for target, value in (("report.summary", "Bản của thư ký"), ("conclusion.text", "Kết luận của thư ký")):
        answer = api(live_server, "POST", f"/visits/{visit_id}/changes",
                     {"id": f"server-{target}", "target": target, "op": "set", "value": value, "base_version": 0})
        assert answer["ok"], answer
    context.set_offline(False)
    page.wait_for_function(EMPTY, timeout=30000)
    boxes = page.locator(".conflict")
    boxes.first.wait_for()
    assert boxes.count() == 2  # conclusion.by changed only here: merged without asking
    summary = page.locator("#report .conflict")
    assert "Bản ghi trên máy tính bảng" in summary.inner_text() and "Bản của thư ký" in summary.inner_text()
    changed = summary.locator('[data-slot="changed"]')  # who made the server's value, when (Vietnam time)
    assert changed.is_visible() and "Nguyễn Thị Thu" in changed.inner_text()
    assert re.search(r"\d{2}:\d{2}", changed.inner_text()), changed.inner_text()
    page.screenshot(path="/tmp/offline-conflict.png")
    summary.locator('[data-choice="server"]').click()
    assert page.locator('[data-field="report.summary"]').input_value() == "Bản của thư ký"
    page.locator("#conclusion .conflict [data-choice='mine']").click()
    page.wait_for_function(EMPTY)
    page.wait_for_function("() => !document.querySelector('.conflict')"
                           " && document.getElementById('sync-status').dataset.state === 'saved'")
    doc = api(live_server, "GET", f"/visits/{visit_id}")
    assert doc["report"]["summary"] == "Bản của thư ký"
    assert doc["conclusion"] == {"by": "Đinh Ly An", "text": "Kết luận trên máy tính bảng"}
    page.reload()  # nothing left to choose after a reload
    page.wait_for_selector("#capture[data-restored]")
    assert page.locator(".conflict").count() == 0
    assert page.locator('[data-field="conclusion.text"]').input_value() == "Kết luận trên máy tính bảng"


def test_the_first_load_fits_the_budget_and_later_loads_come_from_the_cache(chromium, live_server):
    url = f"{live_server.url}/visits/{live_server.seed_visit_id()}/capture"
    cold = chromium.new_context(**CONTEXT, service_workers="block")  # nothing installed by the login page
    page = cold.new_page()
    login_page(page, live_server, "thuky")
    totals = first_load_bytes(page, url)
    print("first load bytes", totals, sum(totals.values()))
    assert set(totals) == {"Document", "Stylesheet", "Script"}
    assert totals["Script"] > 10_000 and sum(totals.values()) <= BUDGET
    cold.close()
    context = chromium.new_context(**CONTEXT)
    page = context.new_page()
    login_page(page, live_server, "thuky")
    page.goto(url)
    ready_offline(page)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.reload(wait_until="networkidle")
    shell = [r for r in responses if "/static/" in r.url or "/vendor/" in r.url]
    assert shell and all(r.from_service_worker for r in shell)


def test_logout_warns_about_unsent_entries_then_clears_the_tablet(tablet, live_server):
    context, page = tablet
    login_page(page, live_server, "thuky")
    plan(page, live_server, "2025-10-23T08:00")
    ready_offline(page)
    page.route("**/changes", lambda route: route.abort())  # the network drops every send
    page.fill('[data-field="conclusion.text"]', "Chưa gửi được")
    assert queued(page) == 1
    page.click("#logout-form button")
    dialog = page.locator("#logout-dialog")
    dialog.wait_for()  # opened once the outbox is counted (IndexedDB)
    assert dialog.is_visible() and dialog.locator("[data-slot=count]").inner_text() == "1"
    dialog.locator('[data-choice="stay"]').click()
    assert not dialog.is_visible() and "/capture" in page.url
    page.click("#logout-form button")
    dialog.locator('[data-choice="logout"]').click()
    page.wait_for_url("**/login")
    left = page.evaluate("""() => new Promise((resolve) => {
      const open = indexedDB.open("keyval-store");
      open.onsuccess = () => { const request = open.result.transaction("keyval").objectStore("keyval").getAllKeys();
                               request.onsuccess = () => resolve(request.result); };
    })""")
    assert not [key for key in left if str(key).startswith("u")]
    assert not page.evaluate("caches.has('pages')")
