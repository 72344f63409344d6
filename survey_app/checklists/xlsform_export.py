"""Writing a form as an XLSForm workbook (openpyxl) that `read_xlsform` reads back to
the same form (the same canonical text and hash): the shipped TOML forms too, so an
office can start its own form from one of them in Excel."""
from __future__ import annotations

import ast
import io

from survey_app.checklists.canonical import _unchained
from survey_app.checklists.spec import FormSpec
from survey_app.checklists.types import YES_PARTLY_NO

SURVEY_COLUMNS = ["type", "name", "label", "label::English (en)", "hint", "required",
                  "relevant", "constraint", "calculation", "unit", "decimals", "default",
                  "hint::English (en)", "unit::English (en)"]
YES_PARTLY_NO_EN = {"yes": "Yes", "partly": "Partly", "no": "No"}


def write_xlsform(spec: FormSpec) -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    _sheet(survey, SURVEY_COLUMNS, _survey_rows(spec))
    _sheet(book.create_sheet("choices"), ["list_name", "name", "label", "label::English (en)"],
           _choice_rows(spec))
    _sheet(book.create_sheet("settings"),
           ["form_id", "form_title", "form_title::English (en)", "version", "description",
            "description::English (en)"],
           [[spec.id, spec.title, spec.title_en, str(spec.version), spec.description,
             spec.description_en]])
    _sheet(book.create_sheet("rules"), ["name", "expression", "message", "message::English (en)"],
           [[rule.key, to_xpath(rule.expr._tree), rule.message, rule.message_en]
            for rule in spec.rules])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for row in rows:
        # Texts stay texts: a label such as "=1" must not become a formula.
        sheet.append([value if value not in (None, "") else None for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"


def _survey_rows(spec: FormSpec) -> list[list]:
    rows = []
    for section in spec.sections:
        rows.append(["begin group", section.key, section.title, section.title_en, "", "",
                     section.relevant.text if section.relevant else ""])
        for item in section.items:
            kind = {"yes_partly_no": "select_one yes_partly_no", "choice": f"select_one {item.key}",
                    "number": "decimal", "photo": "image"}.get(item.type, item.type)
            rows.append([kind, item.key, item.label, item.label_en, item.help,
                         "yes" if item.required else "",
                         item.relevant.text if item.relevant else "", "", "", item.unit, "",
                         item.default, item.help_en, item.unit_en])
        rows.append(["end group"])
    if spec.indicators or spec.computed:
        rows.append(["begin group", "indicators", "Chỉ tiêu", "Figures"])
        for ind in spec.indicators:
            bounds = [f". >= {_number(ind.min)}" if ind.min is not None else "",
                      f". <= {_number(ind.max)}" if ind.max is not None else ""]
            rows.append(["integer" if ind.integer else "decimal", ind.key, ind.label, ind.label_en,
                         "", "", "", " and ".join(filter(None, bounds)), "", ind.unit, "", ind.default,
                         "", ind.unit_en])
        for comp in spec.computed:
            rows.append(["calculate", comp.key, comp.label, comp.label_en, "", "", "", "",
                         to_xpath(comp.expr._tree), comp.unit, str(comp.decimals), "", "", comp.unit_en])
        rows.append(["end group"])
    return rows


def _choice_rows(spec: FormSpec) -> list[list]:
    rows = []
    if any(item.type == "yes_partly_no" for item in spec.items.values()):
        rows += [["yes_partly_no", value, label, YES_PARTLY_NO_EN[value]]
                 for value, label in YES_PARTLY_NO]
    for item in spec.items.values():
        rows += [[item.key, c.value, c.label, c.label_en] for c in item.choices]
    return rows


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


_XPATH_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "div", ast.Eq: "=",
                    ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                    ast.And: "and", ast.Or: "or"}


def to_xpath(tree: ast.expr) -> str:
    """A figures' expression (expressions.py) in XLSForm syntax: `a / b * 100` →
    `(${a} div ${b}) * 100`; parentheses kept wherever they could matter."""
    return _xpath(_unchained(tree))


def _xpath(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        return f"${{{node.id}}}"
    if isinstance(node, ast.BinOp):
        return f"{_inner(node.left)} {_XPATH_OPERATORS[type(node.op)]} {_inner(node.right)}"
    if isinstance(node, ast.BoolOp):
        return f" {_XPATH_OPERATORS[type(node.op)]} ".join(_inner(v) for v in node.values)
    if isinstance(node, ast.Compare):
        return f"{_inner(node.left)} {_XPATH_OPERATORS[type(node.ops[0])]} {_inner(node.comparators[0])}"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return f"not({_xpath(node.operand)})"
        sign = "-" if isinstance(node.op, ast.USub) else ""
        return f"{sign}{_inner(node.operand)}"
    return f"{node.func.id}({', '.join(_xpath(arg) for arg in node.args)})"


def _inner(node: ast.expr) -> str:
    text = _xpath(node)
    return f"({text})" if isinstance(node, (ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp)) else text
