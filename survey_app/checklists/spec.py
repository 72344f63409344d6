"""Checklist form specifications: the frozen dataclasses, answer checks and evaluation.

A form file in `forms/` (format in `forms/README.md`) becomes a frozen
`FormSpec`. Every problem in a file is a `FormError` whose message names the
file and the key (`ttpvhcc-xa.toml: sections[2].items[0].type: không có loại
'yesno' … (mục 'portal_speed')`). `load_forms` loads a whole folder; a broken file
is reported in `FormRegistry.errors` and skipped. FormSpec also checks one
answer or figure (`check_answer`, `check_indicator`, Vietnamese `AnswerError`)
and evaluates a unit's figures (`evaluate`: computed indicators, rule warnings).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from survey_app.checklists.expressions import Expression
from survey_app.checklists.types import AnswerError, check_answer, number_answer
from survey_app.checklists.xpath import Condition
from survey_app.formatting import Number
from survey_app.markers import N_


class FormError(ValueError):
    """A form file is invalid; the message (Vietnamese) names the file and the key, and
    its `problem` (a `Problem`: catalogue template and params) says it in the reader's
    language (`problem.translated(gettext)`)."""

    def __init__(self, problem: str):
        super().__init__(str(problem))
        self.problem = problem


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
    relevant: Condition | None = None
    default: Any = None  # the answer a new visit starts with (XLSForm `default`), checked
    help_en: str = ""  # English of `help` and `unit`, when the form gives them
    unit_en: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    title_en: str
    items: tuple[Item, ...]
    relevant: Condition | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    label_en: str
    unit: str
    min: float | None = None
    max: float | None = None
    integer: bool = False
    default: int | float | None = None  # the figure a new visit starts with, within bounds
    unit_en: str = ""


@dataclass(frozen=True)
class Computed:
    key: str
    label: str
    label_en: str
    unit: str
    expr: Expression
    decimals: int = 1
    unit_en: str = ""


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

    def messages(self, locale: str = "vi") -> list[str]:
        """The warnings' texts in `locale` (the form's English where it gives one)."""
        return [own_text(warning, "message", locale) for warning in self.warnings]


def own_text(thing, name: str, locale: str) -> str:
    """A form's own text (`label`, `title`, `message`, `help`, `unit`, `description`) in
    `locale`: its `<name>_en` in English when the form gives one, else the Vietnamese."""
    english = getattr(thing, f"{name}_en", "") if locale == "en" else ""
    return english or getattr(thing, name)


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
    description_en: str = ""

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

    def defaults(self) -> dict[str, Any]:
        """The fields a new visit starts with (the items' and indicators' `default`), by
        their paths in the visit (`checklist.KEY.value`, `indicators.KEY`)."""
        found = {f"checklist.{key}.value": item.default for key, item in self.items.items()
                 if item.default is not None}
        found.update((f"indicators.{ind.key}", ind.default) for ind in self.indicators
                     if ind.default is not None)
        return found

    def check_answer(self, item_key: str, value: Any) -> Any:
        """The normalized answer; raise AnswerError if the item does not accept it."""
        item = self.items.get(item_key)
        if item is None:
            raise AnswerError(item_key, N_("Biểu mẫu %(form)s không có mục '%(key)s'."), form=self.id, key=item_key)
        return check_answer(item, value)

    def check_indicator(self, key: str, value: Any) -> int | float | None:
        """The normalized figure; raise AnswerError if the indicator does not accept it."""
        indicator = self.indicator(key)
        if indicator is None:
            raise AnswerError(key, N_("Biểu mẫu %(form)s không có chỉ tiêu '%(key)s'."), form=self.id, key=key)
        return check_indicator(indicator, value)

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
        """Keys of required items without an answer, in form order (an item that is not
        relevant, by its own or its section's skip logic, is not missing)."""
        return self.progress(answers)["missing"]

    def progress(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Required items answered, per section and overall: {"answered", "required",
        "missing" (keys in form order), "sections": {key: the same three}}. Only items
        asked (skip logic) count; the capture page counts alike (static/js/capture-progress.js)."""
        shown = self.relevant_items(answers)
        total: dict[str, Any] = {"answered": 0, "required": 0, "missing": [], "sections": {}}
        for section in self.sections:
            keys = [item.key for item in section.items if item.required and shown[item.key]]
            missing = [key for key in keys if _is_blank(answers.get(key))]
            total["sections"][section.key] = {"answered": len(keys) - len(missing),
                                              "required": len(keys), "missing": missing}
            total["answered"] += len(keys) - len(missing)
            total["required"] += len(keys)
            total["missing"] += missing
        return total

    @property
    def has_skip_logic(self) -> bool:
        return any(section.relevant or any(item.relevant for item in section.items)
                   for section in self.sections)

    def relevant_items(self, answers: Mapping[str, Any]) -> dict[str, bool]:
        """Item key -> whether it is asked: its section's and its own `relevant` hold.
        An item that is not asked reads as blank in the conditions after it (as ODK)."""
        seen, shown = dict(answers), {}
        for section in self.sections:
            open_ = section.relevant is None or section.relevant.holds(seen)
            for item in section.items:
                shown[item.key] = open_ and (item.relevant is None or item.relevant.holds(seen))
                if not shown[item.key]:
                    seen[item.key] = None
        return shown

    def relevance_conditions(self) -> list[list]:
        """[key, condition text, parent] in form order, what `static/js/xpath.js`'s
        `relevance` reads (sections as `section:KEY`)."""
        rows = []
        for section in self.sections:
            parent = f"section:{section.key}"
            rows.append([parent, section.relevant.text if section.relevant else "", None])
            rows += [[item.key, item.relevant.text if item.relevant else "", parent]
                     for item in section.items]
        return rows


def _is_blank(answer: Any) -> bool:
    if isinstance(answer, Mapping):  # the visit document stores {"value", "note"}
        answer = answer.get("value")
    return answer is None or (isinstance(answer, str) and not answer.strip())


def check_indicator(indicator: Indicator, value: Any) -> int | float | None:
    """The normalized figure of `indicator` (None for none); AnswerError if refused."""
    if value is None:
        return None
    number = number_answer(indicator.key, value)
    if indicator.integer:
        if not float(number).is_integer():
            raise AnswerError(indicator.key, N_("Vui lòng nhập một số nguyên."))
        number = int(number)
    if indicator.min is not None and number < indicator.min:
        raise AnswerError(indicator.key, N_("Vui lòng nhập giá trị không nhỏ hơn %(min)s."),
                          min=Number(indicator.min))
    if indicator.max is not None and number > indicator.max:
        raise AnswerError(indicator.key, N_("Vui lòng nhập giá trị không lớn hơn %(max)s."),
                          max=Number(indicator.max))
    return number
