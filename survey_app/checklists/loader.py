"""Reading form files: the TOML loader and validator.

Every problem in a file is a `FormError` whose message names the file, the key and
what it belongs to, in Vietnamese (`ttpvhcc-xa.toml: sections[2].items[0].type: không
có loại 'yesno' … (mục 'portal_speed')`); its `problem` is a catalogue entry with its
params, so a page can say it in English too. `load_forms` loads a whole folder; a
broken file is reported in `FormRegistry.errors` and skipped.
"""
from __future__ import annotations

import dataclasses
import hashlib
import keyword
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from survey_app.checklists.expressions import (
    BOOLEAN,
    FUNCTION_NAMES,
    NUMBER,
    Expression,
    ExpressionError,
    compile_expression,
)
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
from survey_app.checklists.types import ITEM_TYPES, check_answer
from survey_app.checklists.xlsform_workbook import Problem
from survey_app.checklists.xpath import Condition, XPathError, compile_condition
from survey_app.markers import N_

KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
FORM_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Keys become WTForms field names and expression names: they must not shadow
# Form attributes, Python keywords or the expression functions.
RESERVED_KEYS = frozenset(keyword.kwlist) | FUNCTION_NAMES | {
    "data", "errors", "meta", "process", "populate_obj", "post_process", "validate",
    "form_errors", "extra_validators", "hidden_tag", "is_submitted",
    "validate_on_submit", "csrf_token",
}
_REQUIRED = object()
_KINDS = {"str": (str,), "int": (int,), "bool": (bool,), "number": (int, float),
          "list": (list,)}
# What a value of each kind must be, as the author of the file reads it.
_KIND_WANTED = {"str": N_("vui lòng ghi một chuỗi ký tự trong dấu ngoặc kép"),
                "int": N_("vui lòng ghi một số nguyên"), "bool": N_("vui lòng ghi true hoặc false"),
                "number": N_("vui lòng ghi một số"), "list": N_("vui lòng ghi một danh sách")}
# What a table belongs to, named after its problem: "(mục 'portal_speed')".
_OWNERS = {"section": N_("phần '%(key)s'"), "item": N_("mục '%(key)s'"),
           "indicator": N_("chỉ tiêu '%(key)s'"), "computed": N_("chỉ tiêu tính '%(key)s'"),
           "rule": N_("quy tắc '%(key)s'")}
EMPTY = N_("vui lòng không để trống")
TOP = N_("(đầu tệp)")
AT = N_("%(file)s: %(where)s: %(problem)s")
AT_OWNED = N_("%(file)s: %(where)s: %(problem)s (%(owner)s)")


class _Table:
    """One TOML table being read, with its path for error messages."""

    def __init__(self, data: Any, path: str, filename: str):
        self.data, self.path, self.filename, self.owner = data, path, filename, None
        if not isinstance(data, dict):
            raise self.error("", N_("vui lòng ghi dạng bảng TOML ([...] hoặc [[...]])"))

    def error(self, name: str, template: str, /, **params) -> FormError:
        """The problem `template` (a catalogue entry) at key `name` of this table."""
        where = ".".join(part for part in (self.path, name) if part) or Problem(TOP)
        place = {"file": self.filename, "where": where, "problem": Problem(template, **params)}
        if self.owner is None:
            return FormError(Problem(AT, **place))
        return FormError(Problem(AT_OWNED, **place, owner=self.owner))

    def only(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                raise self.error(name, N_("không có trường '%(name)s' trong mẫu tệp biểu mẫu: vui lòng "
                                          "kiểm tra lại tên trường"), name=name)

    def get(self, name: str, kind: str, default: Any = _REQUIRED) -> Any:
        value = self.data.get(name, default)
        if value is _REQUIRED:
            raise self.error(name, N_("thiếu trường bắt buộc: vui lòng ghi trường này"))
        if value is default:
            return value
        bad_bool = isinstance(value, bool) and kind != "bool"
        if bad_bool or not isinstance(value, _KINDS[kind]):
            raise self.error(name, _KIND_WANTED[kind])
        if kind == "str" and default is _REQUIRED and not value.strip():
            raise self.error(name, EMPTY)
        return value

    def key(self, kind: str, seen: dict[str, str]) -> str:
        key = self.get("key", "str")
        if not KEY_RE.fullmatch(key) or key in RESERVED_KEYS or key.startswith("validate_"):
            raise self.error("key", N_("mã '%(key)s' không hợp lệ: vui lòng dùng chữ thường không dấu, chữ số "
                                       "và dấu gạch dưới, bắt đầu bằng chữ, không trùng từ dành riêng"), key=key)
        if key in seen:
            raise self.error("key", N_("mã '%(key)s' bị trùng (đã có ở %(first)s): vui lòng đặt mã khác"),
                             key=key, first=seen[key] or Problem(TOP))
        seen[key] = self.path
        self.owner = Problem(_OWNERS[kind], key=key)
        return key

    def tables(self, name: str) -> list[_Table]:
        rows = self.get(name, "list", [])
        prefix = ".".join(part for part in (self.path, name) if part)
        return [_Table(row, f"{prefix}[{i}]", self.filename) for i, row in enumerate(rows)]

    def condition(self, earlier: dict[str, str]) -> Condition | None:
        """The optional `relevant` skip logic, over items defined above it only."""
        text = self.get("relevant", "str", None)
        if text is None or not text.strip():
            return None
        try:
            return compile_condition(text, earlier)
        except XPathError as exc:
            raise self.error("relevant", exc.template, **exc.params) from None

    def expression(self, allowed: set[str], kind: str) -> Expression:
        try:
            expr = compile_expression(self.get("expr", "str"), allowed)
        except ExpressionError as exc:
            raise self.error("expr", exc.template, **exc.params) from None
        if expr.kind != kind:
            raise self.error("expr", N_("biểu thức phải cho một số") if kind == NUMBER
                             else N_("biểu thức phải cho đúng/sai"))
        return expr


def parse_form(text: str, filename: str) -> FormSpec:
    """Parse and validate one form file's text; raise FormError naming file and key."""
    name = Path(filename).name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _not_toml(name, str(exc)) from None
    top = _Table(data, "", name)
    top.only({"id", "version", "title", "title_en", "description", "description_en", "sections",
              "indicators", "computed", "rules"})
    form_id = top.get("id", "str")
    if form_id != Path(filename).stem or not FORM_ID_RE.fullmatch(form_id):
        raise top.error("id", N_("mã biểu mẫu '%(id)s' phải trùng tên tệp (bỏ đuôi .toml) và chỉ gồm chữ "
                                 "thường không dấu, chữ số, '-' và '_': vui lòng sửa lại"), id=form_id)
    version = top.get("version", "int")
    if version < 1:
        raise top.error("version", N_("vui lòng ghi phiên bản từ 1 trở lên"))
    seen: dict[str, str] = {}
    sections = _sections(top, seen)
    indicators = tuple(_indicator(table, seen) for table in top.tables("indicators"))
    names = {indicator.key for indicator in indicators}
    computed = tuple(_computed(table, seen, names) for table in top.tables("computed"))
    rule_keys: dict[str, str] = {}
    rules = tuple(_rule(table, rule_keys, names) for table in top.tables("rules"))
    return FormSpec(form_id, version, top.get("title", "str"), top.get("title_en", "str"),
                    top.get("description", "str", ""), sections, indicators, computed,
                    rules, hashlib.sha256(text.encode("utf-8")).hexdigest(), text,
                    top.get("description_en", "str", ""))


def _sections(top: _Table, seen: dict[str, str]) -> tuple[Section, ...]:
    sections, section_keys = [], {}
    for table in top.tables("sections"):
        key = table.key("section", section_keys)
        table.only({"key", "title", "title_en", "items", "relevant"})
        relevant = table.condition(dict(seen))
        items = tuple(_item(row, seen) for row in table.tables("items"))
        if not items:
            raise table.error("items", N_("vui lòng ghi ít nhất một mục cho phần này"))
        sections.append(Section(key, table.get("title", "str"), table.get("title_en", "str"),
                                items, relevant))
    return tuple(sections)


def _item(table: _Table, seen: dict[str, str]) -> Item:
    earlier = dict(seen)
    key = table.key("item", seen)
    table.only({"key", "type", "label", "label_en", "help", "help_en", "required", "choices",
                "unit", "unit_en", "relevant", "default"})
    kind = table.get("type", "str")
    if kind not in ITEM_TYPES:
        raise table.error("type", N_("không có loại '%(type)s': vui lòng dùng một trong: %(types)s"),
                          type=kind, types=", ".join(ITEM_TYPES))
    if "choices" in table.data and kind != "choice":
        raise table.error("choices", N_("chỉ mục loại choice mới có lựa chọn, mục này thuộc loại %(type)s"),
                          type=kind)
    for unit in ("unit", "unit_en"):
        if unit in table.data and kind != "number":
            raise table.error(unit, N_("chỉ mục loại number mới có đơn vị tính, mục này thuộc loại %(type)s"),
                              type=kind)
    item = Item(key, kind, table.get("label", "str"), table.get("label_en", "str"),
                table.get("help", "str", ""), table.get("required", "bool", False),
                _choices(table) if kind == "choice" else (), table.get("unit", "str", ""),
                table.condition(earlier), help_en=table.get("help_en", "str", ""),
                unit_en=table.get("unit_en", "str", ""))
    if "default" not in table.data:
        return item
    if kind == "photo":
        raise table.error("default", N_("mục ảnh không có giá trị mặc định: vui lòng bỏ trường này"))
    value = table.get("default", "number" if kind == "number" else "str")
    try:
        default = check_answer(item, value)
    except AnswerError as exc:
        raise table.error("default", exc.template, **exc.params) from None
    if default is None:
        raise table.error("default", EMPTY)
    return dataclasses.replace(item, default=default)


def _choices(table: _Table) -> tuple[Choice, ...]:
    choices, values = [], set()
    for row in table.tables("choices"):
        row.only({"value", "label", "label_en"})
        value = row.get("value", "str")
        if value in values:
            raise row.error("value", N_("giá trị lựa chọn '%(value)s' bị trùng: vui lòng đặt giá trị khác"),
                            value=value)
        values.add(value)
        choices.append(Choice(value, row.get("label", "str"), row.get("label_en", "str")))
    if not choices:
        raise table.error("choices", N_("vui lòng ghi ít nhất một lựa chọn cho mục loại choice"))
    return tuple(choices)


def _indicator(table: _Table, seen: dict[str, str]) -> Indicator:
    key = table.key("indicator", seen)
    table.only({"key", "label", "label_en", "unit", "unit_en", "min", "max", "integer", "default"})
    low, high = table.get("min", "number", None), table.get("max", "number", None)
    if low is not None and high is not None and low > high:
        raise table.error("min", N_("giá trị nhỏ nhất %(min)s lớn hơn giá trị lớn nhất %(max)s: vui lòng "
                                    "sửa lại"), min=low, max=high)
    indicator = Indicator(key, table.get("label", "str"), table.get("label_en", "str"),
                          table.get("unit", "str"), low, high, table.get("integer", "bool", False),
                          unit_en=table.get("unit_en", "str", ""))
    if "default" not in table.data:
        return indicator
    try:
        default = check_indicator(indicator, table.get("default", "number"))
    except AnswerError as exc:
        raise table.error("default", exc.template, **exc.params) from None
    return dataclasses.replace(indicator, default=default)


def _computed(table: _Table, seen: dict[str, str], names: set[str]) -> Computed:
    key = table.key("computed", seen)
    table.only({"key", "label", "label_en", "unit", "unit_en", "expr", "decimals"})
    expr = table.expression(names, NUMBER)  # only indicators and earlier computed keys
    decimals = table.get("decimals", "int", 1)
    if not 0 <= decimals <= 6:
        raise table.error("decimals", N_("vui lòng ghi số chữ số thập phân từ 0 đến 6"))
    names.add(key)
    return Computed(key, table.get("label", "str"), table.get("label_en", "str"),
                    table.get("unit", "str"), expr, decimals, table.get("unit_en", "str", ""))


def _rule(table: _Table, seen: dict[str, str], names: set[str]) -> Rule:
    key = table.key("rule", seen)
    table.only({"key", "expr", "message", "message_en"})
    return Rule(key, table.expression(names, BOOLEAN), table.get("message", "str"),
                table.get("message_en", "str"))


@dataclass
class FormRegistry:
    """The forms of a folder by id, and one message per file that could not be loaded."""

    forms: dict[str, FormSpec] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def get(self, form_id: str) -> FormSpec | None:
        return self.forms.get(form_id)

    def __iter__(self) -> Iterator[FormSpec]:
        return iter(self.forms.values())

    def __len__(self) -> int:
        return len(self.forms)

    def __contains__(self, form_id: object) -> bool:
        return form_id in self.forms


def load_forms(directory: str | Path) -> FormRegistry:
    """Load every `*.toml` in `directory`; broken files go to `.errors`, never stop the rest."""
    registry = FormRegistry()
    folder = Path(directory)
    if not folder.is_dir():
        registry.errors.append(Problem(N_("Không tìm thấy thư mục biểu mẫu %(folder)s."), folder=str(folder)))
        return registry
    for path in sorted(folder.glob("*.toml")):
        try:
            spec = parse_form(path.read_bytes().decode("utf-8"), path.name)
        except UnicodeDecodeError:
            registry.errors.append(Problem(N_("%(file)s: tệp không phải văn bản UTF-8: vui lòng lưu lại với "
                                              "bảng mã UTF-8"), file=path.name))
        except FormError as exc:
            registry.errors.append(exc.problem)
        except OSError:
            registry.errors.append(Problem(N_("%(file)s: không đọc được tệp: vui lòng kiểm tra quyền đọc "
                                              "tệp"), file=path.name))
        else:
            registry.forms[spec.id] = spec
    return registry


def _not_toml(name: str, reason: str) -> FormError:
    """A file that is no TOML, with the line and column tomllib names."""
    place = re.search(r"line (\d+), column (\d+)", reason)
    if place is None and "end of document" in reason:
        return FormError(Problem(N_("%(file)s: tệp viết chưa đúng cú pháp TOML ở cuối tệp: vui lòng kiểm tra "
                                    "lại"), file=name))
    if place is None:
        return FormError(Problem(N_("%(file)s: tệp viết chưa đúng cú pháp TOML: vui lòng kiểm tra lại"), file=name))
    return FormError(Problem(N_("%(file)s: tệp viết chưa đúng cú pháp TOML ở dòng %(line)s, cột %(column)s: "
                                "vui lòng kiểm tra lại"), file=name, line=place[1], column=place[2]))
