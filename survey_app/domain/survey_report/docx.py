"""The survey report as an editable DOCX, from the same context as the PDF: national
heading, title, body blocks, comparison tables with the charts, the recipients and the
signer side by side, the annex of figures. Page set-up, styles, tables and the heading
come from the documents' DOCX kit (`documents/docx_kit.py`), as for the minutes."""
from __future__ import annotations

import base64
from io import BytesIO

from docx.enum.section import WD_SECTION
from docx.shared import Mm, Pt

from survey_app.documents import docx_kit as kit
from survey_app.documents.docx_kit import CENTER
from survey_app.domain.survey_report import charts

W = kit.TEXT_WIDTH_MM


def _png(data_uri: str | None) -> bytes | None:
    return base64.b64decode(data_uri.split(",", 1)[1]) if data_uri else None


def _grid(document, header: list[str], rows: list[list[str]], widths: list[float], *, size: float | None = None,
          numeric_from: int = 99, bold_last: bool = False) -> None:
    tbl = kit.table(document, widths)
    for cell, text in zip(kit.add_row(tbl, widths, header=True).cells, header):
        kit.cell_text(cell, text, size=size)
    for n, values in enumerate(rows, 1):
        for index, (cell, text) in enumerate(zip(kit.add_row(tbl, widths).cells, values)):
            para = kit.cell_text(cell, text, size=size, bold=True if bold_last and n == len(rows) else None)
            para.alignment = kit.RIGHT if index >= numeric_from else None
    kit.paragraph(document).paragraph_format.space_after = Pt(0)


def _title(document, ctx: dict) -> None:
    kit.paragraph(document, ctx["title"], "Title")
    subject = kit.paragraph(document, ctx["subject"], "Subtitle")
    subject.paragraph_format.left_indent = subject.paragraph_format.right_indent = Mm(8)
    kit.rule(document, 40, W, after_pt=12).paragraph_format.space_before = Pt(4)
    if ctx.get("draft_line"):
        kit.paragraph(document, ctx["draft_line"], italic=True, align=CENTER).paragraph_format.first_line_indent = Mm(0)


def _comparison(document, block: dict) -> None:
    n = len(block["columns"])
    header = ["Đơn vị"] + [f"{c['label']} ({c['unit']})" if c["unit"] else c["label"] for c in block["columns"]]
    _grid(document, header, [[r["label"], *r["cells"]] for r in block["rows"]], [34] + [(W - 34) / n] * n,
          size=9.5, numeric_from=1, bold_last=True)


def _block(document, block: dict) -> None:
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
        for number, item in enumerate(block["items"], 1):
            kit.run(kit.paragraph(document, f"{number}. {item['text']}"), f" {item['detail']}", italic=True)
    elif kind == "units":
        _grid(document, ["STT", "Đơn vị được khảo sát", "Ngày làm việc"],
              [[str(r["index"]), r["unit"], r["date"]] for r in block["rows"]], [14, W - 50, 36])
    elif kind == "comparison":
        _comparison(document, block)
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
    header = ["STT", "Đơn vị, ngày làm việc"] + [f"{c['label']} ({c['unit']})" if c["unit"] else c["label"]
                                               for c in columns]
    _grid(document, header, [[str(r["index"]), f"{r['unit']}, {r['date']}", *r["cells"]] for r in ctx["annex"]["rows"]],
          [10, 34] + [(W - 44) / len(columns)] * len(columns), size=9, numeric_from=2)
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
    for index, block in enumerate(context["body"]):
        _block(document, block)
        if index >= context["closing_from"]:  # the closing stays on the signature's page
            document.paragraphs[-1].paragraph_format.keep_with_next = True
    _closing(document, context)
    _annex(document, context)
    return kit.to_bytes(document)
