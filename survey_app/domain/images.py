"""Photos from the tablet camera: type checked by content (Pillow decodes it, the
name and declared type are ignored), size-limited, EXIF orientation applied,
resized to at most `MAX_SIDE` pixels, stored with their SHA-256."""
from __future__ import annotations

from survey_app.markers import N_
import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from survey_app.domain.errors import DomainError
from survey_app.domain.files import file_path, store_bytes

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 2048
MAX_PIXELS = 80_000_000
KEEP_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
ORIENTATION_TAG = 0x0112


def _open(data: bytes, field: str) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise DomainError(N_("Ảnh quá lớn (%(size)s MB; tối đa 15 MB)"), field, size=len(data) // 1024 // 1024)
    if not data:
        raise DomainError(N_("Tệp ảnh rỗng"), field)
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise DomainError(N_("Ảnh có quá nhiều điểm ảnh"), field)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise DomainError(N_("Tệp không phải là ảnh hợp lệ (chỉ nhận JPEG, PNG, WebP, HEIF đã chuyển)"),
                          field) from None
    return image


def prepare_photo(data: bytes, field: str = "photo") -> tuple[bytes, str, int, int]:
    """(stored bytes, content type, width, height): the original when it is already a
    JPEG or PNG of a fitting size and upright, else an upright resized JPEG."""
    image = _open(data, field)
    upright = image.getexif().get(ORIENTATION_TAG, 1) in (0, 1)
    if image.format in KEEP_FORMATS and upright and max(image.size) <= MAX_SIDE:
        return data, KEEP_FORMATS[image.format], image.width, image.height
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg", image.width, image.height


def suffix_for(content_type: str) -> str:
    return ".png" if content_type == "image/png" else ".jpg"


def save_photo(folder: Path, data: bytes, field: str = "photo") -> dict:
    """Check, normalise and store a photo; return {sha256, content_type, width, height, size}."""
    stored, content_type, width, height = prepare_photo(data, field)
    sha = store_bytes(folder, stored, suffix_for(content_type))
    return {"sha256": sha, "content_type": content_type, "width": width, "height": height,
            "size": len(stored)}


def photo_path(folder: Path, sha256: str, content_type: str) -> Path:
    return file_path(folder, sha256, suffix_for(content_type))
