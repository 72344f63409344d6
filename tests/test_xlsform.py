"""XLSForm import and export (checklists/xlsform.py, xlsform_export.py): the forms
written for these tests (tests/xlsform_samples.py, modelled on ODK's and
KoboToolbox's published examples) import as the mapping says; unsupported types are
named; every problem is named by sheet, row and column, all at once; bad workbooks are
refused before they are parsed; every form, the shipped TOML ones too, goes to Excel and
back to the same canonical hash."""
from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from survey_app.checklists import load_forms
from survey_app.checklists.canonical import canonical_hash
from survey_app.checklists.xlsform import MAX_ROWS, XLSFormError, read_xlsform
from survey_app.checklists.xlsform_export import write_xlsform

from .xlsform_samples import KOBO_GROUPS, ODK_BASICS, ODK_WIDGETS, workbook

FORMS = Path(__file__).resolve().parent.parent / "forms"


def problems(data: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data)
    return refused.value.problems


# ----------------------------------------------------------------- supported features

def test_odk_style_questions_without_groups_map_to_one_section():
    form = read_xlsform(workbook(**ODK_BASICS))
    assert (form.id, form.version, form.title) == ("ghi-nhan-nhanh", 3, "Ghi nhận nhanh")
    [section] = form.sections
    assert [(i.key, i.type) for i in section.items] == [
        ("respondent", "text"), ("staff_count", "number"), ("has_wifi", "choice"),
        ("wifi_name", "text"), ("visit_day", "date"), ("front_photo", "photo")]
    items = form.items
    assert items["respondent"].help == "Phiếu ghi nhận nhanh tại đơn vị. Họ và tên, chức vụ", \
        "a note is the hint of the question after it"
    assert items["respondent"].required and not items["has_wifi"].required
    assert [c.value for c in items["has_wifi"].choices] == ["yes", "no"]
    assert items["wifi_name"].relevant.text == "${has_wifi} = 'yes'"
    assert items["respondent"].label_en == "Người trả lời", "no English column: the label"


def test_kobo_style_groups_figures_rules_and_skip_logic():
    form = read_xlsform(workbook(**KOBO_GROUPS))
    assert [s.key for s in form.sections] == ["portal", "online"]
    assert form.sections[1].relevant.text.startswith("${has_online_portal} != 'no'")
    assert form.items["has_online_portal"].type == "yes_partly_no"
    assert form.items["portal_speed"].type == "choice"
    assert form.items["online_hours"].unit == "giờ"
    assert [(i.key, i.min, i.max, i.integer) for i in form.indicators] == [
        ("received", 0, None, True), ("online_received", 0, 100000, True)]
    [rate] = form.computed
    assert rate.expr.text == "round(online_received / received * 100, 1)"
    assert form.evaluate({"received": 509, "online_received": 434}).computed == {"online_rate": 85.3}
    [rule] = form.rules
    assert rule.message_en == "More online dossiers than dossiers."
    warned = form.evaluate({"received": 10, "online_received": 12}).warnings
    assert [w.key for w in warned] == ["online_within_total"], "warned, the figures kept"
    assert form.title_en == "Public service portal survey"
    answers = {"has_online_portal": {"value": "partly"}, "portal_speed": {"value": "slow"}}
    assert form.relevant_items(answers)["slow_reason"] is False
    assert form.missing_required({"has_online_portal": {"value": "no"}}) == []


def test_a_rules_sheet_may_name_its_english_column_message_en():
    rules = [["name", "expression", "message", "message_en"],
             ["online_within_total", "${online_received} <= ${received}", "Quá tổng.", "Over the total."]]
    form = read_xlsform(workbook(**dict(KOBO_GROUPS, rules=rules)))
    assert [(r.message, r.message_en) for r in form.rules] == [("Quá tổng.", "Over the total.")]


def test_unsupported_types_are_named_each_at_its_row_all_at_once():
    found = problems(workbook(**ODK_WIDGETS))
    assert [p.split(":")[0] for p in found] == [
        "survey, dòng 3, cột type", "survey, dòng 4, cột type", "survey, dòng 5, cột type",
        "survey, dòng 6, cột type", "survey, dòng 8, cột type", "survey, dòng 9, cột type"]
    for given in ("geopoint", "audio", "select_multiple services", "begin repeat", "end repeat",
                  "barcode"):
        assert any(f"loại '{given}' chưa được hỗ trợ" in p for p in found), given


# ----------------------------------------------------------------- problems with places

def with_survey(*rows, choices=None, **extra):
    header = ["type", "name", "label", "relevant", "calculation", "unit", "constraint"]
    return workbook([header, *rows], choices or [["list_name", "name", "label"],
                                                 ["yes_no", "yes", "Có"], ["yes_no", "no", "Không"]],
                    **extra)


def test_a_relevant_naming_an_unknown_or_a_later_item():
    found = problems(with_survey(
        ["begin group", "main", "Chung"],
        ["integer", "staff", "Số cán bộ", "${so_ho_so} > 0"],
        ["text", "note_a", "Ghi chú", "${later} = 'x'"],
        ["text", "later", "Sau"],
        ["end group"]))
    assert found == ["survey, dòng 3, cột relevant: tên ${so_ho_so} không có trong biểu mẫu",
                     "survey, dòng 4, cột relevant: ${later} ở sau mục này: điều kiện chỉ được "
                     "dùng câu trả lời của các mục đứng trước"]


def test_duplicate_names_a_missing_list_and_a_bad_expression_all_at_once():
    found = problems(with_survey(
        ["text", "place", "Nơi"],
        ["select_one sizes", "size", "Cỡ"],
        ["text", "place", "Nơi nữa"],
        ["text", "why", "Vì sao", "${place} = = 'x'"]))
    assert found[0] == "survey, dòng 3, cột type: không có danh sách lựa chọn 'sizes' trong sheet choices"
    assert found[1] == "survey, dòng 4, cột name: tên 'place' bị trùng với dòng 2"
    assert found[2].startswith("survey, dòng 5, cột relevant: không hiểu '='")
    assert len(found) == 3


def test_circular_calculations_are_refused_with_their_names():
    found = problems(with_survey(
        ["begin group", "indicators", "Chỉ tiêu"],
        ["integer", "total", "Tổng", "", "", "hồ sơ"],
        ["calculate", "share_a", "A", "", "${share_b} + ${total}", "%"],
        ["calculate", "share_b", "B", "", "${share_a} * 2", "%"],
        ["end group"]))
    assert found[0].startswith("survey, dòng 4, cột calculation: phép tính vòng tròn")
    assert "share_a → share_b" in found[0] and found[1].startswith("survey, dòng 5, cột calculation")


def test_a_figure_needs_its_unit_and_a_simple_bound():
    found = problems(with_survey(
        ["begin group", "indicators", "Chỉ tiêu"],
        ["integer", "total", "Tổng", "", "", "", ". > 0 or . = -1"],
        ["end group"]))
    assert found == ["survey, dòng 3, cột unit: vui lòng ghi đơn vị tính của chỉ tiêu (ví dụ: hồ sơ, %)",
                     "survey, dòng 3, cột constraint: ràng buộc của chỉ tiêu chỉ được có dạng "
                     ". >= số và/hoặc . <= số"]


# ----------------------------------------------------------------- bad workbooks

def test_not_an_xlsx():
    assert problems(b"type,name,label\ntext,a,A\n")[0].startswith("Tệp không phải là bảng tính .xlsx")
    assert problems(b"PK\x03\x04 broken")[0].startswith("Tệp không phải là bảng tính .xlsx")


def test_a_password_protected_or_old_xls_workbook():
    # An encrypted .xlsx is an OLE compound file (as an old .xls), not a zip.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    assert problems(ole)[0].startswith("Tệp được đặt mật khẩu hoặc là tệp .xls cũ")


def test_a_macro_enabled_workbook():
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(**ODK_BASICS))) as source, \
            zipfile.ZipFile(data, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert problems(data.getvalue())[0].startswith("Tệp có chứa macro (.xlsm)")


def test_a_20_mb_file_is_refused_before_it_is_read():
    data = workbook(**ODK_BASICS) + bytes(20 * 1024 * 1024)
    tracemalloc.start()
    found = problems(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found[0].startswith("Tệp quá lớn (20 MB)")
    assert peak < 1024 * 1024, "refused on its size, not parsed"


def test_5000_rows_are_refused_without_reading_them_all():
    rows = [["type", "name", "label"]] + [["text", f"q{i}", f"Câu {i}"] for i in range(5000)]
    data = workbook(rows)
    tracemalloc.start()
    found = problems(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found == [f"survey: quá {MAX_ROWS} dòng; vui lòng chia biểu mẫu thành nhiều biểu mẫu nhỏ hơn."]
    assert peak < 20 * 1024 * 1024


# ----------------------------------------------------------------- round trip

@pytest.mark.parametrize("form_id", ["ttpvhcc-xa", "tram-y-te-xa"])
def test_the_shipped_forms_go_to_excel_and_back_to_the_same_form(form_id):
    spec = load_forms(FORMS).get(form_id)
    back = read_xlsform(write_xlsform(spec))
    assert back.content_hash == canonical_hash(spec)
    assert back.evaluate({"visits_total": 200, "visits_insured": 150}) == \
        spec.evaluate({"visits_total": 200, "visits_insured": 150})
    assert load_forms(FORMS).errors == [], "the TOML files stay valid"


@pytest.mark.parametrize("sample", [ODK_BASICS, KOBO_GROUPS], ids=["odk", "kobo"])
def test_an_imported_form_goes_to_excel_and_back_to_the_same_hash(sample):
    form = read_xlsform(workbook(**sample))
    assert read_xlsform(write_xlsform(form)).content_hash == form.content_hash
    assert form.content_hash == canonical_hash(form)


def test_an_xml_entity_bomb_inside_the_workbook_is_refused_not_expanded():
    # Six levels of ten: expanded, 27 MB of text in the survey sheet's first cell.
    entities = "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                       for i in range(1, 7))
    sheet = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lollollollollollollollollol">'
             + entities + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol6;</t></is></c></row>'
             '</sheetData></worksheet>')
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(**ODK_BASICS))) as source, \
            zipfile.ZipFile(data, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else content)
    tracemalloc.start()
    found = problems(data.getvalue())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found[0].startswith("Không đọc được bảng tính")
    assert peak < 20 * 1024 * 1024, "the entities were never expanded"
