"""A real server (`survey-app serve`, waitress) on 127.0.0.1 with the demo loaded,
and headless Chromium (Debian's, driven by Playwright) at tablet size.

The fixtures come to every test module through tests/conftest.py; import `login_page` and the sizes from here.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from survey_app.demo import DEMO_ACCOUNTS

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TABLET_PORTRAIT = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SURVEY_APP_INSTANCE": str(folder / "instance"),
                    "SURVEY_APP_EXPORTS_DIR": str(folder / "exports"),
                    "SURVEY_APP_BASE_URL": self.url}
        self.process = None

    def cli(self, *args: str) -> str:
        return subprocess.run([str(BIN / "survey-app"), *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def start(self) -> "LiveServer":
        self.process = subprocess.Popen(
            [str(BIN / "survey-app"), "serve", "--port", str(self.port)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode())
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def seed_visit_id(self) -> int:
        """The demo visit's row id in this server's database, found by the seed document's
        uuid through the storage layer (no fixed id)."""
        from survey_app.demo import seed_document
        from survey_app.storage import connect
        from survey_app.storage import visits as visits_sql
        db = connect(Path(self.env["SURVEY_APP_INSTANCE"]) / "survey_app.db")
        try:
            return visits_sql.get_visit_by_uuid(db, seed_document()["uuid"])["id"]
        finally:
            db.close()

    def request(self, path: str, token: str, method: str = "GET", body: dict | None = None) -> bytes:
        """The answer's body to an API call with a bearer token (and a JSON body)."""
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.url + path, method=method, data=data,
                                     headers={"Authorization": f"Bearer {token}",
                                              **({"Content-Type": "application/json"} if body is not None else {})})
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.read()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.cli("init", "--demo")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API holds an event loop in this thread while it
    runs, and pyHanko's validation (asyncio.run) must not find one in later modules."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", has_touch=True)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10000)
    return page


def login_page(page, server: LiveServer, username: str) -> None:
    # A sign-out just before may still be settling: the page's script clears the
    # tablet's store, then submits, and its answer can replace the login page after it
    # was filled. Fill again whenever that happened, then sign in.
    page.goto(server.url + "/login", wait_until="networkidle")
    for _ in range(3):
        page.fill("#username", username)
        page.fill("#password", PASSWORDS[username])
        page.wait_for_load_state("networkidle")
        if page.input_value("#username") == username and page.input_value("#password"):
            break
    page.click("button[type=submit]")
    try:
        page.wait_for_url(server.url + "/")
    except Exception as error:  # say what the login page answered
        raise AssertionError(f"login as {username} failed at {page.url}: "
                             f"{page.locator('main').inner_text()[:300]}") from error


def first_load_bytes(page, url) -> dict:
    """Bytes on the wire (compressed, with headers) of the page's HTML, CSS and scripts."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # cold, as on a new tablet
    kinds, sizes = {}, {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    totals = {}
    for request_id, kind in kinds.items():
        if kind in ("Document", "Stylesheet", "Script"):
            totals[kind] = totals.get(kind, 0) + sizes.get(request_id, 0)
    cdp.detach()
    return totals
