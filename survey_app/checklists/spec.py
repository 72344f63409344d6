"""Checklist form specifications: the dataclasses, the TOML loader and validator.

A form file in `forms/` (format in `forms/README.md`) becomes a frozen
`FormSpec`. Every problem in a file is a `FormError` whose message names the
file and the key (`ttpvhcc-xa.toml: sections[2].items[0].type: unknown type
'yesno' (item 'portal_speed')`). `load_forms` loads a whole folder; a broken file
is reported in `FormRegistry.errors` and skipped. FormSpec also checks one
answer or figure (`check_answer`, `check_indicator`, Vietnamese `AnswerError`)
and evaluates a unit's figures (`evaluate`: computed indicators, rule warnings).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import keyword
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

from .expressions import BOOLEAN, FUNCTION_NAMES, NUMBER, Expression, ExpressionError, \
    compile_expression

ITEM_TYPES = ("yes_partly_no", "choice", "number", "text", "date", "photo")
YES_PARTLY_NO = ("yes", "partly", "no")
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
FORM_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
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


class FormError(ValueError):
    """A form file is invalid; the message names the file and the key."""


class AnswerError(ValueError):
    """An answer or figure is refused; `message` is Vietnamese and names the problem."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Item:
    key: str
    type: str
    label: str
    label_en: str
    help: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    title_en: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    label_en: str
    unit: str
    min: float | None = None
    max: float | None = None
    integer: bool = False


@dataclass(frozen=True)
class Computed:
    key: str
    label: str
    label_en: str
    unit: str
    expr: Expression
    decimals: int = 1


@dataclass(frozen=True)
class Rule:
    key: str
    expr: Expression
    message: str
    message_en: str


@dataclass(frozen=True)
class RuleWarning:
    key: str
    message: str
    message_en: str


@dataclass(frozen=True)
class Evaluation:
    computed: dict[str, float | None]
    warnings: list[RuleWarning]


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: str
    title_en: str
    description: str
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...]
    computed: tuple[Computed, ...]
    rules: tuple[Rule, ...]
    content_hash: str
    source: str = field(repr=False)

    @cached_property
    def items(self) -> dict[str, Item]:
        return {item.key: item for section in self.sections for item in section.items}

    @property
    def item_keys(self) -> frozenset[str]:
        return frozenset(self.items)

    @property
    def indicator_keys(self) -> frozenset[str]:
        return frozenset(indicator.key for indicator in self.indicators)

    def indicator(self, key: str) -> Indicator | None:
        return next((ind for ind in self.indicators if ind.key == key), None)

    def check_answer(self, item_key: str, value: Any) -> Any:
        """The normalized answer; raise AnswerError if the item does not accept it."""
        item = self.items.get(item_key)
        if item is None:
            raise AnswerError(item_key, f"không có mục '{item_key}' trong biểu mẫu {self.id}")
        return _check_answer(item, value)

    def check_indicator(self, key: str, value: Any) -> int | float | None:
        """The normalized figure; raise AnswerError if the indicator does not accept it."""
        indicator = self.indicator(key)
        if indicator is None:
            raise AnswerError(key, f"không có chỉ tiêu '{key}' trong biểu mẫu {self.id}")
        return _check_indicator(indicator, value)

    def evaluate(self, indicators: Mapping[str, Any]) -> Evaluation:
        """Computed indicators (rounded) and the warnings of rules that do not hold."""
        values = {key: indicators.get(key) for key in self.indicator_keys}
        computed = {}
        for item in self.computed:
            # Later expressions read the unrounded value; only the report is rounded.
            values[item.key] = item.expr.evaluate(values)
            raw = values[item.key]
            computed[item.key] = None if raw is None else round(float(raw), item.decimals)
        warnings = [RuleWarning(rule.key, rule.message, rule.message_en)
                    for rule in self.rules if rule.expr.evaluate(values) is False]
        return Evaluation(computed, warnings)

    def missing_required(self, answers: Mapping[str, Any]) -> list[str]:
        """Keys of required items without an answer, in form order."""
        return [key for key, item in self.items.items()
                if item.required and _is_blank(answers.get(key))]


def _is_blank(answer: Any) -> bool:
    if isinstance(answer, Mapping):  # the visit document stores {"value", "note"}
        answer = answer.get("value")
    return answer is None or (isinstance(answer, str) and not answer.strip())


def _check_answer(item: Item, value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    if value is None:
        return None
    if item.type == "yes_partly_no" and value in YES_PARTLY_NO:
        return value
    if item.type == "yes_partly_no":
        raise AnswerError(item.key, "giá trị phải là một trong: yes (Có), partly (Một phần), "
                                    "no (Không)")
    if item.type == "choice":
        allowed = [choice.value for choice in item.choices]
        if value not in allowed:
            raise AnswerError(item.key, "giá trị phải là một trong: " + ", ".join(allowed))
        return value
    if item.type == "number":
        return _number(item.key, value)
    if item.type == "date":
        return _date(item.key, value)
    if not isinstance(value, str):
        raise AnswerError(item.key, "giá trị phải là một chuỗi ký tự")
    return value.strip()


def _number(key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise AnswerError(key, "giá trị phải là một số")
    return value


def _date(key: str, value: Any) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
            return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        pass
    raise AnswerError(key, "ngày phải có dạng YYYY-MM-DD (năm-tháng-ngày) và là ngày có thật")


def _check_indicator(indicator: Indicator, value: Any) -> int | float | None:
    if value is None:
        return None
    number = _number(indicator.key, value)
    if indicator.integer:
        if not float(number).is_integer():
            raise AnswerError(indicator.key, "giá trị phải là số nguyên")
        number = int(number)
    if indicator.min is not None and number < indicator.min:
        raise AnswerError(indicator.key, f"giá trị không được nhỏ hơn {indicator.min:g}")
    if indicator.max is not None and number > indicator.max:
        raise AnswerError(indicator.key, f"giá trị không được lớn hơn {indicator.max:g}")
    return number


class _Table:
    """One TOML table being read, with its path for error messages."""

    def __init__(self, data: Any, path: str, filename: str):
        self.data, self.path, self.filename, self.owner = data, path, filename, ""
        if not isinstance(data, dict):
            raise self.error("", "must be a table")

    def error(self, name: str, problem: str) -> FormError:
        where = ".".join(part for part in (self.path, name) if part)
        owner = f" ({self.owner})" if self.owner else ""
        return FormError(f"{self.filename}: {where or '(top)'}: {problem}{owner}")

    def only(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                raise self.error(name, f"unknown field {name!r}")

    def get(self, name: str, kind: str, default: Any = _REQUIRED) -> Any:
        value = self.data.get(name, default)
        if value is _REQUIRED:
            raise self.error(name, "is required")
        if value is default:
            return value
        bad_bool = isinstance(value, bool) and kind != "bool"
        if bad_bool or not isinstance(value, _KINDS[kind]):
            raise self.error(name, f"must be a {kind}, not {type(value).__name__}")
        if kind == "str" and default is _REQUIRED and not value.strip():
            raise self.error(name, "must not be empty")
        return value

    def key(self, kind: str, seen: dict[str, str]) -> str:
        key = self.get("key", "str")
        if not KEY_RE.fullmatch(key) or key in RESERVED_KEYS or key.startswith("validate_"):
            raise self.error("key", f"invalid key {key!r}: use [a-z][a-z0-9_]*, not a "
                                    "reserved word")
        if key in seen:
            raise self.error("key", f"duplicate key {key!r} (first at {seen[key]})")
        seen[key] = self.path
        self.owner = f"{kind} {key!r}"
        return key

    def tables(self, name: str) -> list[_Table]:
        rows = self.get(name, "list", [])
        prefix = ".".join(part for part in (self.path, name) if part)
        return [_Table(row, f"{prefix}[{i}]", self.filename) for i, row in enumerate(rows)]

    def expression(self, allowed: set[str], kind: str) -> Expression:
        try:
            expr = compile_expression(self.get("expr", "str"), allowed)
        except ExpressionError as exc:
            raise self.error("expr", str(exc)) from None
        if expr.kind != kind:
            raise self.error("expr", f"must be a {kind} expression, not a {expr.kind}")
        return expr


def parse_form(text: str, filename: str) -> FormSpec:
    """Parse and validate one form file's text; raise FormError naming file and key."""
    name = Path(filename).name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormError(f"{name}: invalid TOML: {exc}") from None
    top = _Table(data, "", name)
    top.only({"id", "version", "title", "title_en", "description", "sections",
              "indicators", "computed", "rules"})
    form_id = top.get("id", "str")
    if form_id != Path(filename).stem or not FORM_ID_RE.fullmatch(form_id):
        raise top.error("id", f"id {form_id!r} must equal the file name without .toml "
                              "and use [a-z0-9_-]")
    version = top.get("version", "int")
    if version < 1:
        raise top.error("version", "must be 1 or more")
    seen: dict[str, str] = {}
    sections = _sections(top, seen)
    indicators = tuple(_indicator(table, seen) for table in top.tables("indicators"))
    names = {indicator.key for indicator in indicators}
    computed = tuple(_computed(table, seen, names) for table in top.tables("computed"))
    rule_keys: dict[str, str] = {}
    rules = tuple(_rule(table, rule_keys, names) for table in top.tables("rules"))
    return FormSpec(form_id, version, top.get("title", "str"), top.get("title_en", "str"),
                    top.get("description", "str", ""), sections, indicators, computed,
                    rules, hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


def _sections(top: _Table, seen: dict[str, str]) -> tuple[Section, ...]:
    sections, section_keys = [], {}
    for table in top.tables("sections"):
        key = table.key("section", section_keys)
        table.only({"key", "title", "title_en", "items"})
        items = tuple(_item(row, seen) for row in table.tables("items"))
        if not items:
            raise table.error("items", "a section needs at least one item")
        sections.append(Section(key, table.get("title", "str"), table.get("title_en", "str"),
                                items))
    return tuple(sections)


def _item(table: _Table, seen: dict[str, str]) -> Item:
    key = table.key("item", seen)
    table.only({"key", "type", "label", "label_en", "help", "required", "choices", "unit"})
    kind = table.get("type", "str")
    if kind not in ITEM_TYPES:
        raise table.error("type", f"unknown type {kind!r}, use one of {', '.join(ITEM_TYPES)}")
    if "choices" in table.data and kind != "choice":
        raise table.error("choices", f"only a choice item has choices, not {kind}")
    if "unit" in table.data and kind != "number":
        raise table.error("unit", f"only a number item has a unit, not {kind}")
    return Item(key, kind, table.get("label", "str"), table.get("label_en", "str"),
                table.get("help", "str", ""), table.get("required", "bool", False),
                _choices(table) if kind == "choice" else (), table.get("unit", "str", ""))


def _choices(table: _Table) -> tuple[Choice, ...]:
    choices, values = [], set()
    for row in table.tables("choices"):
        row.only({"value", "label", "label_en"})
        value = row.get("value", "str")
        if value in values:
            raise row.error("value", f"duplicate choice value {value!r}")
        values.add(value)
        choices.append(Choice(value, row.get("label", "str"), row.get("label_en", "str")))
    if not choices:
        raise table.error("choices", "a choice item needs a non-empty list of choices")
    return tuple(choices)


def _indicator(table: _Table, seen: dict[str, str]) -> Indicator:
    key = table.key("indicator", seen)
    table.only({"key", "label", "label_en", "unit", "min", "max", "integer"})
    low, high = table.get("min", "number", None), table.get("max", "number", None)
    if low is not None and high is not None and low > high:
        raise table.error("min", f"min {low} is greater than max {high}")
    return Indicator(key, table.get("label", "str"), table.get("label_en", "str"),
                     table.get("unit", "str"), low, high, table.get("integer", "bool", False))


def _computed(table: _Table, seen: dict[str, str], names: set[str]) -> Computed:
    key = table.key("computed", seen)
    table.only({"key", "label", "label_en", "unit", "expr", "decimals"})
    expr = table.expression(names, NUMBER)  # only indicators and earlier computed keys
    decimals = table.get("decimals", "int", 1)
    if not 0 <= decimals <= 6:
        raise table.error("decimals", "must be between 0 and 6")
    names.add(key)
    return Computed(key, table.get("label", "str"), table.get("label_en", "str"),
                    table.get("unit", "str"), expr, decimals)


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
        registry.errors.append(f"{folder}: forms folder not found")
        return registry
    for path in sorted(folder.glob("*.toml")):
        try:
            spec = parse_form(path.read_bytes().decode("utf-8"), path.name)
        except UnicodeDecodeError as exc:
            registry.errors.append(f"{path.name}: not UTF-8 text: {exc.reason}")
        except (FormError, OSError) as exc:
            registry.errors.append(str(exc))
        else:
            registry.forms[spec.id] = spec
    return registry
