"""SQL of the audit trail: an append-only, hash-chained log."""
from __future__ import annotations


def head(db) -> tuple[int, str]:
    row = db.execute("SELECT entries, hash FROM audit_head WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else (0, "0" * 64)


def append(db, entry: dict, prev_hash: str, entry_hash: str, entries: int) -> None:
    db.execute("INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, detail, "
               "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [entry["at"], entry["actor_id"], entry["actor"], entry["action"], entry["object_type"],
                entry["object_id"], entry["detail"], prev_hash, entry_hash])
    db.execute("INSERT INTO audit_head (id, entries, hash) VALUES (1, ?, ?) "
               "ON CONFLICT (id) DO UPDATE SET entries = excluded.entries, hash = excluded.hash",
               [entries, entry_hash])


def entries(db):
    return db.query("SELECT * FROM audit_log ORDER BY id")


def entries_for(db, object_type: str, object_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM audit_log WHERE object_type = ? AND object_id = ? ORDER BY id",
                         [object_type, str(object_id)]))


FILTERS = ("action", "actor", "object_type", "object_id")


def find_entries(db, filters: dict, limit: int, offset: int = 0) -> list[dict]:
    """Entries matching every given filter (exact; `action` also by prefix, "minutes." …),
    newest first."""
    where, params = [], []
    for name in FILTERS:
        value = filters.get(name)
        if value in (None, ""):
            continue
        if name == "action" and value.endswith("."):
            where.append("action LIKE ? ESCAPE '\\'")
            params.append(value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        else:
            where.append(f"{name} = ?")
            params.append(str(value))
    sql = "SELECT id, at, actor, action, object_type, object_id, detail FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    return list(db.query(sql, params + [limit, offset]))


def actions(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def sealed_document_hashes(db) -> list[str]:
    """The stored sealed PDFs (each carries the audit chain's head at its sealing)."""
    return [row[0] for row in db.execute(
        "SELECT signed_pdf_sha256 FROM minutes_versions WHERE signed_pdf_sha256 IS NOT NULL ORDER BY id")]
