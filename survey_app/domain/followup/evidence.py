"""Evidence files of a follow-up update (minh chứng): PDF, images and office
documents, type checked by content (magic bytes; a docx/xlsx/pptx is a zip with
the right members), size-limited, stored under generated names with the suffix of
the detected type (never the uploader's).

An upload is streamed to a temporary file and inspected there with bounded reads:
an archive (DOCX, XLSX, ODT… are zips) by its central directory and the sizes it
declares, and at most a few bytes of one member, so a zip bomb costs no memory.
"""
from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

import filetype

from survey_app.domain.errors import DomainError
from survey_app.domain.files import Staged, file_path, stage_stream
from survey_app.markers import N_

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
# Archives: a large Word or Excel file has a few hundred parts and unpacks to tens of MB.
MAX_MEMBERS = 2000
MAX_DIRECTORY_BYTES = 1024 * 1024  # the central directory, parsed whole by zipfile
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # the sum of the members' declared sizes
MIMETYPE_BYTES = 100  # an ODF `mimetype` member is one short line
EOCD = b"PK\x05\x06"
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


def _directory_fits(path: Path) -> bool:
    """Read the end-of-central-directory record: refuse before zipfile parses a
    directory of too many members (zip64, 0xFFFF entries, is refused too)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 22 - 65535))
        tail = handle.read()
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        return False
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at:at + 16])
    return entries <= MAX_MEMBERS and directory_size <= MAX_DIRECTORY_BYTES


def _zip_type(path: Path) -> str | None:
    if not _directory_fits(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                return None
            names = {m.filename for m in members}
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # bounded read, whatever it claims
                    kind = member.read(MIMETYPE_BYTES).decode("ascii", "replace").strip()
                return kind if kind in ALLOWED else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for member, suffix in OOXML_MEMBERS.items():
        if member in names:
            return next(k for k, v in ALLOWED.items() if v == suffix)
    return None


def detect_file(path: Path, filename: str = "") -> str | None:
    """The content type read from the file's own bytes (head and tail only), or None."""
    with path.open("rb") as handle:
        head = handle.read(8192)
        handle.seek(max(0, path.stat().st_size - 2048))
        tail = handle.read()
    if head[:5] == b"%PDF-":
        return "application/pdf" if b"%%EOF" in tail else None
    if head[:4] == b"PK\x03\x04":
        return _zip_type(path)
    if head[:8] == OLE_MAGIC:  # legacy Word/Excel: the name says which
        return "application/vnd.ms-excel" if filename.lower().endswith(".xls") else "application/msword"
    kind = filetype.guess(head)
    return kind.mime if kind is not None and kind.mime in ALLOWED and kind.mime.startswith("image/") else None


def display_name(filename: str) -> str:
    """The name a file is shown and downloaded under: its last part (after / or \\),
    without control characters; never a path (files are stored by their SHA-256)."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "tệp"


def named_by_type(filename: str, content_type: str) -> str:
    """The uploader's name with the extension of the detected type: a DOCX sent as
    'bao-cao.html' is 'bao-cao.docx', a PNG sent as 'anh.svg' is 'anh.png'."""
    name = display_name(filename)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return (stem.strip() or "minh-chung")[:190] + ALLOWED[content_type]


def _too_big(name: str, field: str) -> DomainError:
    return DomainError(N_("Tệp '%(name)s' quá lớn (tối đa 20 MB). Vui lòng chọn tệp nhỏ hơn."), field, name=name)


def stage(folder: Path, upload: tuple[str, BinaryIO | bytes], field: str = "evidence") -> tuple[Staged, dict]:
    """Stream one upload to a temporary file and check it there; return the staged
    file (placed later, inside the write transaction) and {sha256, content_type,
    suffix, size, filename}. Refused: DomainError naming the file, nothing kept."""
    filename, source = upload
    name = display_name(filename)
    staged = stage_stream(folder, source, MAX_BYTES, lambda: _too_big(name, field))
    try:
        if staged.size == 0:
            raise DomainError(N_("Tệp '%(name)s' rỗng. Vui lòng chọn lại tệp."), field, name=name)
        content_type = detect_file(staged.tmp, name)
        if content_type is None:
            raise DomainError(REFUSED, field, name=name)
    except BaseException:
        staged.discard()
        raise
    staged.suffix = ALLOWED[content_type]
    return staged, {"sha256": staged.sha256, "content_type": content_type, "suffix": staged.suffix,
                    "size": staged.size, "filename": named_by_type(filename, content_type)}


def stage_all(folder: Path, uploads: list, staged: list, field: str = "evidence") -> list[dict]:
    """Stage every upload into `staged` (the caller cleans it up); refuse them all if one is refused."""
    if len(uploads) > MAX_FILES:
        raise DomainError(N_("Vui lòng gửi tối đa %(max_files)s tệp cho một lần cập nhật."), field, max_files=MAX_FILES)
    saved = []
    for upload in uploads:
        staged_file, info = stage(folder, upload, field)
        staged.append(staged_file)
        saved.append(info)
    return saved


def check(data: bytes, filename: str, field: str = "evidence") -> str:
    """The detected content type of an upload given as bytes (nothing kept)."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        staged, info = stage(Path(folder), (filename, data), field)
        staged.discard()
    return info["content_type"]


def save(folder: Path, uploads: list[tuple[str, BinaryIO | bytes]], field: str = "evidence") -> list[dict]:
    """Check every upload first (nothing is stored if one is refused), then store each."""
    staged: list[Staged] = []
    try:
        saved = stage_all(folder, uploads, staged, field)
        for staged_file in staged:
            staged_file.place()
    finally:
        for staged_file in staged:
            staged_file.discard()
    return saved


def evidence_path(folder: Path, evidence: dict) -> Path:
    return file_path(folder, evidence["sha256"], evidence["suffix"])
