"""Safe arithmetic and boolean expressions for computed indicators and rules.

A form file writes `dossiers_online / dossiers_received * 100` or
`dossiers_received == dossiers_resolved + dossiers_in_progress`. The text is
parsed with `ast` and checked against a strict whitelist once, when the form is
loaded; evaluation then walks the checked tree. User text is never given to
Python's `eval`, `exec` or `compile`.

Allowed: numbers, names from `allowed_names`, `+ - * /`, unary `-`/`+`,
comparisons `== != < <= > >=` (chains too), `and`/`or`/`not`, parentheses and
the functions `min`, `max`, `abs`, `round`.

Missing inputs and division by zero give `None` instead of raising; `and`/`or`
follow three-valued logic (`False and None` is `False`). `==` and `!=` compare
with a small tolerance so `0.1 + 0.2 == 0.3` holds.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from survey_app.markers import N_

NUMBER = "number"
BOOLEAN = "boolean"
MAX_LENGTH = 1000
MAX_CONSTANT = 1e15
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-9

Value = float | bool | None


class ExpressionError(ValueError):
    """The expression text is not allowed; the message (Vietnamese) says why, and its
    catalogue `template` and `params` say it in the reader's language."""

    def __init__(self, template: str, **params):
        super().__init__(template % params)
        self.template, self.params = template, params


UNKNOWN_NAME = N_("tên '%(name)s' không có trong biểu mẫu")
NOT_ALLOWED = N_("không được dùng '%(text)s' trong biểu thức")


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: None if b == 0 else a / b,
}


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)


_COMPARISONS = {
    ast.Eq: _equal,
    ast.NotEq: lambda a, b: not _equal(a, b),
    ast.Lt: lambda a, b: a < b and not _equal(a, b),
    ast.LtE: lambda a, b: a <= b or _equal(a, b),
    ast.Gt: lambda a, b: a > b and not _equal(a, b),
    ast.GtE: lambda a, b: a >= b or _equal(a, b),
}


def _round(value: float, digits: float = 0) -> float:
    return round(value, int(digits))


# name -> (implementation, least number of arguments, most number of arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., float], int, int]] = {
    "min": (min, 2, 32),
    "max": (max, 2, 32),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
}

FUNCTION_NAMES = frozenset(_FUNCTIONS)


@dataclass(frozen=True)
class Expression:
    """A checked expression: `.names` it reads, `.kind` (number or boolean)."""

    text: str
    names: frozenset[str]
    kind: str
    _tree: ast.expr = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, object]) -> Value:
        """The value for these inputs, or None if an input is missing or a divisor is 0."""
        try:
            result = _evaluate(self._tree, values)
        except OverflowError:
            return None
        if isinstance(result, float) and not math.isfinite(result):
            return None
        return result


def compile_expression(text: str, allowed_names: Iterable[str]) -> Expression:
    """Parse and check `text`; raise ExpressionError naming what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(N_("biểu thức trống"))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(N_("biểu thức dài quá %(limit)s ký tự"), limit=MAX_LENGTH)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if getattr(exc, "offset", None):
            raise ExpressionError(N_("biểu thức viết chưa đúng ở ký tự thứ %(column)s: vui lòng kiểm tra "
                                     "dấu ngoặc và phép tính"), column=exc.offset) from None
        raise ExpressionError(N_("biểu thức viết chưa đúng: vui lòng kiểm tra dấu ngoặc và phép tính")) from None
    checker = _Checker(frozenset(allowed_names))
    try:
        kind = checker.kind_of(tree)
    except RecursionError:
        raise ExpressionError(N_("biểu thức lồng nhau quá sâu")) from None
    return Expression(text.strip(), frozenset(checker.names), kind, tree)


class _Checker:
    """Walks a parsed tree, refusing every node outside the whitelist, and infers its kind."""

    def __init__(self, allowed_names: frozenset[str]):
        self.allowed_names = allowed_names
        self.names: set[str] = set()

    def kind_of(self, node: ast.AST) -> str:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExpressionError(NOT_ALLOWED, text=_describe(node))
        return method(node)

    def expect(self, node: ast.AST, kind: str) -> None:
        found = self.kind_of(node)
        if found != kind:
            raise ExpressionError(N_("'%(text)s' phải là một số") if kind == NUMBER
                                  else N_("'%(text)s' phải là một điều kiện đúng/sai"), text=_describe(node))

    def _Constant(self, node: ast.Constant) -> str:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(N_("chỉ được dùng số, không dùng %(value)r"), value=node.value)
        if not abs(node.value) <= MAX_CONSTANT:
            raise ExpressionError(N_("số %(number)s quá lớn"), number=ast.unparse(node))
        return NUMBER

    def _Name(self, node: ast.Name) -> str:
        if node.id not in self.allowed_names:
            raise ExpressionError(UNKNOWN_NAME, name=node.id)
        self.names.add(node.id)
        return NUMBER

    def _BinOp(self, node: ast.BinOp) -> str:
        if type(node.op) not in _ARITHMETIC:
            raise ExpressionError(NOT_ALLOWED, text=_describe(node.op))
        self.expect(node.left, NUMBER)
        self.expect(node.right, NUMBER)
        return NUMBER

    def _UnaryOp(self, node: ast.UnaryOp) -> str:
        if isinstance(node.op, ast.Not):
            self.expect(node.operand, BOOLEAN)
            return BOOLEAN
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self.expect(node.operand, NUMBER)
            return NUMBER
        raise ExpressionError(NOT_ALLOWED, text=_describe(node.op))

    def _BoolOp(self, node: ast.BoolOp) -> str:
        for operand in node.values:
            self.expect(operand, BOOLEAN)
        return BOOLEAN

    def _Compare(self, node: ast.Compare) -> str:
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                raise ExpressionError(NOT_ALLOWED, text=_describe(op))
        for operand in (node.left, *node.comparators):
            self.expect(operand, NUMBER)
        return BOOLEAN

    def _Call(self, node: ast.Call) -> str:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            if isinstance(node.func, ast.Name):
                raise ExpressionError(N_("hàm %(name)s() không được hỗ trợ"), name=node.func.id)
            raise ExpressionError(NOT_ALLOWED, text=_describe(node))
        _, least, most = _FUNCTIONS[node.func.id]
        if node.keywords:
            raise ExpressionError(N_("hàm %(name)s() không nhận tham số có tên (%(keyword)s=…)"),
                                  name=node.func.id, keyword=node.keywords[0].arg or "**")
        if not least <= len(node.args) <= most:
            raise ExpressionError(N_("hàm %(name)s() nhận %(least)s..%(most)s tham số, không phải %(count)s"),
                                  name=node.func.id, least=least, most=most, count=len(node.args))
        for arg in node.args:
            self.expect(arg, NUMBER)
        return NUMBER


_SYMBOLS = {
    ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.In: "in",
    ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}


def _describe(node: ast.AST) -> str:
    """What the writer wrote there (an operator's symbol, a part's own text), in no language."""
    if type(node) in _SYMBOLS:
        return _SYMBOLS[type(node)]
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):
        return type(node).__name__
    return text if len(text) <= 40 else text[:39] + "…"


def _evaluate(node: ast.expr, values: Mapping[str, object]) -> Value:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _number(values.get(node.id))
    if isinstance(node, ast.BinOp):
        return _binary(node, values)
    if isinstance(node, ast.UnaryOp):
        return _unary(node, values)
    if isinstance(node, ast.BoolOp):
        return _boolean(node, values)
    if isinstance(node, ast.Compare):
        return _compare(node, values)
    return _call(node, values)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _binary(node: ast.BinOp, values: Mapping[str, object]) -> Value:
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if left is None or right is None:
        return None
    return _ARITHMETIC[type(node.op)](left, right)


def _unary(node: ast.UnaryOp, values: Mapping[str, object]) -> Value:
    operand = _evaluate(node.operand, values)
    if operand is None:
        return None
    if isinstance(node.op, ast.Not):
        return not operand
    return -operand if isinstance(node.op, ast.USub) else operand


def _boolean(node: ast.BoolOp, values: Mapping[str, object]) -> Value:
    # Three-valued logic: a decisive operand wins over an unknown one.
    decisive = isinstance(node.op, ast.Or)
    unknown = False
    for operand in node.values:
        result = _evaluate(operand, values)
        if result is None:
            unknown = True
        elif result is decisive:
            return decisive
    return None if unknown else not decisive


def _compare(node: ast.Compare, values: Mapping[str, object]) -> Value:
    left = _evaluate(node.left, values)
    unknown = left is None
    for op, comparator in zip(node.ops, node.comparators):
        right = _evaluate(comparator, values)
        if left is not None and right is not None and not _COMPARISONS[type(op)](left, right):
            return False
        unknown = unknown or right is None
        left = right
    return None if unknown else True


def _call(node: ast.Call, values: Mapping[str, object]) -> Value:
    args = [_evaluate(arg, values) for arg in node.args]
    if any(arg is None for arg in args):
        return None
    return _FUNCTIONS[node.func.id][0](*args)
