"""Stored files (photos, evidence, signed documents): content-addressed by SHA-256,
written atomically (temporary file, fsync, rename) under generated names, so no
path from a user ever reaches the file system and no half file is ever left."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def file_path(folder: Path, sha256: str, suffix: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return Path(folder) / sha256[:2] / f"{sha256}{suffix}"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_bytes(folder: Path, data: bytes, suffix: str) -> str:
    """Store the bytes once; return their SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    path = file_path(folder, sha, suffix)
    if not path.exists():
        write_atomic(path, data)
    return sha
