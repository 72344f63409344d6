"""WTForms form classes built at run time from a FormSpec.

Each item type's WTForms field class and the builder of its keyword arguments come
from the item types' registry (`checklists/types.py`, as pyxform's
question_type_dictionary does for ODK); `FIELD_TYPES` is that part of it.
`form_class(spec)` makes a plain `wtforms.Form` subclass with one field per item key
and one per indicator key, built at each call (cheap; nothing to invalidate). There is
no CSRF field: the page adds its own.
"""
from __future__ import annotations

from typing import Any, Callable

import wtforms
from wtforms import validators

from survey_app.checklists.spec import FormSpec, Indicator, Item
from survey_app.checklists.types import ITEM_TYPES, select_choices  # noqa: F401  (select_choices: for pages)

# Each item type's field class and the builder of its keyword arguments: a view of the
# item types' registry (checklists/types.py), the one table of item types.
FIELD_TYPES: dict[str, tuple[type[wtforms.Field], Callable[[Item], dict[str, Any]]]] = {
    name: (kind.field, kind.field_kwargs) for name, kind in ITEM_TYPES.items()}


def item_field(item: Item) -> wtforms.Field:
    """The unbound WTForms field of one checklist item."""
    field_class, kwargs = FIELD_TYPES[item.type]
    return field_class(**kwargs(item))


def indicator_field(indicator: Indicator) -> wtforms.Field:
    """The unbound WTForms field of one reported figure, with its bounds."""
    checks = [validators.Optional()]
    if indicator.min is not None or indicator.max is not None:
        checks.append(validators.NumberRange(min=indicator.min, max=indicator.max))
    field_class = wtforms.IntegerField if indicator.integer else wtforms.FloatField
    render_kw = {"data-unit": indicator.unit, "step": "1" if indicator.integer else "any",
                 "inputmode": "numeric" if indicator.integer else "decimal"}
    for bound in ("min", "max"):
        if getattr(indicator, bound) is not None:
            render_kw[bound] = getattr(indicator, bound)
    return field_class(label=indicator.label, validators=checks, render_kw=render_kw)


def form_class(spec: FormSpec) -> type[wtforms.Form]:
    """The wtforms.Form subclass for this form version, built at each call (0.1 ms for
    the Trạm Y tế form, benchmarks/caches.py: no cache is needed)."""
    fields: dict[str, Any] = {key: item_field(item) for key, item in spec.items.items()}
    fields.update((ind.key, indicator_field(ind)) for ind in spec.indicators)
    name = "ChecklistForm_" + spec.id.replace("-", "_") + f"_v{spec.version}"
    return type(name, (wtforms.Form,), fields)
