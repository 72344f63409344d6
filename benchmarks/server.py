"""Throughput of the autosave endpoint on the real server (waitress, as `survey-app
serve`) with 50 concurrent clients, next to the same server's bare "hello" route,
measured in the same run: requests per second and p50/p95/p99 latency, and the ratio.
"""
from __future__ import annotations

import http.client
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .instance import demo_server

CLIENTS = 50


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _load(port: int, requests_each: int, make_request) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for i in range(requests_each):
            method, path, body, headers = make_request(n, i)
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status >= 400:
                errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": _percentile(latencies, 0.95), "p99": _percentile(latencies, 0.99),
            "errors": errors[0], "requests": len(latencies)}


def _figures(name: str, stats: dict) -> list[dict]:
    return [{"name": f"{name}: requests per second", "value": round(stats["rps"], 1), "unit": "req/s",
             "target": "-", "ok": stats["errors"] == 0},
            *({"name": f"{name}: {p}", "value": round(stats[p], 1), "unit": "ms", "target": "-",
               "ok": True} for p in ("p50", "p95", "p99"))]


def run(quick: bool) -> dict:
    each = 4 if quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        server = demo_server(Path(tmp))
        server.env["SURVEY_APP_BENCHMARK_ROUTES"] = "true"  # the bare /hello route
        token = server.cli("token", "create", "thuky").strip()
        with server:
            port = server.port
            hello = _load(port, each, lambda n, i: ("GET", "/hello", None, {}))

            def autosave(n, i):
                message = {"id": str(uuid.uuid4()), "target": "difficulty", "op": "add",
                           "item": str(uuid.uuid4()), "value": {"text": f"Khó khăn {n}-{i}"}}
                return ("POST", "/api/v1/visits/1/changes", json.dumps(message),
                        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            saves = _load(port, each, autosave)
    ratio = saves["rps"] / hello["rps"]
    return {"figures": [*_figures("hello route", hello), *_figures("autosave endpoint", saves),
                        {"name": "autosave / hello throughput", "value": round(ratio, 3), "unit": "×",
                         "target": "-", "ok": saves["errors"] == 0}],
            "raw": {"hello": hello, "autosave": saves, "clients": CLIENTS}}


if __name__ == "__main__":
    print(json.dumps(run(os.environ.get("BENCH_QUICK") == "1"), ensure_ascii=False, indent=2))
