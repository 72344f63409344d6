"""Team capture, live (issue 16, item 11), in real Chromium at 768×1024 with two
members on the same visit in two browser contexts of the session's live server: what B
saves appears on A's page without a reload (within 10 s: waited for, never slept),
with a note saying who changed what; A sees which section B is in; a field A is
editing keeps A's text and opens the conflict box; B's next save after A's change
applied on B's page does not conflict (the base version followed); a photo B adds
appears in A's photo list with who added it."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from survey_app.demo import seed_document

from .live import TABLET_PORTRAIT, login_page
from .support import jpeg_bytes

pytestmark = pytest.mark.browser
SEED = seed_document()


def demo_delegation_id(server) -> int:
    from survey_app.storage import connect
    from survey_app.storage import visits as visits_sql
    db = connect(Path(server.env["SURVEY_APP_INSTANCE"]) / "survey_app.db")
    try:
        return visits_sql.get_visit_by_uuid(db, SEED["uuid"])["delegation_id"]
    finally:
        db.close()


def member_page(browser, server, username: str):
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.errors = errors
    login_page(page, server, username)
    return context, page


def plan_visit(page, server) -> int:
    """A visit of the demo delegation of its own (other tests may finalize the demo's),
    planned through the tablet's route with the page's session."""
    answer = page.request.post(server.url + "/visits/from-device", headers={
        "X-CSRFToken": page.input_value('#logout-form input[name="csrf_token"]')}, data={
        "uuid": str(uuid.uuid4()), "delegation": demo_delegation_id(server), "unit": SEED["host"]["unit"],
        "form": SEED["form"], "started_at": "2025-10-13T08:00:00+07:00", "place": SEED["host"]["place"]})
    assert answer.status == 201, answer.text()
    return answer.json()["id"]


def open_capture(page, server, visit_id: int) -> None:
    page.goto(f"{server.url}/visits/{visit_id}/capture")
    page.wait_for_function("() => document.getElementById('capture').dataset.liveCursor !== undefined")


def back_in_view(page) -> None:
    """The page is shown again (as when the tablet wakes): it polls at once."""
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


def value_is(page, field: str, text: str, timeout: int = 10000) -> None:
    page.wait_for_function("([f, t]) => document.querySelector(`[data-field='${f}']`).value === t",
                           arg=[field, text], timeout=timeout)


def saved(page, field: str) -> None:
    page.wait_for_function("f => document.querySelector(`[data-field='${f}']`).closest('.field')"
                           ".querySelector('.field-status').dataset.state === 'saved'", arg=field)


def test_two_members_see_each_others_changes_and_sections(browser, live_server):
    context_a, a = member_page(browser, live_server, "thanhvien")
    context_b, b = member_page(browser, live_server, "truongdoan")
    try:
        visit_id = plan_visit(b, live_server)
        open_capture(a, live_server, visit_id)
        open_capture(b, live_server, visit_id)
        # B types the conclusion (and stays in that section); A's page shows it, untouched by A.
        started = time.monotonic()
        b.fill('[data-field="conclusion.text"]', "Kết luận do Trưởng đoàn nhập trực tiếp.")
        value_is(a, "conclusion.text", "Kết luận do Trưởng đoàn nhập trực tiếp.")
        print(f"\nchange appeared on the other member's page after {time.monotonic() - started:.1f} s")
        note = a.locator("[data-live-notes] p").last
        assert note.inner_text().startswith("Đinh Ly An đã sửa «Nội dung kết luận» lúc ")
        a.wait_for_function("() => document.querySelector('.section-menu a[href=\"#conclusion\"] [data-presence]')"
                            "?.textContent === 'Đang sửa: ĐLA'")
        assert a.locator(".section-menu [data-presence]").count() == 1
        assert a.locator('.section-menu a[href="#conclusion"] [data-presence]').get_attribute("title") == "Đinh Ly An"

        # A types the summary and keeps editing it; B's page follows (B is not editing it).
        a.fill('[data-field="report.summary"]', "Tóm tắt do thành viên A nhập.")
        saved(a, "report.summary")
        back_in_view(b)
        value_is(b, "report.summary", "Tóm tắt do thành viên A nhập.")
        # B now changes it: based on the version B's page took from A's change, no conflict on
        # B's side; A, still in the field, keeps A's text and is offered the choice.
        b.fill('[data-field="report.summary"]', "Tóm tắt do Trưởng đoàn sửa.")
        saved(b, "report.summary")
        assert b.locator(".conflict").count() == 0
        b.locator("h1").click()  # B leaves the field: A's next change may replace B's text
        back_in_view(a)
        box = a.locator("#report .conflict")
        box.wait_for()
        assert a.input_value('[data-field="report.summary"]') == "Tóm tắt do thành viên A nhập."
        assert "Tóm tắt do Trưởng đoàn sửa." in box.inner_text() and "Đinh Ly An" in box.inner_text()
        a.click('#report .conflict [data-choice="mine"]')
        saved(a, "report.summary")
        assert a.locator(".conflict").count() == 0
        # B's page was kept for hours: its CSRF token has expired; the poll renews it.
        b.evaluate("() => { window.surveyOffline.queue.csrf = 'expired-token'; }")
        back_in_view(b)
        value_is(b, "report.summary", "Tóm tắt do thành viên A nhập.")
        assert b.locator(".conflict").count() == 0
        assert b.evaluate("() => window.surveyOffline.queue.csrf") != "expired-token"
        # B adds a photo (preview, "Tải lên"): it appears in A's photo list, with who added it.
        b.set_input_files("#photo-file", files=[{"name": "b.jpg", "mimeType": "image/jpeg",
                                                  "buffer": jpeg_bytes((640, 480), (30, 140, 90))}])
        b.wait_for_selector("#photo-preview[open]")
        b.fill("#photo-caption", "Quầy tiếp nhận hồ sơ")
        b.click("#photo-upload")
        b.wait_for_selector('#photo-status[data-state="saved"]')
        item = b.locator('ol[data-kind="photo"] > li.item').last.get_attribute("data-item")
        back_in_view(a)
        row = f'ol[data-kind="photo"] > li.item[data-item="{item}"]'
        a.wait_for_function("s => document.querySelector(s + ' img.thumb')?.naturalWidth === 640", arg=row)
        assert a.locator(f"{row} .photo-by").inner_text() == "Người thêm ảnh: Đinh Ly An"
        assert a.locator(f'{row} [data-key="caption"]').input_value() == "Quầy tiếp nhận hồ sơ"
        assert a.locator("[data-live-notes] p").last.inner_text().startswith("Đinh Ly An đã thêm một ảnh ở «Ảnh» lúc ")
        assert a.errors == [] and b.errors == []
    finally:
        context_a.close()
        context_b.close()
