"""Minutes context → HTML (autoescaping Jinja) → PDF/A-3b bytes (WeasyPrint).

Nothing is fetched from the network while rendering: `SafeURLFetcher` serves
only files under the repository's `templates/` folder and the package's
`static/` folder, plus `data:` URIs, and raises for every other URL.
"""
from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
MINUTES_TEMPLATE = "minutes/bien_ban.html"
PDF_VARIANT = "pdf/a-3b"


class RefusedURL(ValueError):
    """A URL the minutes renderer will not fetch (network or outside the app)."""


@lru_cache(maxsize=1)
def _fetcher_class():
    """`SafeURLFetcher`, built on first use: WeasyPrint takes about a second to import,
    and the commands and workers that never render should not pay it."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """URL fetcher limited to the app's own files and `data:` URIs."""

        def __init__(self, roots: tuple[Path, ...] = (TEMPLATES_DIR, STATIC_DIR)):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.roots = tuple(root.resolve() for root in roots)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                return self._fetch_file(url)
            raise RefusedURL(f"Refused URL while rendering minutes: {url[:200]}")

        def _fetch_file(self, url: str) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise RefusedURL(f"Refused remote file URL: {url[:200]}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
                raise RefusedURL(f"Refused file outside the app's folders: {url[:200]}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return SafeURLFetcher


def __getattr__(name: str):
    if name == "SafeURLFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The autoescaping Jinja environment of the documents' templates."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)),
                       autoescape=select_autoescape(["html", "xml"], default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(context: dict, template: str = MINUTES_TEMPLATE) -> str:
    """A document (the minutes unless `template` names another) as an HTML string, every
    field escaped. Relative links resolve from `templates/minutes/` (see `_html`)."""
    return template_environment().get_template(template).render(**context)


def _html(html: str):
    from weasyprint import HTML
    base_url = (TEMPLATES_DIR / "minutes").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher_class()())


def render_pdf(html: str) -> bytes:
    """PDF/A-3b bytes of the minutes' HTML, fonts embedded, no network access."""
    return _html(html).write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)


CSS_PX_IN_POINTS = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in), PDF counts points (1/72 in)


def render_pdf_placed(html: str, element_id: str) -> tuple[bytes, tuple | None]:
    """PDF/A-3b bytes as `render_pdf`, and where the element with id `element_id` is:
    `(page index, (x1, y1, x2, y2))` in PDF points from the page's lower-left corner,
    or None when the page has no such element."""
    document = _html(html).render(pdf_variant=PDF_VARIANT)
    found = None
    for index, page in enumerate(document.pages):
        if element_id in page.anchors:
            left, top, right, bottom = (v * CSS_PX_IN_POINTS for v in page.anchors[element_id])
            height = page.height * CSS_PX_IN_POINTS
            found = (index, (left, height - bottom, right, height - top))
            break
    return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False), found
