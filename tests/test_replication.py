"""Continuous replication with Litestream: the real server (`survey-app serve`) replicates
its SQLite file to a folder while clients write; the server is killed with SIGKILL;
a new instance restored from the replica holds every acknowledged write, and a
point-in-time restore gives the state of that time."""
from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from survey_app.demo import seed_document
from survey_app.storage import replication

from .live import BIN, LiveServer
from .test_crash import acknowledged, check_database, start_clients, wait_for_acks


def children_of(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    except FileNotFoundError:  # the process (or a thread) ended while we looked
        pass
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")[0]
    except FileNotFoundError:  # a short-lived process ended while we looked
        return ""


def descendants_of(pid: int) -> list[int]:
    found = []
    for child in children_of(pid):
        found += [child, *descendants_of(child)]
    return found


def wait_gone(pid: int, timeout: float = 30) -> None:
    """Until the process has exited (gone, or a zombie nobody reaped)."""
    def running() -> bool:
        try:
            return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False
    deadline = time.monotonic() + timeout
    while running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(), "Litestream did not exit"


def replica_transactions(replica: Path) -> int:
    """The highest transaction the replica holds (its level-0 LTX files are named by it)."""
    names = [path.name.split("-")[-1].split(".")[0] for path in (replica / "ltx" / "0").glob("*.ltx")]
    return max((int(name, 16) for name in names), default=0)


def wait_shipped(replica: Path, before: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while replica_transactions(replica) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert replica_transactions(replica) > before, "Litestream did not ship the write"


@pytest.fixture
def replicated(tmp_path):
    server = LiveServer(tmp_path / "a")
    server.env["SURVEY_APP_REPLICA_URL"] = str(tmp_path / "replica")
    server.env["SURVEY_APP_REPLICA_SYNC_INTERVAL"] = "200ms"
    server.cli("init", "--demo")
    yield server
    server.stop()


def restored_instance(tmp_path, name: str, *args: str) -> Path:
    target = LiveServer(tmp_path / name)
    target.env["SURVEY_APP_REPLICA_URL"] = str(tmp_path / "replica")
    result = subprocess.run([str(BIN / "survey-app"), "restore", "--from-replica", *args], env=target.env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Path(target.env["SURVEY_APP_INSTANCE"]) / "survey_app.db"


def test_sigkill_then_restore_from_replica_keeps_every_acknowledged_write(replicated, tmp_path):
    server = replicated
    token = server.cli("token", "create", "thanhvien").strip()
    db_path = Path(server.env["SURVEY_APP_INSTANCE"]) / "survey_app.db"
    visit_id = sqlite3.connect(db_path).execute("SELECT id FROM visits WHERE uuid = ?",
                                                [seed_document()["uuid"]]).fetchone()[0]
    server.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the watchdog starts Litestream beside the server
        litestream = [pid for pid in descendants_of(server.process.pid)
                      if command_of(pid).endswith("/litestream")]
        if litestream:
            break
        time.sleep(0.05)
    assert len(litestream) == 1, "serve starts exactly one Litestream beside the server"
    clients = start_clients(server, token, visit_id, tmp_path)
    wait_for_acks(tmp_path, 20)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    for client in clients:
        client.wait(30)
    wait_gone(litestream[0], 90)  # told by the kernel that its server died, it ships the rest and exits
    records = acknowledged(tmp_path)
    assert len(records) >= 20

    restored = restored_instance(tmp_path, "b")
    check_database(restored, records, visit_id)
    assert (tmp_path / "replica").is_dir()


def test_restore_to_a_point_in_time(replicated, tmp_path):
    server = replicated
    token = server.cli("token", "create", "thanhvien").strip()
    server.start()

    def import_visit(uuid: str) -> None:
        document = {**seed_document(), "uuid": uuid}
        request = urllib.request.Request(server.url + "/api/v1/visits", data=json.dumps(document).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        assert urllib.request.urlopen(request, timeout=30).status == 201

    first, second = "7b0c6a2e-0000-4000-8000-000000000001", "7b0c6a2e-0000-4000-8000-000000000002"
    replica = tmp_path / "replica"
    shipped = replica_transactions(replica)
    import_visit(first)
    wait_shipped(replica, shipped)  # the first import is in the replica before the chosen time
    time.sleep(1.1)
    between = dt.datetime.now(dt.timezone.utc)
    time.sleep(1.1)
    shipped = replica_transactions(replica)
    import_visit(second)
    wait_shipped(replica, shipped)
    server.stop()

    latest = sqlite3.connect(restored_instance(tmp_path, "latest"))
    assert {row[0] for row in latest.execute("SELECT uuid FROM visits")} >= {first, second}
    earlier = sqlite3.connect(restored_instance(tmp_path, "earlier", "--timestamp", between.isoformat()))
    uuids = {row[0] for row in earlier.execute("SELECT uuid FROM visits")}
    assert first in uuids and second not in uuids


def test_restore_from_replica_needs_a_configured_replica(tmp_path):
    server = LiveServer(tmp_path)
    server.cli("init")
    process = subprocess.run([str(BIN / "survey-app"), "restore", "--from-replica"], env=server.env,
                             capture_output=True, text=True)
    assert process.returncode == 2
    assert "REPLICA_URL" in process.stderr


def test_bad_timestamp_is_named():
    with pytest.raises(replication.ReplicationError, match="2026-11-29T15:30:00"):
        replication.litestream_timestamp("hôm qua")
    assert replication.litestream_timestamp("2026-11-29T15:30:00+07:00") == "2026-11-29T08:30:00Z"
    assert replication.litestream_timestamp("2026-11-29T15:30:00") == "2026-11-29T08:30:00Z"


def test_config_for_a_folder_and_for_s3(tmp_path):
    folder = json.loads(replication.config_text(tmp_path / "a.db", str(tmp_path / "r")))
    assert folder["dbs"][0]["replicas"][0] == {"sync-interval": "1s", "type": "file",
                                               "path": str((tmp_path / "r").resolve())}
    s3 = json.loads(replication.config_text(tmp_path / "a.db", "s3://bucket/gia-lai", "5s"))
    assert s3["dbs"][0]["replicas"][0] == {"sync-interval": "5s", "url": "s3://bucket/gia-lai"}
