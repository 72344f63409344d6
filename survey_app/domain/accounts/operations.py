"""Accounts: users and roles, password login with throttling, API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.clock import now_utc
from survey_app.domain.access import USER_ROLES
from survey_app.domain.audit import record
from survey_app.markers import N_
from survey_app.storage import accounts as sql
from survey_app.domain.errors import DomainError, TooManyRequests

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOGIN_REFUSED = N_("Tên đăng nhập hoặc mật khẩu không đúng.")


def create_user(store, username: str, password: str, role: str,
                unit: str | None = None, full_name: str = "", email: str = "") -> int:
    """Create a user; a `host` must name the unit they represent (it must exist); the
    e-mail address (optional) is where a host's reminders go."""
    email = valid_email(email)
    if role not in USER_ROLES:
        raise DomainError(N_("Vai trò không tồn tại: '%(role)s' (chọn một trong: %(choices)s)"), "role",
                          role=role, choices=', '.join(USER_ROLES))
    if not username or not password:
        raise DomainError(N_("Cần tên đăng nhập và mật khẩu."), "username")
    unit_id = None
    if unit:
        found = store.read(sql.get_unit_by_name, unit)
        if found is None:
            raise DomainError(N_("Đơn vị không tồn tại: '%(unit)s'"), "unit", unit=unit)
        unit_id = found["id"]
    elif role == "host":
        raise DomainError(N_("Người dùng vai trò 'host' phải gắn với một đơn vị (--unit)."), "unit")
    if store.read(sql.get_user_by_username, username):
        raise DomainError(N_("Tên đăng nhập đã tồn tại: '%(username)s'"), "username", username=username)
    values = {"username": username, "role": role, "unit_id": unit_id, "created_at": now_utc(),
              "password_hash": generate_password_hash(password), "full_name": full_name or username,
              "email": email}

    def write(db):
        user_id = sql.insert_user(db, **values)
        _audit(db, "user.create", "user", user_id, {"username": username, "role": role, "unit": unit})
        return user_id
    return store.write(write)


def _audit(db, action, object_type, object_id, detail):
    record(db, None, action, object_type, object_id, detail)


def authenticate(store, username: str, password: str, remote_addr: str = "") -> dict:
    """The user for these credentials; one generic refusal; throttled after failures."""
    since = (dt.datetime.now(dt.timezone.utc) - FAILURE_WINDOW).isoformat(timespec="seconds")
    if store.read(sql.count_login_failures, username, since) >= MAX_FAILURES:
        raise TooManyRequests(N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."))
    user = store.read(sql.get_user_by_username, username)
    if user is None or not user["active"] or not check_password_hash(user["password_hash"], password):
        store.write(sql.record_login_failure, username, remote_addr, now_utc())
        raise DomainError(LOGIN_REFUSED)
    store.write(sql.clear_login_failures, username)
    return user


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
        sql.update_user(db, user["id"], email=address)
        _audit(db, "user.email", "user", user["id"], {"email": address})
    store.write(write)
    return address
