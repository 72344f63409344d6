"""Photos from the tablet camera: type checked by content (Pillow decodes it, the
name and declared type are ignored; only JPEG, PNG and WebP are opened at all),
size-limited in bytes and pixels, EXIF orientation applied, resized to at most
`MAX_SIDE` pixels, stored with their SHA-256; and their printed size for the minutes.

Memory is what bounds a decode, so it is bounded three ways: the pixel caps below,
JPEG decoded in draft mode (libjpeg scales by 1/2, 1/4 or 1/8 while decoding, so a
40 MP photo is held at 10 MP or less), and at most `DECODE_SLOTS` decodes at once.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import io
import threading
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from survey_app.domain.errors import DomainError
from survey_app.domain.files import Staged, file_path, stage_bytes, stage_stream
from survey_app.markers import N_

MAX_BYTES = 15 * 1024 * 1024
# Stored photos are at most 2000 pixels a side: a camera's 4000 × 3000 or 4032 × 3024
# JPEG then decodes at half scale in draft mode (12 MB instead of 48 MB, 4× faster).
MAX_SIDE = 2000
# Tablet cameras make 8–13 MP (iPad 12 MP, Galaxy Tab S9 13 MP) and phones save 12 MP
# by default (their 48/50 MP sensors bin 4 pixels into one); 40 MP leaves room for a
# phone's 24–32 MP modes. JPEG is decoded in draft mode, so 40 MP costs ≤ 10 MP of memory.
MAX_PIXELS = 40_000_000
# PNG and WebP cannot be decoded at a smaller scale (a decode holds 4 bytes a pixel and
# a reduced copy, ~7 bytes a pixel in all): a screenshot of the largest tablets is
# 5.6 MP (2732 × 2048), cameras save JPEG; 8 MP keeps one decode near 55 MB.
MAX_FULL_DECODE_PIXELS = 8_000_000
FORMATS = ("JPEG", "PNG", "WEBP")
KEEP_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
ORIENTATION_TAG = 0x0112
# The minutes print a photo at most 140 × 95 mm (bien_ban.css): 200 dpi is that many pixels.
PRINT_BOX = (1102, 748)
PRINT_QUALITY = 80
# Decodes at once in this process (2 cores): with the caps above, ≤ 2 × ~60 MB.
DECODE_SLOTS = 2
_decodes = threading.BoundedSemaphore(DECODE_SLOTS)
MMAP_THRESHOLD = 1024 * 1024


def _return_freed_buffers() -> None:
    """Make glibc serve every buffer over 1 MB by mmap, so a decoded image's memory
    goes back to the system when freed. Left to itself glibc raises that threshold
    after the first big free, and each server thread's heap then keeps its own
    high-water mark: eight threads decoding in turn held 211 MB instead of 132 MB."""
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    if mallopt is not None:  # glibc (Debian); elsewhere the allocator's default stays
        mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD


_return_freed_buffers()

NOT_AN_IMAGE = N_("Tệp không phải là ảnh hợp lệ (chỉ nhận JPEG, PNG, WebP, HEIF đã chuyển)")
TOO_MANY_PIXELS = N_("Ảnh có quá nhiều điểm ảnh (tối đa 40 megapixel với JPEG, 8 megapixel với PNG "
                     "hoặc WebP); vui lòng chụp hoặc lưu ảnh ở độ phân giải thấp hơn")
TOO_BIG = N_("Ảnh quá lớn (tối đa 15 MB)")
EMPTY = N_("Tệp ảnh rỗng")


def _open(source, field: str) -> Image.Image:
    """Open (header only) a JPEG, PNG or WebP within the pixel caps, else DomainError."""
    try:
        image = Image.open(source, formats=FORMATS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(NOT_AN_IMAGE, field) from None
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_FULL_DECODE_PIXELS
    if image.width * image.height > limit:
        image.close()
        raise DomainError(TOO_MANY_PIXELS, field)
    return image


def _fitting(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The size of `size` scaled down to fit in `box` (what `thumbnail` makes)."""
    scale = min(1.0, box[0] / size[0], box[1] / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _decode(image: Image.Image, field: str, box: tuple[int, int] | None) -> None:
    """Decode the pixels (a broken file is refused); a JPEG only at the scale needed
    for `box` (draft mode asks libjpeg for the smallest scale still ≥ that size)."""
    try:
        if image.format == "JPEG":
            image.draft("RGB", _fitting(image.size, box) if box else
                        (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(NOT_AN_IMAGE, field) from None


def _shrunk(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Fit in `box`, then turn upright (EXIF), in RGB: each copy made at the small size."""
    image.thumbnail(box)
    upright = ImageOps.exif_transpose(image)
    return upright if upright.mode == "RGB" else upright.convert("RGB")


def _normalised(path: Path, field: str) -> tuple[bytes | None, str, int, int]:
    """(new bytes or None to keep the file, content type, width, height)."""
    with _decodes, _open(path, field) as image:
        upright = image.getexif().get(ORIENTATION_TAG, 1) in (0, 1)
        if image.format in KEEP_FORMATS and upright and max(image.size) <= MAX_SIDE:
            width, height, kind = image.width, image.height, KEEP_FORMATS[image.format]
            _decode(image, field, None)  # checked whole, kept as sent
            return None, kind, width, height
        _decode(image, field, (MAX_SIDE, MAX_SIDE))
        small = _shrunk(image, (MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue(), "image/jpeg", small.width, small.height


def suffix_for(content_type: str) -> str:
    return ".png" if content_type == "image/png" else ".jpg"


def stage_upload(folder: Path, source: BinaryIO | bytes, field: str = "photo") -> Staged:
    """Stream an upload to a temporary file (refused beyond `MAX_BYTES`, nothing kept)."""
    raw = stage_stream(folder, source, MAX_BYTES, lambda: DomainError(TOO_BIG, field))
    if raw.size == 0:
        raw.discard()
        raise DomainError(EMPTY, field)
    return raw


def check_staged(raw: Staged, field: str = "photo") -> tuple[Staged, dict]:
    """Check and normalise a staged upload; return the staged photo (to place inside
    the write transaction) and {sha256, content_type, width, height, size}.
    Refused: DomainError naming `field`, nothing kept."""
    try:
        encoded, content_type, width, height = _normalised(raw.tmp, field)
        if encoded is None:
            staged, raw.suffix = raw, suffix_for(content_type)
        else:
            raw.discard()
            staged = stage_bytes(raw.folder, encoded, suffix_for(content_type))
    except BaseException:
        raw.discard()
        raise
    return staged, {"sha256": staged.sha256, "content_type": content_type, "width": width,
                    "height": height, "size": staged.size}


def stage_photo(folder: Path, source: BinaryIO | bytes, field: str = "photo") -> tuple[Staged, dict]:
    """`stage_upload` then `check_staged`."""
    return check_staged(stage_upload(folder, source, field), field)


def save_photo(folder: Path, data: BinaryIO | bytes, field: str = "photo") -> dict:
    """Check, normalise and store a photo at once; return {sha256, content_type, width, height, size}."""
    staged, saved = stage_photo(folder, data, field)
    staged.place()
    return saved


def photo_path(folder: Path, sha256: str, content_type: str) -> Path:
    return file_path(folder, sha256, suffix_for(content_type))


def printed_photo(path: Path) -> bytes:
    """The photo at the size the minutes print it (`PRINT_BOX`), as a JPEG: a 2 MB
    camera picture becomes ~150 kB, so 20 photos keep the PDF well under 10 MB."""
    with _decodes, _open(path, "photo") as image:
        _decode(image, "photo", PRINT_BOX)
        out = io.BytesIO()
        _shrunk(image, PRINT_BOX).save(out, "JPEG", quality=PRINT_QUALITY, optimize=True)
        return out.getvalue()
