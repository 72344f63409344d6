"""The storage layer keeps one copy of each helper: one `one()`, one units module, a
restore that writes through its own named method, migrations in the order they are
applied, no dead code, and the benchmark's bare route only when benchmarking."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import survey_app
from survey_app.storage import migrations as migrations_module
from survey_app.storage import units as units_sql

from .conftest import make_app

PACKAGE = Path(survey_app.__file__).parent


def _functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


def test_one_row_helper_is_defined_once():
    found = [(path.name, name) for path in (PACKAGE / "storage").glob("*.py")
             for name in _functions(path) if name in ("one", "_one")]
    assert found == [("db.py", "one")]


def test_units_are_listed_and_found_only_in_the_units_module():
    queries = re.compile(r"FROM units\s+(ORDER|WHERE)")
    found = [path.name for path in (PACKAGE / "storage").glob("*.py") if queries.search(path.read_text())]
    assert found == ["units.py"]


def test_units_module_lists_what_was_added(store):
    unit_id = store.write(units_sql.ensure_unit, "UBND xã Chư Pưh", "xã Chư Pưh")
    assert store.write(units_sql.ensure_unit, "UBND xã Chư Pưh") == unit_id
    names = [u["name"] for u in store.read(units_sql.list_units)]
    assert "UBND xã Chư Pưh" in names and names == sorted(names)
    assert (unit_id, "UBND xã Chư Pưh") in store.read(units_sql.unit_pairs)


def test_migrations_are_defined_in_the_order_they_apply():
    """m001-m007 are defined in the order of their numbers (they were not); later ones are
    appended as they are merged, each number used once."""
    names = [m.name for m in migrations_module.migrations._migrations]
    first = [name for name in names if name[:4] <= "m007"]
    assert first == sorted(first) == names[:len(first)] and len(first) == 7
    assert len({name[:4] for name in names}) == len(names)


def test_a_restore_runs_through_the_named_write_method(store):
    with pytest.raises(RuntimeError):
        store.write(lambda db: store.overwrite(lambda db2: None))
    calls = []
    assert store.overwrite(lambda db, x: calls.append(x) or "done", 1) == "done" and calls == [1]
    calls_to_restore = [
        node for path in (PACKAGE / "domain").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Attribute) and a.attr == "restore_from"
                                              for a in node.args)]
    assert calls_to_restore and all(node.func.attr == "overwrite" for node in calls_to_restore)


def test_dead_code_is_gone():
    from survey_app.domain.directory import delegations
    from survey_app.domain.followup import reminders
    from survey_app.domain.minutes import context
    from survey_app.storage import accounts, recommendations
    # update_user was dead once; account editing calls it now, so it must have callers
    callers = [path for path in PACKAGE.rglob("*.py") if ".update_user(" in path.read_text(encoding="utf-8")]
    assert not hasattr(accounts, "update_user") or callers
    assert not hasattr(recommendations, "units_with_active")
    assert not hasattr(reminders, "unit_name")
    assert not hasattr(delegations, "MEMBER_ROLE_LABELS")
    assert not hasattr(context, "ROMAN")
    capture = (PACKAGE.parent / "templates" / "visits" / "capture.html").read_text(encoding="utf-8")
    assert not re.search(r"data-[a-z-]*-url=", capture)


def test_the_bare_hello_route_exists_only_when_benchmarking(tmp_path, demo_instance):
    import shutil
    shutil.copytree(demo_instance, tmp_path / "a" / "instance")
    shutil.copytree(demo_instance, tmp_path / "b" / "instance")
    plain = make_app(tmp_path / "a")
    bench = make_app(tmp_path / "b", BENCHMARK_ROUTES=True)
    assert "bench.hello" not in {rule.endpoint for rule in plain.url_map.iter_rules()}
    assert plain.test_client().get("/hello").status_code == 302  # unknown: to the login page
    answer = bench.test_client().get("/hello")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "xin chào"
    for app in (plain, bench):
        app.extensions["survey_store"].close()
