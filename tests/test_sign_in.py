"""Sign-in limits per address and per account, counted atomically; unknown usernames
cost a hash check; the failures table stays bounded; look-alike usernames refused
(CLI and admin page)."""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from survey_app.domain.accounts import sign_in
from survey_app.domain.errors import DomainError
from survey_app.storage import accounts as sql

from .conftest import PASSWORDS, csrf_token

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash check the sign-in makes (werkzeug's, called through)."""
    calls, lock, real = [], threading.Lock(), sign_in.check_password_hash

    def counting(pwhash, password):
        with lock:
            calls.append(pwhash)
        return real(pwhash, password)
    monkeypatch.setattr(sign_in, "check_password_hash", counting)
    return calls


def _attempt(store, username, password, address, now=None):
    try:
        sign_in.authenticate(store, username, password, address, now=now)
        return "ok"
    except sign_in.Throttled:
        return "throttled"
    except DomainError:
        return "refused"


def test_forty_parallel_guesses_check_no_more_passwords_than_the_limit(store, hash_checks):
    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(lambda n: _attempt(store, "thanhvien", f"guess-{n}", "198.51.100.7"),
                                 range(40)))
    assert outcomes.count("refused") == sign_in.PER_ACCOUNT_AND_ADDRESS == 5
    assert outcomes.count("throttled") == 35
    assert len(hash_checks) == 5
    assert store.read(sql.count_all_login_failures) == 5


def test_unknown_username_is_checked_against_a_dummy_hash(store, hash_checks):
    known = store.read(sql.get_user_by_username, "thanhvien")
    assert _attempt(store, "khong-co-ai", "mat-khau-bat-ky", "198.51.100.8") == "refused"
    assert _attempt(store, "thanhvien", "sai-mat-khau", "198.51.100.8") == "refused"
    assert len(hash_checks) == 2
    unknown_hash, known_hash = hash_checks
    assert known_hash == known["password_hash"]
    assert unknown_hash != known_hash
    # Same method and cost as a real user's hash (e.g. "scrypt:32768:8:1"), so the same work.
    assert unknown_hash.split("$")[0] == known_hash.split("$")[0]


def test_disabled_account_costs_a_check_and_gets_the_same_refusal(store, hash_checks):
    user = store.read(sql.get_user_by_username, "xem")
    store.write(sql.set_active, user["id"], False)
    with pytest.raises(DomainError) as refused:
        sign_in.authenticate(store, "xem", PASSWORDS["xem"], "198.51.100.9")
    assert refused.value.message == sign_in.REFUSED and len(hash_checks) == 1


def _login(client, username, password, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def test_an_attacker_locks_the_account_only_for_their_own_address(app, client):
    for _ in range(5):
        assert _login(client, "thanhvien", "wrong password", "203.0.113.66").status_code == 401
    locked = _login(client, "thanhvien", PASSWORDS["thanhvien"], "203.0.113.66")
    assert locked.status_code == 429 and "15 phút" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) == 15 * 60
    owner = app.test_client()
    owner.environ_base["wsgi.url_scheme"] = "https"
    assert _login(owner, "thanhvien", PASSWORDS["thanhvien"], "192.0.2.10").status_code == 302


def test_look_alike_spellings_count_as_the_same_account(app, client):
    for spelling in ("THANHVIEN", "ｔｈａｎｈｖｉｅｎ", " thanhvien ", "ThanhVien", "thanhvien"):
        assert _login(client, spelling, "wrong password", "203.0.113.67").status_code == 401
    assert _login(client, "thanhvien", PASSWORDS["thanhvien"], "203.0.113.67").status_code == 429


def test_one_address_trying_many_accounts_is_stopped(store):
    for n in range(sign_in.PER_ADDRESS):
        assert _attempt(store, f"user{n:02d}", "x", "203.0.113.70", now=T0) == "refused"
    assert _attempt(store, "thuky", PASSWORDS["thuky"], "203.0.113.70", now=T0) == "throttled"
    assert _attempt(store, "thuky", PASSWORDS["thuky"], "203.0.113.71", now=T0) == "ok"  # elsewhere: fine
    later = T0 + sign_in.WINDOW + dt.timedelta(seconds=1)
    assert _attempt(store, "thuky", PASSWORDS["thuky"], "203.0.113.70", now=later) == "ok"


def test_a_spread_out_attack_slows_the_account_down_gently(store):
    """From many addresses, each staying under its own limits: after 10 failures each
    try waits a doubling delay, at most 5 minutes; the owner gets in once it passed."""
    now = T0
    for n in range(sign_in.PER_ACCOUNT):
        assert _attempt(store, "truongdoan", "x", f"10.0.{n}.1", now=now) == "refused"
    with pytest.raises(sign_in.Throttled) as slowed:
        sign_in.authenticate(store, "truongdoan", PASSWORDS["truongdoan"], "192.0.2.50", now=now)
    assert slowed.value.message == sign_in.ACCOUNT_SLOWED and slowed.value.retry_after <= 2
    waits = []
    for n in range(9):  # the attacker waits out each delay and fails again (all within 15 minutes)
        now += sign_in.backoff(sign_in.PER_ACCOUNT + n)
        assert _attempt(store, "truongdoan", "x", f"10.1.{n}.1", now=now) == "refused"
        try:
            sign_in.authenticate(store, "truongdoan", "x", "10.2.0.1", now=now)
        except sign_in.Throttled as error:
            waits.append(error.retry_after)
    assert waits == sorted(waits) and len(waits) == 9
    assert waits[0] <= 3 and waits[-1] == 5 * 60 + 1
    assert sign_in.backoff(100) == sign_in.MAX_BACKOFF == dt.timedelta(minutes=5)
    owner_time = now + sign_in.MAX_BACKOFF
    assert _attempt(store, "truongdoan", PASSWORDS["truongdoan"], "192.0.2.50", now=owner_time) == "ok"


def test_old_failures_are_purged_and_the_table_stays_bounded(store):
    old = (T0 - dt.timedelta(days=3)).isoformat(timespec="seconds")

    def many_old(db):
        for n in range(500):
            sql.record_login_failure(db, f"ai-do-{n}", f"10.9.{n // 250}.{n % 250}", old)
    store.write(many_old)
    assert store.read(sql.count_all_login_failures) == 500
    assert _attempt(store, "thanhvien", "x", "203.0.113.80", now=T0) == "refused"
    assert store.read(sql.count_all_login_failures) == 1
    for n in range(200):  # one address hammering: only what the limits let through is stored
        _attempt(store, f"nguoi-{n % 7}", "x", "203.0.113.81", now=T0)
    assert store.read(sql.count_all_login_failures) == 1 + sign_in.PER_ADDRESS


def test_a_right_password_clears_that_address_failures(store):
    for _ in range(4):
        assert _attempt(store, "thuky", "x", "203.0.113.90", now=T0) == "refused"
    assert _attempt(store, "thuky", PASSWORDS["thuky"], "203.0.113.90", now=T0) == "ok"
    assert store.read(sql.count_login_failures, "thuky", "203.0.113.90", "2000-01-01") == 0


LOOK_ALIKES = {
    "fullwidth": "ｔｈｕｋｙ２",
    "cyrillic": "\u0430dmin2",            # Cyrillic а
    "zero_width": "thu\u200bky",
    "nfd_twin": "ngo\u0323c",              # o + combining dot below
    "rtl_override": "\u202eadmin",
    "space": "thu ky",
    "too_short": "a",
    "too_long": "a" * 65,
    "accented": "ngọc",
}


@pytest.mark.parametrize("name", list(LOOK_ALIKES))
def test_cli_refuses_look_alike_usernames(runner, store, name):
    username = LOOK_ALIKES[name]
    result = runner.invoke(args=["create-user", "--username", username, "--password", "pw-123456",
                                 "--role", "viewer"])
    assert result.exit_code == 2 and "Tên đăng nhập không hợp lệ" in result.output
    assert store.read(sql.get_user_by_username, username) is None
    assert len(store.read(sql.list_users)) == 7


@pytest.mark.parametrize("name", ["fullwidth", "cyrillic", "zero_width", "nfd_twin", "rtl_override"])
def test_admin_page_refuses_look_alike_usernames(login_as, store, name):
    client = login_as("admin")
    response = client.post("/admin/users", data={
        "username": LOOK_ALIKES[name], "password": "pw-123456", "role": "viewer",
        "csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 400
    assert "Tên đăng nhập không hợp lệ" in response.get_data(as_text=True)
    assert len(store.read(sql.list_users)) == 7


def test_a_safe_username_is_stored_in_lower_case(runner, store, client):
    result = runner.invoke(args=["create-user", "--username", "Nguyen.Van-A_1", "--password", "pw-123456",
                                 "--role", "viewer"])
    assert result.exit_code == 0, result.output
    assert store.read(sql.get_user_by_username, "nguyen.van-a_1")["username"] == "nguyen.van-a_1"
    again = runner.invoke(args=["create-user", "--username", "NGUYEN.VAN-A_1", "--password", "pw-123456",
                                "--role", "viewer"])
    assert again.exit_code == 2 and "đã tồn tại" in again.output
    assert _login(client, "Nguyen.Van-A_1", "pw-123456", "192.0.2.77").status_code == 302
