"""The capture page's JavaScript heap with much waiting offline (issue 11, item 5): in
Debian's Chromium, the capture page of the seed visit goes offline, 200 changes are
queued and 20 photos of ~2 MB are taken through the page's own photo input (resized on
the tablet, kept in IndexedDB as Blobs); then JSHeapUsedSize from the Chrome DevTools
Protocol's Performance metrics, after a garbage collection. Target ≤ 50 MB."""
from __future__ import annotations

import io
import json
import random
import tempfile
from pathlib import Path

from PIL import Image, ImageFilter

from tests.live import CHROMIUM, CHROMIUM_ARGS, TABLET_PORTRAIT

from .instance import demo_server
from .offline import QUEUE, _figure, _login

MB = 1024 * 1024

# What the tablet keeps: the outbox's entries by kind and the stored photos, checked to
# be Blobs (IndexedDB holds them on disk; the page's heap does not).
KEPT = """async () => {
  const { store } = window.surveyOffline;
  const outbox = (await store.get("outbox")) || [];
  const keys = (await window.idbKeyval.keys()).filter((key) => String(key).startsWith(store.owner() + "photo:"));
  const blobs = await Promise.all(keys.map((key) => window.idbKeyval.get(key)));
  return { changes: outbox.filter((e) => e.kind === "change").length,
           photos: outbox.filter((e) => e.kind === "photo").length,
           blobs: blobs.filter((b) => b instanceof Blob).length,
           bytes: blobs.reduce((sum, b) => sum + (b instanceof Blob ? b.size : 0), 0) };
}"""


def camera_jpeg(seed: int, size=(3264, 2448), target=2 * MB) -> bytes:
    """A photo like a tablet camera's: 8 MP, about 2 MB (smooth scene plus sensor noise)."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (48, 36), bytes(rng.randrange(256) for _ in range(48 * 36 * 3)))
    scene = small.resize(size, Image.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).convert("RGB")
    photo = Image.blend(scene, noise, 0.12)
    for quality in (90, 80, 70, 60, 50):
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=quality)
        if out.tell() <= target * 1.25:
            break
    return out.getvalue()


def heap(browser, server, changes: int, photos: int) -> dict:
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(60_000)
    _login(page, server)
    page.goto(server.url + "/visits/1/capture")
    page.wait_for_selector("#capture[data-restored]")
    page.evaluate("async () => { await navigator.serviceWorker.ready; await window.surveyOffline.snapshot; }")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def used() -> float:
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return metrics["JSHeapUsedSize"] / MB

    loaded = used()
    context.set_offline(True)
    assert page.evaluate(QUEUE, changes) >= changes
    sizes = []
    for n in range(photos):
        data = camera_jpeg(n)
        sizes.append(len(data))
        page.set_input_files("#photo-file", files=[{"name": f"p{n}.jpg", "mimeType": "image/jpeg", "buffer": data}])
        page.fill("#photo-caption", f"Ảnh {n + 1}")
        page.click("#photo-upload")
        page.wait_for_function("(n) => document.querySelectorAll('ol[data-kind=\"photo\"] li.item[data-pending-photo=\"1\"]').length >= n",
                               arg=n + 1)
    page.wait_for_function("() => document.getElementById('photo-status').textContent !== ''")
    kept = page.evaluate(KEPT)
    waiting = used()
    context.close()
    return {"loaded": loaded, "waiting": waiting, "kept": kept, "photo_mb": sum(sizes) / MB / len(sizes)}


def run(quick: bool) -> dict:
    from playwright.sync_api import sync_playwright
    changes, photos = (50, 5) if quick else (200, 20)
    with tempfile.TemporaryDirectory() as folder:
        server = demo_server(Path(folder))
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                measured = heap(browser, server, changes, photos)
                browser.close()
        finally:
            server.stop()
    kept = measured["kept"]
    print(f"capture heap: loaded {measured['loaded']:.1f} MB, waiting {measured['waiting']:.1f} MB; kept {kept}; "
          f"photos of {measured['photo_mb']:.2f} MB each")
    return {"figures": [
        _figure("capture page JS heap, loaded", measured["loaded"], "MB", 50),
        _figure(f"capture page JS heap, {changes} changes and {photos} photos waiting offline",
                measured["waiting"], "MB", 50),
        _figure("entries waiting that are not in the outbox (queued − kept)",
                abs(changes + photos - kept["changes"] - kept["photos"]), "", 0),
        _figure("photos waiting that are not Blobs in IndexedDB", photos - kept["blobs"], "", 0)]}


if __name__ == "__main__":
    print(json.dumps(run(quick=False), indent=2, ensure_ascii=False))
