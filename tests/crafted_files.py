"""Hostile and realistic files made on the spot for the upload tests: decompression
bombs (PNG, zip), camera-like JPEGs, and a way to measure a decode's peak memory in
a fresh process."""
from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

from PIL import Image


def _zlib_of_zero_rows(row_len: int, rows: int) -> bytes:
    """A zlib stream of `rows` rows of zeros, made by repeating one flushed deflate
    block (building a 240 MB stream the ordinary way takes seconds)."""
    per = max(1, (1 << 22) // row_len)
    block = b"\0" * (row_len * per)
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = head.compress(block) + head.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(rows, per)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = tail.compress(b"\0" * (row_len * rest)) + tail.flush()
    adler = 1
    for _ in range(full):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(b"\0" * (row_len * rest), adler)
    return b"\x78\xda" + piece * full + end + struct.pack(">I", adler)


def png_bomb(width: int, height: int) -> bytes:
    """An RGB PNG of zeros: a few hundred kB on disk, width × height pixels decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", _zlib_of_zero_rows(1 + width * 3, height)) + chunk(b"IEND", b""))


def zip_bomb(member_mb: int = 200, members: tuple[str, ...] = ("mimetype",)) -> bytes:
    """A zip (an ODF document to the eye) whose `mimetype` member unpacks to
    `member_mb` MB of zeros: ~200 kB on disk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in members:
            with archive.open(name, "w") as member:
                chunk = b"\0" * (1 << 20)
                for _ in range(member_mb):
                    member.write(chunk)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


_GRAIN: dict[tuple, Image.Image] = {}


def camera_jpeg(seed: int, size=(4000, 3000), quality: int = 88) -> bytes:
    """A photo-like JPEG (smooth colour fields and sensor-like grain): ~2.8 MB at 12 MP,
    ~1.2 MB at 2000 × 1500 (quality 95). The grain is made once per size."""
    if size not in _GRAIN:
        noise = random.Random(size[0]).randbytes(size[0] * size[1] // 4)
        grain = Image.frombytes("L", (size[0] // 2, size[1] // 2), noise).resize(size)
        _GRAIN[size] = Image.merge("RGB", [grain] * 3)
    rnd = random.Random(seed)
    fields = Image.frombytes("RGB", (80, 60), rnd.randbytes(80 * 60 * 3)).resize(size, Image.BICUBIC)
    out = io.BytesIO()
    Image.blend(fields, _GRAIN[size], 0.12).save(out, "JPEG", quality=quality)
    return out.getvalue()


PEAK_SCRIPT = """
import json, resource, sys, tempfile, threading
from pathlib import Path
from survey_app.domain import images
from survey_app.domain.errors import DomainError
datas = [Path(p).read_bytes() for p in sys.argv[1:]]
folder = Path(tempfile.mkdtemp())
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base, answers = peak(), []
def one(data):
    try:
        answers.append(images.save_photo(folder, data, "file")["width"])
    except DomainError as error:
        answers.append(error.message)
threads = [threading.Thread(target=one, args=(d,)) for d in datas]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps({"growth_mb": peak() - base, "answers": answers}))
"""


def decode_peak(paths: list[Path]) -> dict:
    """Store the photos (all at once, one thread each) in a fresh Python process:
    {growth_mb: its peak RSS growth, answers: width or refusal of each}."""
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path
