"""The minutes as an editable DOCX (python-docx), from the same context as the PDF.

The same document as `templates/minutes/bien_ban.html`: national heading, Title,
Heading 1/2 sections, figures and checklist tables (section rows kept), the
footnote of computed figures, numbered recommendations, signature blocks in the
delegation's layout, Nơi nhận (recipients), photos; page number top centre from
page 2, the QR and verification code on every page. Built on
`survey_app/documents/docx_kit.py` (styles an office can restyle, vi-VN).
"""
from __future__ import annotations

import base64
import datetime as dt
from io import BytesIO

from docx.enum.text import WD_LINE_SPACING
from docx.shared import Mm, Pt

from survey_app.documents import docx_kit as kit
from survey_app.documents.docx_kit import CENTER

PAD_MM = 8 * 0.3528  # a CSS width is the cell's content: the PDF's cells are 2 × 4 pt wider
FIGURE_WIDTHS_MM = [10 + PAD_MM, kit.TEXT_WIDTH_MM - 60 - 3 * PAD_MM, 24 + PAD_MM, 26 + PAD_MM]
CHECKLIST_WIDTHS_MM = [(kit.TEXT_WIDTH_MM - 32 - PAD_MM) / 2, 32 + PAD_MM, (kit.TEXT_WIDTH_MM - 32 - PAD_MM) / 2]
COMPUTED_NOTE = "(*) Chỉ tiêu tính từ số liệu báo cáo."


def _png(data_uri: str | None) -> bytes | None:
    return base64.b64decode(data_uri.split(",", 1)[1]) if data_uri else None


def _title(document, ctx: dict) -> None:
    kit.paragraph(document, ctx["title"], "Title")
    subject = kit.paragraph(document, ctx["subject"], "Subtitle")
    subject.paragraph_format.left_indent = subject.paragraph_format.right_indent = Mm(8)
    kit.rule(document, 40, kit.TEXT_WIDTH_MM, after_pt=12).paragraph_format.space_before = Pt(4)
    if ctx.get("amendment"):
        kit.paragraph(document, ctx["amendment"], "Normal", italic=True, align=CENTER).paragraph_format \
            .first_line_indent = Mm(0)


def _figures(document, rows: list[dict]) -> None:
    tbl = kit.table(document, FIGURE_WIDTHS_MM)
    header = kit.add_row(tbl, FIGURE_WIDTHS_MM, header=True)
    for cell, text in zip(header.cells, ("STT", "Chỉ tiêu", "Số liệu", "Đơn vị tính")):
        kit.cell_text(cell, text)
    for row in rows:
        cells = kit.add_row(tbl, FIGURE_WIDTHS_MM).cells
        texts = (str(row["index"]), row["label"] + (" (*)" if row["computed"] else ""), row["value"], row["unit"])
        for cell, text, align in zip(cells, texts, (CENTER, None, kit.RIGHT, CENTER)):
            kit.cell_text(cell, text, italic=True if row["computed"] else None).alignment = align
    if any(row["computed"] for row in rows):
        kit.paragraph(document, COMPUTED_NOTE, "Table Note").paragraph_format.space_before = Pt(4)
    else:
        _after_table(document)


def _checklist(document, rows: list[dict]) -> None:
    tbl = kit.table(document, CHECKLIST_WIDTHS_MM)
    header = kit.add_row(tbl, CHECKLIST_WIDTHS_MM, header=True)
    for cell, text in zip(header.cells, ("Nội dung", "Kết quả", "Ghi chú")):
        kit.cell_text(cell, text)
    section = None
    for row in rows:
        if row.get("section") and row["section"] != section:
            section = row["section"]
            cells = kit.add_row(tbl, CHECKLIST_WIDTHS_MM).cells
            merged = cells[0].merge(cells[2])
            kit.cell_text(merged, section, bold=True).paragraph_format.keep_with_next = True
        cells = kit.add_row(tbl, CHECKLIST_WIDTHS_MM).cells
        for cell, text in zip(cells, (row.get("label", ""), row.get("answer", ""), row.get("note") or "")):
            kit.cell_text(cell, text)
        cells[1].paragraphs[0].alignment = CENTER
    _after_table(document)


def _after_table(document) -> None:
    """The PDF's 6 pt under a table (Word would join two tables that touch)."""
    para = kit.paragraph(document)
    para.paragraph_format.line_spacing, para.paragraph_format.space_after = Pt(6), Pt(0)
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def _warnings(document, items: list[str]) -> None:
    for index, item in enumerate(items):
        para = kit.paragraph(document, item, "Normal", bold=True, italic=True)
        fmt = para.paragraph_format
        fmt.first_line_indent = Mm(0)
        fmt.space_after = Pt(6 if index == len(items) - 1 else 0)
        kit.boxed(para)


def _block(document, block: dict) -> None:
    kind = block["type"]
    if kind == "heading":
        kit.paragraph(document, block["text"], f"Heading {block['level']}")
    elif kind == "paragraph":
        kit.paragraph(document, block["text"], keep=True if block.get("keep") else None)
    elif kind == "bullets":
        for item in block["items"]:
            kit.paragraph(document, f"- {item}")
    elif kind == "numbered":
        for number, item in enumerate(block["items"], 1):
            para = kit.paragraph(document, f"{number}. {item['text']}")
            if item["detail"]:
                kit.run(para, f" {item['detail']}", italic=True)
            if item.get("end"):
                kit.run(para, item["end"])
    elif kind == "figures":
        _figures(document, block["rows"])
    elif kind == "warnings":
        _warnings(document, block["items"])
    elif kind == "checklist":
        _checklist(document, block["rows"])


def _signatures(document, ctx: dict) -> None:
    rows = [[sig and {**sig, "image_png": _png(sig.get("image"))} for sig in row] for row in ctx["signature_rows"]]
    spacer = kit.paragraph(document, keep=True)  # the PDF's 12 pt above the blocks
    spacer.paragraph_format.line_spacing_rule, spacer.paragraph_format.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(12)
    spacer.paragraph_format.space_after = Pt(0)
    kit.signer_table(document, rows)


def _recipients(document, ctx: dict) -> None:
    if not ctx["recipients"]:
        return
    kit.paragraph(document, "Nơi nhận:", "Recipients Title")
    for line in ctx["recipients"]:
        para = kit.paragraph(document, line, "Recipients")
        para.paragraph_format.right_indent = Mm(kit.TEXT_WIDTH_MM / 2)
        para.paragraph_format.keep_with_next = line is not ctx["recipients"][-1]


def _photos(document, ctx: dict) -> None:
    if not ctx["photos"]:
        return
    title = kit.paragraph(document, ctx["annex_title"][0], "Subtitle")
    title.add_run().add_break()
    kit.run(title, ctx["annex_title"][1])
    title.paragraph_format.space_after, title.paragraph_format.keep_with_next = Pt(0), True
    cite = kit.paragraph(document, ctx["annex_title"][2], "Normal", italic=True, align=CENTER, keep=True)
    cite.paragraph_format.first_line_indent, cite.paragraph_format.space_after = Mm(0), Pt(8)
    if any(photo["src"] for photo in ctx["photos"]):
        title.paragraph_format.page_break_before = True
    else:
        title.paragraph_format.space_before = Pt(18)
    for number, photo in enumerate(ctx["photos"], 1):
        if photo["src"]:
            picture = kit.paragraph(document, "", "Caption", align=CENTER, keep=True)
            picture.paragraph_format.space_after = Pt(0)
            picture.add_run().add_picture(BytesIO(_png(photo["src"])))
        caption = kit.paragraph(document, f"Ảnh {number}: {photo['caption']}", "Caption")
        if photo["credit"]:
            kit.run(caption, f" (Ảnh: {photo['credit']})", italic=False)
            kit.run(caption, photo["end"])


def _limit_pictures(document, max_w_mm: float = 140, max_h_mm: float = 95) -> None:
    """Photos at most 140 × 95 mm, as in the PDF (aspect kept)."""
    for shape in document.inline_shapes:
        width, height = shape.width, shape.height
        scale = min(1.0, Mm(max_w_mm) / width, Mm(max_h_mm) / height)
        if scale < 1.0:
            shape.width, shape.height = int(width * scale), int(height * scale)


def render_docx(context: dict, *, created: dt.datetime | None = None) -> bytes:
    """An editable DOCX of the minutes with the same structure and texts as the PDF
    (the full subject stays in the body; only the title property is cut)."""
    document = kit.new_document(title=context["document_title"], author=context["issuing_author"],
                                subject=context["subject"], created=created)
    section = document.sections[0]
    kit.page_numbers(section)
    kit.footer_code(section, _png(context.get("qr")),
                    [context["code_line"], f"Phiên bản {context['version']}"])
    kit.national_heading(document, context["parent_body"], context["issuing_body"], context["number_line"],
                         context["place_date"])
    _title(document, context)
    for block in context["body"]:
        _block(document, block)
    _signatures(document, context)
    _recipients(document, context)
    _photos(document, context)
    _limit_pictures(document)
    return kit.to_bytes(document)
