"""SQL for units (đơn vị): the visited units and the addressees of recommendations.
The one place that lists them, finds them, adds, changes and merges them.

Names are matched by their folded key (`survey_app/text.py`), never as typed; a
merged unit keeps its row (`merged_into`) and is left out of every list."""
from __future__ import annotations

from survey_app.storage.db import one
from survey_app.storage.scope import EVERYTHING, Scope, units_clause
from survey_app.text import fold, search_key

LIVE = "units.merged_into IS NULL"
COLUMNS = "units.id, units.name, units.kind, units.locality, units.parent_id"
# The tables whose rows belong to a unit and move with it when it is merged.
MOVED_WITH_UNIT = ("visits", "recommendations", "recommendation_updates", "users")


def get_unit(db, unit_id: int) -> dict | None:
    return one(db, "SELECT * FROM units WHERE id = ?", [unit_id])


def live_unit(db, unit_id: int) -> dict | None:
    """The unit, or the one it was merged into (followed to the end)."""
    unit = get_unit(db, unit_id)
    seen = set()
    while unit is not None and unit["merged_into"] is not None and unit["id"] not in seen:
        seen.add(unit["id"])
        unit = get_unit(db, unit["merged_into"])
    return unit


def _keyed(name: str, locality: str | None = None) -> dict:
    keys = {"name_key": fold(name), "search_key": search_key(name)}
    if locality is not None:
        keys["locality_key"] = fold(locality)
    return keys


def units_named(db, name: str) -> list[dict]:
    """Every unit whose name folds like `name` (merged ones too), oldest first."""
    return list(db.query("SELECT * FROM units WHERE name_key = ? ORDER BY id", [fold(name)]))


def find_live(db, name: str, locality: str = "", other_than: int | None = None) -> dict | None:
    """The live unit of this name in this locality (both folded)."""
    return one(db, f"SELECT * FROM units WHERE name_key = ? AND locality_key = ? AND {LIVE} AND id != ?",
               [fold(name), fold(locality), other_than or 0])


def get_unit_by_name(db, name: str) -> dict | None:
    """The live unit a name means (after folding; the oldest when several localities
    share it; a merged unit's name leads to the unit it was merged into)."""
    for unit in units_named(db, name):
        return live_unit(db, unit["id"])
    return None


def ensure_unit(db, name: str, locality: str = "") -> int:
    """The id of the unit this name means, created if none folds like it (the lenient
    path of imports and the capture page: the same locality first, else any)."""
    found = find_live(db, name, locality) if locality else None
    found = found or get_unit_by_name(db, name)
    if found:
        return found["id"]
    return insert_unit(db, name=name.strip(), locality=locality.strip())


def insert_unit(db, *, name: str, locality: str = "", kind: str = "", parent_id: int | None = None) -> int:
    return db["units"].insert({"name": name, "locality": locality, "kind": kind, "parent_id": parent_id,
                               **_keyed(name, locality)}).last_pk


def update_unit(db, unit_id: int, **columns) -> None:
    """Change some of name, locality, kind, parent_id (the keys follow the name)."""
    unit = get_unit(db, unit_id)
    name = columns.get("name", unit["name"])
    locality = columns.get("locality", unit["locality"])
    db["units"].update(unit_id, {**columns, **_keyed(name, locality)})


def rename_unit(db, unit_id: int, name: str) -> None:
    update_unit(db, unit_id, name=name)  # the folded keys follow the name


def unit_in_scope(db, scope: Scope, unit_id: int) -> dict | None:
    return one(db, f"SELECT * FROM units WHERE id = ? AND {units_clause(scope)}", [unit_id])


def _units_query(scope: Scope) -> str:
    """The one list of units: the live ones the scope may see (a host's: their own), by name."""
    return f"SELECT id, name, locality FROM units WHERE {LIVE} AND {units_clause(scope)} ORDER BY name"


def list_units(db, scope: Scope = EVERYTHING) -> list[dict]:
    return list(db.query(_units_query(scope)))


def unit_pairs(db, scope: Scope = EVERYTHING) -> list[tuple[int, str]]:
    """The same list as (id, name) tuples."""
    return [(row[0], row[1]) for row in db.execute(_units_query(scope))]


def names_of_visit(db, visit_id: int) -> list[str]:
    """The units a visit already names: its own and its recommendations' addressees."""
    return [row[0] for row in db.execute(
        "SELECT name FROM units WHERE id IN (SELECT unit_id FROM visits WHERE id = ? "
        "UNION SELECT unit_id FROM recommendations WHERE visit_id = ?) ORDER BY name", [visit_id, visit_id])]


def search_units(db, scope: Scope, text: str, limit: int, offset: int = 0) -> list[dict]:
    """Live units whose name contains `text` without diacritics or case, with their
    parent's name: whole words first ("ia hru" before "Ia Hrung"), then names that
    start with it, then by name."""
    key = search_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(db.query(
        f"SELECT {COLUMNS}, parent.name AS parent_name FROM units LEFT JOIN units parent "
        f"ON parent.id = units.parent_id WHERE {LIVE} AND {units_clause(scope)} "
        f"AND units.search_key LIKE ? ESCAPE '\\' "
        f"ORDER BY (' ' || units.search_key || ' ') NOT LIKE ? ESCAPE '\\', "
        f"units.search_key NOT LIKE ? ESCAPE '\\', units.name, units.id LIMIT ? OFFSET ?",
        [f"%{key}%", f"% {key} %", f"{key}%", limit, offset]))


def usage(db, unit_id: int) -> dict:
    """How many rows of each kind belong to the unit (what a merge moves)."""
    return {table: db.execute(f"SELECT count(*) FROM {table} WHERE unit_id = ?", [unit_id]).fetchone()[0]
            for table in MOVED_WITH_UNIT}


def merge_units(db, source_id: int, target_id: int) -> None:
    """Move everything of `source` to `target` and mark `source` merged into it."""
    for table in MOVED_WITH_UNIT:
        db.execute(f"UPDATE {table} SET unit_id = ? WHERE unit_id = ?", [target_id, source_id])
    db.execute("UPDATE units SET parent_id = ? WHERE parent_id = ? AND id != ?", [target_id, source_id, target_id])
    db.execute("UPDATE units SET parent_id = NULL WHERE id = ? AND parent_id = ?", [target_id, source_id])
    db.execute("UPDATE units SET merged_into = ? WHERE merged_into = ?", [target_id, source_id])
    db.execute("UPDATE units SET merged_into = ? WHERE id = ?", [target_id, source_id])


def live_keys(db) -> dict[tuple[str, str], dict]:
    """Every live unit by (folded name, folded locality): what an import matches against."""
    return {(row["name_key"], row["locality_key"]): row
            for row in db.query(f"SELECT id, name, locality, kind, name_key, locality_key FROM units WHERE {LIVE}")}
