"""Building blocks of an editable DOCX in the Decree 30 layout (python-docx), for every
document the app writes (minutes, and later plans and reports).

`new_document` gives A4 with the PDF's margins, restyled built-in styles an office
can change (Normal 13 pt Times New Roman, Title, Heading 1/2, Table Grid) with the
language vi-VN, and true core properties; `page_numbers` puts the page number top
centre from page 2; `national_heading`, `rule`, `table` and `signer_table` place the
parts of an administrative document. Sizes follow `templates/minutes/bien_ban.css`.
"""
from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version as package_version
from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from survey_app.clock import now_utc

FONT = "Times New Roman"  # Liberation Serif has the same metrics where Times is missing
LANGUAGE = "vi-VN"
BODY_PT = 13
LINE_PT = 16.25  # the PDF's line-height 1.25 at 13 pt
MARGINS_MM = {"top": 20, "right": 15, "bottom": 22, "left": 30}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
RULE_PT = 0.6
CENTER, JUSTIFY, LEFT, RIGHT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY,
                                WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT)
# Word (and python-docx) refuse a core property (title, author…) longer than 255 characters.
CORE_PROPERTY_LIMIT = 255

# name: (size pt, bold, italic, alignment, first-line indent mm, space before pt, space after pt, keep with next)
PARAGRAPH_STYLES = {
    "Normal": (BODY_PT, False, False, JUSTIFY, 12.7, 0, 6, False),
    "Title": (14, True, False, CENTER, 0, 18, 0, True),
    "Subtitle": (BODY_PT, True, False, CENTER, 0, 0, 0, True),
    "Heading 1": (BODY_PT, True, False, JUSTIFY, 12.7, 0, 6, True),
    "Heading 2": (BODY_PT, True, False, JUSTIFY, 12.7, 0, 6, True),
    "Heading 3": (BODY_PT, False, False, JUSTIFY, 12.7, 0, 6, True),
    "Header": (BODY_PT, False, False, CENTER, 0, 0, 0, False),
    "Footer": (7, False, False, LEFT, 0, 0, 0, False),
    "Caption": (BODY_PT, False, True, JUSTIFY, 0, 0, 10, False),
}
# Styles of our own (based on Normal): name → the same tuple.
OWN_STYLES = {
    "Table Text": (BODY_PT, False, False, LEFT, 0, 0, 0, False),
    "Table Heading": (BODY_PT, True, False, CENTER, 0, 0, 0, False),
    "Table Note": (12, False, True, JUSTIFY, 0, 0, 6, False),
    "Heading Block": (BODY_PT, False, False, CENTER, 0, 0, 0, False),
    "Signer Title": (BODY_PT, True, False, CENTER, 0, 0, 0, True),
    "Signer Name": (BODY_PT, True, False, CENTER, 0, 0, 0, False),
    "Recipients": (11, False, False, LEFT, 0, 0, 0, False),
    "Recipients Title": (12, True, True, LEFT, 0, 6, 0, True),
}


def core_text(text: str) -> str:
    """A document property within Word's limit: cut at a word, ending with '…'."""
    if len(text) <= CORE_PROPERTY_LIMIT:
        return text
    cut = text[:CORE_PROPERTY_LIMIT - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut).rstrip(" ,;:-") + "…"


def new_document(*, title: str, author: str, subject: str = "", created: dt.datetime | None = None,
                 company: str | None = None):
    """An empty A4 document with the Decree 30 margins, the styles and true core and
    application properties (`company`, the issuing body, defaults to `author`)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(8), Mm(6)
    _defaults(document)
    for name, spec in PARAGRAPH_STYLES.items():
        _restyle(document.styles[name], *spec)
    for name, spec in OWN_STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        _restyle(style, *spec)
    _table_grid(document.styles["Table Grid"])
    _core_properties(document, title, author, subject, created or dt.datetime.fromisoformat(now_utc()))
    app_properties(document, author if company is None else company)
    return document


def to_bytes(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------- styles and properties

def _fonts(rpr) -> None:
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    rpr.insert(0, fonts)


def _language(rpr) -> None:
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), LANGUAGE)
    rpr.append(lang)


def _defaults(document) -> None:
    """Document defaults: our font, 13 pt, vi-VN (no theme fonts, no en-US)."""
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    _language(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    for fonts in styles.iter(qn("w:rFonts")):  # the template's other styles: no theme fonts either
        for attribute in list(fonts.attrib):
            if attribute.endswith("Theme") or attribute.endswith("theme"):
                del fonts.attrib[attribute]
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)


def _restyle(style, size, bold, italic, align, indent_mm, before, after, keep) -> None:
    """Replace a style's formatting entirely (the template's theme fonts, colours and borders go)."""
    for tag in ("w:pPr", "w:rPr"):
        for old in style.element.findall(qn(tag)):
            style.element.remove(old)
    font = style.font
    font.size, font.bold, font.italic = Pt(size), bold, italic
    _fonts(style.element.get_or_add_rPr())
    _language(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Mm(indent_mm) if indent_mm else Mm(0)
    fmt.left_indent = fmt.right_indent = Mm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    fmt.line_spacing = Pt(size * 1.25)
    fmt.keep_with_next = keep
    fmt.widow_control = True


def _table_grid(style) -> None:
    """Table Grid: 0.6 pt black borders, the PDF's cell padding (2 pt × 4 pt)."""
    tbl_pr = style.element.find(qn("w:tblPr"))
    for old in tbl_pr.findall(qn("w:tblBorders")) + tbl_pr.findall(qn("w:tblCellMar")):
        tbl_pr.remove(old)
    tbl_pr.append(_borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")))
    tbl_pr.append(_margins("w:tblCellMar", top=2, bottom=2, left=4, right=4))


def _borders(tag: str, sides, size_pt: float = RULE_PT):
    element = OxmlElement(tag)
    for side in sides:
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), str(max(2, round(size_pt * 8))))
        border.set(qn("w:space"), "1" if tag == "w:pBdr" else "0")
        border.set(qn("w:color"), "000000")
        element.append(border)
    return element


def _margins(tag: str, **points):
    element = OxmlElement(tag)
    for side, value in points.items():
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(value * 20)))
        margin.set(qn("w:type"), "dxa")
        element.append(margin)
    return element


def _core_properties(document, title: str, author: str, subject: str, created: dt.datetime) -> None:
    props = document.core_properties
    props.title, props.author, props.subject = core_text(title), core_text(author), core_text(subject)
    props.last_modified_by = core_text(author)
    props.comments = props.keywords = props.category = ""
    props.language = LANGUAGE
    moment = created.astimezone(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props.created = props.modified = moment
    props.revision = 1


APP_PROPERTIES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
THUMBNAIL_TYPE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


def app_version() -> tuple[str, str]:
    """(our version "0.1.0", the same as Office's AppVersion form "00.0001": XX.YYYY)."""
    try:
        full = package_version("survey_app")
    except PackageNotFoundError:  # running from a source tree that is not installed
        full = "0.0.0"
    major, minor = ([int(p) for p in full.split(".")[:2] if p.isdigit()] + [0, 0])[:2]
    return full, f"{major:02d}.{minor:04d}"


def app_properties(document, company: str) -> None:
    """Write a true `docProps/app.xml` (Application survey_app with its version, Company =
    the issuing body) in place of python-docx's template ("Microsoft Macintosh Word",
    Normal.dotm, zero counts), and drop the template's thumbnail picture. Every DOCX we
    make goes through this (new_document calls it); call it on a document built otherwise."""
    full, office_form = app_version()
    xml = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f"<Application>{escape(f'survey_app/{full}')}</Application>"
           "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
           f"<Company>{escape(core_text(company))}</Company>"
           "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
           f"<HyperlinksChanged>false</HyperlinksChanged><AppVersion>{office_form}</AppVersion>"
           "</Properties>")
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == THUMBNAIL_TYPE:
            del package.rels[r_id]
        elif rel.reltype == APP_PROPERTIES_TYPE:
            rel.target_part._blob = xml.encode("utf-8")


# ----------------------------------------------------------------- paragraphs

def use_style(para, name: str):
    """Give a paragraph a style by its id (python-docx's lookup by name reads every style of
    the template each time: eight times slower for the whole document)."""
    para._p.style = name.replace(" ", "")  # the ids of the built-in styles and of ours
    return para


def paragraph(container, text: str = "", style: str = "Normal", *, bold=None, italic=None, size=None,
              align=None, underline=None, keep=None):
    """A paragraph in a style; direct formatting only where the argument says so."""
    para = use_style(container.add_paragraph(), style)
    if align is not None:
        para.alignment = align
    if keep is not None:
        para.paragraph_format.keep_with_next = keep
    if text:
        run(para, text, bold=bold, italic=italic, size=size, underline=underline)
    return para


def run(para, text: str, *, bold=None, italic=None, size=None, underline=None):
    r = para.add_run(text)
    r.bold, r.italic, r.underline = bold, italic, underline
    if size:
        r.font.size = Pt(size)
    return r


def rule(container, width_mm: float, available_mm: float, *, after_pt: float = 0):
    """A short centred line: an empty paragraph whose bottom border is `width_mm` long."""
    para = container.add_paragraph()
    fmt = para.paragraph_format
    fmt.first_line_indent = Mm(0)
    fmt.left_indent = fmt.right_indent = Mm(max(0.0, (available_mm - width_mm) / 2))
    fmt.space_before, fmt.space_after = Pt(0), Pt(after_pt)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(2)
    para._p.get_or_add_pPr().append(_borders("w:pBdr", ("bottom",)))
    return para


def boxed(para, size_pt: float = 1):
    """A border around the paragraph (consecutive boxed paragraphs share one box)."""
    para._p.get_or_add_pPr().append(_borders("w:pBdr", ("top", "left", "bottom", "right"), size_pt))
    return para


# ----------------------------------------------------------------- tables

def table(container, widths_mm: list[float], *, style: str | None = "Table Grid", rows: int = 0,
          align=WD_TABLE_ALIGNMENT.CENTER, padding: bool = True):
    """A fixed-layout table whose grid columns equal its cells' widths."""
    tbl = container.add_table(rows=rows, cols=len(widths_mm))
    if style:
        tbl.style = style
    tbl.alignment = align
    tbl.autofit = False
    tbl_pr = tbl._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(round(sum(widths_mm) * 56.6929)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    if not padding:
        tbl_pr.append(_margins("w:tblCellMar", top=0, bottom=0, left=0, right=0))
    for grid_col, width_mm in zip(tbl._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        grid_col.set(qn("w:w"), str(round(width_mm * 56.6929)))
    for row in tbl.rows:
        size_row(row, widths_mm)
    return tbl


def size_row(row, widths_mm: list[float]) -> None:
    for cell, width_mm in zip(row.cells, widths_mm):
        cell.width = Mm(width_mm)


def add_row(tbl, widths_mm: list[float], *, header: bool = False, keep: bool = True):
    """A new row sized to the grid; a header row repeats on every page; rows do not split."""
    row = tbl.add_row()
    size_row(row, widths_mm)
    tr_pr = row._tr.get_or_add_trPr()
    if keep:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
    for cell in row.cells:
        use_style(cell.paragraphs[0], "Table Heading" if header else "Table Text")
    return row


def cell_text(cell, text: str, style: str | None = None, **formatting):
    """Write into a cell's first (empty) paragraph; more paragraphs after it."""
    para = cell.paragraphs[-1]
    if para.runs or len(cell.paragraphs) > 1 or para._p.xpath("./w:pPr/w:pBdr"):
        para = cell.add_paragraph()
    if style:
        use_style(para, style)
    if text:
        run(para, text, **formatting)
    return para


def no_borders(tbl) -> None:
    tbl_pr = tbl._tbl.tblPr
    element = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "nil")
        element.append(border)
    tbl_pr.append(element)


# ----------------------------------------------------------------- page furniture

def page_numbers(section) -> None:
    """The page number top centre on every page but the first (Decree 30)."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    use_style(para, "Header")
    _field(para, "PAGE")
    section.first_page_header.is_linked_to_previous = False


def _field(para, instruction: str) -> None:
    r = para.add_run()
    begin, text, separate, shown, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:t"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    shown.text = "2"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        r._r.append(element)


def footer_code(section, image_png: bytes | None, lines: list[str]) -> None:
    """The QR image and the verification code, bottom right of every page (first included)."""
    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        holder = footer.paragraphs[0]
        widths = [15, 45]
        tbl = footer.add_table(rows=1, cols=2, width=Mm(sum(widths)))
        tbl.alignment = WD_TABLE_ALIGNMENT.RIGHT
        table_grid_widths(tbl, widths)
        no_borders(tbl)
        image_cell, text_cell = tbl.rows[0].cells
        for cell in (image_cell, text_cell):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if image_png:
            use_style(image_cell.paragraphs[0], "Footer")
            image_cell.paragraphs[0].add_run().add_picture(BytesIO(image_png), width=Mm(13), height=Mm(13))
        para = text_cell.paragraphs[0]
        use_style(para, "Footer")
        for index, line in enumerate(lines):
            if index:
                para.add_run().add_break()
            para.add_run(line)
        holder._p.getparent().remove(holder._p)
        footer._element.append(holder._p)  # a footer must end with a paragraph
        holder.paragraph_format.space_after = Pt(0)
        holder.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        holder.paragraph_format.line_spacing = Pt(1)


def table_grid_widths(tbl, widths_mm: list[float]) -> None:
    tbl.autofit = False
    for grid_col, width_mm in zip(tbl._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        grid_col.set(qn("w:w"), str(round(width_mm * 56.6929)))
    for row in tbl.rows:
        size_row(row, widths_mm)


# ----------------------------------------------------------------- the national heading and signers

HEADER_WIDTHS_MM = [TEXT_WIDTH_MM * 0.38, TEXT_WIDTH_MM * 0.62]


def national_heading(document, parent_body: str, issuing_body: str, number_line: str, place_date: str) -> None:
    """Issuing body and number left, national name, motto and place-date right (Decree 30)."""
    tbl = table(document, HEADER_WIDTHS_MM, style=None, rows=1, padding=False)
    no_borders(tbl)
    left, right = tbl.rows[0].cells
    if parent_body:
        cell_text(left, parent_body, "Heading Block")
    cell_text(left, issuing_body, "Heading Block", bold=True)
    rule(left, 22, HEADER_WIDTHS_MM[0])
    cell_text(left, number_line, "Heading Block").paragraph_format.space_before = Pt(6)
    cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Heading Block", bold=True, size=12)
    cell_text(right, "Độc lập - Tự do - Hạnh phúc", "Heading Block", bold=True, underline=True)
    cell_text(right, place_date, "Heading Block", italic=True, size=14).paragraph_format.space_before = Pt(8)


def signer_table(document, rows: list[list[dict]], images: dict | None = None) -> None:
    """Signature blocks, two to a row: title lines, the drawn signature (or blank space),
    the name, a note. Each part is a table row, so names in a row sit at the same height.
    A block: {title_lines, name, note, image_png}, or None for an empty side; a row of
    one spans both columns."""
    widths = [TEXT_WIDTH_MM / 2] * 2
    tbl = table(document, widths, style=None, padding=False)
    no_borders(tbl)
    for blocks in rows:
        parts = [("titles", Pt(34)), ("space", Mm(24)), ("name", None)]  # bien_ban.css: .sig-titles, .sig-space
        if any(b and b.get("note") for b in blocks):
            parts.append(("note", None))
        for part, height in parts:
            row = add_row(tbl, widths)
            if height is not None:
                row.height = height
                row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if part == "space" else WD_ROW_HEIGHT_RULE.AT_LEAST
            cells = [row.cells[0].merge(row.cells[1])] if len(blocks) == 1 else list(row.cells)
            for cell, block in zip(cells, blocks):
                if block:
                    _signer_part(cell, part, block)
        spacer = add_row(tbl, widths)
        spacer.height, spacer.height_rule = Pt(12), WD_ROW_HEIGHT_RULE.EXACTLY
    for para in [p for row in tbl.rows[:-1] for cell in row.cells for p in cell.paragraphs]:
        para.paragraph_format.keep_with_next = True  # the blocks stay on one page, as in the PDF


def _signer_part(cell, part: str, block: dict) -> None:
    first = cell.paragraphs[0]
    if part == "titles":
        use_style(first, "Signer Title")
        for index, line in enumerate(block["title_lines"]):
            para = first if index == 0 else use_style(cell.add_paragraph(), "Signer Title")
            para.add_run(line)
    elif part == "space":
        use_style(first, "Signer Name")
        first.paragraph_format.keep_with_next = True
        if block.get("image_png"):
            first.paragraph_format.space_before = Pt(3)
            first.add_run().add_picture(BytesIO(block["image_png"]), height=Mm(20))
    elif part == "name":
        use_style(first, "Signer Name")
        first.add_run(block["name"])
    elif part == "note" and block.get("note"):
        use_style(first, "Signer Name")
        run(first, block["note"], bold=False, italic=True, size=10)
