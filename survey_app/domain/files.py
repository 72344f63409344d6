"""Stored files (photos, evidence, signed documents): content-addressed by SHA-256,
written atomically (temporary file, fsync, rename) under generated names, so no
path from a user ever reaches the file system and no half file is ever left."""
from __future__ import annotations

import errno
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


# errno → what the user is told (Vietnamese): a full disk or a read-only folder.
DISK_PROBLEMS = {
    errno.ENOSPC: "Không ghi được dữ liệu: ổ đĩa của máy chủ đã đầy (hết dung lượng). "
                  "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; hãy báo quản trị viên giải phóng dung lượng.",
    errno.EDQUOT: "Không ghi được dữ liệu: đã vượt hạn mức dung lượng đĩa. "
                  "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; hãy báo quản trị viên.",
    errno.EFBIG: "Không ghi được dữ liệu: tệp vượt giới hạn kích thước cho phép trên ổ đĩa. "
                 "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; hãy báo quản trị viên.",
    errno.EROFS: "Không ghi được dữ liệu: thư mục dữ liệu đang ở chế độ chỉ đọc. "
                 "Dữ liệu đã lưu trước đó vẫn nguyên vẹn; hãy báo quản trị viên.",
    errno.EIO: "Không ghi được dữ liệu: lỗi đọc/ghi ổ đĩa. Hãy báo quản trị viên.",
}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def disk_problem(error: BaseException) -> str | None:
    """The message for a full or read-only disk, or None for any other error."""
    return DISK_PROBLEMS.get(getattr(error, "errno", None)) if isinstance(error, OSError) else None
