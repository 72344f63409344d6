"""The plan and the report outline as editable DOCX (python-docx), from the same context
as the PDF: real styles (Title, Heading 1/2, Normal, Table Grid) set to the PDF's fonts
(Times New Roman, metric-compatible with the PDF's Liberation Serif, 13 pt), A4 with the
PDF's margins, page numbers top centre from page 2, Vietnamese as the text's language."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FONT, BODY_PT, LANGUAGE = "Times New Roman", 13, "vi-VN"
CENTER, JUSTIFY, LEFT, RIGHT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.RIGHT)
ALIGN = {"center": CENTER, "left": LEFT, "right": RIGHT}
TEXT_WIDTH_MM = 165  # A4 210 mm less the 30 mm and 15 mm side margins
CORE_PROPERTY_LIMIT = 255


def _fonts(element) -> None:
    """A style's or run's font: our face for every script (no theme font overriding it)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def _style(document, name: str, size: float, *, bold=False, italic=False, align=None, before=0, after=6,
           keep=False):
    style = document.styles[name]
    _fonts(style.element)
    style.font.size, style.font.bold, style.font.italic = Pt(size), bold, italic
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(before), Pt(after), keep or None
    fmt.line_spacing = 1.15
    style.font.color.rgb = RGBColor(0, 0, 0)
    if align is not None:
        fmt.alignment = align
    border = style.element.get_or_add_pPr().find(qn("w:pBdr"))
    if border is not None:  # the default Title has a rule under it
        border.getparent().remove(border)
    for tag in ("w:spacing", "w:color", "w:kern"):  # the default Subtitle spaces its letters out
        found = style.element.get_or_add_rPr().find(qn(tag))
        if found is not None:
            found.getparent().remove(found)
    return style


def _setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = _style(document, "Normal", BODY_PT, align=JUSTIFY)
    language = OxmlElement("w:lang")
    for key in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(key), LANGUAGE)
    normal.element.get_or_add_rPr().append(language)
    _style(document, "Title", 14, bold=True, align=CENTER, before=18, after=0, keep=True)
    _style(document, "Subtitle", BODY_PT, bold=True, align=CENTER, after=0, keep=True)
    _style(document, "Heading 1", BODY_PT, bold=True, align=JUSTIFY, before=6, after=6, keep=True)
    _style(document, "Heading 2", BODY_PT, bold=True, align=JUSTIFY, after=6, keep=True) \
        .paragraph_format.first_line_indent = Cm(1.27)  # indented as the PDF's level-2 headings
    _page_numbers(section)


def _page_numbers(section) -> None:
    """The page number top centre, from page 2 (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _para(container, text: str = "", style: str | None = None, *, align=None, bold=None, italic=None,
          size=None, indent=False, after=None, underline=None):
    paragraph = container.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return paragraph


def _rule(cell, width_mm: float, cell_mm: float) -> None:
    """A short centred line: an empty paragraph's bottom border, indented to its width."""
    paragraph = _para(cell, after=6)
    side = Mm((cell_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(document, widths: list[float], style: str | None = None):
    table = document.add_table(rows=0, cols=len(widths))
    if style:
        table.style = document.styles[style]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)
    return table


def _row(table, widths: list[float]):
    cells = table.add_row().cells
    for cell, width in zip(cells, widths):
        cell.width = Mm(width)
        cell._tc.remove(cell.paragraphs[0]._p)
    return cells


def _header(document, ctx: dict, with_nation: bool = True) -> None:
    widths = [62, TEXT_WIDTH_MM - 62]
    left, right = _row(_table(document, widths), widths)
    _para(left, ctx["parent_body"], align=CENTER, after=0)
    _para(left, ctx["issuing_body"], align=CENTER, bold=True, after=0)
    _rule(left, 22, widths[0])
    if ctx.get("number_line"):
        _para(left, ctx["number_line"], align=CENTER, after=0)
    if with_nation:
        _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=CENTER, bold=True, size=12, after=0)
        _para(right, "Độc lập - Tự do - Hạnh phúc", align=CENTER, bold=True, underline=True, after=0)
        _para(right, ctx["place_date"], align=CENTER, italic=True, size=14, after=0) \
            .paragraph_format.space_before = Pt(8)
    else:
        _para(right)


def _title(document, ctx: dict) -> None:
    document.add_paragraph(ctx["title"], style="Title")
    document.add_paragraph(ctx["subject"], style="Subtitle")
    if ctx.get("attached"):
        _para(document, ctx["attached"], align=CENTER, italic=True, after=0)
    _rule(document, 40, TEXT_WIDTH_MM)


def _grid(document, block: dict) -> None:
    widths = [column["width"] for column in block["columns"]]
    table = _table(document, widths, "Table Grid")
    header = _row(table, widths)
    for cell, column in zip(header, block["columns"]):
        _para(cell, column["label"], align=CENTER, bold=True, size=12, after=0)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in block["rows"]:
        for cell, column, text in zip(_row(table, widths), block["columns"], values):
            _para(cell, text, align=ALIGN[column["align"]], size=12, after=0)
        table.rows[-1]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays on one page
    _para(document, after=0)


def _blocks(document, body: list[dict]) -> None:
    for block in body:
        kind = block["type"]
        if kind == "heading":
            document.add_paragraph(block["text"], style=f"Heading {block['level']}")
        elif kind == "paragraph":
            _para(document, block["text"], indent=True)
        elif kind == "note":
            _para(document, block["text"], indent=True, italic=True)
        elif kind == "bullets":
            for item in block["items"]:
                _para(document, f"- {item}", indent=True)
        elif kind == "table":
            _grid(document, block)


def _closing(document, ctx: dict) -> None:
    widths = [TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2]
    left, right = _row(_table(document, widths), widths)
    _para(left, "Nơi nhận:", align=LEFT, bold=True, italic=True, size=12, after=0)
    for line in ctx["recipients"]:
        _para(left, line, align=LEFT, size=11, after=0)
    for line in ctx["signer"]["title_lines"]:
        _para(right, line, align=CENTER, bold=True, after=0)
    for _ in range(4):
        _para(right, after=0)
    _para(right, ctx["signer"]["name"], align=CENTER, bold=True, after=0)


def _core_text(text: str) -> str:
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[:CORE_PROPERTY_LIMIT - 1].rstrip() + "…"


def _properties(document, ctx: dict) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.title, props.author = _core_text(ctx["document_title"]), _core_text(ctx["author"])
    props.last_modified_by, props.language, props.comments = _core_text(ctx["author"]), LANGUAGE, ""
    props.created = props.modified = now
    props.revision = 1


def render_docx(context: dict, outline: bool = False) -> bytes:
    """The plan (or, with `outline`, the report outline) as DOCX bytes."""
    document = Document()
    _setup(document)
    _properties(document, context)
    _header(document, context, with_nation=not outline)
    _title(document, context)
    _blocks(document, context["body"])
    if not outline:
        _closing(document, context)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
