"""The minutes as an editable DOCX (python-docx), from the same context as the PDF.

Same structure and texts as `templates/minutes/bien_ban.html`: header table,
title, body blocks, figures table, numbered recommendations, signature blocks
and Nơi nhận (recipients); Times New Roman on A4 with Decree 30 margins.
"""
from __future__ import annotations

import base64
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
CENTER, JUSTIFY, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.RIGHT


def _setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.space_before = Pt(0)


def _para(container, text: str = "", *, align=JUSTIFY, bold=False, italic=False,
          size=None, indent=True, after=6, underline=False):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(1.27) if indent else None
    fmt.space_after = Pt(after)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return paragraph


def _cell_para(cell, text, **kwargs):
    kwargs.setdefault("align", CENTER)
    kwargs.setdefault("after", 0)
    return _para(cell, text, indent=False, **kwargs)


def _header(document, ctx: dict) -> None:
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    left.paragraphs[0]._element.getparent().remove(left.paragraphs[0]._element)
    right.paragraphs[0]._element.getparent().remove(right.paragraphs[0]._element)
    _cell_para(left, ctx["parent_body"], size=13)
    _cell_para(left, ctx["issuing_body"], size=13, bold=True)
    _cell_para(left, "―――――", size=8)
    _cell_para(left, ctx["number_line"], size=13)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, underline=True)
    _cell_para(right, ctx["place_date"], size=14, italic=True, after=0).paragraph_format.space_before = Pt(8)


def _title(document, ctx: dict) -> None:
    _para(document, ctx["title"], align=CENTER, bold=True, indent=False, after=0).paragraph_format.space_before = Pt(18)
    _para(document, ctx["subject"], align=CENTER, bold=True, indent=False, after=0)
    _para(document, "―――――――", align=CENTER, indent=False, size=8, after=12)
    if ctx.get("amendment"):
        _para(document, ctx["amendment"], align=CENTER, italic=True, indent=False)


def _grid(document, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(table.rows[0].cells, header, widths):
        cell.width = Mm(width)
        _cell_para(cell, text, bold=True, size=13)
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text, width) in enumerate(zip(cells, values, widths)):
            cell.width = Mm(width)
            cell.paragraphs[0].text = text
            cell.paragraphs[0].alignment = RIGHT if header[index] == "Số liệu" else None
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(13)
    _para(document, "", after=0, indent=False)


def _block(document, block: dict) -> None:
    kind = block["type"]
    if kind == "heading":
        _para(document, block["text"], bold=True)
    elif kind == "paragraph":
        _para(document, block["text"])
    elif kind == "bullets":
        for item in block["items"]:
            _para(document, f"- {item}")
    elif kind == "numbered":
        for number, item in enumerate(block["items"], 1):
            paragraph = _para(document, f"{number}. {item['text']}")
            if item["detail"]:
                paragraph.add_run(f" {item['detail']}").italic = True
    elif kind == "figures":
        _grid(document, ["STT", "Chỉ tiêu", "Số liệu", "Đơn vị tính"],
              [[str(r["index"]), r["label"] + (" (*)" if r["computed"] else ""), r["value"], r["unit"]]
               for r in block["rows"]], [12, 95, 28, 30])
    elif kind == "warnings":
        for item in block["items"]:
            _para(document, item, bold=True, italic=True, indent=False, size=13)
    elif kind == "checklist":
        _grid(document, ["Nội dung", "Kết quả", "Ghi chú"],
              [[f"{r.get('section', '')}: {r.get('label', '')}".lstrip(": "), r.get("answer", ""),
                r.get("note", "") or ""] for r in block["rows"]], [85, 35, 45])


def _signatures(document, ctx: dict) -> None:
    for row in ctx["signature_rows"]:
        table = document.add_table(rows=1, cols=2)
        cells = table.rows[0].cells
        targets = [cells[0].merge(cells[1])] if len(row) == 1 else cells
        for cell, sig in zip(targets, row):
            cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
            for line in sig["title_lines"]:
                _cell_para(cell, line, bold=True, size=13)
            space = _cell_para(cell, "")
            if sig["image"]:
                png = base64.b64decode(sig["image"].split(",", 1)[1])
                space.add_run().add_picture(BytesIO(png), height=Mm(20))
            else:
                for _ in range(3):
                    space.add_run().add_break(WD_BREAK.LINE)
            _cell_para(cell, sig["name"], bold=True, after=12)
            if sig.get("note"):
                _cell_para(cell, sig["note"], after=12)


def _recipients(document, ctx: dict) -> None:
    if not ctx["recipients"]:
        return
    _para(document, "Nơi nhận:", bold=True, italic=True, size=12, indent=False, after=0, align=None)
    for line in ctx["recipients"]:
        _para(document, line, size=11, indent=False, after=0, align=None)


def _photos(document, ctx: dict) -> None:
    if not ctx["photos"]:
        return
    _para(document, "PHỤ LỤC: HÌNH ẢNH", align=CENTER, bold=True, indent=False).paragraph_format.space_before = Pt(18)
    for number, photo in enumerate(ctx["photos"], 1):
        if photo["src"]:
            picture = _para(document, "", align=CENTER, indent=False)
            picture.add_run().add_picture(BytesIO(base64.b64decode(photo["src"].split(",", 1)[1])), width=Mm(140))
        caption = _para(document, f"Ảnh {number}: {photo['caption']}", italic=True, indent=False, size=13)
        if photo["credit"]:
            caption.add_run(f" (Ảnh: {photo['credit']})").font.size = Pt(13)


# Word (and python-docx) refuse a core property (title, author…) longer than 255 characters.
CORE_PROPERTY_LIMIT = 255


def core_text(text: str) -> str:
    """A document property within Word's limit: cut at a word, ending with '…'."""
    if len(text) <= CORE_PROPERTY_LIMIT:
        return text
    cut = text[:CORE_PROPERTY_LIMIT - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut).rstrip(" ,;:-") + "…"


def render_docx(context: dict) -> bytes:
    """An editable DOCX of the minutes with the same structure and texts as the PDF
    (the full subject stays in the body; only the title property is cut)."""
    document = Document()
    _setup(document)
    document.core_properties.title = core_text(context["document_title"])
    document.core_properties.author = core_text(context["author"])
    _header(document, context)
    _title(document, context)
    for block in context["body"]:
        _block(document, block)
    _signatures(document, context)
    _recipients(document, context)
    _photos(document, context)
    _para(document, f"{context['code_line']} - Phiên bản {context['version']}",
          size=8, indent=False, align=RIGHT)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
