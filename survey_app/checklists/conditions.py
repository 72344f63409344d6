"""A skip-logic condition (`relevant`) written in words for a printed document, from its
parsed tree (`xpath.py`): `${online_payment_available} = 'no'` reads «Các dịch vụ có thu
phí… » là «Không». Names become the items' labels, choice values their labels; what has
no plain wording keeps its expression with the names replaced."""
from __future__ import annotations

from survey_app.checklists.types import ITEM_TYPES
from survey_app.checklists.xpath import Condition, string

COMPARISONS = {"=": "là", "!=": "không phải là", "<": "nhỏ hơn", "<=": "không lớn hơn", ">": "lớn hơn",
               ">=": "không nhỏ hơn"}


def describe(condition: Condition, form) -> str:
    """`Chỉ trả lời nếu …` for a condition of `form` (a FormSpec)."""
    return f"Chỉ trả lời nếu {_words(condition._tree, form)}."  # the tree is xpath.py's own parse


def _label(name: str, form) -> str:
    item = form.items.get(name)
    return f"«{item.label}»" if item else f"«{name}»"


def _literal(tree, ref: str | None, form) -> str:
    """A constant as the reader knows it: a choice's label, a number as written."""
    value = string(tree[1]) if tree[0] == "num" else tree[1]
    item = form.items.get(ref) if ref else None
    if item is not None:
        for option, label in ITEM_TYPES[item.type].options(item):
            if option == value:
                return f"«{label}»"
    return f"«{value}»" if tree[0] == "str" else value


def _words(tree, form) -> str:
    kind = tree[0]
    if kind == "ref":
        return f"{_label(tree[1], form)} đã được trả lời"
    if kind == "op" and tree[1] in ("and", "or"):
        joined = " và " if tree[1] == "and" else " hoặc "
        return joined.join(_part(child, form, tree[1]) for child in tree[2:])
    if kind == "op" and tree[1] in COMPARISONS:
        left, right = tree[2], tree[3]
        if left[0] == "ref" and right[0] in ("str", "num"):
            if right == ("str", "") and tree[1] in ("=", "!="):
                return f"{_label(left[1], form)} {'chưa' if tree[1] == '=' else 'đã'} được trả lời"
            return f"{_label(left[1], form)} {COMPARISONS[tree[1]]} {_literal(right, left[1], form)}"
    if kind == "call" and tree[1] == "not":
        return f"không phải trường hợp: {_words(tree[2], form)}"
    if kind == "call" and tree[1] == "selected" and tree[2][0] == "ref" and tree[3][0] == "str":
        return f"{_label(tree[2][1], form)} có chọn {_literal(tree[3], tree[2][1], form)}"
    return _expression(tree, form)


def _part(tree, form, joined_by: str) -> str:
    """A part of an and/or: in brackets when it mixes the other one."""
    text = _words(tree, form)
    mixed = tree[0] == "op" and tree[1] in ("and", "or") and tree[1] != joined_by
    return f"({text})" if mixed else text


def _expression(tree, form) -> str:
    """The expression as written, names replaced by labels (no plain wording fits)."""
    kind = tree[0]
    if kind == "ref":
        return _label(tree[1], form)
    if kind == "num":
        return string(tree[1])
    if kind == "str":
        return f"'{tree[1]}'"
    if kind == "dot":
        return "."
    if kind == "neg":
        return f"-{_expression(tree[1], form)}"
    if kind == "call":
        return f"{tree[1]}({', '.join(_expression(arg, form) for arg in tree[2:])})"
    return f"({_expression(tree[2], form)} {tree[1]} {_expression(tree[3], form)})"
