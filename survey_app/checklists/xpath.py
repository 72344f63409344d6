"""XLSForm expressions (the ODK XPath subset) for skip logic: `relevant` conditions.

`${has_online_portal} = 'yes' and not(${staff} < 2)` is tokenized and parsed by a
small recursive-descent parser into a tree of tuples, checked once (known names,
known functions, argument counts), then evaluated by walking the tree; nothing is
given to Python's `eval`. `static/js/xpath.js` is the same parser and evaluator for
the capture page; tests run the same cases through both and compare.

Values follow XPath 1.0: a blank answer is the empty string; `=`/`!=` compare as
booleans if one side is a boolean, else as numbers if one side is a number, else as
strings; `<`, `>`, arithmetic convert to numbers (a blank is NaN, so `${n} > 5` is
false when `n` is blank); a condition holds when its value is true, a non-zero
number or a non-empty string. Functions: not, selected, if, true, false,
count-selected, string-length, number, string, round, abs, min, max, coalesce.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from survey_app.markers import N_

MAX_LENGTH = 1000
MAX_DEPTH = 50

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<ref>\$\{(?P<refname>[^}]*)\})
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.)
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    )""", re.VERBOSE)

# name -> (least, most) arguments
FUNCTIONS = {
    "not": (1, 1), "selected": (2, 2), "if": (3, 3), "true": (0, 0), "false": (0, 0),
    "count-selected": (1, 1), "string-length": (1, 1), "number": (1, 1), "string": (1, 1),
    "round": (1, 2), "abs": (1, 1), "min": (1, 32), "max": (1, 32), "coalesce": (2, 2),
}
_COMPARE = ("=", "!=", "<", "<=", ">", ">=")


class XPathError(ValueError):
    """The expression is not allowed; the message (Vietnamese) says why, and its catalogue
    `template` and `params` say it in the reader's language."""

    def __init__(self, template: str, **params):
        super().__init__(template % params)
        self.template, self.params = template, params


NOT_UNDERSTOOD = N_("không hiểu '%(token)s'")


@dataclass(frozen=True)
class Condition:
    """A checked XLSForm expression: `.names` it reads (`${...}`), `.uses_dot`."""

    text: str
    names: frozenset[str]
    uses_dot: bool
    _tree: tuple = field(repr=False, compare=False)

    def value(self, values: Mapping[str, Any], dot: Any = None) -> Any:
        return _eval(self._tree, values, dot)

    def holds(self, values: Mapping[str, Any], dot: Any = None) -> bool:
        return boolean(self.value(values, dot))


def compile_condition(text: str, known_names: Iterable[str] | None = None) -> Condition:
    """Parse and check `text`; raise XPathError naming what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise XPathError(N_("biểu thức trống"))
    if len(text) > MAX_LENGTH:
        raise XPathError(N_("biểu thức dài quá %(limit)s ký tự"), limit=MAX_LENGTH)
    parser = _Parser(tokenize(text))
    tree = parser.expression(0)
    if parser.peek() is not None:
        raise XPathError(NOT_UNDERSTOOD, token=parser.peek()[1])
    names = _names(tree)
    if known_names is not None:
        known = set(known_names)
        for name in sorted(names):
            if name not in known:
                raise XPathError(N_("tên ${%(name)s} không có trong biểu mẫu"), name=name)
    return Condition(text.strip(), frozenset(names), _uses_dot(tree), tree)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position, text = [], 0, text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise XPathError(N_("ký tự không hợp lệ '%(char)s'"), char=text[position:].strip()[:1])
        kind = match.lastgroup if match.lastgroup != "refname" else "ref"
        if match.group("ref"):
            kind, token = "ref", match.group("refname").strip()
        else:
            token = match.group(kind)
        tokens.append((kind, token))
        position = match.end()
    return tokens


class _Parser:
    """Precedence climbing: or < and < comparisons < + - < * div mod < unary minus."""

    LEVELS = [("or",), ("and",), _COMPARE, ("+", "-"), ("*", "div", "mod")]

    def __init__(self, tokens):
        self.tokens, self.position, self.depth = tokens, 0, 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self):
        token = self.peek()
        if token is None:
            raise XPathError(N_("biểu thức kết thúc giữa chừng"))
        self.position += 1
        return token

    def is_operator(self, token, level):
        return token is not None and token[0] in ("op", "word") \
            and token[1] in self.LEVELS[level]

    def expression(self, level):
        if level == len(self.LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        while self.is_operator(self.peek(), level):
            operator = self.take()[1]
            left = ("op", operator, left, self.expression(level + 1))
        return left

    def unary(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise XPathError(N_("biểu thức lồng nhau quá sâu"))
        try:
            if self.peek() == ("op", "-"):
                self.take()
                return ("neg", self.unary())
            return self.primary()
        finally:
            self.depth -= 1

    def primary(self):
        kind, token = self.take()
        if kind == "number":
            return ("num", float(token))
        if kind == "string":
            return ("str", token[1:-1])
        if kind == "ref":
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", token):
                raise XPathError(N_("tên không hợp lệ ${%(name)s}"), name=token)
            return ("ref", token)
        if kind == "dot":
            return ("dot",)
        if (kind, token) == ("op", "("):
            inner = self.expression(0)
            self.expect(")")
            return inner
        if kind == "word" and self.peek() == ("op", "("):
            return self.call(token)
        raise XPathError(NOT_UNDERSTOOD, token=token)

    def call(self, name):
        if name not in FUNCTIONS:
            raise XPathError(N_("hàm %(name)s() không được hỗ trợ"), name=name)
        self.take()
        args = []
        if self.peek() != ("op", ")"):
            args.append(self.expression(0))
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.expression(0))
        self.expect(")")
        least, most = FUNCTIONS[name]
        if not least <= len(args) <= most:
            raise XPathError(N_("hàm %(name)s() nhận %(least)s..%(most)s tham số, không phải %(count)s"),
                             name=name, least=least, most=most, count=len(args))
        return ("call", name, *args)

    def expect(self, symbol):
        if self.take() != ("op", symbol):
            raise XPathError(N_("thiếu '%(symbol)s'"), symbol=symbol)


def _children(tree):
    return [part for part in tree[1:] if isinstance(part, tuple)]


def _names(tree) -> set[str]:
    found = {tree[1]} if tree[0] == "ref" else set()
    for child in _children(tree):
        found |= _names(child)
    return found


def _uses_dot(tree) -> bool:
    return tree[0] == "dot" or any(_uses_dot(child) for child in _children(tree))


# ------------------------------------------------------------------ values

def answer_value(answer: Any) -> Any:
    """A stored answer as XPath sees it: blank → '', numbers and strings as they are."""
    if isinstance(answer, Mapping):  # the visit document stores {"value", "note"}
        answer = answer.get("value")
    if answer is None:
        return ""
    if isinstance(answer, (list, tuple)):
        return " ".join(str(part) for part in answer)
    if isinstance(answer, (bool, int, float, str)):
        return float(answer) if isinstance(answer, int) and not isinstance(answer, bool) else answer
    return str(answer)


def number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    return math.nan


def string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return bool(value)


def _equal(left, right) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return boolean(left) == boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return number(left) == number(right)
    return string(left) == string(right)


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _round(value: float, digits: float = 0.0) -> float:
    # XPath/JavaScript rounding: halves go up (towards +infinity), not to even.
    if not math.isfinite(value):
        return value
    if not math.isfinite(digits):
        return math.nan
    try:
        scale = 10.0 ** int(digits)
    except OverflowError:
        scale = math.inf
    shifted = value * scale + 0.5
    return _divide(math.floor(shifted) if math.isfinite(shifted) else shifted, scale)


_ARITHMETIC = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "div": _divide, "mod": _modulo,
}
_ORDER = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
          ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _eval(tree, values, dot):
    kind = tree[0]
    if kind in ("num", "str"):
        return tree[1]
    if kind == "ref":
        return answer_value(values.get(tree[1]))
    if kind == "dot":
        return answer_value(dot)
    if kind == "neg":
        return -number(_eval(tree[1], values, dot))
    if kind == "call":
        return _call(tree[1], tree[2:], values, dot)
    return _operator(tree[1], tree[2], tree[3], values, dot)


def _operator(operator, left_tree, right_tree, values, dot):
    if operator in ("and", "or"):
        left = boolean(_eval(left_tree, values, dot))
        if left == (operator == "or"):
            return left
        return boolean(_eval(right_tree, values, dot))
    left, right = _eval(left_tree, values, dot), _eval(right_tree, values, dot)
    if operator == "=":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    a, b = number(left), number(right)
    if operator in _ORDER:
        return _ORDER[operator](a, b)
    try:
        return _ARITHMETIC[operator](a, b)
    except OverflowError:
        return math.inf


def _call(name, args, values, dot):
    if name == "if":
        branch = args[1] if boolean(_eval(args[0], values, dot)) else args[2]
        return _eval(branch, values, dot)
    given = [_eval(arg, values, dot) for arg in args]
    if name in ("true", "false"):
        return name == "true"
    if name == "not":
        return not boolean(given[0])
    if name == "selected":
        return string(given[1]).strip() in string(given[0]).split()
    if name == "count-selected":
        return float(len(string(given[0]).split()))
    if name == "string-length":
        return float(len(string(given[0])))
    if name == "number":
        return number(given[0])
    if name == "string":
        return string(given[0])
    if name == "coalesce":
        return given[0] if string(given[0]) != "" else given[1]
    numbers = [number(value) for value in given]
    if name == "round":
        return _round(*numbers)
    if name == "abs":
        return abs(numbers[0])
    if any(math.isnan(value) for value in numbers):
        return math.nan
    return min(numbers) if name == "min" else max(numbers)


# ------------------------------------------------------------------ as the figures' language

_PYTHON_OPERATORS = {"+": "+", "-": "-", "*": "*", "div": "/", "=": "==", "!=": "!=",
                     "<": "<", "<=": "<=", ">": ">", ">=": ">=", "and": "and", "or": "or"}


def to_python(text: str) -> str:
    """An XLSForm calculation or rule as the figures' expression language
    (expressions.py): `${a} div ${b} * 100` → `((a / b) * 100)`."""
    return _python(compile_condition(text)._tree)


def _python(tree) -> str:
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        return str(int(value)) if value.is_integer() else repr(value)
    if kind == "ref":
        return tree[1]
    if kind == "neg":
        return f"(-{_python(tree[1])})"
    if kind == "op" and tree[1] in _PYTHON_OPERATORS:
        return f"({_python(tree[2])} {_PYTHON_OPERATORS[tree[1]]} {_python(tree[3])})"
    if kind == "call" and tree[1] == "not":
        return f"(not {_python(tree[2])})"
    if kind == "call" and tree[1] in ("round", "abs", "min", "max"):
        return f"{tree[1]}({', '.join(_python(arg) for arg in tree[2:])})"
    if kind in ("str", "dot"):
        raise XPathError(N_("chuỗi ký tự chưa được hỗ trợ trong phép tính chỉ tiêu và quy tắc") if kind == "str"
                         else N_("dấu '.' chưa được hỗ trợ trong phép tính chỉ tiêu và quy tắc"))
    raise XPathError(N_("hàm %(name)s() chưa được hỗ trợ trong phép tính chỉ tiêu và quy tắc") if kind == "call"
                     else N_("phép %(name)s chưa được hỗ trợ trong phép tính chỉ tiêu và quy tắc"), name=tree[1])


def constraint_bounds(text: str) -> tuple[float | None, float | None]:
    """`. >= 0 and . <= 100` → (0, 100): the bounds of a figure; other forms refused."""
    tree = compile_condition(text)._tree
    parts = []

    def split(node):
        if node[0] == "op" and node[1] == "and":
            split(node[2])
            split(node[3])
        else:
            parts.append(node)
    split(tree)
    low = high = None
    for part in parts:
        if part[0] != "op" or part[1] not in ("<=", ">=") or part[2] != ("dot",) \
                or _number(part[3]) is None:
            raise XPathError(N_("ràng buộc của chỉ tiêu chỉ được có dạng . >= số và/hoặc . <= số"))
        if part[1] == ">=":
            low = _number(part[3])
        else:
            high = _number(part[3])
    return low, high


def _number(node) -> float | None:
    if node[0] == "num":
        return node[1]
    if node[0] == "neg" and node[1][0] == "num":
        return -node[1][1]
    return None
