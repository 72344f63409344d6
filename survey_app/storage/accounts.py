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


def set_password_hash(db, user_id: int, password_hash: str) -> None:
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])


def set_active(db, user_id: int, active: bool) -> None:
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(bool(active)), user_id])


def end_sessions(db, user_id: int) -> int:
    """Move the user's session epoch on: every session made before stops being valid."""
    db.execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", [user_id])
    return db.execute("SELECT session_epoch FROM users WHERE id = ?", [user_id]).fetchone()[0]


def get_any_user(db, user_id: int) -> dict | None:
    """A user, active or not (administration)."""
    return one(db, "SELECT * FROM users WHERE id = ?", [user_id])


# Failed sign-ins: `username` is the normalised name typed, `remote_addr` the address.

def record_login_failure(db, username: str, remote_addr: str, at: str) -> int:
    return db["login_failures"].insert({"username": username, "remote_addr": remote_addr, "at": at}).last_pk


def delete_login_failure(db, failure_id: int) -> None:
    db.execute("DELETE FROM login_failures WHERE id = ?", [failure_id])


def count_login_failures(db, username: str, remote_addr: str, since: str) -> int:
    return db.execute(
        "SELECT count(*) FROM login_failures WHERE username = ? AND remote_addr = ? AND at >= ?",
        [username, remote_addr, since]).fetchone()[0]


def count_address_failures(db, remote_addr: str, since: str) -> int:
    return db.execute("SELECT count(*) FROM login_failures WHERE remote_addr = ? AND at >= ?",
                      [remote_addr, since]).fetchone()[0]


def account_failures(db, username: str, since: str) -> tuple[int, str | None]:
    """How many failures the account had from all addresses since then, and the latest."""
    count, last = db.execute("SELECT count(*), max(at) FROM login_failures WHERE username = ? AND at >= ?",
                             [username, since]).fetchone()
    return count, last


def clear_login_failures(db, username: str, remote_addr: str) -> None:
    db.execute("DELETE FROM login_failures WHERE username = ? AND remote_addr = ?", [username, remote_addr])


def purge_login_failures(db, before: str) -> int:
    """Delete failures older than `before`: the limits never look further back."""
    return db.execute("DELETE FROM login_failures WHERE at < ?", [before]).rowcount


def count_all_login_failures(db) -> int:
    return db.execute("SELECT count(*) FROM login_failures").fetchone()[0]


def set_email(db, user_id: int, email: str) -> None:
    db.execute("UPDATE users SET email = ? WHERE id = ?", [email, user_id])


def update_user(db, user_id: int, **values) -> None:
    """Set the given columns (names from the domain's fixed list, never user text)."""
    sets = ", ".join(f"{column} = :{column}" for column in values)
    db.execute(f"UPDATE users SET {sets} WHERE id = :id", {**values, "id": user_id})


def count_active_admins(db, but: int | None = None) -> int:
    return db.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id IS NOT ?",
                      [but]).fetchone()[0]


def delete_calendar_token(db, user_id: int) -> int:
    """The user's calendar feed address stops working (a new one can be made)."""
    return db.execute("DELETE FROM calendar_tokens WHERE user_id = ?", [user_id]).rowcount
