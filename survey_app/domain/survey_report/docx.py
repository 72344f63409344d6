"""The survey report as an editable DOCX, from the same context as the PDF: national
heading, title, body blocks, comparison tables with the charts, the recipients and the
signer side by side, the annex of figures. Page set-up, styles, tables and the heading
come from the documents' DOCX kit (`documents/docx_kit.py`), as for the minutes."""
from __future__ import annotations

import base64
from io import BytesIO

from docx.enum.section import WD_SECTION
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Mm, Pt

from survey_app.documents import docx_kit as kit
from survey_app.documents.docx_kit import CENTER
from survey_app.domain.survey_report import charts

W = kit.TEXT_WIDTH_MM
TABLES = ("units", "comparison", "answers")


def _png(data_uri: str | None) -> bytes | None:
    return base64.b64decode(data_uri.split(",", 1)[1]) if data_uri else None


# A table this short moves whole to the next page rather than leave a row or two there;
# a longer one keeps its last two rows together with what follows it.
KEEP_WHOLE_ROWS = 12


def _fit(para, size: float | None):
    """A cell paragraph in a smaller font takes that font's line height (the style's is
    the body's 14 pt, which made every line of a 9.5 pt header as tall as a body line)."""
    if size:
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        para.paragraph_format.line_spacing = Pt(size * 1.2)
    return para


def _header_cell(cell, text: str | tuple[str, str], size: float | None) -> None:
    """A header: its label in bold, its unit under it in italic ("(hồ sơ)"), as in the PDF."""
    label, unit = text if isinstance(text, tuple) else (text, "")
    para = _fit(kit.cell_text(cell, label, size=size), size)
    if unit:
        kit.run(para, f"\n({unit})", size=size, bold=False, italic=True)


def _grid(document, header: list, rows: list[list[str]], widths: list[float], *, size: float | None = None,
          numeric_from: int = 99, bold_last: bool = False, keep_next: bool = False) -> None:
    """A table with a repeated header row; with `keep_next`, what follows it (its note)
    stays on the page of its last rows (keep with next on their paragraphs and on the
    spacer between them)."""
    tbl = kit.table(document, widths)
    for cell, text in zip(kit.add_row(tbl, widths, header=True).cells, header):
        _header_cell(cell, text, size)
    kept = len(rows) if len(rows) <= KEEP_WHOLE_ROWS else 2
    for n, values in enumerate(rows, 1):
        for index, (cell, text) in enumerate(zip(kit.add_row(tbl, widths).cells, values)):
            para = _fit(kit.cell_text(cell, text, size=size, bold=True if bold_last and n == len(rows) else None), size)
            para.alignment = kit.RIGHT if index >= numeric_from else None
            if keep_next and n > len(rows) - kept:
                for each in cell.paragraphs:
                    each.paragraph_format.keep_with_next = True
    spacer = kit.paragraph(document)
    spacer.paragraph_format.space_after = Pt(0)
    spacer.paragraph_format.keep_with_next = keep_next or None


def _title(document, ctx: dict) -> None:
    kit.paragraph(document, ctx["title"], "Title")
    subject = kit.paragraph(document, ctx["subject"], "Subtitle")
    subject.paragraph_format.left_indent = subject.paragraph_format.right_indent = Mm(8)
    kit.rule(document, 40, W, after_pt=12).paragraph_format.space_before = Pt(4)
    if ctx.get("draft_line"):
        kit.paragraph(document, ctx["draft_line"], italic=True, align=CENTER).paragraph_format.first_line_indent = Mm(0)


def _comparison(document, block: dict, *, keep_next: bool = False) -> None:
    n = len(block["columns"])
    header = ["Đơn vị"] + [(c["label"], c["unit"]) for c in block["columns"]]
    _grid(document, header, [[r["label"], *r["cells"]] for r in block["rows"]], [32] + [(W - 32) / n] * n,
          size=9, numeric_from=1, bold_last=True, keep_next=keep_next)


def _block(document, block: dict, following: dict | None = None) -> None:
    kind = block["type"]
    if kind == "heading":
        kit.paragraph(document, block["text"], f"Heading {block['level']}")
    elif kind == "paragraph":
        kit.paragraph(document, block["text"])
    elif kind == "note":
        kit.paragraph(document, block["text"], "Table Note")
    elif kind == "bullets":
        for item in block["items"]:
            kit.paragraph(document, f"- {item}")
    elif kind == "numbered":
        for number, item in enumerate(block["items"], block.get("start", 0) + 1):
            kit.run(kit.paragraph(document, f"{number}. {item['text']}"), f" {item['detail']}", italic=True)
    elif kind == "units":
        _grid(document, ["STT", "Đơn vị được khảo sát", "Ngày làm việc"],
              [[str(r["index"]), r["unit"], r["date"]] for r in block["rows"]], [14, W - 50, 36])
    elif kind == "comparison":
        _comparison(document, block, keep_next=(following or {}).get("type") == "note")
    elif kind == "chart":
        kit.paragraph(document, " ".join(filter(None, [block["title"], block.get("note")])), italic=True,
                      align=CENTER, size=12, keep=True).paragraph_format.first_line_indent = Mm(0)
        picture = kit.paragraph(document, align=CENTER)
        picture.paragraph_format.first_line_indent = Mm(0)
        picture.add_run().add_picture(BytesIO(charts.png(block["bars"], block["unit"])), width=Mm(150))
    elif kind == "answers":
        _grid(document, ["Nội dung", "Kết quả tại các đơn vị"],
              [[f"{r['section']}: {r['label']}", "\n".join(r["answers"])] for r in block["rows"]], [W - 70, 70],
              size=11.5)


def _closing(document, ctx: dict) -> None:
    """Nơi nhận on the left, the signer on the right, on one line (Decree 30)."""
    widths = [W / 2, W / 2]
    tbl = kit.table(document, widths, style=None, padding=False)
    kit.no_borders(tbl)
    left, right = kit.add_row(tbl, widths).cells
    kit.cell_text(left, "Nơi nhận:", "Recipients Title")
    for line in ctx["recipients"]:
        kit.cell_text(left, line, "Recipients")
    for line in ctx["signer"]["title_lines"]:
        kit.cell_text(right, line, "Signer Title")
    space = kit.cell_text(right, "", "Signer Name")
    image = _png(ctx["signer"]["image"])
    if image:
        space.add_run().add_picture(BytesIO(image), height=Mm(20))
    else:
        space.paragraph_format.space_before = Pt(60)
    kit.cell_text(right, ctx["signer"]["name"], "Signer Name")


def _annex(document, ctx: dict) -> None:
    document.add_section(WD_SECTION.NEW_PAGE)
    kit.paragraph(document, "PHỤ LỤC: SỐ LIỆU CỦA CÁC ĐƠN VỊ", "Title")
    kit.paragraph(document, f"({ctx['annex_source']})", italic=True, align=CENTER) \
        .paragraph_format.first_line_indent = Mm(0)
    columns = ctx["annex"]["columns"]
    header = ["STT", "Đơn vị, ngày làm việc"] + [(c["label"], c["unit"]) for c in columns]
    _grid(document, header, [[str(r["index"]), f"{r['unit']}, {r['date']}", *r["cells"]] for r in ctx["annex"]["rows"]],
          [10, 34] + [(W - 44) / len(columns)] * len(columns), size=9, numeric_from=2, keep_next=True)
    kit.paragraph(document, ctx["annex"]["note"], "Table Note")


def render_docx(context: dict) -> bytes:
    """An editable DOCX of the report with the same structure and texts as the PDF."""
    document = kit.new_document(title=context["document_title"], author=context["author"],
                                subject=context["subject"])
    section = document.sections[0]
    kit.page_numbers(section)
    kit.footer_code(section, _png(context.get("qr")), [context["code_line"], f"Phiên bản {context['version']}"])
    kit.national_heading(document, context["parent_body"], context["issuing_body"], context["number_line"],
                         context["place_date"])
    _title(document, context)
    body = context["body"]
    for index, block in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else None
        _block(document, block, following)
        if index >= context["closing_from"] or (following or {}).get("type") in TABLES:
            # the closing stays on the signature's page; a table's lead-in stays with it
            document.paragraphs[-1].paragraph_format.keep_with_next = True
    _closing(document, context)
    _annex(document, context)
    return kit.to_bytes(document)
