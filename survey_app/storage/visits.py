"""SQL for visits: the visit row, its scalar fields, its list items, photos, the
record of applied autosave messages, the search (full-text index) and the small lists
the visit pages offer (delegations; units: storage/units.py), each limited to the user's scope."""
from __future__ import annotations

import json
import re

from survey_app.storage.scope import EVERYTHING, Scope, delegations_clause, visits_clause
from survey_app.storage.db import one


def ensure_form_version(db, content_hash: str, form_id: str, version: int, source: str, at: str) -> None:
    db.execute("INSERT OR IGNORE INTO form_versions VALUES (?, ?, ?, ?, ?)",
               [content_hash, form_id, version, source, at])


def form_source(db, content_hash: str) -> str | None:
    row = one(db, "SELECT source FROM form_versions WHERE content_hash = ?", [content_hash])
    return row["source"] if row else None


def insert_visit(db, **values) -> int:
    return db["visits"].insert(values).last_pk


VISIT_SELECT = """
SELECT visits.*, units.name AS unit_name, delegations.name AS delegation_name,
       delegations.body AS delegation_body, delegations.topic AS delegation_topic
FROM visits JOIN units ON units.id = visits.unit_id
JOIN delegations ON delegations.id = visits.delegation_id
"""


def get_visit(db, visit_id: int) -> dict | None:
    return one(db, VISIT_SELECT + " WHERE visits.id = ?", [visit_id])


def get_visit_by_uuid(db, uuid: str) -> dict | None:
    return one(db, VISIT_SELECT + " WHERE visits.uuid = ?", [uuid])


def touch_visit(db, visit_id: int, at: str, **values) -> None:
    sets = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE visits SET revision = revision + 1, updated_at = ?"
               f"{', ' + sets if sets else ''} WHERE id = ?",
               [at, *values.values(), visit_id])


def fields_of(db, visit_id: int) -> dict[str, dict]:
    """path → {value (decoded), version}."""
    return {row["path"]: {"value": json.loads(row["value"]) if row["value"] is not None else None,
                          "version": row["version"]}
            for row in db.query("SELECT path, value, version FROM visit_fields WHERE visit_id = ?",
                                [visit_id])}


def get_field(db, visit_id: int, path: str) -> dict | None:
    row = one(db, "SELECT value, version FROM visit_fields WHERE visit_id = ? AND path = ?",
               [visit_id, path])
    if row is None:
        return None
    return {"value": json.loads(row["value"]) if row["value"] is not None else None,
            "version": row["version"]}


def set_field(db, visit_id: int, path: str, value, at: str, user_id: int | None) -> int:
    """Write a field; return its new version."""
    encoded = None if value is None else json.dumps(value, ensure_ascii=False)
    db.execute(
        "INSERT INTO visit_fields (visit_id, path, value, version, updated_at, updated_by) "
        "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (visit_id, path) DO UPDATE SET "
        "value = excluded.value, version = version + 1, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by", [visit_id, path, encoded, at, user_id])
    return db.execute("SELECT version FROM visit_fields WHERE visit_id = ? AND path = ?",
                      [visit_id, path]).fetchone()[0]


def last_change(db, visit_id: int, *, path: str | None = None, uid: str | None = None) -> dict:
    """Who last changed a field (by path) or an item (by uid), and when: {at, who}."""
    if uid is not None:
        row = one(db, "SELECT i.updated_at AS at, u.full_name AS who FROM visit_items i "
                       "LEFT JOIN users u ON u.id = i.updated_by WHERE i.uid = ?", [uid])
    else:
        row = one(db, "SELECT f.updated_at AS at, u.full_name AS who FROM visit_fields f "
                       "LEFT JOIN users u ON u.id = f.updated_by WHERE f.visit_id = ? AND f.path = ?",
                   [visit_id, path])
    return row or {"at": None, "who": None}


def _item(row: dict) -> dict:
    row = dict(row)
    row["data"] = json.loads(row["data"])
    return row


def items_of(db, visit_id: int, kind: str | None = None) -> list[dict]:
    sql = "SELECT * FROM visit_items WHERE visit_id = ? AND deleted = 0"
    params: list = [visit_id]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    return [_item(row) for row in db.query(sql + " ORDER BY kind, position, id", params)]


def get_item(db, uid: str) -> dict | None:
    row = one(db, "SELECT * FROM visit_items WHERE uid = ?", [uid])
    return _item(row) if row else None


def next_position(db, visit_id: int, kind: str) -> float:
    return db.execute("SELECT coalesce(max(position), 0) + 1 FROM visit_items "
                      "WHERE visit_id = ? AND kind = ?", [visit_id, kind]).fetchone()[0]


def insert_item(db, **values) -> int:
    values["data"] = json.dumps(values["data"], ensure_ascii=False)
    return db["visit_items"].insert(values).last_pk


def update_item(db, uid: str, at: str, user_id: int | None, **values) -> int:
    if "data" in values:
        values["data"] = json.dumps(values["data"], ensure_ascii=False)
    sets = "".join(f", {column} = ?" for column in values)
    db.execute(f"UPDATE visit_items SET version = version + 1, updated_at = ?, updated_by = ?{sets} "
               "WHERE uid = ?", [at, user_id, *values.values(), uid])
    return db.execute("SELECT version FROM visit_items WHERE uid = ?", [uid]).fetchone()[0]


def insert_photo(db, sha256: str, content_type: str, width: int, height: int, size: int, at: str) -> None:
    db.execute("INSERT OR IGNORE INTO photos VALUES (?, ?, ?, ?, ?, ?)",
               [sha256, content_type, width, height, size, at])


def get_photo(db, sha256: str) -> dict | None:
    return one(db, "SELECT * FROM photos WHERE sha256 = ?", [sha256])


def insert_annotation(db, uid: str, visit_id: int, item_uid: str, sha256: str, at: str, user_id) -> None:
    db.execute("INSERT INTO photo_annotations (uid, visit_id, item_uid, sha256, created_at, created_by) "
               "VALUES (?, ?, ?, ?, ?, ?)", [uid, visit_id, item_uid, sha256, at, user_id])


def get_annotation(db, uid: str) -> dict | None:
    return one(db, "SELECT * FROM photo_annotations WHERE uid = ?", [uid])


def annotated_photos(db, visit_id: int) -> dict[str, dict]:
    """{photo item uid: the stored `photos` row of its newest annotated copy}. A newest
    row naming the photo as taken ("Dùng ảnh gốc") means the item shows its original."""
    rows = db.query("SELECT a.item_uid, p.* FROM photo_annotations a JOIN photos p ON p.sha256 = a.sha256 "
                    "JOIN visit_items i ON i.uid = a.item_uid "
                    "WHERE a.id IN (SELECT max(id) FROM photo_annotations WHERE visit_id = ? GROUP BY item_uid) "
                    "AND a.sha256 IS NOT json_extract(i.data, '$.sha256')",
                    [visit_id])
    return {row.pop("item_uid"): row for row in rows}


def applied_change(db, visit_id: int, user_id: int | None, client_id: str) -> dict | None:
    """The recorded result of a message, keyed by (visit, user, client id): the same id
    sent by another user or for another visit is another message (migration m008)."""
    row = one(db, "SELECT * FROM applied_changes WHERE visit_id = ? AND coalesce(user_id, 0) = ? "
                   "AND client_id = ?", [visit_id, user_id or 0, client_id])
    if row:
        row["result"] = json.loads(row["result"])
    return row


def record_change(db, client_id: str, visit_id: int, user_id: int | None,
                  status: int, result: dict, at: str) -> None:
    db.execute("INSERT INTO applied_changes (client_id, visit_id, user_id, status, result, applied_at) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [client_id, visit_id, user_id, status, json.dumps(result, ensure_ascii=False), at])


_TERM = re.compile(r"[^\s\"]+")


def fts_terms(text: str) -> list[str]:
    """User text as FTS5 queries that cannot be a syntax error: each term becomes a
    quoted prefix phrase (`"pháp"*`, `"chế"*`), so `AND`, `*`, `(` or `"` are plain
    text. The index removes diacritics, so `Pháp chế` and `phap che` find the same visits;
    but `đ` is a letter of its own there, so a `d` typed without it also looks for `đ`
    (`dat` → `"dat"* OR "đat"*`, the first three d's of a word)."""
    return [" OR ".join(f'"{variant}"*' for variant in _d_variants(term)) for term in _TERM.findall(text or "")[:12]]


def _d_variants(term: str) -> list[str]:
    variants = [""]
    seen = 0
    for char in term:
        if char in "dD" and seen < 3:
            seen += 1
            variants = [v + c for v in variants for c in (char, "đ")]
        else:
            variants = [v + char for v in variants]
    return variants


def search_visits(db, *, text: str = "", scope: Scope = EVERYTHING, unit_id=None, delegation_id=None,
                  status=None, date_from=None, date_to=None, limit: int = 200,
                  offset: int = 0) -> list[dict]:
    """Visits in the scope matching every word of `text`, each word in any part of the
    visit (its own texts or one of its items'), and the filters; newest first."""
    clauses, params = [visits_clause(scope)], []
    for term in fts_terms(text):
        clauses.append("visits.id IN (SELECT visit_id FROM visit_search WHERE visit_search MATCH ?)")
        params.append(term)
    for column, value in (("visits.unit_id", unit_id), ("visits.delegation_id", delegation_id),
                          ("visits.status", status)):
        if value not in (None, ""):
            clauses.append(f"{column} = ?")
            params.append(value)
    if date_from:
        clauses.append("substr(visits.started_at, 1, 10) >= ?")
        params.append(date_from)
    if date_to:
        clauses.append("substr(visits.started_at, 1, 10) <= ?")
        params.append(date_to)
    return list(db.query(VISIT_SELECT + " WHERE " + " AND ".join(clauses) +
                         " ORDER BY visits.started_at DESC, visits.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]))


def delegation_options(db, scope: Scope = EVERYTHING, ids=None) -> list[dict]:
    """The delegations a list may offer to this scope (`ids`: only these)."""
    extra = f" AND delegations.id IN ({','.join(str(int(i)) for i in ids) or 'NULL'})" if ids is not None else ""
    return list(db.query("SELECT id, name, body, follow_up_days FROM delegations "
                         f"WHERE {delegations_clause(scope)}{extra} ORDER BY name"))


def delegation_in_scope(db, scope: Scope, delegation_id: int) -> dict | None:
    return one(db, f"SELECT * FROM delegations WHERE id = ? AND {delegations_clause(scope)}", [delegation_id])


def count_visits(db, uuid: str | None = None) -> int:
    """How many visits are stored (with that uuid, if given)."""
    where, params = ("WHERE uuid = ?", [uuid]) if uuid else ("", [])
    return db.execute(f"SELECT count(*) FROM visits {where}", params).fetchone()[0]
