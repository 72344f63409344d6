"""The checklist item types: one registry, `ITEM_TYPES`, says per type how an answer is
checked, how it is shown (overview page, minutes), which macro of
`templates/visits/_capture_macros.html` captures it, the `data-type` the capture page's
script reads (`static/js/capture-fields.js`), and its WTForms field, as pyxform's
`question_type_dictionary` does for ODK. A new type is one entry here (and a macro if
none of the existing ones fits).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import wtforms
from wtforms import validators

from survey_app.formatting import format_date, format_number
from survey_app.markers import N_

# The fixed answers of a yes/partly/no item, with the labels pages and minutes show
# (catalogue texts: a page shows them translated, the minutes in Vietnamese).
YES_PARTLY_NO = (("yes", N_("Có")), ("partly", N_("Một phần")), ("no", N_("Không")))
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A figure as typed on a tablet: `88,2` (decimal comma) or `88.2`; `1.234,5` groups thousands.
TYPED_NUMBER_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
GROUPED_NUMBER_RE = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+")


class AnswerError(ValueError):
    """An answer or figure is refused; `message` is Vietnamese and names the problem.
    `template` (a catalogue entry) and `params` let the web layer translate it."""

    def __init__(self, field: str, message: str, **params):
        self.template, self.params = message, params
        message = message % params if params else message
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ItemType:
    """One kind of checklist item. `check(item, value)` gives the normalized answer
    (never None: blanks are handled before) or raises AnswerError; `show(item, value,
    locale)` the answer as text; `shown_as` is "label" when that text is a catalogue
    text to translate where shown, "image" when the answer is a photo shown as such;
    `options(item)` the (value, label) pairs of a choice."""

    name: str
    check: Callable[[Any, Any], Any]
    show: Callable[[Any, Any, str], str]
    macro: str
    data_type: str
    field: type[wtforms.Field]
    field_kwargs: Callable[[Any], dict[str, Any]]
    shown_as: str = "text"
    options: Callable[[Any], list[tuple[str, str]]] = lambda item: []


# ------------------------------------------------------------------ checks

def number_answer(key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise AnswerError(key, N_("Vui lòng nhập một số."))
    return value


def typed_number(key: str, value: Any) -> Any:
    """A figure typed on the capture page: text with a decimal comma (`88,2`) or point
    (`88.2`) is the number it means, whatever the browser's locale; anything else is
    left as it is for `number_answer` to judge."""
    if not isinstance(value, str):
        return value
    text = "".join(value.split())
    if GROUPED_NUMBER_RE.fullmatch(text):
        text = text.replace(".", "")
    if not TYPED_NUMBER_RE.fullmatch(text):
        raise AnswerError(key, N_("Vui lòng nhập một số, ví dụ 88,2."))
    number = float(text.replace(",", "."))
    return int(number) if number.is_integer() and not any(c in text for c in ".,") else number


def _choice_options(item) -> list[tuple[str, str]]:
    return [(choice.value, choice.label) for choice in item.choices]


def _one_of(options: Callable[[Any], list[tuple[str, str]]], labelled: bool):
    def check(item, value):
        pairs = options(item)
        if value in [v for v, _ in pairs]:
            return value
        allowed = [f"{v} ({label})" if labelled else v for v, label in pairs]
        raise AnswerError(item.key, N_("giá trị phải là một trong: %(choices)s"), choices=", ".join(allowed))
    return check


def _check_number(item, value):
    return number_answer(item.key, value)


def _check_date(item, value) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
            return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        pass
    raise AnswerError(item.key, N_("Vui lòng nhập một ngày có thật, dạng năm-tháng-ngày (YYYY-MM-DD)."))


def _check_text(item, value) -> str:
    if not isinstance(value, str):
        raise AnswerError(item.key, N_("Vui lòng nhập một chuỗi ký tự (văn bản)."))
    return value.strip()


# ------------------------------------------------------------------ display

def _show_option(options):
    def show(item, value, locale="vi"):
        chosen = next((c for c in item.choices if c.value == value), None)
        if locale == "en" and chosen is not None and chosen.label_en:  # the form's own English
            return chosen.label_en
        return next((label for v, label in options(item) if v == value), str(value))
    return show


def _show_number(item, value, locale="vi") -> str:
    unit = item.unit_en if locale == "en" and item.unit_en else item.unit
    return f"{format_number(value, None, locale)} {unit}".strip()


def _show_date(item, value, locale="vi") -> str:
    return format_date(value, locale)


def _show_text(item, value, locale="vi") -> str:
    return str(value)


def _show_photo(item, value, locale="vi") -> str:
    return ""  # a photo is shown as the image of its uid


# ------------------------------------------------------------------ WTForms fields

def select_choices(pairs: list[tuple[str, str]]) -> list:
    # WTForms 3.3 deprecates (value, label) tuples for SelectChoice; 3.1 and 3.2 lack it.
    make = getattr(wtforms, "SelectChoice", None)
    return [make(value, label) if make else (value, label) for value, label in pairs]


def _presence(item) -> list:
    # InputRequired, not DataRequired: 0 is a valid answer for a number.
    return [validators.InputRequired()] if item.required else [validators.Optional()]


def _common(item) -> dict[str, Any]:
    return {"label": item.label, "description": item.help, "validators": _presence(item)}


def _options_kwargs(options):
    return lambda item: {**_common(item), "choices": select_choices(options(item))}


def _number_kwargs(item) -> dict[str, Any]:
    return {**_common(item), "render_kw": {"data-unit": item.unit, "step": "any",
                                           "inputmode": "decimal"}}


def _date_kwargs(item) -> dict[str, Any]:
    return {**_common(item), "format": "%Y-%m-%d"}


def _photo_kwargs(item) -> dict[str, Any]:
    # capture=environment opens the tablet's rear camera.
    return {**_common(item), "render_kw": {"accept": "image/*", "capture": "environment"}}


def _yes_partly_no(item) -> list[tuple[str, str]]:
    return list(YES_PARTLY_NO)


ITEM_TYPES: dict[str, ItemType] = {t.name: t for t in (
    ItemType("yes_partly_no", _one_of(_yes_partly_no, labelled=True), _show_option(_yes_partly_no),
             "answer_choices", "radio", wtforms.RadioField, _options_kwargs(_yes_partly_no),
             shown_as="label", options=_yes_partly_no),
    ItemType("choice", _one_of(_choice_options, labelled=False), _show_option(_choice_options),
             "answer_choices", "radio", wtforms.RadioField, _options_kwargs(_choice_options),
             options=_choice_options),
    ItemType("number", _check_number, _show_number, "answer_number", "number",
             wtforms.FloatField, _number_kwargs),
    ItemType("text", _check_text, _show_text, "answer_text", "text", wtforms.TextAreaField, _common),
    ItemType("date", _check_date, _show_date, "answer_date", "date", wtforms.DateField, _date_kwargs),
    ItemType("photo", _check_text, _show_photo, "answer_photo", "photo", wtforms.FileField,
             _photo_kwargs, shown_as="image"),
)}


def check_answer(item, value: Any) -> Any:
    """The normalized answer of a checklist item (None for a blank one); raise
    AnswerError if its type does not accept it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return ITEM_TYPES[item.type].check(item, value)


def show_answer(item, value: Any, locale: str = "vi") -> str:
    """An answer as text, as the overview and the minutes show it."""
    return ITEM_TYPES[item.type].show(item, value, locale)
