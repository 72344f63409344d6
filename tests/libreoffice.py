"""Render an office document to PDF with LibreOffice headless (Debian's
libreoffice-writer-nogui / -calc-nogui), and read a PDF's words with their place.

Each call uses the profile folder it is given (`-env:UserInstallation`), never the
user's, and is bounded by a timeout."""
from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 180


def convert_to_pdf(data: bytes, suffix: str, folder: Path, profile: Path) -> bytes:
    """The PDF LibreOffice makes of a DOCX/XLSX (bytes), in `folder`, with its own profile."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"document{suffix}"
    source.write_bytes(data)
    target = source.with_suffix(".pdf")
    target.unlink(missing_ok=True)
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True, timeout=TIMEOUT_SECONDS)
    assert target.exists(), result.stderr.decode(errors="replace")
    return target.read_bytes()


def pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, whitespace normalised."""
    return [" ".join(pdftotext(pdf, "-f", str(n), "-l", str(n)).split()) for n in range(1, page_count(pdf) + 1)]


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every word as (page, x, y, text): the top-left corner in points."""
    found = []
    for number, page in enumerate(pdftotext(pdf, "-bbox").split("<page ")[1:], 1):
        found += [(number, float(m[0]), float(m[1]), html.unescape(m[4])) for m in WORD.findall(page)]
    return found


def find_line(pdf: bytes, phrase: str) -> tuple[int, float, float]:
    """(page, x, y) of the first word of the first place where `phrase` is written on one line."""
    wanted = phrase.split()
    placed = words(pdf)
    for index in range(len(placed) - len(wanted) + 1):
        run = placed[index:index + len(wanted)]
        if [w[3] for w in run] == wanted and len({w[0] for w in run}) == 1 \
                and max(w[2] for w in run) - min(w[2] for w in run) < 2:
            return run[0][0], run[0][1], run[0][2]
    raise AssertionError(f"{phrase!r} is not written on one line")
