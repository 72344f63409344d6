"""SQL for users, API tokens and login failures (units: `storage/units.py`)."""
from __future__ import annotations

from survey_app.storage.db import one


def get_user(db, user_id: int) -> dict | None:
    return one(db, "SELECT * FROM users WHERE id = ? AND active = 1", [user_id])


def get_user_by_username(db, username: str) -> dict | None:
    return one(db, "SELECT * FROM users WHERE username = ?", [username])


def list_users(db) -> list[dict]:
    return list(db.query(
        "SELECT users.*, units.name AS unit_name FROM users "
        "LEFT JOIN units ON units.id = users.unit_id ORDER BY users.username"))


def insert_user(db, **values) -> int:
    return db["users"].insert(values).last_pk


def insert_token(db, user_id: int, token_hash: str, created_at: str) -> int:
    return db["api_tokens"].insert(
        {"user_id": user_id, "token_hash": token_hash, "created_at": created_at}).last_pk


def user_for_token(db, token_hash: str) -> dict | None:
    return one(db,
        "SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
        "WHERE token_hash = ? AND revoked_at IS NULL AND users.active = 1", [token_hash])


def revoke_tokens(db, user_id: int, revoked_at: str) -> int:
    cursor = db.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        [revoked_at, user_id])
    return cursor.rowcount


def record_login_failure(db, username: str, remote_addr: str, at: str) -> None:
    db["login_failures"].insert({"username": username, "remote_addr": remote_addr, "at": at})


def count_login_failures(db, username: str, since: str) -> int:
    return db.execute(
        "SELECT count(*) FROM login_failures WHERE username = ? AND at >= ?",
        [username, since]).fetchone()[0]


def clear_login_failures(db, username: str) -> None:
    db.execute("DELETE FROM login_failures WHERE username = ?", [username])
