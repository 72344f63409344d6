"""End to end in headless Chromium: the host reports progress with a photo as
evidence, the committee accepts it; screenshots of the board and unit pages."""
from __future__ import annotations

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page
from .support import jpeg_bytes


def photo(path):
    path.write_bytes(jpeg_bytes((64, 48), (30, 120, 200)))
    return path


def test_host_reports_with_photo_and_committee_accepts(live_server, page, tmp_path):  # noqa: F811
    login_page(page, live_server, "xahra")
    page.click("text=Theo dõi kiến nghị")
    page.wait_for_url("**/followup/")
    page.click("text=Tiếp tục đẩy mạnh cải cách hành chính")
    page.select_option("#u-status", "done")
    page.fill("#u-note", "Đã bố trí thêm 2 máy quét hồ sơ; ảnh kèm theo.")
    page.set_input_files("#u-evidence", str(photo(tmp_path / "may-quet.jpg")))
    page.click("#send-update")
    page.wait_for_selector("text=Đã lưu cập nhật.")
    assert "Chờ xác nhận" in page.inner_text("#status")
    assert page.is_visible("text=may-quet.jpg")
    detail_url = page.url
    page.click("#logout-form button")
    page.wait_for_url("**/login")  # the page clears the tablet's store, then signs out

    login_page(page, live_server, "thuky")
    page.goto(detail_url)
    page.click("#accept")
    page.wait_for_selector("text=Đã xác nhận hoàn thành.")
    assert "Đã hoàn thành" in page.inner_text("#status") and "Chờ xác nhận" not in page.inner_text("#status")
    assert page.is_visible("text=Chấp nhận hoàn thành")

    for size, name in ((TABLET_PORTRAIT, "768x1024"), (TABLET_LANDSCAPE, "1024x768")):
        page.set_viewport_size(size)
        page.goto(live_server.url + "/followup/")
        page.screenshot(path=f"/tmp/followup-board-{name}.png", full_page=True)
        page.click("table.data tbody tr:first-child td:nth-child(2) a")
        page.screenshot(path=f"/tmp/followup-unit-{name}.png", full_page=True)
