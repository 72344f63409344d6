"""The plan and the report outline as editable DOCX, from the same context as the PDF,
built with the documents' shared kit (`documents/docx_kit.py`: A4 with the PDF's
margins, Title, Heading 1/2, Normal 13 pt Times New Roman, Table Grid, vi-VN, page
numbers top centre from page 2, the national heading)."""
from __future__ import annotations

from docx.shared import Mm, Pt

from survey_app.documents import docx_kit as kit

ALIGN = {"center": kit.CENTER, "left": kit.LEFT, "right": kit.RIGHT}
ANNEX_WIDTHS_MM = kit.HEADER_WIDTHS_MM


def _annex_heading(document, ctx: dict) -> None:
    """The outline's heading: the issuing body alone, top left (an annex of the plan)."""
    tbl = kit.table(document, ANNEX_WIDTHS_MM, style=None, rows=1, padding=False)
    kit.no_borders(tbl)
    left = tbl.rows[0].cells[0]
    if ctx["parent_body"]:
        kit.cell_text(left, ctx["parent_body"], "Heading Block")
    kit.cell_text(left, ctx["issuing_body"], "Heading Block", bold=True)
    kit.rule(left, 22, ANNEX_WIDTHS_MM[0])


def _title(document, ctx: dict) -> None:
    kit.paragraph(document, ctx["title"], "Title")
    kit.paragraph(document, ctx["subject"], "Subtitle")
    if ctx.get("attached"):
        kit.paragraph(document, ctx["attached"], "Subtitle", bold=False, italic=True)
    kit.rule(document, 40, kit.TEXT_WIDTH_MM, after_pt=12).paragraph_format.space_before = Pt(4)  # .subject-rule


def _grid(document, block: dict) -> None:
    widths = [column["width"] for column in block["columns"]]
    tbl = kit.table(document, widths)
    header = kit.add_row(tbl, widths, header=True)
    for cell, column in zip(header.cells, block["columns"]):
        kit.cell_text(cell, column["label"])
    for values in block["rows"]:
        row = kit.add_row(tbl, widths)
        for cell, column, text in zip(row.cells, block["columns"], values):
            kit.cell_text(cell, text).alignment = ALIGN[column["align"]]
    kit.paragraph(document, "", "Table Note")


def _blocks(document, body: list[dict]) -> None:
    for block in body:
        kind = block["type"]
        if kind == "heading":
            kit.paragraph(document, block["text"], f"Heading {block['level']}")
        elif kind == "paragraph":
            kit.paragraph(document, block["text"])
        elif kind == "note":
            kit.paragraph(document, block["text"], italic=True)
        elif kind == "bullets":
            for item in block["items"]:
                kit.paragraph(document, f"- {item}")
        elif kind == "table":
            _grid(document, block)


def _closing(document, ctx: dict) -> None:
    """Nơi nhận on the left, the head's signer block on the right (Decree 30)."""
    widths = [kit.TEXT_WIDTH_MM / 2] * 2
    tbl = kit.table(document, widths, style=None, rows=1, padding=False)
    kit.no_borders(tbl)
    left, right = tbl.rows[0].cells
    kit.cell_text(left, "Nơi nhận:", "Recipients Title")
    for line in ctx["recipients"]:
        kit.cell_text(left, line, "Recipients")
    for line in ctx["signer"]["title_lines"]:
        kit.cell_text(right, line, "Signer Title")
    kit.cell_text(right, "", "Signer Name").paragraph_format.space_after = Mm(24)  # bien_ban.css .sig-space
    kit.cell_text(right, ctx["signer"]["name"], "Signer Name")


def render_docx(context: dict, outline: bool = False) -> bytes:
    """The plan (or, with `outline`, the report outline) as DOCX bytes."""
    document = kit.new_document(title=context["document_title"], author=context["author"],
                                subject=context["subject"])
    kit.page_numbers(document.sections[0])
    if outline:
        _annex_heading(document, context)
    else:
        kit.national_heading(document, context["parent_body"], context["issuing_body"], context["number_line"],
                             context["place_date"])
    _title(document, context)
    _blocks(document, context["body"])
    if not outline:
        _closing(document, context)
    return kit.to_bytes(document)
