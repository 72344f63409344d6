"""The follow-up report as a spreadsheet (issue 17, item 3): typed cells, a frozen
header with an autofilter, widths, borders, an A4 landscape print set-up, one sheet
per view; rendered once by LibreOffice; the CSV's one charset."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

from openpyxl import load_workbook

from survey_app.domain.followup import operations as followup

from .support import hra_rec, user

PERIOD = "/followup/report.{fmt}?from=2025-10-01&to=2025-10-31"
TEXT = "Bảo đảm sự phối hợp đồng bộ, chặt chẽ giữa các bộ phận."


def _book(client):
    response = client.get(PERIOD.format(fmt="xlsx"))
    assert response.status_code == 200
    return response.data, load_workbook(io.BytesIO(response.data))


def test_xlsx_cells_are_typed_and_the_sheets_set_up_for_print(login_as, store):
    followup.report_progress(store, user(store, "xahra"), hra_rec(store)["item_id"], status="done",
                             note="Đã lắp đặt")
    _, book = _book(login_as("thuky"))
    assert book.sheetnames == ["Kiến nghị", "Theo đơn vị", "Theo đoàn"]
    sheet = book["Kiến nghị"]
    header = [c.value for c in sheet[4]]
    assert header[:7] == ["STT", "Kiến nghị", "Đơn vị thực hiện", "Đoàn", "Ngày khảo sát", "Hạn", "Trạng thái"]
    assert "Quá hạn" in header and sheet["A1"].value.startswith("BÁO CÁO KẾT QUẢ THEO DÕI")
    rows = [dict(zip(header, (c for c in row))) for row in sheet.iter_rows(min_row=5)]
    assert len(rows) == 5 and [r["STT"].value for r in rows] == [1, 2, 3, 4, 5]
    hra = next(r for r in rows if r["Kiến nghị"].value == hra_rec(store)["text"])
    for row in rows:
        for name in ("Ngày khảo sát", "Hạn"):
            assert isinstance(row[name].value, dt.datetime) and row[name].number_format == "dd/mm/yyyy"
        assert isinstance(row["Quá hạn"].value, bool) and row["Kiến nghị"].data_type == "s"
        assert row["STT"].border.left.style == "thin" and row["Quá hạn"].border.bottom.style == "thin"
    assert rows[0]["Ngày khảo sát"].value.date() == dt.date(2025, 10, 13)
    assert hra["Trạng thái"].value == "Đã hoàn thành" and hra["Chờ xác nhận hoàn thành"].value is True
    assert isinstance(hra["Ngày cập nhật gần nhất"].value, dt.datetime) and "Đã lắp đặt" in hra["Cập nhật gần nhất"].value
    late = [r for r in rows if r["Hạn"].value.date() == dt.date(2026, 1, 11)]
    assert late and all(r["Quá hạn"].value is True for r in late if r["Trạng thái"].value != "Đã hoàn thành")

    for name in book.sheetnames:
        page = book[name]
        assert page.freeze_panes == "A5" and page.auto_filter.ref.startswith("A4:")
        assert page.print_title_rows == "$4:$4"
        setup = page.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert page.sheet_properties.pageSetUpPr.fitToPage is True
        widths = [page.column_dimensions[c].width for c in "AB"]
        assert widths == ([6, 48] if name == "Kiến nghị" else [45, 14])
    by_unit = book["Theo đơn vị"]
    counts = {row[0].value: [c.value for c in row[1:]] for row in by_unit.iter_rows(min_row=5)}
    assert counts["UBND xã Hra"][-1] == 4 and counts["Trung tâm Phục vụ hành chính công xã Hra"][-1] == 1
    assert counts["Tổng số"][-1] == 5 and all(isinstance(v, int) for v in counts["Tổng số"])
    assert by_unit.auto_filter.ref == f"A4:H{by_unit.max_row - 1}"  # the total row is outside the filter
    by_delegation = {row[0].value: row[-1].value for row in book["Theo đoàn"].iter_rows(min_row=5)}
    assert by_delegation == {"Đoàn khảo sát của Ban Pháp chế HĐND tỉnh Gia Lai": 5, "Tổng số": 5}


def test_libreoffice_prints_the_workbook_landscape_with_its_dates(login_as, tmp_path):
    data, _ = _book(login_as("thuky"))
    (tmp_path / "bao-cao.xlsx").write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "bao-cao.xlsx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                              text=True, timeout=60).stdout)
    assert "BÁO CÁO KẾT QUẢ THEO DÕI THỰC HIỆN KIẾN NGHỊ" in text
    assert "13/10/2025" in text and "11/01/2026" in text and "30/06/2026" in text  # dd/mm/yyyy as printed
    assert "Bảo đảm sự phối hợp" in text and "Trung tâm Phục vụ hành chính công xã Hra" in text
    assert "Theo" not in text or "Tổng số" in text  # the count sheets print too
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == 3  # one page per sheet: each fits the width, the rows are few


def test_csv_has_one_charset(login_as):
    response = login_as("xem").get(PERIOD.format(fmt="csv"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Type"].count("charset") == 1
    assert response.data.startswith(b"\xef\xbb\xbf") and TEXT in response.data.decode("utf-8-sig")
