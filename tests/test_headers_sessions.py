"""Security headers on every page, session cookie flags and rotation at login, CSRF on
every state-changing page route (walked from the url_map), login throttling, API
tokens revocable from the CLI."""
from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from . import security_world as world
from .conftest import PASSWORDS, csrf_token, login
from .test_authorization_matrix import TABLE

HTML_PAGES = [endpoint for endpoint, (template, get_roles, _, _) in TABLE.items()
              if get_roles and not template.startswith(("/api/", "/static", "/vendor", "/sw.js"))]


def _path(endpoint, ids):
    names = {"visit": ids["own"], "frozen": ids["frozen"], "rec": ids["own_rec"], "evidence": ids["own_evidence"],
             "photo": ids["own_photo"], "unit": ids["own_unit"], "calendar": ids["calendar"],
             "uuid": ids["own_uuid"], "delegation": ids["own_delegation"], "report": ids["own_report"],
             "survey": ids["report_delegation"], "public_report": ids["public_report"]}
    return TABLE[endpoint][0].format(**names)


@pytest.fixture
def world_ids(app):
    return world.build(app)


def test_security_headers_on_every_page(app, login_as, world_ids):
    client = login_as("admin")
    html_pages = 0
    for endpoint in HTML_PAGES:
        response = client.get(_path(endpoint, world_ids))
        assert response.status_code < 400, endpoint
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", endpoint
        assert headers["X-Frame-Options"] == "DENY", endpoint
        csp = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        if response.mimetype == "text/html":
            html_pages += 1
            body = response.get_data(as_text=True)
            # No inline script for the CSP to refuse: scripts come from 'self' files only
            # (a JSON data block is not run).
            assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", body), endpoint
            assert not re.search(r"\son[a-z]+\s*=", body), endpoint
    assert html_pages >= 15
    for path in ("/login", "/api/v1/me", "/nowhere"):
        assert app.test_client().get(path).headers["X-Frame-Options"] == "DENY"


def _session_cookie(response) -> dict:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            cookie = SimpleCookie(header)["session"]
            flags = {part.strip().lower() for part in header.split(";")}
            return {"value": cookie.value, "secure": "secure" in flags, "httponly": "httponly" in flags,
                    "samesite": cookie["samesite"].lower()}
    raise AssertionError("no session cookie")


def test_session_cookie_flags_and_rotation_at_login(app, client, demo):
    token = csrf_token(client)  # the anonymous session (holds the CSRF token)
    before = client.get_cookie("session").value
    response = client.post("/login", data={"username": "truongdoan", "password": PASSWORDS["truongdoan"],
                                           "csrf_token": token})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] in ("lax", "strict")
    assert cookie["value"] != before
    # A session captured before login does not authenticate (no fixation).
    attacker = app.test_client()
    attacker.environ_base["wsgi.url_scheme"] = "https"
    attacker.set_cookie("session", before, domain="localhost", secure=True)
    assert attacker.get("/visits").status_code == 302
    assert client.get("/visits").status_code == 200
    # Logout ends it: the old cookie no longer authenticates either... for this client.
    logout = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert logout.status_code == 302 and client.get("/visits").status_code == 302


def test_a_sign_in_lasts_twelve_hours_from_login(client, demo):
    """The session cookie is set at login with a 12-hour lifetime and not sent again
    on ordinary requests: a captured cookie cannot be kept alive by using it."""
    import email.utils
    import time
    response = client.post("/login", data={"username": "thanhvien", "password": PASSWORDS["thanhvien"],
                                           "csrf_token": csrf_token(client)})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = email.utils.parsedate_to_datetime(SimpleCookie(header)["session"]["expires"]).timestamp()
    assert abs(expires - (time.time() + 12 * 3600)) < 120
    client.get("/visits")  # the first page stores the form token in the session
    later = client.get("/visits")
    assert later.status_code == 200
    assert not [h for h in later.headers.getlist("Set-Cookie") if h.startswith("session=")]


def _state(store) -> tuple:
    db = store.db
    return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in
                 ("users", "visits", "visit_items", "visit_fields", "applied_changes", "minutes_versions",
                  "minutes_signatures", "recommendation_updates", "calendar_tokens", "audit_log",
                  "delegation_signatories", "delegations", "memberships"))


def test_csrf_on_every_state_changing_page_route(app, login_as, world_ids, store):
    client = login_as("admin")
    bodies = {"visits.changes": {"json": {"id": "csrf-test-0001", "target": "host.place", "op": "set",
                                          "value": "x", "base_version": 0}},
              "visits.from_device": {"json": {"uuid": "csrf-device-01", "delegation": world_ids["own_delegation"], "unit": "UBND xã Hra",
                                              "form": "ttpvhcc-xa", "started_at": "2025-10-14T08:00:00+07:00"}},
              "admin.users": {"data": {"username": "csrf", "password": "csrf-123456", "role": "viewer"}},
              "followup.post_update": {"data": {"note": "csrf"}},
              "minutes.sign_role": {"data": {"host-name": "X", "host-image": world.png_base64()}}}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or not rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            before = _state(store)
            response = client.open(_path(rule.endpoint, world_ids), method=method,
                                   **bodies.get(rule.endpoint, {"data": {"decision": "accept"}}))
            assert response.status_code == 400, (rule.endpoint, response.status_code)
            assert _state(store) == before, rule.endpoint
            checked += 1
    assert checked >= 15
    assert client.get("/visits").status_code == 200  # still signed in: logout was refused too


def test_login_throttling(client, demo):
    for attempt in range(5):
        response = login(client, "thanhvien", "wrong password")
        assert response.status_code == 401
    throttled = login(client, "thanhvien")  # even the right password now waits
    assert throttled.status_code == 429
    assert "15 phút" in throttled.get_data(as_text=True)


def test_api_tokens_are_revocable(runner, client):
    tokens = [runner.invoke(args=["token", "create", "thuky"]).output.strip() for _ in range(2)]
    for token in tokens:
        assert client.get("/api/v1/me", headers=world.bearer(token)).status_code == 200
    result = runner.invoke(args=["token", "revoke", "thuky"])
    assert result.exit_code == 0 and "2" in result.output
    for token in tokens:
        response = client.get("/api/v1/me", headers=world.bearer(token))
        assert response.status_code == 401 and response.get_json()["field"] == "Authorization"
    assert client.get("/api/v1/me", headers={"Authorization": "Basic dGh1a3k6eA=="}).status_code == 401
    assert client.get("/api/v1/me", headers=world.bearer("x" * 43)).status_code == 401
