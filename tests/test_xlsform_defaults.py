"""XLSForm `default` (issue 18 item 1): the answer or figure a new visit starts with.
Read and checked like an answer (its type, its list, its constraint), refused by sheet,
row and column; kept in the canonical text only when given (the hash of a form without
defaults does not change); written back by the export; a visit planned on the server,
and the blank capture page a tablet keeps for visits planned offline, start with it."""
from __future__ import annotations

import io

import openpyxl
import pytest

from survey_app.checklists import FormError, load_forms, parse_form
from survey_app.checklists.canonical import canonical_hash, to_toml
from survey_app.checklists.xlsform import XLSFormError, read_xlsform
from survey_app.checklists.xlsform_export import write_xlsform
from survey_app.domain.forms import operations as ops
from survey_app.domain.visits.operations import plan_visit
from survey_app.storage import forms as forms_sql
from survey_app.storage import visits as visits_sql

from .support import seed_visit, user
from .test_xlsform import FORMS
from .xlsform_samples import EN, KOBO_GROUPS, workbook

# The hash KOBO_GROUPS (no defaults) imported to before `default` existed.
KOBO_HASH = "9f13cfba6f668563a62b561ba9c9435c63cfc4974d22bf3d74a149e5b8fb5f57"
HEADER = ["type", "name", "label", EN, "required", "constraint", "unit", "default"]
CHOICES = [["list_name", "name", "label", EN],
           ["yes_partly_no", "yes", "Có", "Yes"], ["yes_partly_no", "partly", "Một phần", "Partly"],
           ["yes_partly_no", "no", "Không", "No"],
           ["speed", "fast", "Nhanh", "Fast"], ["speed", "slow", "Chậm", "Slow"]]
SETTINGS = [["form_id", "form_title", "version"], ["mac-dinh", "Biểu mẫu có giá trị mặc định", "1"]]


def with_defaults(**changed) -> bytes:
    """A form whose every kind of question has a default; `changed` replaces some
    (name → the default cell)."""
    defaults = {"has_portal": "yes", "speed": "fast", "counters": 3, "opened": "2025-10-13",
                "remark": "Không có", "received": 0, "online": 40, **changed}
    rows = [HEADER,
            ["begin group", "portal", "Cổng dịch vụ công", "Portal"],
            ["select_one yes_partly_no", "has_portal", "Có cổng trực tuyến", "Has a portal"],
            ["select_one speed", "speed", "Tốc độ cổng", "Portal speed"],
            ["decimal", "counters", "Số quầy", "Counters", "", "", "quầy"],
            ["date", "opened", "Ngày khai trương", "Opened on"],
            ["text", "remark", "Ghi chú chung", "Remark"],
            ["image", "front", "Ảnh mặt tiền", "Front photo"],
            ["end group"],
            ["begin group", "indicators", "Chỉ tiêu", "Figures"],
            ["integer", "received", "Hồ sơ tiếp nhận", "Received", "", ". >= 0", "hồ sơ"],
            ["integer", "online", "Hồ sơ trực tuyến", "Online", "", ". >= 0 and . <= 100", "hồ sơ"],
            ["end group"]]
    for row in rows[1:]:
        if len(row) > 1 and row[1] in defaults and defaults[row[1]] is not None:
            row += [""] * (len(HEADER) - 1 - len(row)) + [defaults[row[1]]]
    return workbook(rows, CHOICES, SETTINGS)


def problems(data: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data)
    return refused.value.problems


def test_defaults_are_read_as_answers_of_their_type():
    form = read_xlsform(with_defaults())
    assert {key: item.default for key, item in form.items.items()} == {
        "has_portal": "yes", "speed": "fast", "counters": 3, "opened": "2025-10-13",
        "remark": "Không có", "front": None}
    assert [(ind.key, ind.default) for ind in form.indicators] == [("received", 0), ("online", 40)]
    assert form.defaults() == {
        "checklist.has_portal.value": "yes", "checklist.speed.value": "fast", "checklist.counters.value": 3,
        "checklist.opened.value": "2025-10-13", "checklist.remark.value": "Không có",
        "indicators.received": 0, "indicators.online": 40}


def test_a_date_typed_in_excel_is_that_day():
    book = openpyxl.load_workbook(io.BytesIO(with_defaults()))
    import datetime as dt
    next(row for row in book["survey"].iter_rows() if row[1].value == "opened")[7].value = dt.datetime(2025, 10, 13)
    out = io.BytesIO()
    book.save(out)
    assert read_xlsform(out.getvalue()).items["opened"].default == "2025-10-13"


def test_a_default_that_breaks_its_type_list_or_constraint_is_refused_by_row_and_column():
    found = problems(with_defaults(has_portal="maybe", speed="down", counters="ba", opened="13/10/2025",
                                   received=-1, online=250))
    assert found == [
        "survey, dòng 3, cột default: giá trị mặc định 'maybe' không hợp lệ: giá trị phải là một "
        "trong: yes (Có), partly (Một phần), no (Không)",
        "survey, dòng 4, cột default: giá trị mặc định 'down' không hợp lệ: giá trị phải là một "
        "trong: fast, slow",
        "survey, dòng 5, cột default: giá trị mặc định 'ba' không hợp lệ: giá trị phải là một số",
        "survey, dòng 6, cột default: giá trị mặc định '13/10/2025' không hợp lệ: Vui lòng nhập một ngày "
        "có thật, dạng năm-tháng-ngày (YYYY-MM-DD).",
        "survey, dòng 11, cột default: giá trị mặc định '-1' không hợp lệ: Vui lòng nhập giá trị không nhỏ hơn 0.",
        "survey, dòng 12, cột default: giá trị mặc định '250' không hợp lệ: Vui lòng nhập giá trị không lớn hơn 100."]


def test_a_figure_of_whole_numbers_refuses_a_fraction_and_a_photo_or_calculation_has_no_default():
    assert problems(with_defaults(received="2.5")) == [
        "survey, dòng 11, cột default: giá trị mặc định '2.5' không hợp lệ: Vui lòng nhập một số nguyên."]
    assert problems(with_defaults(front="anh.jpg")) == [
        "survey, dòng 8, cột default: câu hỏi chụp ảnh (image) không có giá trị mặc định"]
    survey = [list(row) for row in KOBO_GROUPS["survey"]]
    survey[0] = survey[0] + ["default"]
    rate = next(row for row in survey if row[1:2] == ["online_rate"])
    rate += [""] * (len(survey[0]) - 1 - len(rate)) + ["50"]
    assert problems(workbook(**dict(KOBO_GROUPS, survey=survey))) == [
        f"survey, dòng {survey.index(rate) + 1}, cột default: phép tính (calculate) không có giá trị mặc định"]


def test_the_round_trip_keeps_defaults_and_a_form_without_them_keeps_its_hash():
    form = read_xlsform(with_defaults())
    exported = write_xlsform(form)
    again = read_xlsform(exported)
    assert again.defaults() == form.defaults() and canonical_hash(again) == canonical_hash(form)
    header = [cell.value for cell in next(openpyxl.load_workbook(io.BytesIO(exported))["survey"].iter_rows())]
    assert "default" in header
    kobo = read_xlsform(workbook(**KOBO_GROUPS))
    assert canonical_hash(kobo) == KOBO_HASH and canonical_hash(read_xlsform(write_xlsform(kobo))) == KOBO_HASH
    for shipped in load_forms(FORMS):
        assert "default" not in to_toml(shipped) and shipped.defaults() == {}


def test_a_form_file_checks_its_defaults_too():
    text = to_toml(read_xlsform(with_defaults()))
    assert parse_form(text, "mac-dinh.toml").items["speed"].default == "fast"
    with pytest.raises(FormError, match=r"sections\[0\]\.items\[1\]\.default: giá trị phải là một trong: fast, slow"):
        parse_form(text.replace('default = "fast"', 'default = "down"'), "mac-dinh.toml")
    with pytest.raises(FormError, match=r"indicators\[1\]\.default: Vui lòng nhập giá trị không lớn hơn 100"):
        parse_form(text.replace("default = 40", "default = 400"), "mac-dinh.toml")


def test_a_refused_default_publishes_nothing(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    before = (store.read(forms_sql.version_hashes), store.read(forms_sql.latest_publications))
    with pytest.raises(ops.FormProblems):
        ops.publish_xlsform(store, forms, admin, with_defaults(online=250))
    assert (store.read(forms_sql.version_hashes), store.read(forms_sql.latest_publications)) == before
    assert forms.get("mac-dinh") is None


def test_a_new_visit_starts_with_the_defaults_on_the_server_and_on_the_capture_pages(app, store, login_as):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    ops.publish_xlsform(store, forms, admin, with_defaults())
    visit_id = plan_visit(store, forms, user(store, "thuky"), delegation_id=seed_visit(store)["delegation_id"],
                          unit="UBND xã Thử", form_id="mac-dinh", started_at="2026-12-01T08:00:00+07:00")
    fields = store.read(visits_sql.fields_of, visit_id)
    assert {path: fields[path]["value"] for path in forms.get("mac-dinh").defaults()} == \
        forms.get("mac-dinh").defaults()
    assert fields["checklist.speed.value"]["version"] == 1
    client = login_as("thuky")
    for url in (f"/visits/{visit_id}/capture", "/visits/blank/mac-dinh/capture"):
        page = client.get(url).get_data(as_text=True)
        assert 'name="checklist.speed.value" value="fast" checked' in page, url
        assert 'name="checklist.has_portal.value" value="yes" checked' in page, url
        assert 'value="3" data-field="checklist.counters.value" data-version="1"' in page, url
        assert 'value="2025-10-13" data-field="checklist.opened.value" data-version="1"' in page, url
        assert 'value="40" data-field="indicators.online" data-version="1"' in page, url
        assert ">Không có</textarea>" in page, url
