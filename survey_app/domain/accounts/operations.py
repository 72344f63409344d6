"""Accounts: users and roles, passwords, the end of sessions, API tokens
(sign-in and its limits: `sign_in.py`; usernames: `usernames.py`)."""
from __future__ import annotations

import hashlib
import re
import secrets

from werkzeug.security import generate_password_hash

from survey_app.clock import now_utc
from survey_app.domain.access import USER_ROLE_LABELS, USER_ROLES
from survey_app.domain.accounts import sign_in, usernames
from survey_app.domain.audit import record
from survey_app.markers import N_
from survey_app.storage import accounts as sql
from survey_app.storage import units as units_sql
from survey_app.domain.errors import Conflict, DomainError, NotFound, labels

MIN_PASSWORD = 8


def create_user(store, username: str, password: str, role: str,
                unit: str | None = None, full_name: str = "", email: str = "") -> int:
    """Create a user; a `host` must name the unit they represent (it must exist); the
    e-mail address (optional) is where a host's reminders go."""
    email = valid_email(email)
    if role not in USER_ROLES:
        raise DomainError(N_("Vai trò không tồn tại: '%(role)s'. Vui lòng chọn vai trò của tài khoản là một "
                             "trong: %(choices)s."), "role", role=role, choices=labels(USER_ROLE_LABELS))
    if not username or not password:
        raise DomainError(N_("Vui lòng nhập tên đăng nhập và mật khẩu."), "username")
    unit_id = unit_for(store, role, unit)
    username = usernames.check(username)
    if store.read(sql.get_user_by_username, username):
        raise DomainError(N_("Tên đăng nhập đã tồn tại: '%(username)s'. Vui lòng chọn tên khác."), "username", username=username)
    values = {"username": username, "role": role, "unit_id": unit_id, "created_at": now_utc(),
              "password_hash": generate_password_hash(password), "full_name": full_name or username,
              **({"email": email} if email else {})}  # the column's default is ''; written only when given

    def write(db):
        user_id = sql.insert_user(db, **values)
        _audit(db, "user.create", "user", user_id, {"username": username, "role": role, "unit": unit})
        return user_id
    return store.write(write)


def unit_for(store, role: str, unit: str | None) -> int | None:
    """The id of the named unit (it must exist); an account of the host unit must name one."""
    name = (unit or "").strip()
    if not name:
        if role == "host":
            raise DomainError(N_("Vui lòng nhập đơn vị cho tài khoản đại diện đơn vị được khảo sát."), "unit")
        return None
    found = store.read(units_sql.get_unit_by_name, name)
    if found is None:
        raise DomainError(N_("Đơn vị không tồn tại: '%(unit)s'. Vui lòng chọn một đơn vị trong danh sách."),
                          "unit", unit=name)
    return found["id"]


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


def end_sessions(db, user: dict, actor: dict | None, reason: str) -> None:
    """Inside a write: every session of the user ends (their epoch moves on), every
    API token of theirs is revoked and their calendar feed's address stops working, at once."""
    sql.end_sessions(db, user["id"])
    revoked = sql.revoke_tokens(db, user["id"], now_utc())
    calendar = sql.delete_calendar_token(db, user["id"])
    record(db, actor, "user.sessions_end", "user", user["id"],
           {"username": user["username"], "reason": reason, "tokens_revoked": revoked,
            "calendar_revoked": calendar})


def sign_out(store, user: dict) -> None:
    """Logout: every session of this user ends (the tablet's and the laptop's alike);
    API tokens, made by an administrator for integrations, stay."""
    def write(db):
        sql.end_sessions(db, user["id"])
        record(db, user, "user.logout", "user", user["id"], {})
    store.write(write)


def sign_out_everywhere(store, user_id: int, actor: dict) -> dict:
    """An administrator ends every session and token of a user."""
    user = require_user(store, user_id)
    store.write(end_sessions, user, actor, "sign_out_everywhere")
    return user


def set_active(store, user_id: int, active: bool, actor: dict) -> dict:
    """Disable (sessions and tokens end at once) or enable an account; nobody disables
    their own account, so an administrator cannot lock everyone out."""
    user = require_user(store, user_id)
    if not active and actor and actor.get("id") == user["id"]:
        raise DomainError(N_("Không thể khóa tài khoản đang đăng nhập. Vui lòng dùng một tài khoản quản trị khác."),
                          "user_id")

    def write(db):
        keep_an_admin(db, sql.get_any_user(db, user["id"]), active=active)
        sql.set_active(db, user["id"], active)
        if active:
            record(db, actor, "user.enable", "user", user["id"], {"username": user["username"]})
        else:
            end_sessions(db, user, actor, "disabled")
            record(db, actor, "user.disable", "user", user["id"], {"username": user["username"]})
    store.write(write)
    return user


LAST_ADMIN = N_("Không thể khóa hoặc đổi vai trò của quản trị viên cuối cùng đang hoạt động. "
                "Vui lòng tạo hoặc mở khóa một tài khoản quản trị khác trước.")


def keep_an_admin(db, user: dict, *, role: str | None = None, active: bool | None = None) -> None:
    """Inside a write: refuse (409) a change that would leave no active administrator
    (checked in the transaction, so two administrators demoting each other at once
    cannot both succeed)."""
    stays_admin = (role or user["role"]) == "admin" and (user["active"] if active is None else active)
    if user["role"] == "admin" and user["active"] and not stays_admin \
            and sql.count_active_admins(db, but=user["id"]) == 0:
        raise Conflict(LAST_ADMIN, "role" if role else "user_id")


def change_password(store, user: dict, current: str, new: str, remote_addr: str = "") -> int:
    """The user's own password change: the current password is checked as a sign-in
    (same limits), then every session and token ends; return the new session epoch
    (the session that made the change continues with it)."""
    if len(new or "") < MIN_PASSWORD:
        raise DomainError(N_("Vui lòng nhập mật khẩu mới dài ít nhất 8 ký tự."), "new_password")
    try:
        sign_in.authenticate(store, user["username"], current, remote_addr)
    except sign_in.Throttled:
        raise
    except DomainError:
        raise DomainError(N_("Mật khẩu hiện tại không đúng."), "current_password") from None
    password_hash = generate_password_hash(new)

    def write(db):
        sql.set_password_hash(db, user["id"], password_hash)
        sql.update_user(db, user["id"], must_change_password=0)
        end_sessions(db, user, user, "password_change")
        return sql.get_any_user(db, user["id"])["session_epoch"]
    return store.write(write)


def require_user(store, user_id: int) -> dict:
    user = store.read(sql.get_any_user, user_id)
    if user is None:
        raise NotFound(N_("Không tìm thấy người dùng."), "user_id")
    return user


# ----------------------------------------------------------------- e-mail addresses

EMAIL_REFUSED = N_("Địa chỉ thư điện tử không hợp lệ: '%(email)s'. Vui lòng nhập dạng ten@coquan.gov.vn.")
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def valid_email(text: str | None) -> str:
    """The address as stored ('' for none), or a refusal naming the field: one `@`, a
    plain local part, a domain of at least two labels (an IDN domain kept in its
    ASCII form); no spaces or line breaks, which could add a header to a message."""
    address = (text or "").strip()
    if not address:
        return ""
    local, _at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = ""
    labels = domain.split(".")
    if (len(address) > 254 or len(local) > 64 or not _LOCAL.fullmatch(local) or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit()):
        raise DomainError(EMAIL_REFUSED, "email", email=address[:100])
    return f"{local}@{domain}"


def set_email(store, username: str, email: str) -> str:
    """Give a user an e-mail address (or '' to remove it); returns the address kept."""
    address = valid_email(email)
    user = store.read(sql.get_user_by_username, username)
    if user is None:
        raise DomainError(N_("Người dùng không tồn tại: '%(username)s'"), "username", username=username)

    def write(db):
        sql.set_email(db, user["id"], address)
        _audit(db, "user.email", "user", user["id"], {"email": address})
    store.write(write)
    return address
