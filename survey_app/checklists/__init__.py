"""Checklist forms as data: one TOML file per kind of survey in `forms/`.

`load_forms(folder)` reads and validates them into a `FormRegistry` of frozen
`FormSpec`s; `ITEM_TYPES` (types.py) is the one registry of checklist item types
(check, display, capture macro, browser data-type, WTForms field);
`form_class(spec)` turns one into a WTForms form; expressions of
computed indicators and consistency rules are evaluated without Python `eval`;
skip logic (`relevant`) is XLSForm syntax (`xpath.py`, the same in the browser);
`xlsform.py` reads an XLSForm workbook (`xlsform_workbook.py` its rows and limits) and `xlsform_export.py` writes one, both
through the form's canonical text (`canonical.py`). The format is documented in
`forms/README.md`.
"""
from survey_app.checklists.expressions import Expression, ExpressionError, compile_expression
from survey_app.checklists.loader import FormRegistry, load_forms, parse_form
from survey_app.checklists.spec import (
    AnswerError,
    Choice,
    Computed,
    Evaluation,
    FormError,
    FormSpec,
    Indicator,
    Item,
    Rule,
    RuleWarning,
    Section,
)
from survey_app.checklists.types import ITEM_TYPES, ItemType, show_answer
from survey_app.checklists.wtf import FIELD_TYPES, form_class

__all__ = [
    "AnswerError", "Choice", "Computed", "Evaluation", "Expression", "ExpressionError",
    "FIELD_TYPES", "FormError", "FormRegistry", "FormSpec", "ITEM_TYPES", "Indicator", "Item", "ItemType",
    "Rule", "RuleWarning", "Section", "compile_expression", "form_class", "load_forms", "parse_form",
    "show_answer",
]
