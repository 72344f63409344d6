"""XLSForm expressions (skip logic): the server's evaluator (checklists/xpath.py) and the
browser's (static/js/xpath.js) parse and refuse the same texts and give the same values
on the same cases, run through both; and the values are XPath's."""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from survey_app.checklists.xpath import XPathError, compile_condition, string

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "data" / "xpath_cases.json").read_text("utf-8"))
REFUSED = ["", "${a} ==", "${a} = 'x' and", "foo(1)", "${a}[0]", "${a} ** 2", "(1 + 2",
           "1 + 2)", "__import__('os')", "${a} = 'unterminated", "${a b}", "${} = 1",
           "if(1, 2)", "not()", "a = 1", "@x", "1; 2", "${a}.x"]

NODE_SCRIPT = """
import { parse, evaluate, string } from "./survey_app/static/js/xpath.js";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([text, values, dot]) => {
  try {
    const value = evaluate(parse(text), values, dot === undefined ? null : dot);
    return [typeof value, string(value)];
  } catch (error) { return ["error", ""]; }
});
process.stdout.write(JSON.stringify(out));
"""


def _typed(value) -> list[str]:
    kind = {bool: "boolean", float: "number", str: "string"}[type(value)]
    return [kind, string(value)]


def _python(case) -> list[str]:
    text, values, *dot = case
    try:
        return _typed(compile_condition(text).value(values, dot[0] if dot else None))
    except XPathError:
        return ["error", ""]


def _node(cases) -> list[list[str]]:
    done = subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT], cwd=ROOT,
                          input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def test_server_and_browser_give_the_same_value_on_every_case():
    cases = CASES + [[text, {}] for text in REFUSED]
    assert [_python(case) for case in cases] == _node(cases)


@pytest.mark.parametrize("text", REFUSED)
def test_refused_texts_are_refused_with_a_vietnamese_reason(text):
    with pytest.raises(XPathError) as raised:
        compile_condition(text)
    assert str(raised.value)


@pytest.mark.parametrize("text, values, expected", [
    ("${has_online_portal} = 'yes'", {"has_online_portal": "yes"}, True),
    ("${has_online_portal} = 'yes'", {}, False),
    ("${staff} > 5", {"staff": None}, False),
    ("${a} div ${b}", {"a": 434, "b": 509}, 434 / 509),
    ("if(${n} > 10, 'big', 'small')", {"n": 2}, "small"),
    ("selected(${s}, 'online')", {"s": "counter online"}, True),
    ("round(-2.5)", {}, -2.0),
    ("${a} mod ${b}", {"a": -7, "b": 3}, -1.0),
])
def test_values_follow_xpath(text, values, expected):
    assert compile_condition(text).value(values) == expected


def test_blank_and_division_by_zero_give_nan_not_an_error():
    assert math.isnan(compile_condition("${a} + 1").value({"a": None}))
    assert math.isnan(compile_condition("0 div 0").value({}))
    assert compile_condition("1 div 0").value({}) == math.inf


def test_unknown_names_are_named_in_vietnamese():
    with pytest.raises(XPathError, match=r"tên \$\{so_ho_so\} không có trong biểu mẫu"):
        compile_condition("${so_ho_so} > 0", {"staff"})
    assert compile_condition("${staff} > 0", {"staff"}).names == {"staff"}


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(XPathError):
        compile_condition("-" * 5000 + "1")
    with pytest.raises(XPathError):
        compile_condition("(" * 400 + "1" + ")" * 400)
