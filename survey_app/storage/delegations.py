"""SQL for delegations (đoàn khảo sát) and their memberships."""
from __future__ import annotations

from survey_app.storage.db import one


def insert_delegation(db, **values) -> int:
    return db["delegations"].insert(values).last_pk


def find_delegation(db, name: str, body: str) -> dict | None:
    return one(db, "SELECT * FROM delegations WHERE name = ? AND body = ?", [name, body])


def get_delegation(db, delegation_id: int) -> dict | None:
    return one(db, "SELECT * FROM delegations WHERE id = ?", [delegation_id])


def list_delegations(db) -> list[dict]:
    return list(db.query("SELECT * FROM delegations ORDER BY created_at DESC, id DESC"))


def insert_membership(db, **values) -> int:
    return db["memberships"].insert(values).last_pk


def list_members(db, delegation_id: int) -> list[dict]:
    return list(db.query(
        "SELECT * FROM memberships WHERE delegation_id = ? ORDER BY position, id", [delegation_id]))


def delegation_ids_of_user(db, user_id: int, positions: tuple[str, ...] | None = None) -> list[int]:
    """The delegations the user belongs to (with `positions`: in one of these positions)."""
    clause, params = "", [user_id]
    if positions is not None:
        clause = f" AND role IN ({','.join('?' * len(positions)) or 'NULL'})"
        params += list(positions)
    return [row[0] for row in db.execute(
        f"SELECT DISTINCT delegation_id FROM memberships WHERE user_id = ?{clause}", params)]


def user_id_by_full_name(db, full_name: str) -> int | None:
    """The delegation-side user with exactly this full name, when there is one."""
    rows = list(db.query("SELECT id FROM users WHERE full_name = ? AND role IN "
                         "('admin','secretary','head','member') AND active = 1", [full_name]))
    return rows[0]["id"] if len(rows) == 1 else None
