"""The SQLite store itself: migrations are idempotent, WAL and foreign keys are on.
Raw SQL here on purpose: the test is about the schema and the connection."""
from __future__ import annotations

from survey_app.storage import apply_migrations


def test_migrations_applied_twice_change_nothing(store):
    db = store.db
    before = db.execute("SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    assert apply_migrations(db) == []
    after = db.execute("SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    assert before == after
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
