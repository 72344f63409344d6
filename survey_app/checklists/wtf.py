"""WTForms form classes built at run time from a FormSpec.

`FIELD_TYPES` is the one table that maps an item type to its WTForms field class
and the builder of its keyword arguments (as pyxform's question_type_dictionary
does for ODK). `form_class(spec)` makes a plain `wtforms.Form` subclass with one
field per item key and one per indicator key, cached per form version
`(id, version, content_hash)`. There is no CSRF field: the page adds its own.
"""
from __future__ import annotations

from typing import Any, Callable

import wtforms
from wtforms import validators

from survey_app.checklists.spec import FormSpec, Indicator, Item

YES_PARTLY_NO = [("yes", "Có"), ("partly", "Một phần"), ("no", "Không")]


def select_choices(pairs: list[tuple[str, str]]) -> list:
    # WTForms 3.3 deprecates (value, label) tuples for SelectChoice; 3.1 and 3.2 lack it.
    make = getattr(wtforms, "SelectChoice", None)
    return [make(value, label) if make else (value, label) for value, label in pairs]


def _presence(item: Item) -> list:
    # InputRequired, not DataRequired: 0 is a valid answer for a number.
    return [validators.InputRequired()] if item.required else [validators.Optional()]


def _common(item: Item) -> dict[str, Any]:
    return {"label": item.label, "description": item.help, "validators": _presence(item)}


def _yes_partly_no_kwargs(item: Item) -> dict[str, Any]:
    return {**_common(item), "choices": select_choices(YES_PARTLY_NO)}


def _choice_kwargs(item: Item) -> dict[str, Any]:
    return {**_common(item), "choices": select_choices([(c.value, c.label) for c in item.choices])}


def _number_kwargs(item: Item) -> dict[str, Any]:
    return {**_common(item), "render_kw": {"data-unit": item.unit, "step": "any",
                                           "inputmode": "decimal"}}


def _text_kwargs(item: Item) -> dict[str, Any]:
    return _common(item)


def _date_kwargs(item: Item) -> dict[str, Any]:
    return {**_common(item), "format": "%Y-%m-%d"}


def _photo_kwargs(item: Item) -> dict[str, Any]:
    # capture=environment opens the tablet's rear camera.
    return {**_common(item), "render_kw": {"accept": "image/*", "capture": "environment"}}


FIELD_TYPES: dict[str, tuple[type[wtforms.Field], Callable[[Item], dict[str, Any]]]] = {
    "yes_partly_no": (wtforms.RadioField, _yes_partly_no_kwargs),
    "choice": (wtforms.RadioField, _choice_kwargs),
    "number": (wtforms.FloatField, _number_kwargs),
    "text": (wtforms.TextAreaField, _text_kwargs),
    "date": (wtforms.DateField, _date_kwargs),
    "photo": (wtforms.FileField, _photo_kwargs),
}


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


_cache: dict[tuple[str, int, str], type[wtforms.Form]] = {}


def form_class(spec: FormSpec) -> type[wtforms.Form]:
    """The wtforms.Form subclass for this form version, built once and cached."""
    key = (spec.id, spec.version, spec.content_hash)
    cached = _cache.get(key)
    if cached is None:
        cached = _cache.setdefault(key, _build(spec))
    return cached


def _build(spec: FormSpec) -> type[wtforms.Form]:
    fields: dict[str, Any] = {key: item_field(item) for key, item in spec.items.items()}
    fields.update((ind.key, indicator_field(ind)) for ind in spec.indicators)
    name = "ChecklistForm_" + spec.id.replace("-", "_") + f"_v{spec.version}"
    return type(name, (wtforms.Form,), fields)
