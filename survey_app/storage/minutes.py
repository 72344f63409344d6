"""SQL for the minutes (biên bản): versions per visit, the number counter per body
and year, drawn signatures, and the signatory roles each delegation requires."""
from __future__ import annotations

import json

from survey_app.storage.db import one

VERSION_JSON = ("wording", "required_roles", "input_json")


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = dict(row)
    for column in VERSION_JSON:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def versions_of(db, visit_id: int) -> list[dict]:
    return [_decode(r) for r in db.query(
        "SELECT * FROM minutes_versions WHERE visit_id = ? ORDER BY version", [visit_id])]


def latest_version(db, visit_id: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE visit_id = ? "
                            "ORDER BY version DESC LIMIT 1", [visit_id]))


def latest_head(db, visit_id: int) -> dict | None:
    """id, version and status of the latest version, without its (large) frozen input."""
    return one(db, "SELECT id, version, status FROM minutes_versions WHERE visit_id = ? "
                    "ORDER BY version DESC LIMIT 1", [visit_id])


def get_version(db, visit_id: int, version: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE visit_id = ? AND version = ?",
                        [visit_id, version]))


def get_version_by_id(db, minutes_id: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE id = ?", [minutes_id]))


def find_by_pdf(db, sha256: str) -> dict | None:
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE signed_pdf_sha256 = ? "
                            "OR final_pdf_sha256 = ? LIMIT 1", [sha256, sha256]))


def find_by_code(db, code: str) -> dict | None:
    """The version whose verification code is `code`: the 12 hex digits printed on the
    document (the start of its content hash, at finalize or as signed) or the whole hash.
    A range on the indexed columns: `code` ≤ hash < `code` + "g" ("g" follows every hex digit)."""
    bounds = [code, code + "g"] * 2
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE (content_sha256 >= ? AND content_sha256 < ?) "
                            "OR (signed_content_sha256 >= ? AND signed_content_sha256 < ?) "
                            "ORDER BY id DESC LIMIT 1", bounds))


def replacement_of(db, minutes_id: int) -> dict | None:
    """The signed correction that replaces this version, when there is one."""
    return _decode(one(db, "SELECT * FROM minutes_versions WHERE corrects = ? AND status = 'signed' "
                            "ORDER BY version LIMIT 1", [minutes_id]))


def insert_version(db, **values) -> int:
    values["wording"] = json.dumps(values.get("wording") or {}, ensure_ascii=False)
    return db["minutes_versions"].insert(values).last_pk


def update_version(db, minutes_id: int, **values) -> None:
    for column in VERSION_JSON:  # a str is JSON encoded already (outside the write)
        if column in values and values[column] is not None and not isinstance(values[column], str):
            values[column] = json.dumps(values[column], ensure_ascii=False, sort_keys=True)
    sets = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE minutes_versions SET {sets} WHERE id = ?", [*values.values(), minutes_id])


def peek_number(db, body: str, year: int) -> int:
    """The number `next_number` would allocate now (nothing is reserved)."""
    row = db.execute("SELECT last_number FROM minutes_counters WHERE body = ? AND year = ?",
                     [body, year]).fetchone()
    return (row[0] if row else 0) + 1


def next_number(db, body: str, year: int) -> int:
    """Allocate the next minutes number of a body in a year (inside the caller's transaction)."""
    db.execute("INSERT INTO minutes_counters (body, year, last_number) VALUES (?, ?, 1) "
               "ON CONFLICT (body, year) DO UPDATE SET last_number = last_number + 1", [body, year])
    return db.execute("SELECT last_number FROM minutes_counters WHERE body = ? AND year = ?",
                      [body, year]).fetchone()[0]


def signatures_of(db, minutes_id: int) -> list[dict]:
    return list(db.query(
        "SELECT minutes_signatures.*, users.full_name AS collected_by FROM minutes_signatures "
        "LEFT JOIN users ON users.id = minutes_signatures.user_id "
        "WHERE minutes_id = ? ORDER BY minutes_signatures.id", [minutes_id]))


def insert_signature(db, **values) -> int:
    return db["minutes_signatures"].insert(values).last_pk


def required_roles(db, delegation_id: int) -> list[str] | None:
    row = one(db, "SELECT roles FROM delegation_signatories WHERE delegation_id = ?", [delegation_id])
    return json.loads(row["roles"]) if row else None


def set_required_roles(db, delegation_id: int, roles: list[str]) -> None:
    db.execute("INSERT INTO delegation_signatories (delegation_id, roles) VALUES (?, ?) "
               "ON CONFLICT (delegation_id) DO UPDATE SET roles = excluded.roles",
               [delegation_id, json.dumps(roles)])
