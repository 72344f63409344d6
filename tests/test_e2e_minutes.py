"""End to end in headless Chromium at tablet size: the secretary drafts and finalizes the
minutes of the seed visit, the three signatories draw their signatures on the tablet
(mouse and touch), and the sealed PDF verifies through the public /verify page."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from survey_app.demo import seed_document

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/e2e-minutes")
STROKE = [(0.1, 0.7), (0.25, 0.2), (0.4, 0.8), (0.55, 0.3), (0.7, 0.75), (0.9, 0.35)]


def seed_visit_id(server) -> int:
    for visit_id in range(1, 6):
        try:
            if json.loads(server.cli("export-visit", str(visit_id)))["uuid"] == seed_document()["uuid"]:
                return visit_id
        except subprocess.CalledProcessError:
            continue
    raise AssertionError("seed visit not found")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("portrait", TABLET_PORTRAIT), ("landscape", TABLET_LANDSCAPE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(TABLET_PORTRAIT)


def canvas_points(page, role: str) -> list[tuple[float, float]]:
    canvas = page.locator(f"#slot-{role} canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    return [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in STROKE]


def draw_with_mouse(page, role: str) -> None:
    points = canvas_points(page, role)
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=6)
    page.mouse.up()


def draw_with_touch(page, role: str) -> None:
    points = canvas_points(page, role)
    cdp = page.context.new_cdp_session(page)

    def touch(kind, point=None):
        cdp.send("Input.dispatchTouchEvent", {
            "type": kind, "touchPoints": [] if point is None else [{"x": point[0], "y": point[1]}]})
    touch("touchStart", points[0])
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for step in range(1, 7):
            touch("touchMove", (x0 + (x1 - x0) * step / 6, y0 + (y1 - y0) * step / 6))
    touch("touchEnd")
    cdp.detach()


def sign(page, role: str, name: str | None, draw) -> None:
    if name is not None:
        page.fill(f"#{role}-name", name)
    draw(page, role)
    page.locator(f"#slot-{role} button.signature-submit").click()
    page.wait_for_load_state()
    assert page.locator(f"#slot-{role} .signed").inner_text().startswith("Đã ký")


def next_minutes_number(server) -> int:
    """The number the server's next minutes of Ban Pháp chế in 2025 will get: the demo's two
    other visits (Đak Đoa, Ia Grai) were approved first (01, 02), and a test run before
    this one on the same shared server may have approved one more."""
    from survey_app.storage import connect
    from survey_app.storage import minutes as minutes_sql
    db = connect(Path(server.env["SURVEY_APP_INSTANCE"]) / "survey_app.db")
    try:
        return minutes_sql.peek_number(db, "Ban Pháp chế", 2025)
    finally:
        db.close()


def test_secretary_drafts_finalizes_and_collects_three_signatures(live_server, page):
    visit_id = seed_visit_id(live_server)
    number = next_minutes_number(live_server)
    assert number >= 3
    login_page(page, live_server, "thuky")
    page.goto(f"{live_server.url}/visits/{visit_id}/minutes")
    page.click("#generate-draft")
    page.wait_for_selector("#finalize")
    shoot(page, "minutes-draft")
    page.click("#finalize")
    page.wait_for_url(f"{live_server.url}/visits/{visit_id}/minutes/sign")
    assert page.locator("canvas.signature-pad").count() == 3
    shoot(page, "sign-empty")

    page.locator("#slot-head button.signature-submit").click()  # nothing drawn: refused in the page
    assert page.locator("#slot-head .signature-error").is_visible()

    sign(page, "head", None, draw_with_mouse)
    sign(page, "secretary", None, draw_with_touch)
    sign(page, "host", "Trần Văn Hùng", draw_with_touch)
    assert page.locator("#sealed").is_visible()
    assert page.locator(".slot .signed").count() == 3
    shoot(page, "sign-done")

    with page.expect_download() as download:
        page.click("#signed-pdf")
    pdf = SHOTS / "bien-ban-da-ky.pdf"
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / "page")], check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "Trần Văn Hùng" in text
    assert f"Số: {number:02d}/BB-BPC" in text

    page.goto(f"{live_server.url}/verify")
    page.set_input_files("#file", str(pdf))
    page.click("#verify-submit")
    verdict = page.locator("#verdict").inner_text()
    assert "Hợp lệ: tệp nguyên vẹn, chữ ký số hợp lệ" in verdict
    assert "UBND xã Hra" in verdict
    shoot(page, "verify")

    page.goto(f"{live_server.url}/visits/{visit_id}/minutes")
    assert "Đã ký" in page.locator("table.versions").inner_text()
    shoot(page, "minutes-signed")
