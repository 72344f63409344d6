"""Replication lag: how long after the server acknowledges a write that write is in the
Litestream replica (a folder), with the default `REPLICA_SYNC_INTERVAL` of 1 s, on the
real server (`survey-app serve`) under a steady trickle of autosaves.
"""
from __future__ import annotations

import http.client
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from .instance import demo_server


def _transactions(replica: Path) -> int:
    """The highest transaction id the replica holds (level-0 LTX files are named by it)."""
    names = [path.name.split("-")[-1].split(".")[0] for path in (replica / "ltx" / "0").glob("*.ltx")]
    return max((int(name, 16) for name in names), default=0)


def _autosave(connection, token: str, visit_id: int, n: int) -> None:
    message = {"id": str(uuid.uuid4()), "target": "difficulty", "op": "add",
               "item": str(uuid.uuid4()), "value": {"text": f"Khó khăn thứ {n}"}}
    connection.request("POST", f"/api/v1/visits/{visit_id}/changes", body=json.dumps(message),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status < 300, response.status


def run(quick: bool) -> dict:
    writes = 10 if quick else 40
    with tempfile.TemporaryDirectory() as folder:
        server = demo_server(Path(folder))
        replica = Path(folder) / "replica"
        server.env["SURVEY_APP_REPLICA_URL"] = str(replica)
        token = server.cli("token", "create", "thanhvien").strip()
        server.start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", "/api/v1/visits/1", headers={"Authorization": f"Bearer {token}"})
            connection.getresponse().read()
            lags = []
            for n in range(writes):
                before = _transactions(replica)
                _autosave(connection, token, 1, n)
                acknowledged = time.perf_counter()
                deadline = acknowledged + 30
                while _transactions(replica) <= before and time.perf_counter() < deadline:
                    time.sleep(0.01)
                lags.append((time.perf_counter() - acknowledged) * 1000)
                time.sleep(0.3)  # writes arrive at different points of the sync interval
        finally:
            server.stop()
    ordered = sorted(lags)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"figures": [
        {"name": "replication lag after an acknowledged write, median", "value": round(statistics.median(lags)),
         "unit": "ms", "target": "≤ 1 s sync interval", "ok": statistics.median(lags) <= 1000},
        {"name": "replication lag, p95", "value": round(p95), "unit": "ms",
         "target": "≤ 1.5 s", "ok": p95 <= 1500},
    ], "writes": writes}
