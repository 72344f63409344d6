"""Reading an XLSForm (Excel, the ODK dialect) into a `FormSpec`.

`xlsform_workbook.py` checks and reads the workbook (its limits, rows, pyxform's
check); here its rows are mapped to our form model, every problem naming its sheet,
row and column, in Vietnamese ("survey, dòng 14, cột relevant: tên ${so_ho_so} không
có trong biểu mẫu"), all problems at once. The mapping (forms/README.md):
groups → sections; `select_one LIST` → choice item (the list `yes_partly_no` → the
yes/partly/no item); `integer`/`decimal` in the group `indicators` → indicators,
`calculate` there → computed indicators, a `constraint` there → the bounds; other
`integer`/`decimal` → number item; `text`, `date`, `image` (photo); a `note` is the
hint of the question after it; `default` → the answer (or figure) a new visit starts
with, checked as one; the sheet `rules` → consistency rules. The result is
the form's canonical text (canonical.py) parsed again, so its content hash is the
hash of that text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from survey_app.checklists.canonical import to_toml
from survey_app.checklists.expressions import BOOLEAN, NUMBER, ExpressionError, compile_expression, UNKNOWN_NAME as EXPR_UNKNOWN
from survey_app.checklists.loader import FORM_ID_RE, KEY_RE, RESERVED_KEYS, parse_form
from survey_app.checklists.spec import (
    AnswerError,
    Choice,
    Computed,
    FormError,
    FormSpec,
    Indicator,
    Item,
    Rule,
    Section,
    check_indicator,
)
from survey_app.checklists.types import check_answer
from survey_app.checklists.xlsform_workbook import (
    MAX_ROWS,
    Problem,
    Row,
    XLSFormError,
    check_container,
    check_with_pyxform,
    read_sheets,
)
from survey_app.markers import N_
from survey_app.checklists.xpath import XPathError, compile_condition, constraint_bounds, to_python

__all__ = ["MAX_ROWS", "SUPPORTED_TYPES", "XLSFormError", "read_xlsform"]

INDICATORS_GROUP = "indicators"
DATETIME_MIDNIGHT = re.compile(r"\d{4}-\d{2}-\d{2} 00:00:00")
SELECT_RE = re.compile(r"(select_one|select one|select1)\s+(\S+)$")
UNSUPPORTED_SELECT_RE = re.compile(
    r"(select_multiple|select all that apply|select_one_from_file|select_multiple_from_file"
    r"|select_one_external|rank)\b")
# Our item type for each XLSForm type we support (pyxform's aliases compared below).
ITEM_KIND = {"text": "text", "date": "date", "image": "photo", "integer": "number",
             "decimal": "number"}
SUPPORTED_TYPES = ("begin group", "end group", "select_one", "text", "integer", "decimal",
                   "date", "image", "note", "calculate")
BAD_DEFAULT = N_("giá trị mặc định '%(value)s' không hợp lệ: %(reason)s")
UNKNOWN_NAME = N_("tên ${%(name)s} không có trong biểu mẫu")


def _reason(error) -> Problem:  # a refusal (answer, expression), translated with the problem
    return Problem(error.template, **error.params)


@dataclass
class _Reading:
    sheets: dict[str, list[Row]]
    problems: list[str] = field(default_factory=list)

    def problem(self, row: Row | None, column: str, template: str, **params) -> None:
        """A problem named by sheet, row and column, its text a catalogue entry."""
        self.problems.append(Problem(template, row.where(column) if row else None, **params))


def read_xlsform(data: bytes) -> FormSpec:
    """The form of an XLSForm workbook's bytes; raise XLSFormError with every problem."""
    check_container(data)
    reading = _Reading(read_sheets(data))
    spec = _build(reading)
    if reading.problems:
        raise XLSFormError(reading.problems)
    check_with_pyxform(data)
    try:
        return parse_form(to_toml(spec), f"{spec.id}.toml")
    except FormError as error:  # a rule of the form model not checked above
        raise XLSFormError([error.problem]) from None


# ------------------------------------------------------------------ the form

def _build(reading: _Reading) -> FormSpec:
    settings = (reading.sheets.get("settings") or [Row("settings", 2, {})])[0]
    form_id = settings.get("form_id")
    if not FORM_ID_RE.fullmatch(form_id):
        reading.problem(settings, "form_id", N_("mã biểu mẫu '%(id)s' không hợp lệ: vui lòng "
                                                "dùng chữ thường không dấu, số, '-' hoặc '_'"), id=form_id)
    title = settings.text("form_title")
    if not title:
        reading.problem(settings, "form_title", N_("vui lòng ghi tên biểu mẫu"))
    version = settings.get("version") or "1"
    if not version.isdigit() or not 1 <= int(version) <= 2**31:
        reading.problem(settings, "version", N_("phiên bản '%(version)s' phải là số nguyên dương"), version=version)
        version = "1"
    choices = _choice_lists(reading)
    survey = _Survey(reading, choices, title or form_id)
    survey.read(reading.sheets["survey"])
    rules = _rules(reading, survey.figure_names)
    return FormSpec(form_id, int(version), title or form_id, settings.english("form_title") or title,
                    settings.text("description"), tuple(survey.sections), tuple(survey.indicators),
                    tuple(survey.computed), rules, "", "", settings.english_only("description"))


def _choice_lists(reading: _Reading) -> dict[str, list[tuple[Row, Choice]]]:
    lists: dict[str, list[tuple[Row, Choice]]] = {}
    for row in reading.sheets.get("choices", []):
        list_name, value = row.get("list_name"), row.get("name")
        if not list_name or not value:
            reading.problem(row, "name" if list_name else "list_name", N_("vui lòng ghi đủ list_name và name của lựa chọn"))
            continue
        same = lists.setdefault(list_name, [])
        if any(choice.value == value for _, choice in same):
            reading.problem(row, "name", N_("lựa chọn '%(value)s' bị trùng trong danh sách '%(list)s'"),
                            value=value, list=list_name)
            continue
        label = row.text("label") or value
        same.append((row, Choice(value, label, row.english("label") or label)))
    return lists


class _Survey:
    """The survey sheet read top to bottom: sections, indicators, computed figures."""

    def __init__(self, reading: _Reading, choices, form_title: str):
        self.reading, self.choices, self.form_title = reading, choices, form_title
        self.sections: list[Section] = []
        self.indicators: list[Indicator] = []
        self.computed: list[Computed] = []
        self.names: dict[str, Row] = {}       # every name of the sheet, where first seen
        self.item_names: list[str] = []       # checklist items in order
        self.figure_names: list[str] = []     # indicators and computed, in order
        self.group: Row | None = None
        self.items: list[Item] = []
        self.note: list[Row] = []  # the notes before the next question: its hint
        self.loose = 0
        self.all_names: set[str] = set()

    def problem(self, row, column, template, **params):
        self.reading.problem(row, column, template, **params)

    def read(self, rows: list[Row]) -> None:
        self.all_names = {row.get("name") for row in rows if row.get("name")}
        calculations = [row for row in rows if _type(row) == "calculate"]
        cycles = _cycles(calculations)
        for row in rows:
            self.row(row, cycles)
        if self.group is not None:
            self.problem(self.group, "type", N_("nhóm chưa có dòng end group"))
            self.close_group(None)
        self.flush_loose()
        if not self.sections and not self.indicators:
            self.problem(None, "", N_("survey: biểu mẫu chưa có câu hỏi nào"))

    def row(self, row: Row, cycles: set[str]) -> None:
        kind = _type(row)
        if kind == "begin group":
            self.begin_group(row)
        elif kind == "end group":
            if self.group is None:
                self.problem(row, "type", N_("end group không có begin group tương ứng"))
            else:
                self.close_group(row)
        elif kind is None:
            self.unsupported(row)
        elif not self.named(row):
            return
        elif self.in_indicators():
            self.figure(row, kind, cycles)
        else:
            self.item(row, kind)

    def unsupported(self, row: Row) -> None:
        given = row.get("type")
        if not given:
            self.problem(row, "type", N_("vui lòng ghi loại câu hỏi"))
        else:
            self.problem(row, "type", N_("loại '%(type)s' chưa được hỗ trợ; dùng một trong: %(types)s"),
                         type=given, types=", ".join(SUPPORTED_TYPES))

    def named(self, row: Row) -> bool:
        name = row.get("name")
        if not KEY_RE.fullmatch(name) or name in RESERVED_KEYS or name.startswith("validate_"):
            self.problem(row, "name", N_("tên '%(name)s' không hợp lệ: vui lòng dùng chữ thường không "
                                         "dấu, số và '_', bắt đầu bằng chữ, không trùng từ khóa"), name=name)
            return False
        if name in self.names:
            self.problem(row, "name", N_("tên '%(name)s' bị trùng với dòng %(line)s"), name=name, line=self.names[name].number)
            return False
        self.names[name] = row
        return True

    def in_indicators(self) -> bool:
        return self.group is not None and self.group.get("name") == INDICATORS_GROUP

    # -------------------------------------------------------------- groups

    def begin_group(self, row: Row) -> None:
        if self.group is not None:
            self.problem(row, "type", N_("nhóm lồng trong nhóm chưa được hỗ trợ: vui lòng đóng "
                                         "nhóm '%(group)s' (end group) trước"), group=self.group.get("name"))
            return
        self.flush_loose()
        name = row.get("name")
        if name != INDICATORS_GROUP:
            self.named(row)  # a bad name is reported; the group still opens
        self.group, self.items, self.note = row, [], []
        if not row.text("label") and name != INDICATORS_GROUP:
            self.problem(row, "label", N_("vui lòng ghi tên nhóm"))

    def close_group(self, end: Row | None) -> None:
        group, self.group = self.group, None
        if self.note:
            self.problem(end or group, "type", N_("ghi chú (note) phải đứng trước một câu hỏi trong nhóm"))
        if group.get("name") == INDICATORS_GROUP:
            return
        if not self.items:
            self.problem(group, "name", N_("nhóm chưa có câu hỏi nào"))
            return
        relevant = self.condition(group, self.item_names) if group.get("relevant") else None
        self.sections.append(Section(group.get("name"), group.text("label"),
                                     group.english("label"), tuple(self.items), relevant))
        self.item_names += [item.key for item in self.items]
        self.items = []

    def flush_loose(self) -> None:
        """Questions outside any group form a section of their own."""
        if self.group is None and self.items:
            self.loose += 1
            key = f"phan_{self.loose}"
            while key in self.names:
                key += "_"
            self.sections.append(Section(key, self.form_title, self.form_title, tuple(self.items)))
            self.item_names += [item.key for item in self.items]
            self.items = []

    # -------------------------------------------------------------- checklist items

    def item(self, row: Row, kind: str) -> None:
        if kind == "note":
            self.note.append(row)
            return
        if kind == "calculate":
            self.problem(row, "type", N_("calculate chỉ dùng trong nhóm indicators (chỉ tiêu)"))
            return
        for column in ("calculation", "constraint"):
            if row.get(column):
                self.problem(row, column, N_("cột %(name)s chưa được hỗ trợ cho câu hỏi nội dung khảo sát"),
                             name=column)
        relevant = self.condition(row, self.item_names + [item.key for item in self.items]) \
            if row.get("relevant") else None
        choices, item_type = (), ITEM_KIND.get(kind, "choice")
        if kind.startswith("select_one "):
            item_type, choices = self.select(row, kind.split(" ", 1)[1])
        label = row.text("label")
        if not label:
            self.problem(row, "label", N_("vui lòng ghi nội dung câu hỏi"))
        help_text = " ".join([note.text("label") for note in self.note] + [row.text("hint")]).strip()
        help_en = " ".join([note.english("label") for note in self.note] + [row.english("hint")]).strip() \
            if any(note.english_only("label") for note in self.note) or row.english_only("hint") else ""
        self.note = []
        number = item_type == "number"
        item = Item(row.get("name"), item_type, label, row.english("label") or label,
                    help_text, _yes(row.get("required")), choices,
                    row.get("unit") if number else "", relevant, help_en=help_en,
                    unit_en=row.english_only("unit") if number else "")
        self.items.append(replace(item, default=self.item_default(row, item)) if row.get("default") else item)

    def item_default(self, row: Row, item: Item):
        """The `default` column: the answer a new visit starts with, checked as an answer."""
        text = row.get("default")
        if item.type == "photo":
            self.problem(row, "default", N_("câu hỏi chụp ảnh (image) không có giá trị mặc định"))
            return None
        value = text
        if item.type == "number":
            value = _number_text(text)
        elif item.type == "date" and DATETIME_MIDNIGHT.fullmatch(text):
            value = text[:10]  # a date typed in Excel reads as that day at 00:00:00
        try:
            if value is None:
                raise AnswerError(item.key, N_("giá trị phải là một số"))
            return check_answer(item, value)
        except AnswerError as error:
            self.problem(row, "default", BAD_DEFAULT, value=text, reason=_reason(error))
            return None

    def select(self, row: Row, list_name: str):
        listed = self.choices.get(list_name)
        if not listed:
            self.problem(row, "type", N_("không có danh sách lựa chọn '%(list)s' trong sheet choices"),
                         list=list_name)
            return "choice", ()
        if list_name == "yes_partly_no":
            values = [choice.value for _, choice in listed]
            if values != ["yes", "partly", "no"]:
                self.problem(listed[0][0], "name", N_("danh sách yes_partly_no phải có đúng ba lựa "
                                                      "chọn yes, partly, no theo thứ tự này"))
            return "yes_partly_no", ()
        return "choice", tuple(choice for _, choice in listed)

    def condition(self, row: Row, earlier: list[str]):
        text = row.get("relevant")
        try:
            condition = compile_condition(text)
        except XPathError as error:
            self.problem(row, "relevant", error.template, **error.params)
            return None
        for name in sorted(condition.names - set(earlier)):
            if name in self.all_names and name not in self.figure_names:
                self.problem(row, "relevant", N_("${%(name)s} ở sau mục này: điều kiện chỉ được "
                                                 "dùng câu trả lời của các mục đứng trước"), name=name)
            else:
                self.problem(row, "relevant", UNKNOWN_NAME, name=name)
        return condition

    # -------------------------------------------------------------- the unit's figures

    def figure(self, row: Row, kind: str, cycles: set[str]) -> None:
        name, label = row.get("name"), row.text("label")
        if kind not in ("integer", "decimal", "calculate"):
            self.problem(row, "type", N_("nhóm indicators chỉ gồm integer, decimal và calculate, "
                                         "không phải '%(type)s'"), type=row.get("type"))
            return
        if row.get("relevant"):
            self.problem(row, "relevant", N_("cột relevant chưa được hỗ trợ cho chỉ tiêu"))
        if row.get("default") and kind == "calculate":
            self.problem(row, "default", N_("phép tính (calculate) không có giá trị mặc định"))
        if not label:
            self.problem(row, "label", N_("vui lòng ghi tên chỉ tiêu"))
        if not row.get("unit"):
            self.problem(row, "unit", N_("vui lòng ghi đơn vị tính của chỉ tiêu (ví dụ: hồ sơ, %%)"))
        english = row.english("label") or label
        if kind == "calculate":
            expr = self.calculation(row, cycles)
            decimals = row.get("decimals") or "1"
            if not decimals.isdigit() or int(decimals) > 6:
                self.problem(row, "decimals", N_("số chữ số thập phân phải từ 0 đến 6"))
                decimals = "1"
            if expr is not None:
                self.computed.append(Computed(name, label, english, row.get("unit"), expr,
                                              int(decimals), row.english_only("unit")))
        else:
            low, high = self.bounds(row)
            indicator = Indicator(name, label, english, row.get("unit"), low, high, kind == "integer",
                                  unit_en=row.english_only("unit"))
            if row.get("default"):
                indicator = replace(indicator, default=self.figure_default(row, indicator))
            self.indicators.append(indicator)
        self.figure_names.append(name)

    def figure_default(self, row: Row, indicator: Indicator):
        """The `default` column of a figure: a number of its kind, within its constraint."""
        text = row.get("default")
        try:
            number = _number_text(text)
            if number is None:
                raise AnswerError(indicator.key, N_("giá trị phải là một số"))
            return check_indicator(indicator, number)
        except AnswerError as error:
            self.problem(row, "default", BAD_DEFAULT, value=text, reason=_reason(error))
            return None

    def calculation(self, row: Row, cycles: set[str]):
        name = row.get("name")
        if name in cycles:
            self.problem(row, "calculation", N_("phép tính vòng tròn: giá trị này phụ thuộc vào "
                                                "chính nó qua %(names)s"), names=" → ".join(sorted(cycles)))
            return None
        return self.translated(row, "calculation", row.get("calculation"), NUMBER)

    def translated(self, row: Row, column: str, text: str, kind: str):
        if not text:
            self.problem(row, column, N_("vui lòng ghi biểu thức"))
            return None
        try:
            python = to_python(text)
            expr = compile_expression(python, self.figure_names)
        except XPathError as error:
            self.problem(row, column, error.template, **error.params)
            return None
        except ExpressionError as error:
            unknown = error.params["name"] if error.template == EXPR_UNKNOWN else None
            if unknown in self.all_names:
                self.problem(row, column, N_("${%(name)s} ở sau dòng này hoặc không phải chỉ tiêu: "
                                             "vui lòng chỉ dùng các chỉ tiêu đứng trước"), name=unknown)
            elif unknown:
                self.problem(row, column, UNKNOWN_NAME, name=unknown)
            else:
                self.problem(row, column, N_("biểu thức không hợp lệ: %(reason)s"), reason=_reason(error))
            return None
        if expr.kind != kind:
            self.problem(row, column, N_("biểu thức phải cho một số") if kind == NUMBER else N_("biểu thức phải cho đúng/sai"))
            return None
        return expr

    def bounds(self, row: Row):
        text = row.get("constraint")
        if not text:
            return None, None
        try:
            low, high = constraint_bounds(text)
        except XPathError as error:
            self.problem(row, "constraint", error.template, **error.params)
            return None, None
        if low is not None and high is not None and low > high:
            self.problem(row, "constraint", N_("giới hạn dưới %(low)s lớn hơn giới hạn trên %(high)s"),
                         low=f"{low:g}", high=f"{high:g}")
        return low, high


def _type(row: Row) -> str | None:
    """The row's type as one of SUPPORTED_TYPES (select_one with its list), or None."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT as ODK_TYPES
    given = " ".join(row.get("type").split())
    lowered = given.lower().replace("_", " ")
    if lowered in ("begin group", "end group"):
        return lowered
    select = SELECT_RE.fullmatch(given) or SELECT_RE.fullmatch(given.replace("_", " ", 1))
    if select and not UNSUPPORTED_SELECT_RE.match(given):
        return f"select_one {select.group(2)}"
    definition = ODK_TYPES.get(given)
    for name in ("text", "integer", "decimal", "date", "image", "note", "calculate"):
        if definition is not None and definition == ODK_TYPES[name]:
            return name
    return None


def _number_text(text: str) -> int | float | None:
    """A number written in a cell ("12", "-3", "85.5"), or None."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+)(e-?\d+)?", text, re.IGNORECASE):
        return float(text)
    return None


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "true()", "1")


def _cycles(rows: list[Row]) -> set[str]:
    """Names of calculations that depend on themselves (directly or through others)."""
    uses = {}
    for row in rows:
        try:
            uses[row.get("name")] = compile_condition(row.get("calculation")).names
        except XPathError:
            uses[row.get("name")] = frozenset()
    looping = set()
    for start in uses:
        seen, stack = set(), list(uses[start])
        while stack:
            name = stack.pop()
            if name == start:
                looping.add(start)
                break
            if name in uses and name not in seen:
                seen.add(name)
                stack.extend(uses[name])
    return looping


def _rules(reading: _Reading, figure_names: list[str]) -> tuple[Rule, ...]:
    rules, seen = [], {}
    checker = _Survey(reading, {}, "")
    checker.figure_names = figure_names
    checker.all_names = set(figure_names)
    for row in reading.sheets.get("rules", []):
        name = row.get("name")
        if not KEY_RE.fullmatch(name):
            reading.problem(row, "name", N_("tên quy tắc '%(name)s' không hợp lệ"), name=name)
            continue
        if name in seen:
            reading.problem(row, "name", N_("quy tắc '%(name)s' bị trùng với dòng %(line)s"), name=name,
                            line=seen[name])
            continue
        seen[name] = row.number
        expr = checker.translated(row, "expression", row.get("expression"), BOOLEAN)
        message = row.text("message")
        if not message:
            reading.problem(row, "message", N_("vui lòng ghi lời cảnh báo"))
        if expr is not None:
            rules.append(Rule(name, expr, message, row.english("message") or message))
    return tuple(rules)
