"""Password sign-in, throttled per address and per account.

Three limits over the last 15 minutes of failures:

- one account from one address: 5 failures, then that address waits 15 minutes
  for that account (the owner elsewhere is not locked out);
- one address, any accounts: 20 failures, then that address waits 15 minutes;
- one account from all addresses: after 10 failures, each further try waits a
  delay that doubles with every failure, at most 5 minutes (a spread-out attack is
  slowed down without locking the owner out for long).

An attempt is counted before its password is checked: one `BEGIN IMMEDIATE`
transaction checks the limits and records the attempt as a failure, and a right
password removes that record again. Parallel guesses therefore queue on the lock and
never check more passwords than the limits allow. An unknown username is checked
against a dummy hash, so it costs what a known one costs. Failures older than the
window are deleted as new ones are recorded, so the table stays bounded.
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.domain import audit
from survey_app.domain.accounts import usernames
from survey_app.domain.errors import DomainError, TooManyRequests
from survey_app.markers import N_
from survey_app.storage import accounts as sql

WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT_AND_ADDRESS = 5
PER_ADDRESS = 20
PER_ACCOUNT = 10
MAX_BACKOFF = dt.timedelta(minutes=5)

REFUSED = N_("Tên đăng nhập hoặc mật khẩu không đúng.")
TOO_MANY = N_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
TOO_MANY_FROM_ADDRESS = N_("Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau 15 phút.")
ACCOUNT_SLOWED = N_("Tài khoản này vừa bị thử mật khẩu sai nhiều lần. Vui lòng chờ ít phút rồi thử lại.")


class Throttled(TooManyRequests):
    """A refused attempt; `retry_after` is how many seconds to wait."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, "username")
        self.retry_after = max(1, int(retry_after))


@functools.cache
def dummy_hash() -> str:
    """A hash made like every user's (same method and cost) of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(24))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def backoff(failures: int) -> dt.timedelta:
    """The wait after `failures` recent failures of one account from all addresses."""
    if failures < PER_ACCOUNT:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - PER_ACCOUNT, 20)), MAX_BACKOFF)


def _reserve(db, username: str, address: str, now: dt.datetime) -> int:
    """Check the limits and record this attempt as a failure, in one transaction;
    return the record's id. Raise Throttled (recording nothing) when over a limit."""
    since = _stamp(now - WINDOW)
    sql.purge_login_failures(db, since)
    window = int(WINDOW.total_seconds())
    if sql.count_login_failures(db, username, address, since) >= PER_ACCOUNT_AND_ADDRESS:
        raise Throttled(TOO_MANY, window)
    if sql.count_address_failures(db, address, since) >= PER_ADDRESS:
        raise Throttled(TOO_MANY_FROM_ADDRESS, window)
    failures, last = sql.account_failures(db, username, since)
    if failures >= PER_ACCOUNT:
        wait = dt.datetime.fromisoformat(last) + backoff(failures) - now
        if wait > dt.timedelta(0):
            raise Throttled(ACCOUNT_SLOWED, wait.total_seconds() + 1)
    return sql.record_login_failure(db, username, address, _stamp(now))


def _succeeded(db, attempt_id: int, user: dict, address: str) -> None:
    sql.delete_login_failure(db, attempt_id)
    sql.clear_login_failures(db, user["username"], address)
    audit.record(db, user, "user.login", "user", user["id"], {"address": address})


def _failed(db, username: str, user: dict | None, address: str) -> None:
    """A refused sign-in, in the trail (the limits above bound how many a client can add)."""
    audit.record(db, None, "user.login_failed", "user", user["id"] if user else "-",
                 {"username": username[:80], "address": address})


def authenticate(store, username: str, password: str, remote_addr: str = "",
                 now: dt.datetime | None = None) -> dict:
    """The active user with these credentials; one generic refusal for a wrong name,
    a wrong password or a disabled account; Throttled (429) over a limit."""
    name = usernames.normalise(username)
    now = now or dt.datetime.now(dt.timezone.utc)
    attempt = store.write(_reserve, name, remote_addr or "", now)
    user = store.read(sql.get_user_by_username, name) if name else None
    matches = check_password_hash(user["password_hash"] if user else dummy_hash(), password)
    if user is None or not user["active"] or not matches:
        store.write(_failed, name, user, remote_addr or "")
        raise DomainError(REFUSED)
    store.write(_succeeded, attempt, user, remote_addr or "")
    return user
