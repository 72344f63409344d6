"""Bulk import of units from a CSV (UTF-8, with or without BOM) or XLSX file with the
header `ten_don_vi,loai,dia_ban,don_vi_cap_tren` (or `name,kind,locality,parent`).

`read_table` turns the bytes into rows, refusing what is not such a file (a wrong
encoding, a missing column, too many rows, too large) with a message that says what
to do. `plan` sorts the rows into created, matched (already in the directory after
folding) and refused (row, column, reason); `import_units` shows that plan (dry run)
or, when no row is refused, creates every new unit in one transaction: never half."""
from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile

from survey_app.domain import audit
from survey_app.domain.access import can_manage_units, require
from survey_app.domain.directory.units import KIND_LABELS, KINDS, LIMITS, REFUSED, kind_of
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import units as sql
from survey_app.text import fold

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
COLUMNS = ("name", "kind", "locality", "parent")
HEADERS = {"name": ("ten_don_vi", "name"), "kind": ("loai", "kind"),
           "locality": ("dia_ban", "locality"), "parent": ("don_vi_cap_tren", "parent")}
NOT_UTF8 = N_("Tệp không được mã hóa UTF-8 (có thể là Windows-1258 hoặc UTF-16 do Excel lưu). Vui lòng lưu lại "
              "tệp dưới dạng CSV UTF-8: trong Excel chọn Tệp > Lưu thành, ở ô 'Kiểu tệp' chọn 'CSV UTF-8 "
              "(Được phân tách bằng dấu phẩy) (*.csv)', rồi tải lên tệp mới.")


def read_table(filename: str, data: bytes) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    """The header used (our column → the file's name for it) and the rows (row number
    as a spreadsheet shows it, values by our column)."""
    if len(data) > MAX_BYTES:
        raise DomainError(N_("Tệp quá lớn: tối đa %(maximum)s MB."), "file", maximum=MAX_BYTES // (1024 * 1024))
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(data)
    elif filename.lower().endswith(".csv") or not filename:
        table = _csv_rows(data)
    else:
        raise DomainError(N_("Vui lòng tải lên tệp .csv (UTF-8) hoặc .xlsx."), "file")
    return _with_header(table)


def _csv_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise DomainError(NOT_UTF8, "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(NOT_UTF8, "file") from None


def _csv_rows(data: bytes):
    text = _csv_text(data)
    first = text.split("\n", 1)[0]
    dialect = ";" if first.count(";") > first.count(",") else ","  # Excel in a locale with decimal commas
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=dialect), start=1):
        yield number, [cell.strip() for cell in cells]


def _xlsx_rows(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
        ok = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        ok, unpacked = False, 0
    if not ok:
        raise DomainError(N_("Tệp không phải là bảng tính .xlsx: vui lòng lưu lại bằng Excel (Excel Workbook)."),
                          "file")
    if unpacked > MAX_UNPACKED:
        raise DomainError(N_("Tệp quá lớn khi giải nén: tối đa %(maximum)s MB."), "file",
                          maximum=MAX_UNPACKED // (1024 * 1024))
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise DomainError(N_("Không đọc được bảng tính: vui lòng mở bằng Excel và lưu lại thành .xlsx."),
                          "file") from None
    try:
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()
                           for v in values]
    finally:
        book.close()


def _with_header(table) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    header, rows = None, []
    for number, cells in table:
        if header is None:
            if not any(cells):
                continue
            header = _header(cells)
            continue
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(N_("Tệp có hơn %(maximum)s dòng: vui lòng chia thành nhiều tệp, mỗi tệp tối đa "
                                 "%(maximum)s dòng."), "file", maximum=f"{MAX_ROWS:,}".replace(",", "."))
        rows.append((number, {column: unicodedata.normalize("NFC", cells[index]) if index < len(cells) else ""
                              for column, index in header[1].items()}))
    if header is None:
        raise DomainError(N_("Tệp trống: vui lòng dùng dòng tiêu đề %(header)s."), "file",
                          header=",".join(h[0] for h in HEADERS.values()))
    return header[0], rows


def _header(cells: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    found, shown = {}, {}
    for column, accepted in HEADERS.items():
        for index, name in enumerate(names):
            if name in accepted:
                found[column], shown[column] = index, name
                break
    missing = [HEADERS[column][0] for column in COLUMNS if column not in found]
    if missing:
        raise DomainError(N_("Dòng tiêu đề thiếu cột %(columns)s: vui lòng dùng dòng tiêu đề %(header)s "
                             "(hoặc name,kind,locality,parent)."), "file", columns=", ".join(missing),
                          header=",".join(h[0] for h in HEADERS.values()))
    return shown, found


# ----------------------------------------------------------------- the plan

def _refusal(number: int, header: dict, column: str, message: str, **params) -> dict:
    return {"row": number, "field": header[column], "message": message, "params": params}


def plan(db, header: dict[str, str], rows: list[tuple[int, dict]]) -> dict:
    """What importing the rows would do: `created` (rows with their checked values),
    `matched` (row → existing unit), `refused` (row, field, message and params)."""
    existing = sql.live_keys(db)
    by_name = {}
    for row in existing.values():
        by_name.setdefault(row["name_key"], row)
    in_file: dict[tuple[str, str], int] = {}
    names_in_file = {fold(values["name"]) for _, values in rows if values["name"]}
    created, matched, refused = [], [], []
    for number, values in rows:
        name, locality = " ".join(values["name"].split()), " ".join(values["locality"].split())
        key = (fold(name), fold(locality))
        kind = kind_of(values["kind"], name)
        if not name:
            refused.append(_refusal(number, header, "name", N_("Vui lòng nhập tên đơn vị.")))
        elif len(name) > LIMITS["name"] or len(locality) > LIMITS["locality"]:
            column = "name" if len(name) > LIMITS["name"] else "locality"
            refused.append(_refusal(number, header, column, N_("Dài quá %(limit)s ký tự."), limit=LIMITS[column]))
        elif kind is None:
            refused.append(_refusal(number, header, "kind", N_("Loại đơn vị '%(kind)s' không có trong danh sách "
                                                               "(%(kinds)s)."), kind=values["kind"],
                                    kinds=", ".join(KIND_LABELS[k] for k in KINDS)))
        elif key in in_file:
            refused.append(_refusal(number, header, "name", N_("Trùng với dòng %(other)s."), other=in_file[key]))
        elif key in existing:
            in_file[key] = number
            matched.append({"row": number, "name": name, "id": existing[key]["id"],
                            "existing": existing[key]["name"]})
        elif values["parent"] and fold(values["parent"]) not in names_in_file | set(by_name):
            refused.append(_refusal(number, header, "parent", N_("Không tìm thấy đơn vị cấp trên '%(parent)s' "
                                                                 "trong tệp hay trong danh mục."),
                                    parent=values["parent"]))
        else:
            in_file[key] = number
            created.append({"row": number, "name": name, "kind": kind, "locality": locality,
                            "parent": " ".join(values["parent"].split())})
    return {"created": created, "matched": matched, "refused": refused}


def _apply(db, created: list[dict]) -> list[int]:
    ids, by_name = [], {}
    for row in created:
        unit_id = sql.insert_unit(db, name=row["name"], locality=row["locality"], kind=row["kind"])
        ids.append(unit_id)
        by_name.setdefault(fold(row["name"]), unit_id)
    for row, unit_id in zip(created, ids):
        if row["parent"]:
            parent = by_name.get(fold(row["parent"])) or sql.get_unit_by_name(db, row["parent"])["id"]
            if parent != unit_id:
                sql.update_unit(db, unit_id, parent_id=parent)
    return ids


def import_units(store, user: dict, filename: str, data: bytes, dry_run: bool = True) -> dict:
    """The plan of a file; unless `dry_run`, also carried out when no row is refused
    (`applied` says whether it was). Admins only, checked before the file is read."""
    require(can_manage_units(user), REFUSED)
    header, rows = read_table(filename, data)
    if dry_run:
        return {**store.read(plan, header, rows), "applied": False}

    def write(db):
        result = plan(db, header, rows)
        if result["refused"]:
            return {**result, "applied": False}
        ids = _apply(db, result["created"])
        audit.record(db, user, "unit.import", "unit", "import",
                     {"file": filename[:200], "created": len(ids), "matched": len(result["matched"]),
                      "ids": [ids[0], ids[-1]] if ids else []})
        return {**result, "applied": True}
    return store.write(write)
