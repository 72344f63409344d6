"""Photos on the tablet (issue 16, item 10) in real Chromium at 768×1024 with touch: a
checklist item's camera button prefills the caption; a file chosen is previewed before
it is sent; the photos open full screen, move with a swipe and the arrow keys; a circle
drawn and saved becomes the annotated copy the thumbnail shows, while the server keeps
the photo as taken; it can be drawn again from the original or the original used again;
a photo-type checklist item's photo is previewed too; the viewer fits a photo to the
screen. The server's side is in test_photo_annotations.py."""
from __future__ import annotations

import pytest

from .live import login_page
from .test_accessibility import BLOCKING, check_loaded
from .support import jpeg_bytes
from .test_e2e_capture import plan

pytestmark = pytest.mark.browser
VIEWER = "#photo-viewer"
RED = """() => { const c = document.querySelector('#photo-viewer canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 60) n++; return n; }"""


def touch_drag(page, start, end, steps=6) -> None:
    """A finger on the screen from `start` to `end` (CSS pixels), through Chromium's touch input."""
    cdp = page.context.new_cdp_session(page)

    def touch(kind, point=None):
        cdp.send("Input.dispatchTouchEvent", {
            "type": kind, "touchPoints": [] if point is None else [{"x": point[0], "y": point[1]}]})
    touch("touchStart", start)
    for step in range(1, steps + 1):
        touch("touchMove", (start[0] + (end[0] - start[0]) * step / steps,
                            start[1] + (end[1] - start[1]) * step / steps))
    touch("touchEnd")
    cdp.detach()


def count(page) -> str:
    return page.locator(f'{VIEWER} [data-slot="count"]').inner_text()


def test_preview_camera_full_screen_swipe_and_drawing_a_circle(page, live_server):
    login_page(page, live_server, "thuky")
    plan(page, live_server, "2025-11-05T08:00")
    camera = page.locator("#photo-camera")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert page.locator("label:has(#photo-camera)").inner_text().strip() == "Chụp ảnh"
    assert page.locator("#photo-file").get_attribute("capture") is None  # the library, beside the camera

    # a checklist item's camera button: the camera opens, the item's label is the caption
    button = page.locator("[data-photo-for]").first
    label = button.get_attribute("data-label")
    with page.expect_file_chooser() as chooser:
        button.click()
    assert chooser.value.element.get_attribute("id") == "photo-camera"
    chooser.value.set_files(files=[{"name": "a.jpg", "mimeType": "image/jpeg",
                                    "buffer": jpeg_bytes((640, 480), (40, 120, 60))}])
    page.wait_for_selector("#photo-preview[open]")
    assert page.input_value("#photo-caption") == label
    assert [v for v in check_loaded(page, "photo preview", "vi") if v["impact"] in BLOCKING] == []
    assert page.locator("#photo-for").is_visible() and label in page.locator("#photo-for").inner_text()
    page.click("#photo-upload")
    page.wait_for_selector('#photo-status[data-state="saved"]')

    # the library: preview with the picture itself, then "Hủy" keeps nothing, then "Tải lên"
    library = [{"name": "b.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((640, 480), (200, 200, 210))}]
    page.set_input_files("#photo-file", files=library)
    page.wait_for_function("() => document.getElementById('photo-preview-img').naturalWidth === 640")
    assert not page.locator("#photo-for").is_visible() and page.input_value("#photo-caption") == ""
    page.click("#photo-cancel")
    assert page.locator("#photo-preview[open]").count() == 0
    assert page.locator('ol[data-kind="photo"] > li.item').count() == 1
    page.set_input_files("#photo-file", files=library)
    page.fill("#photo-caption", "Bảng niêm yết thủ tục")
    page.click("#photo-upload")
    page.wait_for_selector('#photo-status[data-state="saved"]')
    rows = page.locator('ol[data-kind="photo"] > li.item')
    assert rows.count() == 2
    second = rows.nth(1).get_attribute("data-item")

    # a photo-type checklist item: the same preview naming the item ("Hủy" keeps nothing),
    # then "Tải lên" makes it the item's answer
    holder = '[data-field="checklist.premises_photo.value"]'
    answer = [{"name": "c.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((320, 240), (90, 90, 160))}]
    page.set_input_files('input[data-checklist-photo="premises_photo"]', files=answer)
    page.wait_for_selector("#photo-preview[open]")
    question = page.locator(f"{holder}").evaluate("el => el.closest('.check-item').querySelector('.question').textContent")
    assert page.locator("#photo-for").is_visible() and question.strip().rstrip("*").strip() in page.locator("#photo-for").inner_text()
    page.click("#photo-cancel")
    assert page.locator(f"{holder} img.thumb").is_hidden() and page.get_attribute(holder, "data-version") == "0"
    page.set_input_files('input[data-checklist-photo="premises_photo"]', files=answer)
    page.wait_for_selector("#photo-preview[open]")
    page.click("#photo-upload")
    page.wait_for_function("s => Number(document.querySelector(s).dataset.version) > 0", arg=holder)
    assert page.locator(f"{holder} img.thumb").is_visible() and rows.count() == 2

    # full screen: a dialog, focus on its close button; a swipe to the left shows the next
    opener = rows.nth(0).locator('[data-action="view-photo"]')
    opener.click()
    viewer = page.locator(VIEWER)
    assert viewer.is_visible() and viewer.get_attribute("role") == "dialog" and viewer.get_attribute("aria-modal") == "true"
    assert page.evaluate("document.activeElement.dataset.viewer") == "close"
    assert count(page) == "1 / 2"
    box = page.locator(f"{VIEWER} canvas").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    touch_drag(page, (middle[0] + 120, middle[1]), (middle[0] - 120, middle[1] + 10))
    assert count(page) == "2 / 2"
    assert page.locator(f'{VIEWER} [data-slot="caption"]').inner_text() == "Bảng niêm yết thủ tục"
    page.keyboard.press("ArrowLeft")
    assert count(page) == "1 / 2"
    page.keyboard.press("ArrowRight")
    assert count(page) == "2 / 2" and page.locator(f'{VIEWER} [data-viewer="next"]').is_disabled()

    # a red circle drawn with a finger, undone, drawn again, saved
    page.click(f'{VIEWER} [data-viewer="annotate"]')
    page.click(f'{VIEWER} [data-tool="circle"]')
    assert page.locator(f'{VIEWER} [data-tool="circle"]').get_attribute("aria-pressed") == "true"
    assert page.locator(f'{VIEWER} [data-draw="save"]').is_disabled()
    touch_drag(page, (middle[0] - 80, middle[1] - 60), (middle[0] + 80, middle[1] + 60))
    page.click(f'{VIEWER} [data-draw="undo"]')
    assert page.locator(f'{VIEWER} [data-draw="save"]').is_disabled()
    touch_drag(page, (middle[0] - 80, middle[1] - 60), (middle[0] + 80, middle[1] + 60))
    assert [v for v in check_loaded(page, "drawing on a photo", "vi") if v["impact"] in BLOCKING] == []
    red = page.evaluate(RED)
    assert red > 500  # the circle is on the photo (it is grey-white, no red of its own)
    page.click(f'{VIEWER} [data-draw="save"]')
    thumb = f'li.item[data-item="{second}"] img.thumb[data-annotated="1"]'
    page.wait_for_selector(thumb, state="attached")
    page.keyboard.press("Escape")
    assert not viewer.is_visible()
    assert page.evaluate("document.activeElement.dataset.action") == "view-photo"  # focus back where it was

    # the thumbnail shows the drawn copy; the server keeps the photo as taken beside it
    src = page.locator(thumb).get_attribute("src")
    base = src.split("?")[0]
    drawn = page.request.get(live_server.url + base).body()
    taken = page.request.get(live_server.url + base + "?original=1").body()
    assert drawn != taken and page.evaluate("(s) => document.querySelector(s).naturalWidth", thumb) == 640

    # again full screen: the 640 px photo fills the stage (fitted, aspect kept); drawn again
    # from the original (the canvas starts without the first circle), then "Dùng ảnh gốc"
    page.locator(f'li.item[data-item="{second}"] [data-action="view-photo"]').click()
    fitted = page.locator(f"{VIEWER} canvas").bounding_box()
    assert fitted["width"] > 640 and abs(fitted["width"] / fitted["height"] - 640 / 480) < 0.01
    assert page.locator(f'{VIEWER} [data-viewer="original"]').is_visible()
    page.click(f'{VIEWER} [data-viewer="redraw"]')
    page.wait_for_selector(f"{VIEWER} .draw-tools:not([hidden])")
    assert page.evaluate(RED) == 0  # the photo as taken, not the drawn copy
    touch_drag(page, (middle[0] - 100, middle[1]), (middle[0] + 60, middle[1] - 40))
    assert page.evaluate(RED) > 200
    page.click(f'{VIEWER} [data-draw="save"]')
    page.wait_for_function("([s, old]) => { const i = document.querySelector(s); return i.dataset.annotated === '1'"
                           " && !i.src.startsWith('blob:') && !i.src.endsWith(old); }",
                           arg=[f'li.item[data-item="{second}"] img.thumb', src.split("?")[1]])
    redrawn = page.request.get(live_server.url + base).body()
    assert redrawn not in (drawn, taken)
    page.keyboard.press("Escape")
    page.locator(f'li.item[data-item="{second}"] [data-action="view-photo"]').click()
    page.click(f'{VIEWER} [data-viewer="original"]')
    page.wait_for_selector(f'li.item[data-item="{second}"] img.thumb:not([data-annotated])', state="attached")
    page.wait_for_selector(f'{VIEWER} [data-viewer="original"]', state="hidden")
    assert page.request.get(live_server.url + base).body() == taken
    assert page.evaluate(RED) == 0  # the viewer shows the original again
