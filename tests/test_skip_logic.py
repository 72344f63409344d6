"""Skip logic (`relevant`) in a form: checked when loaded (only earlier items, known
names), a section or item that does not apply is not missing, not printed in the
minutes' checklist rows, not shown in the overview; the capture page gets the
conditions its script evaluates."""
from __future__ import annotations

import pytest

from survey_app.checklists import FormError, parse_form
from survey_app.domain.minutes.input import _checklist_rows

FORM = """\
id = "skip"
version = 1
title = "Khảo sát thử"
title_en = "Test survey"

[[sections]]
key = "portal"
title = "Cổng dịch vụ công"
title_en = "Portal"

[[sections.items]]
key = "has_online_portal"
type = "yes_partly_no"
label = "Có cổng trực tuyến"
label_en = "Has an online portal"
required = true

[[sections.items]]
key = "portal_speed"
type = "choice"
label = "Tốc độ"
label_en = "Speed"
required = true
relevant = "${has_online_portal} = 'yes'"
choices = [{ value = "fast", label = "Nhanh", label_en = "Fast" }, { value = "slow", label = "Chậm", label_en = "Slow" }]

[[sections]]
key = "online"
title = "Hồ sơ trực tuyến"
title_en = "Online dossiers"
relevant = "${has_online_portal} != 'no'"

[[sections.items]]
key = "online_staff"
type = "number"
label = "Số cán bộ"
label_en = "Staff"
required = true

[[sections.items]]
key = "slow_reason"
type = "text"
label = "Lý do chậm"
label_en = "Why slow"
relevant = "${portal_speed} = 'slow' and ${online_staff} < 3"
"""


def answers(**values):
    return {key: {"value": value, "note": ""} for key, value in values.items()}


def test_an_item_that_does_not_apply_is_not_missing():
    form = parse_form(FORM, "skip.toml")
    assert form.missing_required(answers(has_online_portal="no")) == []
    assert form.missing_required(answers(has_online_portal="yes")) == ["portal_speed", "online_staff"]
    assert form.missing_required(answers(has_online_portal="partly")) == ["online_staff"]


def test_a_section_that_does_not_apply_hides_its_items_and_a_hidden_answer_reads_blank():
    form = parse_form(FORM, "skip.toml")
    shown = form.relevant_items(answers(has_online_portal="no", portal_speed="slow", online_staff=1))
    assert shown == {"has_online_portal": True, "portal_speed": False, "online_staff": False,
                     "slow_reason": False}
    shown = form.relevant_items(answers(has_online_portal="yes", portal_speed="slow", online_staff=1))
    assert shown["slow_reason"] is True
    shown = form.relevant_items(answers(has_online_portal="partly", portal_speed="slow", online_staff=1))
    assert shown["slow_reason"] is False, "portal_speed is hidden when not 'yes': it reads blank"


def test_the_minutes_do_not_print_an_answer_that_does_not_apply():
    form = parse_form(FORM, "skip.toml")
    kept = answers(has_online_portal="no", portal_speed="slow", online_staff=4)
    labels = [row["label"] for row in _checklist_rows(form, kept)]
    assert labels == ["Có cổng trực tuyến"]
    labels = [row["label"] for row in _checklist_rows(form, {**kept, **answers(has_online_portal="yes")})]
    assert labels == ["Có cổng trực tuyến", "Tốc độ", "Số cán bộ"]


def test_the_capture_page_gets_the_conditions_in_form_order():
    form = parse_form(FORM, "skip.toml")
    assert form.has_skip_logic
    assert form.relevance_conditions() == [
        ["section:portal", "", None], ["has_online_portal", "", "section:portal"],
        ["portal_speed", "${has_online_portal} = 'yes'", "section:portal"],
        ["section:online", "${has_online_portal} != 'no'", None],
        ["online_staff", "", "section:online"],
        ["slow_reason", "${portal_speed} = 'slow' and ${online_staff} < 3", "section:online"]]


@pytest.mark.parametrize("old, new, message", [
    ("relevant = \"${has_online_portal} = 'yes'\"", "relevant = \"${slow_reason} = 'x'\"",
     r"sections\[0\]\.items\[1\]\.relevant: tên \$\{slow_reason\} không có trong biểu mẫu"),
    ("relevant = \"${has_online_portal} = 'yes'\"", "relevant = \"${portal_speed} = 'x'\"",
     r"tên \$\{portal_speed\} không có"),
    ("relevant = \"${has_online_portal} != 'no'\"", "relevant = \"bogus(1)\"",
     r"sections\[1\]\.relevant: hàm bogus\(\) không được hỗ trợ"),
])
def test_a_relevant_on_a_later_or_unknown_name_is_refused_with_its_place(old, new, message):
    with pytest.raises(FormError, match=message):
        parse_form(FORM.replace(old, new), "skip.toml")
