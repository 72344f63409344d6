"""Stored files (photos, evidence, signed documents): content-addressed by SHA-256,
written atomically (temporary file, fsync, rename) under generated names, so no
path from a user ever reaches the file system and no half file is ever left.

An upload is *staged* first: streamed in chunks to a temporary file beside its
final place (outside the write lock, never whole in memory), checked there, and
*placed* (one rename) inside the write transaction once the request is known to
succeed; a refused or failed request removes what it staged or placed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

CHUNK = 1024 * 1024


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


@dataclasses.dataclass
class Staged:
    """A file written under a temporary name in `folder`, waiting to be placed at
    `folder/ab/<sha256><suffix>`; `created` says whether placing made a new file."""
    folder: Path
    tmp: Path
    sha256: str
    size: int
    suffix: str = ""
    created: bool = False

    @property
    def path(self) -> Path:
        return file_path(self.folder, self.sha256, self.suffix)

    def place(self) -> None:
        """Move into place (inside the write transaction); an equal file already there stays."""
        final = self.path
        if final.exists():
            self.tmp.unlink(missing_ok=True)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.tmp, final)
        self.created = True

    def unplace(self) -> None:
        """Undo `place` when it made a new file (its transaction did not commit)."""
        if self.created:
            self.path.unlink(missing_ok=True)
            self.created = False

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def _temp(folder: Path) -> tuple[int, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    return fd, Path(name)


def stage_stream(folder: Path, source: BinaryIO | bytes, max_bytes: int,
                 too_big: Callable[[], Exception], suffix: str = "") -> Staged:
    """Copy an upload to a temporary file in `folder` chunk by chunk, hashing as it
    goes; raise `too_big()` (and keep nothing) once it exceeds `max_bytes`."""
    folder = Path(folder)
    if isinstance(source, (bytes, bytearray)):
        chunks: Iterable[bytes] = [bytes(source[i:i + CHUNK]) for i in range(0, len(source), CHUNK)]
    else:
        chunks = iter(lambda: source.read(CHUNK), b"")
    fd, tmp = _temp(folder)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise too_big()
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Staged(folder, tmp, digest.hexdigest(), size, suffix)


def stage_bytes(folder: Path, data: bytes, suffix: str) -> Staged:
    """Stage bytes made here (a resized photo, a signature image)."""
    return stage_stream(folder, data, len(data), lambda: AssertionError("unreachable"), suffix)


@contextlib.contextmanager
def placing(staged: Iterable[Staged | None]) -> Iterator[None]:
    """Inside a write transaction: place every staged file, run the block, and
    remove the new files again if the block fails (still under the write lock, so
    no other writer can have come to rely on them)."""
    files = [s for s in staged if s is not None]
    try:
        for staged_file in files:
            staged_file.place()
        yield
    except BaseException:
        for staged_file in files:
            staged_file.unplace()
        raise


@contextlib.contextmanager
def cleaned_up(staged: list) -> Iterator[list]:
    """Around a request that stages files: whatever happens, no temporary file stays;
    if the request fails after placing (its commit failed), the new files go too."""
    try:
        yield staged
    except BaseException:
        for staged_file in filter(None, staged):
            staged_file.unplace()
        raise
    finally:
        for staged_file in filter(None, staged):
            staged_file.discard()


# errno → what the user is told (Vietnamese): a full disk or a read-only folder.
DISK_PROBLEMS = {
    errno.ENOSPC: "Không ghi được dữ liệu: ổ đĩa của máy chủ đã đầy (hết dung lượng). "
                  "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; vui lòng báo quản trị viên giải phóng dung lượng.",
    errno.EDQUOT: "Không ghi được dữ liệu: đã vượt hạn mức dung lượng đĩa. "
                  "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; vui lòng báo quản trị viên.",
    errno.EFBIG: "Không ghi được dữ liệu: tệp vượt giới hạn kích thước cho phép trên ổ đĩa. "
                 "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; vui lòng báo quản trị viên.",
    errno.EROFS: "Không ghi được dữ liệu: thư mục dữ liệu đang ở chế độ chỉ đọc. "
                 "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; vui lòng báo quản trị viên.",
    errno.EIO: "Không ghi được dữ liệu: lỗi đọc/ghi ổ đĩa. Vui lòng báo quản trị viên.",
}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def disk_problem(error: BaseException) -> str | None:
    """The message for a full or read-only disk, or None for any other error."""
    return DISK_PROBLEMS.get(getattr(error, "errno", None)) if isinstance(error, OSError) else None
