"""The survey report's page layout (issue 13, polish items 2-3): in the DOCX the note
"(*)" follows its comparison table and is kept with its last rows, the table's lead-in
with the table, and the header's lines take the header's small font (the unit on a
line of its own); in the PDF and the DOCX the last recommendation goes onto the
signature's page with the closing sentence, numbered on."""
from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Pt

from .report_world import DELEGATION
from .support import api_headers

PDF, DOCX = f"/api/v1/delegations/{DELEGATION}/report.pdf", f"/api/v1/delegations/{DELEGATION}/report.docx"
CLOSING = "Trên đây là báo cáo kết quả khảo sát"


@pytest.fixture
def head(rapp):
    return api_headers(rapp.test_cli_runner(), "truongdoan")


def _after(table, count: int) -> list:
    """The paragraphs (python-docx objects) right after a table in the body."""
    from docx.text.paragraph import Paragraph
    found, element = [], table._tbl.getnext()
    while element is not None and len(found) < count:
        assert element.tag.endswith("}p"), "a paragraph follows the table"
        found.append(Paragraph(element, table._parent))
        element = element.getnext()
    return found


def test_docx_note_stays_with_its_table_and_headers_are_compact(rclient, head):
    document = Document(io.BytesIO(rclient.get(DOCX, headers=head).data))
    comparison = next(t for t in document.tables if t.rows[0].cells[0].text == "Đơn vị")
    spacer, note = _after(comparison, 2)
    assert spacer.text == "" and note.text.startswith("(*) Chỉ tiêu tính từ số liệu")
    assert spacer.paragraph_format.keep_with_next is True
    for row in comparison.rows[1:]:  # a short table: each row kept with the next, so it moves whole
        assert all(p.paragraph_format.keep_with_next is True for c in row.cells for p in c.paragraphs)
    lead = comparison._tbl.getprevious()
    assert "tổng hợp như sau" in "".join(lead.itertext())
    assert lead.pPr is not None and lead.pPr.keepNext is not None
    header = comparison.rows[0].cells[1].paragraphs[0]
    assert header.paragraph_format.line_spacing <= Pt(9 * 1.25)  # not the 14 pt body's line height
    label, unit = header.runs
    assert label.text == "Số hồ sơ tiếp nhận" and label.bold is not False
    assert unit.text == "\n(hồ sơ)" and unit.italic is True and unit.bold is False
    annex = next(t for t in document.tables if t.rows[0].cells[0].text == "STT" and len(t.columns) > 4)
    _spacer, annex_note = _after(annex, 2)
    assert annex_note.style.name == "Table Note" and _spacer.paragraph_format.keep_with_next is True


def test_the_last_recommendation_goes_with_the_closing_sentence(rclient, head):
    import subprocess
    secretary = api_headers(rclient.application.test_cli_runner(), "thuky")
    wording = {"recommendations": "UBND tỉnh Gia Lai: Nâng cấp đường truyền cho các xã (thời hạn: 30/06/2026)\n"
                                  "Sở Nội vụ: Bổ sung biên chế cho Trung tâm\n"
                                  "Sở Nội vụ: Tập huấn nghiệp vụ cho công chức một cửa"}
    assert rclient.post(f"/api/v1/delegations/{DELEGATION}/report/wording", json=wording,
                        headers=secretary).status_code == 200
    pdf = rclient.get(PDF, headers=head).data
    pages = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split("\f")
    closing_page = " ".join(next(p for p in pages if CLOSING in p).split())
    assert "2. Tập huấn nghiệp vụ cho công chức một cửa" in closing_page  # numbered on, with the closing

    document = Document(io.BytesIO(rclient.get(DOCX, headers=head).data))
    texts = [p.text for p in document.paragraphs]
    closing = next(i for i, t in enumerate(texts) if t.startswith(CLOSING))
    assert [t.split(" (thời hạn")[0] for t in texts[closing - 3:closing]] == [
        "2. Đối với Sở Nội vụ:", "1. Bổ sung biên chế cho Trung tâm", "2. Tập huấn nghiệp vụ cho công chức một cửa"]
    assert document.paragraphs[closing - 1].paragraph_format.keep_with_next is True
