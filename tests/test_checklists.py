"""Checklist forms as data: loading, validation, expressions, answers, WTForms classes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import wtforms

from survey_app.checklists import (
    AnswerError,
    ExpressionError,
    FormError,
    compile_expression,
    form_class,
    load_forms,
    parse_form,
)

FORMS = Path(__file__).resolve().parent.parent / "forms"
SEED = {"dossiers_received": 509, "dossiers_online": 434, "dossiers_resolved": 457,
        "dossiers_in_progress": 52, "on_time_rate_pct": 88.2}

MINIMAL = """\
id = "{id}"
version = 1
title = "Khảo sát thử"
title_en = "Test survey"

[[sections]]
key = "main"
title = "Chung"
title_en = "General"

[[sections.items]]
key = "network_stable"
type = "{type}"
label = "Mạng ổn định"
label_en = "Network stable"

[[indicators]]
key = "received"
label = "Số hồ sơ tiếp nhận"
label_en = "Received"
unit = "hồ sơ"

[[rules]]
key = "{rule_key}"
expr = "{expr}"
message = "Sai"
message_en = "Wrong"
"""


def minimal(id="thu", type="yes_partly_no", rule_key="positive", expr="received >= 0"):
    return MINIMAL.format(id=id, type=type, rule_key=rule_key, expr=expr)


@pytest.fixture(scope="module")
def registry():
    return load_forms(FORMS)


@pytest.fixture
def hra(registry):
    return registry.get("ttpvhcc-xa")


# -- shipped forms ------------------------------------------------------------

def test_shipped_forms_load_without_errors(registry):
    assert registry.errors == []
    assert {"ttpvhcc-xa", "tram-y-te-xa"} <= set(registry.forms)
    assert [spec.id for spec in registry] == list(registry.forms)
    assert registry.get("nope") is None


def test_shipped_form_has_the_seed_indicators(hra):
    assert set(SEED) <= hra.indicator_keys
    assert hra.indicator("dossiers_received").unit == "hồ sơ"
    assert hra.indicator("on_time_rate_pct").max == 100
    types = {item.type for item in hra.items.values()}
    assert types == {"yes_partly_no", "choice", "number", "text", "date", "photo"}
    assert len(hra.content_hash) == 64 and hra.source.startswith("#")


def test_seed_figures_give_online_rate_and_no_warnings(hra):
    evaluation = hra.evaluate(SEED)
    assert evaluation.computed["online_rate_pct"] == 85.3
    assert evaluation.warnings == []


def test_unbalanced_figures_warn(hra):
    evaluation = hra.evaluate({**SEED, "dossiers_resolved": 400})
    assert [w.key for w in evaluation.warnings] == ["received_balance"]
    assert evaluation.warnings[0].message.startswith("Số hồ sơ tiếp nhận không bằng")
    assert "resolved" in evaluation.warnings[0].message_en


def test_division_by_zero_and_missing_inputs_give_none_and_no_warning(hra):
    assert hra.evaluate({"dossiers_received": 0, "dossiers_online": 0}).computed[
        "online_rate_pct"] is None
    evaluation = hra.evaluate({"dossiers_received": 509})
    assert evaluation.computed["online_rate_pct"] is None
    assert evaluation.warnings == []


def test_health_station_form_computes_its_own_rate(registry):
    spec = registry.get("tram-y-te-xa")
    evaluation = spec.evaluate({"infants": 40, "infants_fully_vaccinated": 38,
                                "visits_total": 10, "visits_insured": 12})
    assert evaluation.computed["vaccination_rate_pct"] == 95.0
    assert [w.key for w in evaluation.warnings] == ["insured_within_total"]


# -- expressions --------------------------------------------------------------

@pytest.mark.parametrize("text, values, expected", [
    ("a / b * 100", {"a": 1, "b": 4}, 25.0),
    ("-a + b", {"a": 1, "b": 4}, 3),
    ("max(a, b) - min(a, b)", {"a": 1, "b": 4}, 3),
    ("round(abs(a - b) / 3, 2)", {"a": 1, "b": 2}, 0.33),
    ("a * 0.1 + a * 0.2 == a * 0.3", {"a": 1}, True),
    ("0 <= a <= 100 and not a > b", {"a": 5, "b": 9}, True),
    ("a > 1 or b > 1", {"a": 5}, True),
    ("a > 1 and b > 1", {"a": 0}, False),
    ("a > 1 and b > 1", {"a": 5}, None),
    ("a / (b - b)", {"a": 1, "b": 2}, None),
    ("a + 1", {}, None),
    ("a + 1", {"a": True}, None),
])
def test_expression_values(text, values, expected):
    assert compile_expression(text, {"a", "b"}).evaluate(values) == expected


def test_expression_reports_names_and_kind():
    expr = compile_expression("a / b > 0.5", ["a", "b", "c"])
    assert expr.names == {"a", "b"} and expr.kind == "boolean"


@pytest.mark.parametrize("text", [
    "a.__class__", "__import__('os')", "open('x')", "(lambda: 1)()", "a[0]", "'abc'",
    "a ** 2", "a // 2", "a if a else b", "[a]", "True", "unknown + 1", "a +", "",
    "min(a)", "round(a, ndigits=1)", "a in b", "not a", "(a > 1) + 1", "1e400",
])
def test_expression_refusals(text):
    with pytest.raises(ExpressionError):
        compile_expression(text, {"a", "b"})


@pytest.mark.parametrize("expr, problem", [
    ("received.real > 0", "không được dùng 'received.real'"),
    ("exec(received) > 0", "hàm exec() không được hỗ trợ"),
    ("__import__(received) > 0", "hàm __import__() không được hỗ trợ"),
    ("(lambda: 1)() > 0", "không được dùng '(lambda: 1)()'"),
    ("received[0] > 0", "không được dùng 'received[0]'"),
    ("received > 'x'", "không dùng 'x'"),
    ("dossiers > 0", "tên 'dossiers' không có trong biểu mẫu"),
    ("received + 1", "biểu thức phải cho đúng/sai"),
])
def test_bad_rule_expression_names_file_and_key(expr, problem):
    with pytest.raises(FormError) as info:
        parse_form(minimal(expr=expr, rule_key="my_rule"), "thu.toml")
    message = str(info.value)
    assert message.startswith("thu.toml: rules[0].expr: ")
    assert problem in message and "'my_rule'" in message


# -- broken files -------------------------------------------------------------

BROKEN = {
    "bad-toml": ("id = 'bad-toml'\nversion = [", "tệp viết chưa đúng cú pháp TOML ở cuối tệp"),
    "unknown-type": (minimal("unknown-type", type="yesno"),
                     "sections[0].items[0].type: không có loại 'yesno'"),
    "duplicate-key": (minimal("duplicate-key").replace(
        'key = "received"', 'key = "network_stable"'),
        "indicators[0].key: mã 'network_stable' bị trùng"),
    "unknown-name": (minimal("unknown-name", expr="received == resolved"),
                     "rules[0].expr: tên 'resolved' không có trong biểu mẫu"),
    "wrong-id": (minimal("another-id"), "id: mã biểu mẫu 'another-id' phải trùng tên tệp"),
    "choice-without-choices": (minimal("choice-without-choices", type="choice"),
                               "sections[0].items[0].choices: vui lòng ghi ít nhất một lựa chọn"),
}


def test_broken_files_are_reported_and_good_ones_still_load(tmp_path):
    shutil.copy(FORMS / "ttpvhcc-xa.toml", tmp_path)
    for name, (text, _) in BROKEN.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    registry = load_forms(tmp_path)
    assert list(registry.forms) == ["ttpvhcc-xa"]
    assert len(registry.errors) == len(BROKEN)
    for name, (_, problem) in BROKEN.items():
        matching = [e for e in registry.errors if e.startswith(f"{name}.toml: ")]
        assert len(matching) == 1 and problem in matching[0], (name, registry.errors)


@pytest.mark.parametrize("old, new, problem", [
    ('label_en = "Network stable"', 'label_en = "Network stable"\nlable = "x"',
     "sections[0].items[0].lable: không có trường 'lable' trong mẫu tệp biểu mẫu: vui lòng kiểm tra lại "
     "tên trường (mục 'network_stable')"),
    ("version = 1", 'version = "1"', "version: vui lòng ghi một số nguyên"),
    ('key = "received"', 'key = "min"', "indicators[0].key: mã 'min' không hợp lệ"),
    ('key = "network_stable"', 'key = "Network"', "mã 'Network' không hợp lệ"),
    ('unit = "hồ sơ"', 'unit = "hồ sơ"\nmin = 5\nmax = 1', "giá trị nhỏ nhất 5 lớn hơn giá trị lớn nhất 1"),
])
def test_other_validation_errors(old, new, problem):
    with pytest.raises(FormError, match="^thu.toml: ") as info:
        parse_form(minimal().replace(old, new, 1), "thu.toml")
    assert problem in str(info.value)


def test_missing_folder_is_an_error_not_an_exception(tmp_path):
    registry = load_forms(tmp_path / "missing")
    assert len(registry) == 0 and "Không tìm thấy thư mục biểu mẫu" in registry.errors[0]


def test_content_hash_changes_with_the_file(tmp_path):
    path = tmp_path / "thu.toml"
    path.write_text(minimal(), encoding="utf-8")
    first = load_forms(tmp_path).get("thu")
    path.write_text(minimal().replace("Mạng ổn định", "Mạng ổn định?"), encoding="utf-8")
    second = load_forms(tmp_path).get("thu")
    assert first.content_hash != second.content_hash
    assert second.source == path.read_text(encoding="utf-8")


# -- answers and figures ------------------------------------------------------

@pytest.mark.parametrize("key, value, expected", [
    ("premises_adequate", "partly", "partly"),
    ("premises_adequate", None, None),
    ("portal_performance", "slow", "slow"),
    ("reception_counters", 3, 3),
    ("reception_counters", 2.5, 2.5),
    ("last_outage_date", "2025-10-13", "2025-10-13"),
    ("in_person_procedures", " Đăng ký khai sinh, khai tử ", "Đăng ký khai sinh, khai tử"),
    ("in_person_procedures", "  ", None),
    ("premises_photo", "photos/1.jpg", "photos/1.jpg"),
])
def test_check_answer_accepts(hra, key, value, expected):
    assert hra.check_answer(key, value) == expected


@pytest.mark.parametrize("key, value, words", [
    ("premises_adequate", "yesno", "yes (Có)"),
    ("portal_performance", "fast", "stable, slow, unreliable"),
    ("reception_counters", "3", "một số"),
    ("reception_counters", True, "một số"),
    ("last_outage_date", "13/10/2025", "YYYY-MM-DD"),
    ("last_outage_date", "2025-02-30", "ngày có thật"),
    ("in_person_procedures", 12, "chuỗi ký tự"),
    ("no_such_item", "yes", "không có mục"),
])
def test_check_answer_refuses(hra, key, value, words):
    with pytest.raises(AnswerError) as info:
        hra.check_answer(key, value)
    assert info.value.field == key and words in info.value.message


def test_check_indicator(hra):
    assert hra.check_indicator("dossiers_received", 509) == 509
    assert hra.check_indicator("dossiers_received", 509.0) == 509
    assert hra.check_indicator("on_time_rate_pct", 88.2) == 88.2
    assert hra.check_indicator("on_time_rate_pct", None) is None
    for key, value, words in [("dossiers_received", True, "một số"),
                              ("dossiers_received", "509", "một số"),
                              ("dossiers_received", 5.5, "số nguyên"),
                              ("dossiers_received", -1, "nhỏ hơn 0"),
                              ("on_time_rate_pct", 100.5, "lớn hơn 100"),
                              ("nope", 1, "không có chỉ tiêu")]:
        with pytest.raises(AnswerError, match=words):
            hra.check_indicator(key, value)


def test_missing_required(hra):
    required = [key for key, item in hra.items.items() if item.required]
    assert hra.missing_required({}) == required
    answers = {key: "yes" for key in required}
    answers["in_person_procedures"] = {"value": "Đăng ký khai sinh", "note": ""}
    answers["staff_trained"] = {"value": None, "note": "chưa hỏi"}
    assert hra.missing_required(answers) == ["staff_trained"]


# -- WTForms ------------------------------------------------------------------

def test_form_class_fields(hra):
    form = form_class(hra)()
    assert isinstance(form, wtforms.Form) and "csrf_token" not in form._fields
    expected = {"premises_adequate": wtforms.RadioField, "portal_performance": wtforms.RadioField,
                "reception_counters": wtforms.FloatField, "equipment_needs": wtforms.TextAreaField,
                "last_outage_date": wtforms.DateField, "premises_photo": wtforms.FileField,
                "dossiers_received": wtforms.IntegerField, "on_time_rate_pct": wtforms.FloatField}
    for key, field_class in expected.items():
        assert type(form[key]) is field_class, key
    assert set(form._fields) == hra.item_keys | hra.indicator_keys
    assert [option.label.text for option in form.premises_adequate] == ["Có", "Một phần", "Không"]
    assert form.premises_adequate.label.text == hra.items["premises_adequate"].label


def test_form_class_validates_figures_and_required_items(hra):
    from werkzeug.datastructures import MultiDict
    data = MultiDict({"dossiers_received": "509", "on_time_rate_pct": "120",
                      "premises_adequate": "maybe"})
    form = form_class(hra)(formdata=data)
    assert not form.validate()
    assert form.dossiers_received.data == 509 and "dossiers_received" not in form.errors
    assert {"on_time_rate_pct", "premises_adequate", "network_stable"} <= set(form.errors)
    assert not {"equipment_needs", "citizen_guidance", "last_outage_date", "premises_photo",
                "reception_counters"} & set(form.errors)


def test_form_class_follows_each_version_at_once(tmp_path):
    """No cache (benchmarks/caches.py: a build costs 0.1 ms): a changed form is seen at once."""
    path = tmp_path / "thu.toml"
    path.write_text(minimal(), encoding="utf-8")
    first = form_class(load_forms(tmp_path).get("thu"))
    assert first().network_stable.label.text == "Mạng ổn định"
    path.write_text(minimal().replace("Mạng ổn định", "Đường truyền ổn định"), encoding="utf-8")
    changed = form_class(load_forms(tmp_path).get("thu"))
    assert changed is not first
    assert changed().network_stable.label.text == "Đường truyền ổn định"
