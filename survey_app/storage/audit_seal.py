"""What keeps the audit trail honest from outside the database: the HMAC key of its
chain (a file of the instance folder, mode 600) and the append-only anchor file into
which the chain's head is written after every committed change.

The anchor file's first line records from which entry on the chain is keyed (entries
written before an instance had a key keep their plain SHA-256 links)."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_FILE = "audit.key"
ANCHOR_FILE = "audit-anchors.jsonl"


@dataclass
class AuditSeal:
    key: bytes
    anchors: Path
    _keyed_from: int | None = None

    @classmethod
    def for_instance(cls, folder: Path) -> "AuditSeal":
        path = Path(folder) / KEY_FILE
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return cls(bytes.fromhex(path.read_text().strip()), Path(folder) / ANCHOR_FILE)

    def start(self, keyed_from: int) -> None:
        """Begin the anchor file (once) with the first keyed entry's number."""
        if not self.anchors.exists():
            self._append({"keyed_from": keyed_from})
        self._keyed_from = None

    def keyed_from(self) -> int | None:
        """The first keyed entry (read from the anchor file's first line, then kept)."""
        if self._keyed_from is None and self.anchors.exists():
            with open(self.anchors, encoding="utf-8") as handle:
                self._keyed_from = json.loads(handle.readline() or "{}").get("keyed_from")
        return self._keyed_from

    def anchor(self, entries: int, head_hash: str, at: str) -> None:
        self._append({"entries": entries, "hash": head_hash, "at": at})

    def _append(self, record: dict) -> None:
        fd = os.open(self.anchors, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")

    def read(self) -> tuple[int | None, list[dict]]:
        """(first keyed entry, anchors); (None, []) when the file is missing."""
        if not self.anchors.exists():
            return None, []
        lines = [json.loads(line) for line in self.anchors.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        keyed_from = lines[0].get("keyed_from") if lines else None
        return keyed_from, [line for line in lines[1:] if "entries" in line]
