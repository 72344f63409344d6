"""Request input, read in one place: query arguments (`int_arg`, `date_arg`,
`month_arg`), JSON bodies (`json_body`, `json_object`) and client-made ids
(`client_id`). Each refuses bad input with a DomainError naming the field, so every
view answers 400 with the same words, and nothing reaches a domain operation unchecked.

A JSON body is parsed with limits a real client never reaches: nesting deeper than
`MAX_DEPTH` or an integer longer than `MAX_INT_DIGITS` digits is refused here, not
left to fail (500) in whatever code walks or stores the value later."""
from __future__ import annotations

import json
import re

from flask import request

from survey_app.domain.errors import DomainError
from survey_app.domain.fields import field_label
from survey_app.formatting import Number
from survey_app.domain.visits.ids import check_client_id
from survey_app.domain.visits.operations import parse_iso_date
from survey_app.markers import N_

MAX_INT_ARG_DIGITS = 12
MAX_DEPTH = 32          # a visit document nests 4 levels; an autosave message 3
MAX_INT_DIGITS = 64     # more than any figure or id; far below what a float can hold (309)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


# ------------------------------------------------------------------ query arguments

def text_arg(name: str) -> str:
    return request.args.get(name, "").strip()


def int_value(text: str, name: str) -> int | None:
    """A positive whole number written in ASCII digits (empty: None)."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_INT_ARG_DIGITS:
        raise DomainError(N_("Vui lòng nhập mục “%(field)s” là một số nguyên dương (tối đa 12 chữ số)."), name,
                          field=field_label(name))
    return int(text)


def int_arg(name: str, default: int | None = None, maximum: int | None = None) -> int | None:
    """`?name=` as a positive whole number; absent or empty gives `default`."""
    number = int_value(text_arg(name), name)
    if number is None:
        return default
    if maximum is not None and number > maximum:
        raise DomainError(N_("Vui lòng nhập mục “%(field)s” không lớn hơn %(maximum)s."), name,
                          field=field_label(name), maximum=Number(maximum))
    return number


def date_arg(name: str) -> str | None:
    """`?name=` as a real day written YYYY-MM-DD; returned in that form."""
    text = text_arg(name)
    return parse_iso_date(text, name) if text else None


def month_arg(name: str) -> str | None:
    """`?name=` as a month written YYYY-MM."""
    text = text_arg(name)
    if text and not MONTH.fullmatch(text):
        raise DomainError(N_("Vui lòng chọn một tháng hợp lệ cho mục “%(field)s”."), name, field=field_label(name))
    return text or None


# ------------------------------------------------------------------ JSON bodies

def json_body():
    """The request's JSON value (any kind), parsed with the limits above."""
    if not request.is_json:
        raise DomainError(N_("Nội dung phải là JSON hợp lệ (Content-Type: application/json)"), "body")
    try:
        data = json.loads(request.get_data(cache=True), parse_int=_bounded_int)
    except RecursionError:
        data = _too_deep()
    except ValueError:  # also a bad encoding, and Python's own 4,300-digit limit
        data = None
    if data is None:
        raise DomainError(N_("Nội dung phải là JSON hợp lệ (Content-Type: application/json)"), "body")
    if _depth(data) > MAX_DEPTH:
        _too_deep()
    try:  # JSON may escape half a UTF-16 pair ("\ud800"), which no UTF-8 store can hold
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError(N_("Nội dung JSON chứa ký tự không hợp lệ (nửa cặp UTF-16)"), "body") from None
    return data


def json_object(allowed: set[str] | tuple[str, ...] | None = None) -> dict:
    """The request's JSON body as an object; with `allowed`, only those keys."""
    data = json_body()
    if not isinstance(data, dict):
        raise DomainError(N_("Nội dung phải là một đối tượng JSON"), "body")
    for key in data:
        if allowed is not None and key not in allowed:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    return data


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise DomainError(N_("Số nguyên trong nội dung JSON quá dài (tối đa %(digits)s chữ số)"), "body",
                          digits=MAX_INT_DIGITS)
    return int(text)


def _too_deep():
    raise DomainError(N_("Nội dung JSON lồng nhau quá sâu (tối đa %(depth)s cấp)"), "body", depth=MAX_DEPTH)


def _depth(value) -> int:
    """How deeply lists and objects nest in `value`, without recursion."""
    deepest, level = 0, [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        level.extend((child, depth + 1) for child in children)
    return deepest


def client_id(value, field: str) -> str:
    """A client-made id (a tablet's uuid or message id): 8–100 characters."""
    return check_client_id(value, field)
