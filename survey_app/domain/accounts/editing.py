"""An administrator edits an account: name, e-mail address, role and unit, a temporary
password (the rule that keeps one active administrator: `operations.keep_an_admin`)."""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from survey_app.domain.access import USER_ROLES
from survey_app.domain.accounts import operations
from survey_app.domain.audit import record
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import accounts as sql

ROLE_REFUSED = N_("Vui lòng chọn một vai trò trong danh sách.")
OWN_PASSWORD = N_("Vui lòng đổi mật khẩu của chính mình ở trang Đổi mật khẩu.")


def edit_user(store, user_id: int, actor: dict, *, full_name: str, email: str, role: str,
              unit: str | None) -> dict:
    """Change what an administrator may change of an account; the audit entry lists each
    changed value (before, after). Returns the changes ({} when nothing changed)."""
    user = operations.require_user(store, user_id)
    if role not in USER_ROLES:
        raise DomainError(ROLE_REFUSED, "role")
    values = {"full_name": (full_name or "").strip() or user["username"],
              "email": operations.valid_email(email), "role": role,
              "unit_id": operations.unit_for(store, role, unit)}

    def write(db):
        current = sql.get_any_user(db, user_id)
        operations.keep_an_admin(db, current, role=role)
        changes = {key: [current[key], value] for key, value in values.items() if current[key] != value}
        if changes:
            sql.update_user(db, user_id, **values)
            record(db, actor, "user.edit", "user", user_id, {"username": user["username"], "changes": changes})
        return changes
    return store.write(write)


def reset_password(store, user_id: int, actor: dict, password: str) -> dict:
    """Set a temporary password the administrator hands over; every session and API
    token of the account ends, and after signing in with it the user must change it
    before any other page (web/security.py)."""
    user = operations.require_user(store, user_id)
    if actor and actor.get("id") == user["id"]:
        raise DomainError(OWN_PASSWORD, "password")
    if len(password or "") < operations.MIN_PASSWORD:
        raise DomainError(N_("Vui lòng nhập mật khẩu tạm thời dài ít nhất 8 ký tự."), "password")
    password_hash = generate_password_hash(password)

    def write(db):
        sql.set_password_hash(db, user["id"], password_hash)
        sql.update_user(db, user["id"], must_change_password=1)
        operations.end_sessions(db, user, actor, "password_reset")
        record(db, actor, "user.password_reset", "user", user["id"], {"username": user["username"]})
    store.write(write)
    return user
