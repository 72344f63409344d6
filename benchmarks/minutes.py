"""Minutes benchmark: the seed visit's minutes through the running server against a
bare WeasyPrint render of the same HTML in this process; sealing; verifying.

Targets (issue 4): server ≤ 1.3 × bare render, seal ≤ 60 ms, verify ≤ 15 ms.
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: fonts, caches, imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _figure(name: str, value: float, unit: str, target: float) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": f"≤ {target}",
            "ok": value <= target}


class Server:
    def __init__(self, folder: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SURVEY_APP_INSTANCE": str(folder / "instance"),
                    "SURVEY_APP_EXPORTS_DIR": str(folder / "exports"), "SURVEY_APP_BASE_URL": self.url}
        self.process = None

    def cli(self, *args: str) -> str:
        return subprocess.run([str(BIN / "survey-app"), *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def __enter__(self):
        self.process = subprocess.Popen([str(BIN / "survey-app"), "serve", "--port", str(self.port)],
                                        env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)

    def request(self, path: str, token: str, method: str = "GET") -> bytes:
        req = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.read()


def _in_process(folder: Path, base_url: str):
    """The draft's HTML as the server renders it, and the organisation's signer and roots."""
    os.environ["SURVEY_APP_INSTANCE"] = str(folder / "instance")
    from survey_app import create_app
    from survey_app.domain import minutes_docs, minutes_keys, minutes_ops
    from survey_app.web.minutes import minutes_env
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "BASE_URL": base_url})
    with app.app_context():
        env, store = minutes_env(), app.extensions["survey_store"]
        html = minutes_docs.draft_html(store, app.extensions["survey_forms"], env, minutes_ops.latest(store, 1))
        return html, minutes_keys.organisation_signer(env.certs), minutes_keys.trust_roots(env.certs)


def run(quick: bool) -> dict:
    from survey_app.minutes import render_pdf, seal_pdf, verify_pdf
    runs = 3 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = Server(folder)
        server.cli("init", "--demo")
        token = server.cli("token", "create", "thuky").strip()
        with server:
            server.request("/api/v1/visits/1/minutes/draft", token, "POST")
            served = _median_ms(lambda: server.request("/api/v1/visits/1/minutes.pdf", token), runs)
            html, signer, roots = _in_process(folder, server.url)
        bare = _median_ms(lambda: render_pdf(html), runs)
        pdf = render_pdf(html)
        seal = _median_ms(lambda: seal_pdf(pdf, signer, field_name="ToChuc"), runs * 2)
        sealed = seal_pdf(pdf, signer, field_name="ToChuc")
        verify = _median_ms(lambda: verify_pdf(sealed, roots), runs * 2)
    return {"figures": [
        _figure("minutes PDF through the server", served, "ms", float("inf")),
        _figure("bare WeasyPrint render of the same HTML", bare, "ms", float("inf")),
        _figure("server / bare render", served / bare, "×", 1.3),
        _figure("seal (PAdES, RSA 3072)", seal, "ms", 60),
        _figure("verify", verify, "ms", 15)]}


if __name__ == "__main__":
    print(json.dumps(run(os.environ.get("BENCH_QUICK") == "1"), ensure_ascii=False, indent=2))
