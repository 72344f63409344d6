"""Reading form files: the TOML loader and validator.

Every problem in a file is a `FormError` whose message names the file and the key
(`ttpvhcc-xa.toml: sections[2].items[0].type: unknown type 'yesno' (item
'portal_speed')`). `load_forms` loads a whole folder; a broken file is reported in
`FormRegistry.errors` and skipped.
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
from survey_app.checklists.xpath import Condition, XPathError, compile_condition

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

    def condition(self, earlier: dict[str, str]) -> Condition | None:
        """The optional `relevant` skip logic, over items defined above it only."""
        text = self.get("relevant", "str", None)
        if text is None or not text.strip():
            return None
        try:
            return compile_condition(text, earlier)
        except XPathError as exc:
            raise self.error("relevant", str(exc)) from None

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
    top.only({"id", "version", "title", "title_en", "description", "description_en", "sections",
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
            raise table.error("items", "a section needs at least one item")
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
        raise table.error("type", f"unknown type {kind!r}, use one of {', '.join(ITEM_TYPES)}")
    if "choices" in table.data and kind != "choice":
        raise table.error("choices", f"only a choice item has choices, not {kind}")
    for unit in ("unit", "unit_en"):
        if unit in table.data and kind != "number":
            raise table.error(unit, f"only a number item has a unit, not {kind}")
    item = Item(key, kind, table.get("label", "str"), table.get("label_en", "str"),
                table.get("help", "str", ""), table.get("required", "bool", False),
                _choices(table) if kind == "choice" else (), table.get("unit", "str", ""),
                table.condition(earlier), help_en=table.get("help_en", "str", ""),
                unit_en=table.get("unit_en", "str", ""))
    if "default" not in table.data:
        return item
    if kind == "photo":
        raise table.error("default", "a photo item has no default")
    value = table.get("default", "number" if kind == "number" else "str")
    try:
        default = check_answer(item, value)
    except AnswerError as exc:
        raise table.error("default", exc.message) from None
    if default is None:
        raise table.error("default", "must not be empty")
    return dataclasses.replace(item, default=default)


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
    table.only({"key", "label", "label_en", "unit", "unit_en", "min", "max", "integer", "default"})
    low, high = table.get("min", "number", None), table.get("max", "number", None)
    if low is not None and high is not None and low > high:
        raise table.error("min", f"min {low} is greater than max {high}")
    indicator = Indicator(key, table.get("label", "str"), table.get("label_en", "str"),
                          table.get("unit", "str"), low, high, table.get("integer", "bool", False),
                          unit_en=table.get("unit_en", "str", ""))
    if "default" not in table.data:
        return indicator
    try:
        default = check_indicator(indicator, table.get("default", "number"))
    except AnswerError as exc:
        raise table.error("default", exc.message) from None
    return dataclasses.replace(indicator, default=default)


def _computed(table: _Table, seen: dict[str, str], names: set[str]) -> Computed:
    key = table.key("computed", seen)
    table.only({"key", "label", "label_en", "unit", "unit_en", "expr", "decimals"})
    expr = table.expression(names, NUMBER)  # only indicators and earlier computed keys
    decimals = table.get("decimals", "int", 1)
    if not 0 <= decimals <= 6:
        raise table.error("decimals", "must be between 0 and 6")
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
