"""The shape of the code, read from its syntax tree (nothing is imported or run):
the layers hold (no module outside `web/` imports the web layer, the domain never
imports Flask), no two modules import each other, and every refusal a user can read
is marked for translation (a DomainError and its kin raised with a message, a flash,
an abort's description), with every `%(name)s` of the message given."""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"
MARKS = {"N_", "_", "_l", "gettext", "lazy_gettext"}
ERRORS = {"DomainError"}  # its subclasses are found below


@cache
def modules() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def imports(name: str) -> set[str]:
    """The modules of survey_app that module `name` imports (at any level of its code)."""
    path, tree = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base)
    return {other for other in found if other in modules() and other != name}


def imports_any(name: str) -> set[str]:
    """Every module imported, also outside survey_app (the top-level package's name)."""
    tree = modules()[name][1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_no_module_outside_the_web_layer_imports_it():
    wrong = sorted(f"{name} imports {other}" for name in modules() if not in_package(name, "survey_app.web")
                   and name != "survey_app.app"  # the factory wires the layers together
                   for other in imports(name) if in_package(other, "survey_app.web"))
    assert not wrong, wrong


def test_the_domain_never_imports_flask():
    wrong = sorted(name for name in modules() if in_package(name, "survey_app.domain")
                   and any(other.startswith("flask") for other in imports_any(name)))
    assert not wrong, wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_two_modules_import_each_other():
    graph = {name: imports(name) for name in modules()}
    assert not cycles(graph), cycles(graph)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# ------------------------------------------------------------------ messages

def call_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


@cache
def error_classes() -> frozenset[str]:
    return derived(ERRORS, [tree for _, tree in modules().values()])


def derived(roots: set[str], trees) -> frozenset[str]:
    """`roots` and every class that derives from one of them, by name, to any depth."""
    found = set(roots)
    bases = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return frozenset(found)
        found |= more


def constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = value`, to follow a message kept in a constant."""
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def unmarked(value: ast.expr | None, names: dict[str, ast.expr]) -> list[ast.expr]:
    """The parts of a message expression that are text not marked for translation."""
    if value is None:
        return []
    if isinstance(value, ast.IfExp):
        return unmarked(value.body, names) + unmarked(value.orelse, names)
    if isinstance(value, ast.Call) and call_name(value) in MARKS:
        return []
    if isinstance(value, ast.Name) and value.id in names:
        return unmarked(names[value.id], {})
    if isinstance(value, ast.Constant) and isinstance(value.value, str) or isinstance(value, ast.JoinedStr):
        return [value]
    if isinstance(value, ast.BinOp):  # "text %s" % x, "a" + b
        return unmarked(value.left, names) + unmarked(value.right, names)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):  # "text {x}".format(x)
        return unmarked(value.func.value, names)
    if isinstance(value, ast.Subscript):  # f"..."[:300]
        return unmarked(value.value, names)
    return []


def messages(tree: ast.Module):
    """(call, message expression) of every refusal and flash in a module."""
    classes = derived(error_classes(), [tree])
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        keyword = {k.arg: k.value for k in node.keywords}
        if name in classes or name == "flash":
            yield node, node.args[0] if node.args else keyword.get("message")
        elif name == "abort":
            yield node, node.args[1] if len(node.args) > 1 else keyword.get("description")


def problems(tree: ast.Module, where: str) -> list[str]:
    names, found = constants(tree), []
    for call, message in messages(tree):
        for part in unmarked(message, names):
            found.append(f"{where}:{call.lineno}: {ast.unparse(part)[:80]}")
        if isinstance(message, ast.Call) and call_name(message) == "N_" and call_name(call) != "flash" \
                and message.args and isinstance(message.args[0], ast.Constant):
            needed = set(re.findall(r"%\((\w+)\)", message.args[0].value))
            given = {k.arg for k in call.keywords}
            if needed - given:
                found.append(f"{where}:{call.lineno}: no value for {sorted(needed - given)}")
    return found


def test_every_refusal_and_flash_is_marked_for_translation():
    found = [problem for name, (path, tree) in modules().items()
             for problem in problems(tree, str(path.relative_to(PACKAGE.parent)))]
    assert not found, "\n".join(found)


def test_the_message_check_finds_what_it_should():
    code = '''
FROZEN = "Đã chốt"
KEPT = N_("Đã chốt")
class Refused(NotFound): ...
def f(x):
    raise DomainError("Một", "a")
    raise Forbidden(f"Hai {x}")
    raise Refused("Ba")
    raise Conflict(FROZEN)
    raise Conflict(KEPT if x else "Bốn")
    flash("Năm", "error")
    abort(400, description="Sáu")
    raise DomainError(N_("Bảy %(x)s"), "x")
    raise DomainError(N_("Tám %(x)s"), "x", x=x)
    flash(_("Chín"), "success")
    raise DomainError("Mười {}".format(x))
'''
    found = problems(ast.parse(code), "m")
    assert [line.split(": ", 1)[1] for line in found] == [
        "'Một'", "f'Hai {x}'", "'Ba'", "'Đã chốt'", "'Bốn'", "'Năm'", "'Sáu'", "no value for ['x']",
        "'Mười {}'"]


# ------------------------------------------- what a message may not carry (issue 19)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def our_classes() -> frozenset[str]:
    return frozenset(node.name for _, tree in modules().values() for node in ast.walk(tree)
                     if isinstance(node, ast.ClassDef))


def library_handlers(tree: ast.Module, ours: frozenset[str]):
    """(name, handler) of each `except … as name` that catches a library's exception
    (not one of `ours`): its text is the library's, in English."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.name:
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if not {t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in types} <= ours:
                yield node.name, node


def shown_parts(call: ast.Call, message: ast.expr | None) -> list[ast.expr]:
    return [part for part in [message, *call.args[1:], *(k.value for k in call.keywords)] if part is not None]


def leaks(tree: ast.Module, where: str, ours: frozenset[str] = frozenset()) -> list[str]:
    """A refusal or flash that shows a library exception's text (`str(error)`,
    `f"{error}"`) or an ISO date (`2025-10-13` in its text, `.isoformat()` as a value)."""
    found = []
    for name, handler in library_handlers(tree, ours or our_classes()):
        for call, message in messages(ast.Module(body=handler.body, type_ignores=[])):
            if any(isinstance(node, ast.Name) and node.id == name
                   for part in shown_parts(call, message) for node in ast.walk(part)):
                found.append(f"{where}:{call.lineno}: shows the exception {name!r}")
    for call, message in messages(tree):
        for node in (node for part in shown_parts(call, message) for node in ast.walk(part)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ISO_DATE.search(node.value):
                found.append(f"{where}:{call.lineno}: ISO date in {node.value[:60]!r}")
            elif isinstance(node, ast.Call) and call_name(node) == "isoformat":
                found.append(f"{where}:{call.lineno}: ISO date from .isoformat()")
    return found


def test_no_refusal_shows_a_library_text_or_an_iso_date():
    found = [problem for name, (path, tree) in modules().items()
             for problem in leaks(tree, str(path.relative_to(PACKAGE.parent)))]
    assert not found, "\n".join(found)


def test_the_leak_check_finds_what_it_should():
    code = '''
def f(x):
    try:
        x()
    except ValueError as error:
        raise DomainError(N_("Tệp hỏng: %(e)s"), "p12", e=str(error)[:200])
    except KeyError as problem:
        flash(_("Lỗi %(e)s", e=f"{problem}"), "error")
    except Refused as ours:
        raise DomainError(ours.message, ours.field)
    raise DomainError(N_("Ngày phải như 2025-10-13"), "day")
    raise DomainError(N_("Hạn %(due)s"), "due", due=x.isoformat())
    raise DomainError(N_("Hạn %(due)s"), "due", due=format_date(x))
'''
    found = sorted(line.split(": ", 1)[1] for line in leaks(ast.parse(code), "m", frozenset({"Refused"})))
    assert found == ["ISO date from .isoformat()", "ISO date in 'Ngày phải như 2025-10-13'",
                     "shows the exception 'error'", "shows the exception 'problem'"]
