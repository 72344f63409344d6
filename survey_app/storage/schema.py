"""What the migrations share: their record (`migrations`), a statement runner, the parts
of the search index's triggers, and the schema a list of applied migrations gives
(backup and restore compare a file against it). The migrations themselves are in
`migrations.py`, in order; `survey_app.storage` imports that module, so every
migration is registered whenever any storage module is in use.
"""
from __future__ import annotations

from sqlite_utils import Migrations

MIGRATION_SET = "survey_app"
migrations = Migrations(MIGRATION_SET)


def _run(db, statements: str) -> None:
    for statement in statements.split(";\n"):
        if statement.strip():
            db.execute(statement)


def apply_migrations(db) -> list[str]:
    """Apply pending migrations; return the names applied now. Runs at `survey-app init`
    and at start-up; applying twice changes nothing. (`survey_app.storage` imports
    `migrations.py`, which registers every migration, before any caller gets here.)"""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def is_survey_app_database(db) -> bool:
    """True when the file carries this project's migration record."""
    try:
        return any(True for _ in migrations.applied(db))
    except Exception:  # not a database, or not ours
        return False


# A visit's own part of the search index: its unit, delegation and text fields.
_HEAD_TEXT = """coalesce(u.name, '') || char(10) || coalesce(d.name, '') || char(10) ||
    coalesce(d.body, '') || char(10) || coalesce(d.topic, '') || char(10) ||
    coalesce((SELECT group_concat(json_extract(f.value, '$'), char(10)) FROM visit_fields f
              WHERE f.visit_id = v.id AND json_type(f.value) = 'text'), '')"""


def _head(where: str) -> str:
    """Replace the visit part (rowid = -visit id) of the visits matching `where`."""
    return (f"DELETE FROM visit_search WHERE rowid IN (SELECT -v.id FROM visits v WHERE {where}); "
            f"INSERT INTO visit_search (rowid, visit_id, content) SELECT -v.id, v.id, {_HEAD_TEXT} "
            f"FROM visits v JOIN units u ON u.id = v.unit_id JOIN delegations d ON d.id = v.delegation_id "
            f"WHERE {where}; ")


def _item(row: str) -> str:
    """Insert the part of item `row` (rowid = its id): its texts, none once deleted."""
    return (f"INSERT INTO visit_search (rowid, visit_id, content) SELECT {row}.id, {row}.visit_id, "
            f"coalesce((SELECT group_concat(value, char(10)) FROM json_each({row}.data) "
            f"WHERE type = 'text'), '') WHERE {row}.deleted = 0; ")


def expected_schema(applied: list[str]) -> set[tuple]:
    """The schema (type, name, table, SQL of every object) that applying these migrations,
    in this order, to an empty database gives; ValueError for a name this version lacks."""
    import sqlite_utils
    known = {migration.name: migration for migration in migrations._migrations}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise ValueError(", ".join(unknown))
    db = sqlite_utils.Database(memory=True)
    migrations.ensure_migrations_table(db)
    for name in applied:
        with db.atomic():
            known[name].fn(db)
    schema = schema_of(db)
    db.close()
    return schema


def schema_of(db) -> set[tuple]:
    """Our objects: not SQLite's own, the migration record's, or Litestream's bookkeeping
    (`_litestream_seq`, `_litestream_lock`, present in a replicated database)."""
    return {tuple(row) for row in db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND tbl_name != ? AND tbl_name NOT LIKE '\\_litestream\\_%' ESCAPE '\\'",
        [migrations.migrations_table]).fetchall()}
