"""End to end in headless Chromium at tablet size with touch (issue 13): the secretary
rewords and finalizes a survey report, the head reads its pages on the signing page,
draws the signature and confirms, then publishes; an anonymous reader finds it on the
public pages with a recommendation's live status. Every page is shot at both tablet
sizes (portrait and landscape) and must fit the width."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from survey_app.demo import seed_document

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page
from .test_e2e_minutes import draw_with_touch

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/e2e-survey-report")
BODY = "Ban Văn hóa - Xã hội"  # its own number series: the shared server's minutes numbers stay as they are


def _delegation_with_a_final_visit(server) -> tuple[int, str]:
    """A delegation of the demo's head and secretary (its own body, so the server's other
    number series are untouched) with one visit whose minutes are final, through the
    API; its recommendations go to the visited unit, which has no host account."""
    token = server.cli("token", "create", "thuky").strip()
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    name = f"Đoàn khảo sát thử báo cáo {doc['uuid'][:8]}"
    doc["delegation"] = {**doc["delegation"], "name": name, "body": BODY, "members": [
        {"name": "Đinh Ly An", "title": "Trưởng Ban Văn hóa - Xã hội HĐND tỉnh", "role": "head"},
        {"name": "Nguyễn Thị Thu", "title": "Chuyên viên", "role": "secretary"}]}
    doc["host"] = {**doc["host"], "unit": "UBND xã Đak Đoa", "locality": "xã Đak Đoa", "attendees": []}
    doc["recommendations"] = [{k: v for k, v in r.items() if k != "addressee"} for r in doc["recommendations"]]
    visit = json.loads(server.request("/api/v1/visits", token, "POST", doc))
    server.request(f"/api/v1/visits/{visit['id']}/minutes/finalize", token, "POST", {"confirm": True})
    for number in range(1, 50):
        listed = json.loads(server.request(f"/api/v1/delegations?page={number}", token))
        found = [d["id"] for d in listed["delegations"] if d["name"] == name]
        if found or not listed["has_next"]:
            return found[0], token
    raise AssertionError("the new delegation is not listed")


def _shoot(page, name: str) -> None:
    """Both tablet sizes; the page never scrolls sideways at either."""
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("landscape", TABLET_LANDSCAPE), ("portrait", TABLET_PORTRAIT)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, label)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


def test_report_finalized_signed_on_the_tablet_published_and_public(live_server, page, browser):
    delegation, token = _delegation_with_a_final_visit(live_server)
    report_url = f"{live_server.url}/delegations/{delegation}/report"

    login_page(page, live_server, "thuky")
    page.goto(report_url)
    page.fill("#assessment", "Đoàn đánh giá Trung tâm đã vận hành ổn định sau sắp xếp.")
    page.locator("#save-wording").tap()
    page.wait_for_selector("text=Đã lưu câu chữ của báo cáo.")
    _shoot(page, "report-draft")
    page.locator("#finalize").tap()
    page.wait_for_selector("#sign-link")
    assert re.search(r"Số 01/BC-BVHXH", page.inner_text("#report-state"))
    page.click("#logout-form button")
    page.wait_for_url("**/login")

    login_page(page, live_server, "truongdoan")
    page.goto(report_url)
    page.locator("#sign-link").tap()
    page.wait_for_url(f"{report_url}/sign")
    pdf = live_server.request(f"/api/v1/delegations/{delegation}/report.pdf", token)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    images = page.locator("#document-pages img.doc-page")
    assert images.count() == pages >= 2  # the signer reads every page of the very PDF signed
    for n in range(pages):
        images.nth(n).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(n).element_handle())
    assert page.input_value("#signer-name") == "Đinh Ly An"
    page.locator("#slot-signer button.signature-submit").tap()  # nothing drawn: refused in the page
    assert page.locator("#slot-signer .signature-error").is_visible()
    _shoot(page, "sign-before")
    draw_with_touch(page, "signer")
    page.locator("#slot-signer button.signature-submit").click()  # (as in the minutes' test, after CDP touches)
    page.wait_for_selector("#sealed, .flash.error", timeout=30000)  # sealing renders and signs the PDF
    assert page.locator("#sealed").count() == 1, page.inner_text("main")[:500]
    assert page.locator("#slot-signer .signed").inner_text().startswith("Đã ký")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.first.element_handle())
    _shoot(page, "sign-done")

    page.goto(report_url)
    page.locator("#publish").tap()
    page.wait_for_selector("text=Đã công khai báo cáo.")
    public_path = page.locator("#report-state a[href^='/public/reports/']").get_attribute("href")
    _shoot(page, "report-published")

    # a recommendation's progress, as the unit reports it, shows on the public page at once
    data = json.loads(live_server.request(public_path + ".json", token))
    first = data["recommendations"][0]
    live_server.request(f"/api/v1/recommendations/{first['id']}/updates", token, "POST",
                        {"status": "in_progress", "note": "Đã bố trí kinh phí."})

    anonymous = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                    has_touch=True)
    try:
        reader = anonymous.new_page()
        reader.set_default_timeout(10000)
        reader.goto(live_server.url + "/public/")
        link = reader.locator(f".reports a[href='{public_path}']")
        assert link.count() == 1
        _shoot(reader, "public-list")
        link.tap()
        reader.wait_for_url(live_server.url + public_path)
        item = reader.locator("ol.recommendations li").filter(has_text=first["text"][:40]).first
        assert item.locator(".status").inner_text() == "Đang thực hiện"
        assert "Đã bố trí kinh phí." not in reader.inner_text("body")  # the unit's notes stay internal
        _shoot(reader, "public-report")
    finally:
        anonymous.close()
