"""An XLSForm workbook (Excel, the ODK dialect) read into rows, within its limits.

The workbook is checked before it is parsed (size, a real .xlsx, no password, no
macros, bounded unpacked size and rows), read row by row with openpyxl so every
problem can name its sheet, row and column, then given to pyxform (ODK's own
reader) to check the ODK dialect. `xlsform.py` maps the rows to our form model.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from survey_app.markers import N_

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024
MAX_ROWS = 2000
ENGLISH = "::english (en)"
VIETNAMESE = ("", "::vietnamese (vi)", "::tiếng việt (vi)", "::default")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Problem(str):
    """One problem of a workbook, in Vietnamese as a text ("survey, dòng 14, cột relevant:
    …"); its catalogue `template`, `params` and place (sheet, row, column) give it in the
    reader's language (`translated`)."""

    def __new__(cls, template: str, at: tuple | None = None, **params):
        text = template % params  # also "%%" of a text without params
        problem = super().__new__(cls, f"{_where(at)}: {text}" if at else text)
        problem.template, problem.params, problem.at = template, params, at
        return problem

    def translated(self, gettext) -> str:
        params = {key: value.translated(gettext) if isinstance(value, Problem) else value
                  for key, value in self.params.items()}
        text = gettext(self.template) % params
        return f"{_where(self.at, gettext)}: {text}" if self.at else text


def _where(at: tuple, gettext=lambda text: text) -> str:
    sheet, number, column = at
    return gettext(N_("%(sheet)s, dòng %(row)s, cột %(column)s")) % {"sheet": sheet, "row": number,
                                                                      "column": column}


NOT_XLSX = N_("Tệp không phải là bảng tính .xlsx: vui lòng tải lên tệp Excel (.xlsx) theo mẫu XLSForm.")


class XLSFormError(ValueError):
    """The workbook cannot be published; `problems` are the Vietnamese messages, each
    naming its sheet, row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def text(self, column: str) -> str:
        """A translatable column: Vietnamese is `column` (or ::Vietnamese (vi))."""
        for suffix in VIETNAMESE:
            if self.cells.get(column + suffix):
                return self.cells[column + suffix]
        return ""

    def english(self, column: str) -> str:
        """`column::English (en)` (or `column_en`, as the issue's rules sheet names it),
        else the Vietnamese."""
        return self.english_only(column) or self.text(column)

    def english_only(self, column: str) -> str:
        """`column::English (en)` or `column_en`; empty when the workbook gives none."""
        return self.cells.get(column + ENGLISH, "") or self.cells.get(column + "_en", "")

    def where(self, column: str) -> tuple:
        return self.sheet, self.number, column

    def at(self, column: str) -> str:
        return _where(self.where(column))


def check_container(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise XLSFormError([Problem(N_("Tệp quá lớn (%(size)s MB): biểu mẫu không được vượt quá %(limit)s MB."),
                                    size=len(data) // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))])
    if data.startswith(OLE_MAGIC):
        raise XLSFormError([Problem(N_("Tệp được đặt mật khẩu hoặc là tệp .xls cũ: vui lòng mở bằng "
                                       "Excel, bỏ mật khẩu và lưu thành .xlsx (Excel Workbook)."))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        raise XLSFormError([Problem(NOT_XLSX)]) from None
    if "xl/workbook.xml" not in names:
        raise XLSFormError([Problem(NOT_XLSX)])
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise XLSFormError([Problem(N_("Tệp có chứa macro (.xlsm): vui lòng lưu thành .xlsx "
                                       "(Excel Workbook) không có macro."))])
    if unpacked > MAX_UNPACKED:
        raise XLSFormError([Problem(N_("Tệp giải nén quá lớn: biểu mẫu không được vượt quá %(limit)s MB "
                                       "khi giải nén."), limit=MAX_UNPACKED // (1024 * 1024))])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheets(data: bytes) -> dict[str, list[Row]]:
    import openpyxl
    sheets = {}
    try:
        # openpyxl parses with defusedxml (installed with pyxform): no DTD, no entities.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                name = sheet.title.strip().lower()
                if name in ("survey", "choices", "settings", "rules"):
                    sheets[name] = _rows(sheet, name)
        finally:
            book.close()
    except XLSFormError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise XLSFormError([Problem(N_("Không đọc được bảng tính. Vui lòng mở bằng Excel và lưu lại "
                                       "thành .xlsx."))]) from None
    if "survey" not in sheets:
        raise XLSFormError([Problem(N_("Bảng tính không có sheet survey: vui lòng đặt các câu hỏi "
                                       "trong sheet tên survey."))])
    return sheets


def _rows(sheet, name: str) -> list[Row]:
    rows, header = [], None
    # Streamed in read-only mode: a sheet of too many rows stops at the limit.
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise XLSFormError([Problem(N_("%(sheet)s: quá %(limit)s dòng; vui lòng chia biểu mẫu "
                                           "thành nhiều biểu mẫu nhỏ hơn."), sheet=name, limit=MAX_ROWS)])
        cells = [_cell(value) for value in values]
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        row = {column: cell for column, cell in zip(header, cells) if column and cell}
        if row:
            rows.append(Row(name, number, row))
    return rows


def check_with_pyxform(data: bytes) -> None:
    """ODK's own reader on the same bytes: what it refuses is refused (its message)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform
    try:
        workbook_to_json(get_xlsform(io.BytesIO(data)), warnings=[])
    except PyXFormError as error:
        raise XLSFormError([Problem(N_("Bảng tính chưa đúng mẫu XLSForm: %(reason)s"), reason=str(error))]) from None
    except Exception:  # a workbook pyxform cannot read at all
        raise XLSFormError([Problem(N_("Không đọc được bảng tính theo mẫu XLSForm. Vui lòng mở bằng Excel "
                                       "và lưu lại thành .xlsx."))]) from None
