"""Accounts: users and roles, API tokens (sign-in and its limits: `sign_in.py`;
usernames: `usernames.py`)."""
from __future__ import annotations

import hashlib
import secrets

from werkzeug.security import generate_password_hash

from survey_app.clock import now_utc
from survey_app.domain.access import USER_ROLES
from survey_app.domain.accounts import usernames
from survey_app.domain.audit import record
from survey_app.markers import N_
from survey_app.storage import accounts as sql
from survey_app.storage import units as units_sql
from survey_app.domain.errors import DomainError


def create_user(store, username: str, password: str, role: str,
                unit: str | None = None, full_name: str = "") -> int:
    """Create a user; a `host` must name the unit they represent (it must exist)."""
    if role not in USER_ROLES:
        raise DomainError(N_("Vai trò không tồn tại: '%(role)s' (chọn một trong: %(choices)s)"), "role",
                          role=role, choices=', '.join(USER_ROLES))
    if not username or not password:
        raise DomainError(N_("Cần tên đăng nhập và mật khẩu."), "username")
    unit_id = None
    if unit:
        found = store.read(units_sql.get_unit_by_name, unit)
        if found is None:
            raise DomainError(N_("Đơn vị không tồn tại: '%(unit)s'"), "unit", unit=unit)
        unit_id = found["id"]
    elif role == "host":
        raise DomainError(N_("Người dùng vai trò 'host' phải gắn với một đơn vị (--unit)."), "unit")
    username = usernames.check(username)
    if store.read(sql.get_user_by_username, username):
        raise DomainError(N_("Tên đăng nhập đã tồn tại: '%(username)s'"), "username", username=username)
    values = {"username": username, "role": role, "unit_id": unit_id, "created_at": now_utc(),
              "password_hash": generate_password_hash(password), "full_name": full_name or username}

    def write(db):
        user_id = sql.insert_user(db, **values)
        _audit(db, "user.create", "user", user_id, {"username": username, "role": role, "unit": unit})
        return user_id
    return store.write(write)


def _audit(db, action, object_type, object_id, detail):
    record(db, None, action, object_type, object_id, detail)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store, username: str) -> str:
    """A new API token for the user; only its hash is kept, so it is shown once."""
    user = store.read(sql.get_user_by_username, username)
    if user is None:
        raise DomainError(N_("Người dùng không tồn tại: '%(username)s'"), "username", username=username)
    token = secrets.token_urlsafe(32)

    def write(db):
        token_id = sql.insert_token(db, user["id"], hash_token(token), now_utc())
        _audit(db, "token.create", "user", user["id"], {"token_id": token_id})
    store.write(write)
    return token


def revoke_tokens(store, username: str) -> int:
    user = store.read(sql.get_user_by_username, username)
    if user is None:
        raise DomainError(N_("Người dùng không tồn tại: '%(username)s'"), "username", username=username)
    def write(db):
        count = sql.revoke_tokens(db, user["id"], now_utc())
        _audit(db, "token.revoke", "user", user["id"], {"revoked": count})
        return count
    return store.write(write)


def user_for_token(store, token: str) -> dict | None:
    return store.read(sql.user_for_token, hash_token(token)) if token else None

