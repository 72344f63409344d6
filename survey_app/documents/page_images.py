"""A PDF's pages as PNG images (poppler's pdfinfo and pdftoppm), for reading a document
on the tablet before signing it: the very bytes being signed, drawn on the server, so
the page needs no script library and works within the page's CSP.

Bounded: at most `MAX_PAGES` pages are offered, each drawn with its longer side
`LONG_SIDE` pixels whatever the page size says, in a child process with a time
limit and an address-space limit."""
from __future__ import annotations

import resource
import subprocess
import threading
from collections import OrderedDict

MAX_PAGES = 40
LONG_SIDE = 1800  # px: an A4 page 1273 px wide, sharp at 200 % on a 768 px tablet
TIMEOUT = 30  # seconds for one page (or for reading the page count)
MEMORY = 768 * 1024 * 1024  # address space of the child process


class PageImageError(RuntimeError):
    """poppler could not read or draw the PDF (broken file, limit reached)."""


def _limited() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(args: list[str], pdf: bytes) -> bytes:
    try:
        result = subprocess.run(args, input=pdf, capture_output=True, timeout=TIMEOUT, preexec_fn=_limited)
    except subprocess.TimeoutExpired as error:
        raise PageImageError("timeout") from error
    if result.returncode != 0:
        raise PageImageError(result.stderr.decode("utf-8", "replace")[:200])
    return result.stdout


# Drawn pages and page counts by the PDF's SHA-256 (the bytes themselves are not kept):
# a version's bytes never change, so an entry never goes stale.
_COUNTS: OrderedDict[str, int] = OrderedDict()
_PAGES: OrderedDict[tuple[str, int], bytes] = OrderedDict()
_LOCK = threading.Lock()


def _remember(cache: OrderedDict, key, value, most: int):
    with _LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > most:
            cache.popitem(last=False)
    return value


def _recall(cache: OrderedDict, key):
    with _LOCK:
        return cache.get(key)


def page_count(pdf: bytes, sha256: str) -> int:
    """The number of pages of `pdf` (whose SHA-256 is `sha256`: the cache key)."""
    known = _recall(_COUNTS, sha256)
    if known is not None:
        return known
    for line in _run(["pdfinfo", "-"], pdf).decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            return _remember(_COUNTS, sha256, int(line.split(":", 1)[1]), 256)
    raise PageImageError("no page count")


def page_png(pdf: bytes, sha256: str, number: int) -> bytes:
    """Page `number` (from 1) of `pdf` as PNG bytes; ValueError for a page it lacks or
    beyond `MAX_PAGES`."""
    if not 1 <= number <= min(page_count(pdf, sha256), MAX_PAGES):
        raise ValueError(number)
    known = _recall(_PAGES, (sha256, number))
    if known is not None:
        return known
    png = _run(["pdftoppm", "-png", "-f", str(number), "-l", str(number), "-scale-to", str(LONG_SIDE), "-"], pdf)
    return _remember(_PAGES, (sha256, number), png, 24)  # about 24 × 250 kB
