"""The survey report as an editable DOCX (python-docx), from the same context as the
PDF: national heading, title, body blocks, comparison tables with the charts, the
recipients and signer side by side, the annex of figures. Page set-up, paragraphs
and the heading come from the minutes' DOCX writer."""
from __future__ import annotations

import base64
from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.shared import Mm, Pt

from survey_app.domain.minutes.docx import CENTER, RIGHT, _cell_para, _header, _para, _setup, core_text
from survey_app.domain.survey_report import charts


def _grid(document, header: list[str], rows: list[list[str]], widths: list[float], *, size: float = 12,
          numeric_from: int = 99, bold_last: bool = False) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # Word and LibreOffice keep the column widths given
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)
    for cell, text, width in zip(table.rows[0].cells, header, widths):
        cell.width = Mm(width)
        _cell_para(cell, text, bold=True, size=size)
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for n, values in enumerate(rows, 1):
        cells = table.add_row().cells
        for index, (cell, text, width) in enumerate(zip(cells, values, widths)):
            cell.width = Mm(width)
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
            run.bold = bold_last and n == len(rows)
            cell.paragraphs[0].alignment = RIGHT if index >= numeric_from else None
    _para(document, "", after=0, indent=False)


def _title(document, ctx: dict) -> None:
    _para(document, ctx["title"], align=CENTER, bold=True, indent=False, after=0).paragraph_format.space_before = Pt(18)
    _para(document, ctx["subject"], align=CENTER, bold=True, indent=False, after=0)
    _para(document, "―――――――", align=CENTER, indent=False, size=8, after=12)
    if ctx.get("draft_line"):
        _para(document, ctx["draft_line"], align=CENTER, italic=True, indent=False)


def _comparison(document, block: dict) -> None:
    n = len(block["columns"])
    widths = [34] + [131 / n] * n
    header = ["Đơn vị"] + [f"{c['label']} ({c['unit']})" if c["unit"] else c["label"] for c in block["columns"]]
    _grid(document, header, [[r["label"], *r["cells"]] for r in block["rows"]], widths, size=9.5,
          numeric_from=1, bold_last=True)


def _block(document, block: dict) -> None:
    kind = block["type"]
    if kind == "heading":
        _para(document, block["text"], bold=True)
    elif kind == "paragraph":
        _para(document, block["text"])
    elif kind == "note":
        _para(document, block["text"], italic=True, size=12, indent=False)
    elif kind == "bullets":
        for item in block["items"]:
            _para(document, f"- {item}")
    elif kind == "numbered":
        for number, item in enumerate(block["items"], 1):
            _para(document, f"{number}. {item['text']}").add_run(f" {item['detail']}").italic = True
    elif kind == "units":
        _grid(document, ["STT", "Đơn vị được khảo sát", "Ngày làm việc"],
              [[str(r["index"]), r["unit"], r["date"]] for r in block["rows"]], [14, 115, 36])
    elif kind == "comparison":
        _comparison(document, block)
    elif kind == "chart":
        _para(document, " ".join(filter(None, [block["title"], block.get("note")])), align=CENTER, italic=True,
              indent=False, size=12, after=2)
        picture = _para(document, "", align=CENTER, indent=False)
        picture.add_run().add_picture(BytesIO(charts.png(block["bars"], block["unit"])), width=Mm(150))
    elif kind == "answers":
        _grid(document, ["Nội dung", "Kết quả tại các đơn vị"],
              [[f"{r['section']}: {r['label']}", "\n".join(r["answers"])] for r in block["rows"]], [95, 70], size=11.5)


def _closing(document, ctx: dict) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(82), Mm(83)
    for cell in (left, right):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, indent=False, after=0, align=None)
    for line in ctx["recipients"]:
        _para(left, line, size=11, indent=False, after=0, align=None)
    for line in ctx["signer"]["title_lines"]:
        _cell_para(right, line, bold=True, size=13)
    space = _cell_para(right, "")
    if ctx["signer"]["image"]:
        space.add_run().add_picture(BytesIO(base64.b64decode(ctx["signer"]["image"].split(",", 1)[1])), height=Mm(20))
    else:
        for _ in range(4):
            space.add_run().add_break(WD_BREAK.LINE)
    _cell_para(right, ctx["signer"]["name"], bold=True)


def _annex(document, ctx: dict) -> None:
    document.add_section(WD_SECTION.NEW_PAGE)
    _para(document, "PHỤ LỤC: SỐ LIỆU CỦA CÁC ĐƠN VỊ", align=CENTER, bold=True, indent=False, after=0)
    _para(document, f"(Kèm theo {ctx['document_title'].split(' - ')[0]})", align=CENTER, italic=True,
          indent=False, size=12)
    columns = ctx["annex"]["columns"]
    header = ["STT", "Đơn vị, ngày làm việc"] + [f"{c['label']} ({c['unit']})" if c["unit"] else c["label"] for c in columns]
    _grid(document, header, [[str(r["index"]), f"{r['unit']}, {r['date']}", *r["cells"]] for r in ctx["annex"]["rows"]],
          [10, 30] + [125 / len(columns)] * len(columns), size=9, numeric_from=2)
    _para(document, ctx["annex"]["note"], italic=True, indent=False, size=12, align=CENTER)


def render_docx(context: dict) -> bytes:
    """An editable DOCX of the report with the same structure and texts as the PDF."""
    document = Document()
    _setup(document)
    document.core_properties.title = core_text(context["document_title"])
    document.core_properties.author = core_text(context["author"])
    _header(document, context)
    _title(document, context)
    for block in context["body"]:
        _block(document, block)
    _closing(document, context)
    _annex(document, context)
    _para(document, f"{context['code_line']} - Phiên bản {context['version']}", size=8, indent=False, align=RIGHT)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
