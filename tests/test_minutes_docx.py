"""The DOCX of the minutes is the same document as the PDF, and editable: rendered by
LibreOffice headless it has the PDF's words, key lines in the same order and the same
page count; python-docx finds real styles (Title, Heading 1/2, Normal 13 pt Times New
Roman, Table Grid), vi-VN, true core properties, grids that match their cells, page
numbers from page 2, the QR and code; headings and the recommendations' lead line keep
with what follows, in the PDF and in the DOCX."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from collections import Counter

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from survey_app.documents import render_html, render_pdf
from survey_app.domain.minutes.context import build_context
from survey_app.domain.minutes.docx import render_docx

from .libreoffice import convert_to_pdf, find_line, page_count, page_texts, pdftotext
from .support import jpeg_bytes
from .test_minutes_documents import DATA, make_input

pytestmark = pytest.mark.libreoffice

CHECKLIST = [
    {"section": "A. Cơ sở vật chất", "label": "Có khu vực chờ cho người dân", "answer": "Có", "note": ""},
    {"section": "A. Cơ sở vật chất", "label": "Có máy lấy số thứ tự", "answer": "Không", "note": "Đang mua sắm"},
    {"section": "B. Nhân sự", "label": "Số công chức làm việc tại Trung tâm", "answer": "6", "note": ""},
]
LEAD = "Đoàn khảo sát đề nghị như sau:"
# With this many one-line opinions the lead line falls on the last line of page 2, in
# WeasyPrint and in LibreOffice alike (checked below by rendering without the keep).
OPINIONS_TO_THE_FOOT = 20


def seed() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def context(document: dict | None = None, **changes) -> dict:
    return build_context(make_input(document or seed(), **changes))


def normalise(text: str) -> str:
    return " ".join(text.split())


def text_of(element) -> str:
    return normalise("".join(t.text or "" for t in element.iter(qn("w:t"))))


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """`office(docx_bytes)` → the PDF LibreOffice makes of it (one profile for the module)."""
    root = tmp_path_factory.mktemp("libreoffice")
    counter = iter(range(1000))
    return lambda data: convert_to_pdf(data, ".docx", root / f"run{next(counter)}", root / "profile")


@pytest.fixture(scope="module")
def seed_context() -> dict:
    """The seed with a checklist, a consistency warning and one photo with its picture."""
    document = seed()
    document["photos"][0]["data"] = base64.b64encode(jpeg_bytes(size=(1600, 1200))).decode("ascii")
    return context(document, checklist_rows=CHECKLIST, warnings=["Số hồ sơ trực tuyến lớn hơn số hồ sơ tiếp nhận."])


@pytest.fixture(scope="module")
def seed_docx(seed_context) -> bytes:
    return render_docx(seed_context)


@pytest.fixture(scope="module")
def both(seed_context, seed_docx, office) -> tuple[bytes, bytes]:
    """(WeasyPrint PDF, LibreOffice PDF of the DOCX) of the same minutes."""
    return render_pdf(render_html(seed_context)), office(seed_docx)


def heading_lines(ctx: dict) -> list[str]:
    """The national heading's lines (two columns side by side: each read on its own line)."""
    return ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ctx["parent_body"],
            ctx["issuing_body"], ctx["number_line"], ctx["place_date"]]


def key_lines(ctx: dict) -> list[str]:
    """The lines a reader checks below the heading, in the order of the document."""
    lines = [ctx["title"], ctx["subject"]]
    for block in ctx["body"]:
        if block["type"] == "heading":
            lines.append(block["text"])
        elif block["type"] == "numbered":
            lines += [f"{n}. {item['text']}" for n, item in enumerate(block["items"], 1)]
        elif block["type"] == "figures":
            lines.append("(*) Chỉ tiêu tính từ số liệu báo cáo.")
    lines += [sig["name"] for row in ctx["signature_rows"] for sig in row if sig and sig["name"]]
    return lines + ["Nơi nhận:", "PHỤ LỤC", "HÌNH ẢNH BUỔI LÀM VIỆC", ctx["annex_title"][2]]


def test_libreoffice_shows_the_same_words_in_the_same_order_on_as_many_pages(seed_context, both):
    weasy, office_pdf = both
    weasy_text, office_text = normalise(pdftotext(weasy)), normalise(pdftotext(office_pdf))
    for pdf in both:
        for line in heading_lines(seed_context):
            assert find_line(pdf, line)[0] == 1
    for text in (weasy_text, office_text):
        position = 0
        for line in key_lines(seed_context):
            found = text.find(normalise(line), position)
            assert found >= 0, (line, text[position:position + 300])
            position = found + len(line)
    # The same words (page numbers and the footer of every page included): nothing lost,
    # nothing doubled, no "―――" drawn with characters.
    assert Counter(office_text.split()) == Counter(weasy_text.split())
    assert "―" not in office_text
    # Equal page counts: same margins, sizes, line height (1.25) and keep rules.
    assert page_count(office_pdf) == page_count(weasy) >= 2


def test_the_national_name_and_the_checklist_sections_are_not_broken(both):
    weasy, office_pdf = both
    for pdf in (weasy, office_pdf):
        find_line(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        for row in CHECKLIST:
            find_line(pdf, row["section"])
        find_line(pdf, "STT Chỉ tiêu Số liệu Đơn vị tính")


def test_page_number_from_page_two_and_the_code_on_every_page(seed_context, both):
    _, office_pdf = both
    top_margin = ["-x", "0", "-y", "0", "-W", "595", "-H", "50"]
    assert pdftotext(office_pdf, "-f", "1", "-l", "1", *top_margin).strip() == ""
    for page in range(2, page_count(office_pdf) + 1):
        assert pdftotext(office_pdf, "-f", str(page), "-l", str(page), *top_margin).strip() == str(page)
    for text in page_texts(office_pdf):
        assert seed_context["code_line"] in text


def test_signature_names_sit_at_the_same_height(seed_context, both):
    for pdf in both:
        row = seed_context["signature_rows"][0]
        (page_a, x_a, y_a), (page_b, x_b, y_b) = (find_line(pdf, sig["name"]) for sig in row)
        assert page_a == page_b and abs(y_a - y_b) < 1 and x_a < x_b


def test_docx_styles_are_real_and_match_the_pdf_sizes(seed_docx, seed_context):
    document = docx.Document(io.BytesIO(seed_docx))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(13)
    by_style = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["BIÊN BẢN"]
    assert document.styles["Title"].font.size == Pt(14) and document.styles["Title"].font.bold
    headings = [b["text"] for b in seed_context["body"] if b["type"] == "heading"]
    assert by_style["Heading 1"] == ["I. THÀNH PHẦN THAM DỰ", "II. NỘI DUNG LÀM VIỆC", "III. KẾT LUẬN CỦA TRƯỞNG ĐOÀN"]
    assert by_style["Heading 2"] == [h for h in headings if h not in by_style["Heading 1"]]
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        assert style.font.size == Pt(13) and style.font.bold and style.paragraph_format.keep_with_next
        assert style.font.color.rgb is None  # the template's blue is gone
    assert "(*) Chỉ tiêu tính từ số liệu báo cáo." in by_style["Table Note"]
    styles_xml = document.styles.element.xml
    assert "asciiTheme" not in styles_xml and 'w:val="en-US"' not in styles_xml
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert defaults.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"
    section = document.sections[0]
    margins = [round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin,
                                      section.left_margin)]
    assert margins == [20, 15, 22, 30] and round(section.page_width.mm) == 210
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and section.first_page_header.paragraphs[0].text == ""


def test_tables_have_grids_equal_to_their_cells_and_section_rows(seed_docx):
    document = docx.Document(io.BytesIO(seed_docx))
    for table in document.tables:
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for row in table._tbl.tr_lst:
            widths = [int(tc.tcPr.tcW.get(qn("w:w"))) for tc in row.tc_lst]
            spans = [tc.grid_span for tc in row.tc_lst]
            position, expected = 0, []
            for span in spans:
                expected.append(sum(grid[position:position + span]))
                position += span
            assert position == len(grid) and widths == expected
    grids = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    figures, checklist = grids
    assert [c.text for c in figures.rows[0].cells] == ["STT", "Chỉ tiêu", "Số liệu", "Đơn vị tính"]
    section_rows = [row for row in checklist._tbl.tr_lst if row.tc_lst[0].grid_span == 3]
    assert [text_of(row) for row in section_rows] == ["A. Cơ sở vật chất", "B. Nhân sự"]
    assert checklist.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page


def test_qr_and_code_are_in_the_footer_of_every_page(seed_docx, seed_context):
    document = docx.Document(io.BytesIO(seed_docx))
    section = document.sections[0]
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        assert "<pic:pic" in xml and seed_context["code_line"] in text_of(footer._element)
    with zipfile.ZipFile(io.BytesIO(seed_docx)) as archive:
        assert "―" not in archive.read("word/document.xml").decode("utf-8")


def test_core_properties_are_true(seed_context):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    document = docx.Document(io.BytesIO(render_docx(seed_context)))
    after = dt.datetime.now(dt.timezone.utc)
    props = document.core_properties
    assert props.title == seed_context["document_title"]
    assert props.author == "Ban Pháp chế HĐND tỉnh Gia Lai" == props.last_modified_by
    assert props.language == "vi-VN" and props.revision == 1
    assert before <= props.created <= after and props.modified == props.created
    assert "python-docx" not in " ".join(filter(None, (props.comments, props.author, props.keywords)))


def _with_opinions(count: int, keep: bool) -> dict:
    document = seed()
    document["opinions"] = [{"member": "Đinh Ly An", "text": f"Ý kiến thứ {n + 1} về hoạt động của Trung tâm."}
                            for n in range(count)]
    ctx = context(document)
    if not keep:  # as before the fix: a plain paragraph
        ctx["body"] = [{k: v for k, v in block.items() if k != "keep"} for block in ctx["body"]]
    return ctx


def _lead_is_alone(pdf: bytes) -> bool:
    page = next(text for text in page_texts(pdf) if LEAD in text)
    return "1. Tiếp tục đẩy mạnh cải cách hành chính" not in page


@pytest.mark.parametrize("renderer", ["pdf", "docx"])
def test_the_recommendations_lead_line_never_sits_alone_at_a_page_foot(renderer, office):
    def render(ctx):
        return render_pdf(render_html(ctx)) if renderer == "pdf" else office(render_docx(ctx))
    # The long seed does put the lead on the last line of a page when nothing keeps it...
    assert _lead_is_alone(render(_with_opinions(OPINIONS_TO_THE_FOOT, keep=False)))
    # ...and with the keep it moves to the next page with the first recommendation.
    kept = render(_with_opinions(OPINIONS_TO_THE_FOOT, keep=True))
    assert not _lead_is_alone(kept)
    assert find_line(kept, LEAD)[0] >= 2
