"""A form's canonical text: the one TOML rendering of a `FormSpec` (fixed order of
fields, defaults left out, expressions as their parsed tree prints them), so two forms
that mean the same have the same text and the same SHA-256 (`canonical_hash`) however
they were written: a TOML file, or an XLSForm imported (which is stored as this text).
"""
from __future__ import annotations

import ast
import hashlib
import json

from survey_app.checklists.spec import FormSpec


def canonical_hash(spec: FormSpec) -> str:
    return hashlib.sha256(to_toml(spec).encode("utf-8")).hexdigest()


def expression_text(expr) -> str:
    """As the parsed tree prints; a chain `a <= b <= c` as `a <= b and b <= c` (the same
    value, and the only way an XLSForm can write it)."""
    return ast.unparse(_unchained(expr._tree))


def _unchained(node: ast.expr) -> ast.expr:
    node = _Unchain().visit(ast.parse(ast.unparse(node), mode="eval")).body
    return ast.fix_missing_locations(node)


class _Unchain(ast.NodeTransformer):
    """Chains become `and`s; `(a and b) and c` becomes `a and b and c` (same value)."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        values = []
        for value in node.values:
            same = isinstance(value, ast.BoolOp) and type(value.op) is type(node.op)
            values += value.values if same else [value]
        return ast.BoolOp(node.op, values)

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        operands = [node.left, *node.comparators]
        return ast.BoolOp(ast.And(), [ast.Compare(operands[i], [op], [operands[i + 1]])
                                      for i, op in enumerate(node.ops)])


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a bound read from an XLSForm (0.0) is the TOML file's 0
    if isinstance(value, (int, float)):
        return repr(value)
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _lines(pairs) -> list[str]:
    return [f"{name} = {_value(value)}" for name, value in pairs if value is not None]


def to_toml(spec: FormSpec) -> str:
    out = _lines([("id", spec.id), ("version", spec.version), ("title", spec.title),
                  ("title_en", spec.title_en), ("description", spec.description or None),
                  ("description_en", spec.description_en or None)])
    for section in spec.sections:
        out += ["", "[[sections]]"]
        out += _lines([("key", section.key), ("title", section.title),
                       ("title_en", section.title_en),
                       ("relevant", section.relevant.text if section.relevant else None)])
        for item in section.items:
            out += ["", "[[sections.items]]"]
            out += _lines([
                ("key", item.key), ("type", item.type), ("label", item.label),
                ("label_en", item.label_en), ("help", item.help or None),
                ("help_en", item.help_en or None),
                ("required", True if item.required else None), ("unit", item.unit or None),
                ("unit_en", item.unit_en or None),
                ("relevant", item.relevant.text if item.relevant else None),
                ("default", item.default)])
            if item.choices:
                rows = ", ".join(
                    "{ " + ", ".join(_lines([("value", c.value), ("label", c.label),
                                            ("label_en", c.label_en)])) + " }"
                    for c in item.choices)
                out.append(f"choices = [{rows}]")
    for indicator in spec.indicators:
        out += ["", "[[indicators]]"]
        out += _lines([("key", indicator.key), ("label", indicator.label),
                       ("label_en", indicator.label_en), ("unit", indicator.unit),
                       ("unit_en", indicator.unit_en or None),
                       ("min", indicator.min), ("max", indicator.max),
                       ("integer", True if indicator.integer else None),
                       ("default", indicator.default)])
    for computed in spec.computed:
        out += ["", "[[computed]]"]
        out += _lines([("key", computed.key), ("label", computed.label),
                       ("label_en", computed.label_en), ("unit", computed.unit),
                       ("unit_en", computed.unit_en or None),
                       ("expr", expression_text(computed.expr)),
                       ("decimals", computed.decimals)])
    for rule in spec.rules:
        out += ["", "[[rules]]"]
        out += _lines([("key", rule.key), ("expr", expression_text(rule.expr)),
                       ("message", rule.message), ("message_en", rule.message_en)])
    return "\n".join(out) + "\n"
