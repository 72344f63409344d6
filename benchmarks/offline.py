"""Offline tablet benchmark: on a link throttled like a congested commune network
(Chromium's emulation: 1.6 Mbit/s each way, 300 ms round trips), the capture page's
first load and the time for changes queued offline to all reach the server once the
network returns. A real server and Debian's Chromium, as in tests/live.py."""
from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.live import CHROMIUM, CHROMIUM_ARGS, PASSWORDS, TABLET_PORTRAIT, first_load_bytes

from .instance import demo_server

LINK = {"latency": 300, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 1_600_000 / 8}


def _figure(name: str, value: float, unit: str, target: float) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": f"≤ {target}", "ok": value <= target}


def _login(page, server) -> None:
    page.goto(server.url + "/login")
    page.fill("#username", "thuky")
    page.fill("#password", PASSWORDS["thuky"])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def _throttle(page, offline=False):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": offline, **LINK})
    return cdp


def first_load_kb(browser, server, url: str) -> float:
    """kB on the wire (gzip, with headers) of the capture page's HTML, CSS and scripts, cold."""
    context = browser.new_context(viewport=TABLET_PORTRAIT, service_workers="block")
    page = context.new_page()
    _login(page, server)
    total = sum(first_load_bytes(page, url).values())
    context.close()
    return total / 1000


def first_load(browser, server, url: str) -> float:
    """Seconds until the capture page is loaded and its local values applied, cold."""
    context = browser.new_context(viewport=TABLET_PORTRAIT, service_workers="block")
    page = context.new_page()
    _login(page, server)
    cdp = _throttle(page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#capture[data-restored]")
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


QUEUE = """async (count) => {
  const { queue } = window.surveyOffline;
  for (let i = 0; i < count; i += 1) {
    const item = crypto.randomUUID();
    await queue.enqueue({ id: crypto.randomUUID(), kind: "change", visit: "1", message: {
      id: crypto.randomUUID(), target: "difficulty", op: "add", item, value: { text: `Khó khăn ${i}` },
      position: 1000 + i } });
  }
  return queue.size();
}"""


def drain(browser, server, url: str, count: int) -> float:
    """Seconds from the network's return until `count` offline changes are all on the server."""
    context = browser.new_context(viewport=TABLET_PORTRAIT)
    page = context.new_page()
    _login(page, server)
    page.goto(url)
    page.wait_for_selector("#capture[data-restored]")
    cdp = _throttle(page, offline=True)
    assert page.evaluate(QUEUE, count) == count
    start = time.perf_counter()
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **LINK})
    page.wait_for_function("() => document.getElementById('net-status').dataset.count === '0'",
                           timeout=120_000, polling=50)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def _difficulties(server) -> int:
    token = server.cli("token", "create", "thuky").strip().split()[-1]
    request = urllib.request.Request(server.url + "/api/v1/visits/1", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return len(json.load(response)["difficulties"])


def run(quick: bool) -> dict:
    from playwright.sync_api import sync_playwright
    count = 50 if quick else 200
    with tempfile.TemporaryDirectory() as folder:
        server = demo_server(Path(folder))
        server.start()
        try:
            before = _difficulties(server)
            url = server.url + "/visits/1/capture"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                loads = [first_load(browser, server, url) for _ in range(1 if quick else 3)]
                weight = first_load_kb(browser, server, url)
                synced = drain(browser, server, url, count)
                browser.close()
            arrived = _difficulties(server) - before
        finally:
            server.stop()
    return {"figures": [
        _figure("capture page first load, HTML + CSS + scripts", weight, "kB", 150),
        _figure("capture page first load (1.6 Mbit/s, 300 ms)", sorted(loads)[len(loads) // 2], "s", 3),
        _figure(f"{count} offline changes on the server after reconnecting", synced, "s", 10),
        _figure("changes arrived exactly once (arrived − queued)", abs(arrived - count), "", 0)]}


if __name__ == "__main__":
    print(json.dumps(run(quick=False), indent=2, ensure_ascii=False))
