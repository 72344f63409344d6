"""SQL for units (đơn vị): the visited units and the addressees of recommendations.
The one place that lists them, finds them and adds them."""
from __future__ import annotations

from survey_app.storage.db import one
from survey_app.storage.scope import EVERYTHING, Scope, units_clause


def get_unit(db, unit_id: int) -> dict | None:
    return one(db, "SELECT * FROM units WHERE id = ?", [unit_id])


def get_unit_by_name(db, name: str) -> dict | None:
    return one(db, "SELECT * FROM units WHERE name = ?", [name])


def ensure_unit(db, name: str, locality: str = "") -> int:
    """The id of the unit with that name, created if missing."""
    unit = get_unit_by_name(db, name)
    if unit:
        return unit["id"]
    return db["units"].insert({"name": name, "locality": locality}).last_pk


def rename_unit(db, unit_id: int, name: str) -> None:
    db.execute("UPDATE units SET name = ? WHERE id = ?", [name, unit_id])


def unit_in_scope(db, scope: Scope, unit_id: int) -> dict | None:
    return one(db, f"SELECT * FROM units WHERE id = ? AND {units_clause(scope)}", [unit_id])


def _units_query(scope: Scope) -> str:
    """The one list of units: those the scope may see (a host's: their own), by name."""
    return f"SELECT id, name, locality FROM units WHERE {units_clause(scope)} ORDER BY name"


def list_units(db, scope: Scope = EVERYTHING) -> list[dict]:
    return list(db.query(_units_query(scope)))


def unit_pairs(db, scope: Scope = EVERYTHING) -> list[tuple[int, str]]:
    """The same list as (id, name) tuples: cheap to build and compare for 3,321 units
    (the board's filter keeps its options while this list is unchanged)."""
    return [(row[0], row[1]) for row in db.execute(_units_query(scope))]

