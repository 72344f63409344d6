"""SQL of team capture, live: a visit's applied autosave messages after a cursor (their
rowid, which only grows), the current state of the fields and items they changed, and
the presence of members on the capture page (table `capture_presence`, m027)."""
from __future__ import annotations

import json

from survey_app.storage.db import one


def last_cursor(db, visit_id: int) -> int:
    """The cursor a page rendered now starts from: its visit's last applied message."""
    row = one(db, "SELECT max(rowid) AS last FROM applied_changes WHERE visit_id = ?", [visit_id])
    return row["last"] or 0


def changed_targets(db, visit_id: int, since: int, limit: int) -> list[dict]:
    """The visit's first `limit` messages after `since`, in order: {seq, applied (not a
    refused or conflicting one), path (a field) or uid (an item), by_id, who, at (its
    author and time)}."""
    rows = db.query(
        "SELECT c.rowid AS seq, c.status, json_extract(c.result, '$.target') AS target, "
        "json_extract(c.result, '$.item') AS uid, c.user_id AS by_id, u.full_name AS who, c.applied_at AS at "
        "FROM applied_changes c LEFT JOIN users u ON u.id = c.user_id "
        "WHERE c.visit_id = ? AND c.rowid > ? ORDER BY c.rowid LIMIT ?", [visit_id, since, limit])
    return [{"seq": r["seq"], "applied": r["status"] == 200, "path": None if r["uid"] else r["target"],
             "uid": r["uid"], "by_id": r["by_id"], "who": r["who"], "at": r["at"]} for r in rows]


def fields_now(db, visit_id: int, paths: list[str]) -> list[dict]:
    """The fields' values now, with who (display name) last changed each and when."""
    if not paths:
        return []
    marks = ",".join("?" * len(paths))
    rows = db.query(f"SELECT f.path, f.value, f.version, f.updated_at AS at, f.updated_by AS by_id, "
                    f"u.full_name AS who FROM visit_fields f LEFT JOIN users u ON u.id = f.updated_by "
                    f"WHERE f.visit_id = ? AND f.path IN ({marks})", [visit_id, *paths])
    return [{**r, "value": json.loads(r["value"]) if r["value"] is not None else None} for r in rows]


def items_now(db, visit_id: int, uids: list[str]) -> list[dict]:
    """The items' data now (also deleted ones), with who last changed each and when."""
    if not uids:
        return []
    marks = ",".join("?" * len(uids))
    rows = db.query(f"SELECT i.uid, i.kind, i.data, i.version, i.deleted, i.position, i.updated_at AS at, "
                    f"i.updated_by AS by_id, u.full_name AS who FROM visit_items i "
                    f"LEFT JOIN users u ON u.id = i.updated_by "
                    f"WHERE i.visit_id = ? AND i.uid IN ({marks})", [visit_id, *uids])
    return [{**r, "data": json.loads(r["data"])} for r in rows]


def presence_of(db, visit_id: int, user_id: int) -> dict | None:
    return one(db, "SELECT section, seen_at FROM capture_presence WHERE visit_id = ? AND user_id = ?",
               [visit_id, user_id])


def record_presence(db, visit_id: int, user_id: int, section: str, at: str, expired_before: str) -> None:
    """This member is in `section` now; every row older than `expired_before` goes."""
    db.execute("DELETE FROM capture_presence WHERE seen_at < ?", [expired_before])
    db.execute("INSERT INTO capture_presence (visit_id, user_id, section, seen_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (visit_id, user_id) DO UPDATE SET section = excluded.section, "
               "seen_at = excluded.seen_at", [visit_id, user_id, section, at])


def present(db, visit_id: int, since: str, except_user: int) -> list[dict]:
    """The other members seen on the visit's capture page since `since`: {section, name}."""
    return list(db.query(
        "SELECT p.section, u.full_name AS name FROM capture_presence p JOIN users u ON u.id = p.user_id "
        "WHERE p.visit_id = ? AND p.seen_at >= ? AND p.user_id != ? AND p.section != '' "
        "ORDER BY p.section, u.full_name", [visit_id, since, except_user]))
