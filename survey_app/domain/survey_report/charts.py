"""A bar chart per key indicator of the report: one bar per unit and one for the
total. SVG for the PDF (WeasyPrint draws it as vectors), PNG for the DOCX (Word
and LibreOffice place a PNG everywhere); both from the same bars."""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from survey_app.formatting import format_number

LABEL_W, BAR_W, ROW_H, PAD = 190, 260, 22, 6
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))


def bars(rows: list[tuple[str, float | None]], decimals: int = 1) -> list[dict]:
    """(label, value) → bars scaled to the largest value (a missing value draws no bar)."""
    top = max([v for _, v in rows if v is not None] or [0]) or 1
    return [{"label": label, "value": value, "width": 0 if value is None else round(BAR_W * value / top, 1),
             "text": "—" if value is None else format_number(value, decimals if value % 1 else None)}
            for label, value in rows]


def svg(rows: list[dict], unit: str) -> str:
    height = PAD * 2 + ROW_H * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_W + BAR_W + 70}" height="{height}" '
             f'viewBox="0 0 {LABEL_W + BAR_W + 70} {height}" font-family="Liberation Serif" font-size="12">']
    for i, row in enumerate(rows):
        y = PAD + i * ROW_H
        total = i == len(rows) - 1
        weight = ' font-weight="bold"' if total else ""
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end"{weight}>'
                     f'{escape(row["label"])}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{row["width"]}" height="{ROW_H - 8}" '
                     f'fill="{"#1f3b6e" if total else "#6f8fbf"}"/>')
        parts.append(f'<text x="{LABEL_W + row["width"] + 4}" y="{y + 15}">{escape(row["text"])}'
                     f'{escape(unit if unit == "%" else "")}</text>')
    parts.append(f'<line x1="{LABEL_W}" y1="{PAD}" x2="{LABEL_W}" y2="{height - PAD}" stroke="#000"/></svg>')
    return "".join(parts)


def svg_data_uri(rows: list[dict], unit: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(rows, unit).encode("utf-8")).decode("ascii")


@lru_cache(maxsize=2)
def _font(bold: bool):
    from PIL import ImageFont
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), 24)
    return ImageFont.load_default()


def png(rows: list[dict], unit: str) -> bytes:
    """The same chart as `svg`, drawn at twice the size for print."""
    from PIL import Image, ImageDraw
    scale = 2
    width, height = (LABEL_W + BAR_W + 70) * scale, (PAD * 2 + ROW_H * len(rows)) * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        y = (PAD + i * ROW_H) * scale
        total = i == len(rows) - 1
        font = _font(total)
        draw.text(((LABEL_W - 6) * scale, y + 4 * scale), row["label"], fill="black", font=font, anchor="ra")
        draw.rectangle([LABEL_W * scale, y + 3 * scale, (LABEL_W + row["width"]) * scale,
                        y + (ROW_H - 5) * scale], fill="#1f3b6e" if total else "#6f8fbf")
        draw.text(((LABEL_W + row["width"] + 4) * scale, y + 4 * scale),
                  row["text"] + (unit if unit == "%" else ""), fill="black", font=_font(False))
    draw.line([LABEL_W * scale, PAD * scale, LABEL_W * scale, height - PAD * scale], fill="black", width=2)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
