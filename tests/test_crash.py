"""Crash without loss: the real server (waitress, as `survey-app serve`) under a burst
of autosaves and imports from several client processes, killed with SIGKILL in the
middle, restarted: every acknowledged write is there exactly once and the database
passes `PRAGMA integrity_check`."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from survey_app.demo import seed_document

from .live import LiveServer

CLIENTS = 3
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path)
    server.cli("init", "--demo")
    yield server
    server.stop()


def start_clients(server, token, visit_id, folder):
    return [subprocess.Popen([sys.executable, "-m", "tests.crash_client", server.url, token, str(visit_id),
                              str(folder / f"acks-{i}.jsonl"), f"client{i}"], cwd=ROOT)
            for i in range(CLIENTS)]


def acknowledged(folder) -> list[dict]:
    records = []
    for path in folder.glob("acks-*.jsonl"):
        complete = path.read_text().split("\n")[:-1]  # a line still being written is not yet an ack
        records += [json.loads(line) for line in complete if line.strip()]
    return records


def check_database(path: Path, records: list[dict], visit_id: int) -> None:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    items = [r["item"] for r in records if r["kind"] == "change"]
    uuids = [r["uuid"] for r in records if r["kind"] == "import"]
    for uid in items:
        assert db.execute("SELECT count(*) FROM visit_items WHERE uid = ? AND deleted = 0", [uid]).fetchone()[0] == 1
    for visit_uuid in uuids:
        assert db.execute("SELECT count(*) FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()[0] == 1
    texts = db.execute("SELECT data, count(*) FROM visit_items WHERE kind = 'difficulty' "
                       "AND visit_id = ? GROUP BY data HAVING count(*) > 1", [visit_id]).fetchall()
    assert texts == []  # none twice
    db.close()


def wait_for_acks(folder, count: int, timeout: float = 60) -> None:
    """Kill only once the burst is under way, however slow the machine is today."""
    deadline = time.monotonic() + timeout
    while len(acknowledged(folder)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("kill_after", [0.0, 0.4, 1.1])
def test_sigkill_loses_no_acknowledged_write(server, tmp_path, kill_after):
    token = server.cli("token", "create", "thanhvien").strip()
    db_path = Path(server.env["SURVEY_APP_INSTANCE"]) / "survey_app.db"
    visit_id = sqlite3.connect(db_path).execute("SELECT id FROM visits WHERE uuid = ?",
                                                [seed_document()["uuid"]]).fetchone()[0]
    server.start()
    clients = start_clients(server, token, visit_id, tmp_path)
    wait_for_acks(tmp_path, 5)
    time.sleep(kill_after)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    for client in clients:
        client.wait(60)
    records = acknowledged(tmp_path)
    assert len(records) > 3, "the clients did not get to write before the kill"
    server.start()  # restart on the same files: the database opens and recovers
    server.stop()
    check_database(db_path, records, visit_id)
