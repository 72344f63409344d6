"""The follow-up report as a spreadsheet (XLSX, openpyxl) an office works on as it is:
one sheet per view (the recommendations, by unit, by delegation); the title above a
header row that stays in view (frozen) and carries an autofilter; dates as dates
(dd/mm/yyyy), counts as numbers, "quá hạn" as a boolean; column widths, borders, and
an A4 landscape print set-up that fits the width and repeats the header on each page.

No cell ever runs as a formula: a user's text (a recommendation, a unit's name) that
starts with "=" stays a string (=HYPERLINK(...), =WEBSERVICE(...)).

A survey report's own recommendation has no visit: its "Ngày khảo sát" is the report's
date, still a date (it sorts and filters with the others), shown "dd/mm/yyyy (BC)"
with the report's reference in the cell's note ("Báo cáo số 01/BC-BPC ngày …")."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from survey_app.domain.followup.operations import STATUS_LABELS, STATUSES
from survey_app.formatting import format_date

TITLE = "BÁO CÁO KẾT QUẢ THEO DÕI THỰC HIỆN KIẾN NGHỊ"
HEADER_ROW = 4  # title, subject, an empty row, then the header
DATE_FORMAT = "dd/mm/yyyy"
REPORT_DATE_FORMAT = 'dd/mm/yyyy" (BC)"'  # a survey report's date where a visit's would be
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
# (header, width in characters, key of the record or a function of it)
RECOMMENDATION_COLUMNS = (
    ("STT", 6, "index"), ("Kiến nghị", 48, "text"), ("Đơn vị thực hiện", 24, "unit"),
    ("Đoàn", 24, "delegation"), ("Ngày khảo sát", 16, "visit_date"), ("Hạn", 12, "due"),
    ("Trạng thái", 16, "status_label"), ("Chờ xác nhận hoàn thành", 13, "awaiting_acceptance"),
    ("Quá hạn", 9, "overdue"), ("Ngày cập nhật gần nhất", 12, "last_update_at"),
    ("Cập nhật gần nhất", 32, "last_update"),
)
# A boolean shows as Có / Không where the application formats it (LibreOffice), and as
# TRUE / FALSE where it does not (Excel); its value stays a boolean either way.
BOOLEAN_FORMAT = '"Có";"Có";"Không"'
LINE_HEIGHT = 15  # points, one line of the default 11 pt font
DATE_KEYS = {"visit_date", "due", "last_update_at"}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _sheet(book: Workbook, title: str, subject: str, headers: list[str], widths: list[int],
           rows: list[list], *, first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet["A1"], sheet["A2"] = TITLE, subject
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"].font = Font(italic=True)
    for column, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(value, bool):
                cell.number_format = BOOLEAN_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top",
                                       horizontal="center" if isinstance(value, (bool, dt.date)) or column == 1 else None)
        sheet.row_dimensions[HEADER_ROW + offset].height = LINE_HEIGHT * _lines(values, widths)
    sheet.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * (_lines(headers, widths) + 1)  # bold is wider
    last = get_column_letter(len(headers))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "Trang &P/&N"
    return sheet


def _lines(values: list, widths: list[int]) -> int:
    """How many lines the row's wrapped texts take (spreadsheets do not all grow a row
    to fit its text when they open a file: LibreOffice does not)."""
    most = 1
    for value, width in zip(values, widths):
        if isinstance(value, str):
            most = max(most, sum(-(-max(len(line), 1) // max(width - 1, 1)) for line in value.split("\n")))
    return most


def _recommendation_rows(records: list[dict]) -> list[list]:
    rows = []
    for record in records:
        rows.append([_date(record[key]) if key in DATE_KEYS else record[key]
                     for _header, _width, key in RECOMMENDATION_COLUMNS])
    return rows


def _count_rows(groups: list[dict]) -> list[list]:
    rows = [[g["name"], *[g[s] for s in STATUSES], g["overdue"], g["total"]] for g in groups]
    if groups:
        rows.append(["Tổng số", *[sum(g[s] for g in groups) for s in STATUSES],
                     sum(g["overdue"] for g in groups), sum(g["total"] for g in groups)])
    return rows


def _name_reports(sheet: Worksheet, records: list[dict]) -> None:
    """The date cell of a survey report's recommendation says it is the report's."""
    column = 1 + [key for _header, _width, key in RECOMMENDATION_COLUMNS].index("visit_date")
    for offset, record in enumerate(records, start=1):
        if record.get("report"):
            cell = sheet.cell(row=HEADER_ROW + offset, column=column)
            cell.number_format = REPORT_DATE_FORMAT
            cell.comment = Comment(record["report"], "survey_app", width=240, height=40)


def report_xlsx(data: dict) -> bytes:
    """The workbook of `report_data`: sheets "Kiến nghị", "Theo đơn vị", "Theo đoàn"."""
    book = Workbook()
    subject = f"Kết quả theo dõi thực hiện {data['subject']}; số liệu đến ngày {format_date(data['today'])}"
    _sheet(book, "Kiến nghị", subject, [c[0] for c in RECOMMENDATION_COLUMNS],
           [c[1] for c in RECOMMENDATION_COLUMNS], _recommendation_rows(data["records"]), first=True)
    _name_reports(book.active, data["records"])
    counts = [STATUS_LABELS[s] for s in STATUSES] + ["Quá hạn", "Tổng số"]
    widths = [45] + [14] * len(counts)
    for title, first, key in (("Theo đơn vị", "Đơn vị thực hiện", "by_unit"),
                              ("Theo đoàn", "Đoàn", "by_delegation")):
        sheet = _sheet(book, title, subject, [first, *counts], widths, _count_rows(data[key]))
        if data[key]:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            # the total row is not one of the rows to filter or sort
            sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(counts) + 1)}{sheet.max_row - 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
