"""The CLI through the runner; anonymous access over the whole url_map; backup/restore."""
from __future__ import annotations

import re

import pytest

from survey_app.storage import accounts as sql
from survey_app.storage import delegations as delegations_sql

ALLOWED_ANONYMOUS = {"auth.login", "static", "vendor.asset", "shell.health", "verify.page",
                     "offline.service_worker", "offline.manifest",
                     "followup_docs.calendar_feed",  # login, static files, health
                     # the public pages of published survey reports (issue 13)
                     "public.index", "public.report", "public.report_json", "public.report_pdf", "public.feed"}


def test_init_twice_duplicates_nothing(runner, store):
    first = runner.invoke(args=["init", "--demo"])
    second = runner.invoke(args=["init", "--demo"])
    assert first.exit_code == second.exit_code == 0
    assert "demo-truongdoan-2025" in second.output
    usernames = [u["username"] for u in store.read(sql.list_users)]
    assert sorted(usernames) == sorted(set(usernames)) and len(usernames) == 7
    assert len(store.read(delegations_sql.list_delegations)) == 1


def test_create_user_and_its_errors(runner, store):
    ok = runner.invoke(args=["create-user", "--username", "ub2", "--password", "pw-123456",
                             "--role", "host", "--unit", "UBND xã Hra", "--full-name", "Phạm Thị Ánh"])
    assert ok.exit_code == 0, ok.output
    user = store.read(sql.get_user_by_username, "ub2")
    assert user["full_name"] == "Phạm Thị Ánh" and user["password_hash"] != "pw-123456"
    bad_role = runner.invoke(args=["create-user", "--username", "a", "--password", "b", "--role", "chief"])
    assert bad_role.exit_code == 2 and "'chief'" in bad_role.output
    bad_unit = runner.invoke(args=["create-user", "--username", "a", "--password", "b",
                                   "--role", "host", "--unit", "Xã Ma"])
    assert bad_unit.exit_code == 2 and "'Xã Ma'" in bad_unit.output
    assert store.read(sql.get_user_by_username, "a") is None


def test_token_create_authenticates_api_and_revoke_stops_it(runner, client, store):
    result = runner.invoke(args=["token", "create", "xem"])
    token = result.output.strip()
    assert result.exit_code == 0 and len(token) >= 40
    # How the token is stored is the storage's own concern: read the table itself.
    assert token not in str(list(store.db.query("SELECT * FROM api_tokens")))  # stored hashed
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["role"] == "viewer"
    assert runner.invoke(args=["token", "revoke", "xem"]).exit_code == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(args=["token", "create", "nobody"]).exit_code == 2


def _concrete(rule):
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % arg, "1" if arg != "filename" else "css/app.css", path)
    return path


def test_every_route_refuses_anonymous_users(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ALLOWED_ANONYMOUS:
            continue
        path = _concrete(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
                assert response.get_json()["error"]
            elif method == "GET":
                assert response.status_code == 302, (method, path)
                assert "/login" in response.headers["Location"]
            else:  # a state change without a session: refused before anything runs
                assert response.status_code in (302, 400), (method, path)
            checked += 1
    assert checked >= 5


def test_backup_then_restore_gives_the_same_data(runner, store, tmp_path):
    backup = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    runner.invoke(args=["create-user", "--username", "later", "--password", "pw-123456", "--role", "viewer"])
    assert store.read(sql.get_user_by_username, "later") is not None
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert store.read(sql.get_user_by_username, "later") is None
    assert store.read(sql.get_user_by_username, "truongdoan") is not None


@pytest.mark.parametrize("content", [b"not a database at all", b""])
def test_restore_refuses_foreign_files_and_keeps_data(runner, store, tmp_path, content):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(content)
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code == 2 and ("survey_app" in result.output or "SQLite" in result.output)
    assert store.read(sql.get_user_by_username, "truongdoan") is not None


def test_restore_refuses_another_sqlite_database(runner, store, tmp_path):
    import sqlite3
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    result = runner.invoke(args=["restore", str(other)])
    assert result.exit_code == 2 and "không phải là bản sao lưu của survey_app" in result.output
    assert len(store.read(sql.list_users)) == 7
