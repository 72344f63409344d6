"""Evidence files of a follow-up update (minh chứng): PDF, images and office
documents, type checked by content (magic bytes; a docx/xlsx/pptx is a zip with
the right members), size-limited, stored under generated names."""
from __future__ import annotations

from survey_app.markers import N_
import io
import re
import zipfile
from pathlib import Path

import filetype

from survey_app.domain.errors import DomainError
from survey_app.domain.files import file_path, store_bytes

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
# content type → stored suffix
ALLOWED = {
    "application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
    "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
OOXML_MEMBERS = {"word/document.xml": ".docx", "xl/workbook.xml": ".xlsx", "ppt/presentation.xml": ".pptx"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REFUSED = N_("Tệp '%(name)s' không phải PDF, ảnh hoặc văn bản văn phòng hợp lệ")


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                return kind if kind in ALLOWED else None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for member, suffix in OOXML_MEMBERS.items():
        if member in names:
            return next(k for k, v in ALLOWED.items() if v == suffix)
    return None


def detect(data: bytes, filename: str = "") -> str | None:
    """The content type read from the bytes themselves, or None when not allowed."""
    if data[:5] == b"%PDF-":
        return "application/pdf" if b"%%EOF" in data[-2048:] else None
    if data[:4] == b"PK\x03\x04":
        return _zip_type(data)
    if data[:8] == OLE_MAGIC:  # legacy Word/Excel: the name says which
        return "application/vnd.ms-excel" if filename.lower().endswith(".xls") else "application/msword"
    kind = filetype.guess(data)
    return kind.mime if kind is not None and kind.mime in ALLOWED and kind.mime.startswith("image/") else None


def display_name(filename: str) -> str:
    """The name a file is shown and downloaded under: its last part (after / or \\),
    without control characters; never a path (files are stored by their SHA-256)."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "tệp"


def check(data: bytes, filename: str, field: str = "evidence") -> str:
    name = display_name(filename)
    if not data:
        raise DomainError(N_("Tệp '%(name)s' rỗng"), field, name=name)
    if len(data) > MAX_BYTES:
        raise DomainError(N_("Tệp '%(name)s' quá lớn (%(size).1f MB; tối đa 20 MB)"), field,
                          name=name, size=len(data) / 1024 / 1024)
    content_type = detect(data, name)
    if content_type is None:
        raise DomainError(REFUSED, field, name=name)
    return content_type


def save(folder: Path, uploads: list[tuple[str, bytes]], field: str = "evidence") -> list[dict]:
    """Check every upload first (nothing is stored if one is refused), then store each."""
    if len(uploads) > MAX_FILES:
        raise DomainError(N_("Tối đa %(max_files)s tệp cho một lần cập nhật"), field, max_files=MAX_FILES)
    checked = [(display_name(name), data, check(data, name, field)) for name, data in uploads]
    saved = []
    for name, data, content_type in checked:
        suffix = ALLOWED[content_type]
        sha = store_bytes(folder, data, suffix)
        saved.append({"sha256": sha, "content_type": content_type, "suffix": suffix,
                      "size": len(data), "filename": name})
    return saved


def evidence_path(folder: Path, evidence: dict) -> Path:
    return file_path(folder, evidence["sha256"], evidence["suffix"])
