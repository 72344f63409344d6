"""Planning and recording the Hra visit through the capture page in real Chromium at
tablet size, as it happened (seeds/), then reading it on the overview."""
from __future__ import annotations

import pytest

from survey_app.demo import seed_document

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page
from .support import jpeg_bytes

pytestmark = pytest.mark.browser
SEED = seed_document()
SAVED = ("() => document.getElementById('sync-status').dataset.state === 'saved'"
         " && !document.querySelector('.field-status[data-state=saving]')")


def plan(page, server, started="2025-10-13T08:00") -> None:
    page.goto(server.url + "/visits/new")
    page.select_option("#delegation", label=SEED["delegation"]["name"])
    page.fill("#unit", SEED["host"]["unit"])
    page.fill("#place", SEED["host"]["place"])
    page.fill("#locality", SEED["host"]["locality"])
    page.fill("#started_at", started)
    page.select_option("#form", "ttpvhcc-xa")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/capture")


def add(page, kind: str, **values) -> None:
    page.click(f'button[data-action="add"][data-kind="{kind}"]')
    row = page.locator(f'ol[data-kind="{kind}"] > li.item').last
    for key, value in values.items():
        control = row.locator(f'[data-key="{key}"]')
        if key == "side":
            control.select_option(value)
        else:
            control.fill(value)


def fill_indicators(page, indicators: dict) -> None:
    for key, value in indicators.items():
        page.fill(f'[data-field="indicators.{key}"]', str(value))


def wait_saved(page) -> None:
    page.locator("h1").click()  # blur: the last input saves now
    page.wait_for_timeout(900)
    page.wait_for_function(SAVED, timeout=20000)


def small_jpeg() -> bytes:
    return jpeg_bytes((320, 240), (30, 90, 160))


def shoot(page, name: str, anchors=("",)) -> None:
    """Screenshots at both tablet sizes, one per anchor (`#report`…), into /tmp."""
    for size, label in ((TABLET_PORTRAIT, "portrait"), (TABLET_LANDSCAPE, "landscape")):
        page.set_viewport_size(size)
        for anchor in anchors:
            if anchor:
                page.locator(anchor).scroll_into_view_if_needed()
                page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
            page.screenshot(path=f"/tmp/{name}{anchor.replace('#', '-')}-{label}.png")
    page.set_viewport_size(TABLET_PORTRAIT)


def test_record_the_hra_visit_on_a_tablet(page, live_server):
    login_page(page, live_server, "thuky")
    plan(page, live_server)
    capture_url = page.url
    add(page, "attendee", side="delegation", name="Đinh Ly An", title="Trưởng Ban Pháp chế HĐND tỉnh")
    add(page, "attendee", side="host", name="Trần Văn Hùng", title="Chủ tịch UBND xã Hra")
    page.fill('[data-field="ended_at"]', "2025-10-13T11:00")
    report = SEED["report"]
    page.fill('[data-field="report.summary"]', report["summary"])
    page.fill('[data-field="report.period.from"]', report["period"]["from"])
    page.fill('[data-field="report.period.to"]', report["period"]["to"])
    fill_indicators(page, report["indicators"])
    page.locator("#item-premises_adequate label.choice").nth(1).click()   # Một phần
    page.locator("#item-network_stable label.choice").nth(2).click()      # Không
    page.locator("#item-portal_performance label.choice", has_text="Chậm vào giờ cao điểm").click()
    page.fill('[data-field="checklist.in_person_procedures.value"]', "Đăng ký khai sinh, đăng ký khai tử.")
    for difficulty in SEED["difficulties"]:
        add(page, "difficulty", text=difficulty["text"])
    for proposal in SEED["proposals"]:
        add(page, "proposal", text=proposal["text"], addressee=proposal["addressee"])
    page.fill('[data-field="conclusion.by"]', SEED["conclusion"]["by"])
    page.fill('[data-field="conclusion.text"]', SEED["conclusion"]["text"])
    for recommendation in SEED["recommendations"]:
        add(page, "recommendation", **recommendation)
    page.set_input_files("#photo-file", files=[{"name": "hra.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}])
    page.fill("#photo-caption", SEED["photos"][0]["caption"])
    page.fill("#photo-credit", SEED["photos"][0]["credit"])
    page.click("#photo-upload")
    page.wait_for_selector('ol[data-kind="photo"] img.thumb:not([hidden])')
    wait_saved(page)
    assert page.locator("#sync-status").inner_text() == "Đã lưu"
    assert page.locator('[data-computed="online_rate_pct"]').inner_text() == "85,3%"
    assert page.locator("[data-warnings]").is_hidden()
    page.goto(capture_url)  # what was saved comes back
    assert page.locator('ol[data-kind="recommendation"] > li.item').count() == 5
    shoot(page, "capture", ("", "#report", "#checklist", "#recommendations", "#photos"))

    page.goto(capture_url.rsplit("/", 1)[0])
    body = page.locator("main").inner_text()
    for text in ("509", "434", "457", "88,2%", "85,3%", "30/06/2026", "UBND tỉnh Gia Lai", "Đinh Ly An",
                 SEED["photos"][0]["caption"], "Một phần", "Chậm vào giờ cao điểm"):
        assert text in body, text
    assert "Số liệu chưa khớp" not in body
    assert page.locator("ul.photos img.thumb").count() == 1
    shoot(page, "overview", ("", "#report", "#recommendations-list"))


def test_broken_figures_show_the_warning(page, live_server):
    login_page(page, live_server, "thuky")
    plan(page, live_server, "2025-10-14T08:00")
    fill_indicators(page, {**SEED["report"]["indicators"], "dossiers_resolved": 400})
    wait_saved(page)
    warning = "Số hồ sơ tiếp nhận không bằng tổng số hồ sơ đã giải quyết và đang giải quyết."
    assert warning in page.locator("[data-warnings]").inner_text()
    shoot(page, "capture-warning", ("#report",))
    page.goto(page.url.rsplit("/", 1)[0])
    assert warning in page.locator("#figure-warnings").inner_text()
    shoot(page, "overview-warning", ("#report",))
