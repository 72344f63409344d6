"""HSTS over HTTPS, Permissions-Policy, no caching of what a signed-in user sees, the
database and its WAL/SHM readable by the owner only, and a signing key whose
passphrase is missing answering with a clear message instead of a 500."""
from __future__ import annotations

import os
import stat


from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import minutes as minutes_sql
from survey_app.storage import visits as visits_sql

from .conftest import PASSWORDS, make_app
from .support import api_headers, seed_visit, signature_b64
from .test_authorization_matrix import TABLE
from .test_headers_sessions import HTML_PAGES, _path
from . import security_world as world

HTTPS = "https://localhost/"


def test_hsts_only_when_served_over_https(app):
    client = app.test_client()
    secure = client.get("/login", base_url=HTTPS)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login").headers  # plain HTTP on a LAN


def test_permissions_policy_and_no_store_on_every_signed_in_page(app, login_as):
    ids = world.build(app)
    client = login_as("admin")
    for endpoint in HTML_PAGES:
        response = client.get(_path(endpoint, ids), base_url=HTTPS)
        assert response.status_code < 400, endpoint
        assert "geolocation=()" in response.headers["Permissions-Policy"], endpoint
        assert "microphone=()" in response.headers["Permissions-Policy"], endpoint
        if response.mimetype in ("text/html", "application/json"):
            assert response.headers["Cache-Control"] == "no-store", endpoint
    assert "Permissions-Policy" in app.test_client().get("/login").headers
    assert TABLE["api.me"][0] == "/api/v1/me"
    token = world.tokens(app.extensions["survey_store"])["admin"]
    api = app.test_client().get("/api/v1/me", headers=world.bearer(token))
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_own_caching(login_as):
    client = login_as("admin")
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] != "no-store"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_and_shm_are_created_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask: without care the files would be 0644
    try:
        app = make_app(tmp_path)
        store = app.extensions["survey_store"]
        store.write(lambda db: db.execute("CREATE TABLE IF NOT EXISTS t (x)"))
        database = app.config["DATABASE"]
        for path in (database, f"{database}-wal", f"{database}-shm"):
            assert os.path.exists(path), path
            assert _mode(path) == 0o600, (path, oct(_mode(path)))
        store.close()
    finally:
        os.umask(old)


def test_a_database_found_readable_by_others_is_narrowed(tmp_path, demo_instance):
    import shutil
    shutil.copytree(demo_instance, tmp_path / "instance")
    database = tmp_path / "instance" / "survey_app.db"
    os.chmod(database, 0o644)
    app = make_app(tmp_path)
    assert _mode(database) == 0o600
    app.extensions["survey_store"].close()


def _signature() -> str:
    return signature_b64(size=(200, 80), stroke=[(10, 60), (90, 10), (190, 50)])


def test_missing_key_passphrase_is_a_clear_503_and_nothing_is_signed(app, runner, store):
    certs = app.instance_path + "/certs"
    minutes_keys.ensure_certificate(certs)
    os.remove(os.path.join(certs, minutes_keys.PASS))
    headers = api_headers(runner, "thuky")
    client = app.test_client()
    visit_id = seed_visit(store)["id"]
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    for role, name in (("head", "Đinh Ly An"), ("secretary", "Nguyễn Thị Thu")):
        response = client.post(f"/api/v1/visits/{visit_id}/minutes/signatures", headers=headers,
                               json={"role": role, "name": name, "image": _signature()})
        assert response.status_code == 201, response.get_json()
    last = client.post(f"/api/v1/visits/{visit_id}/minutes/signatures", headers=headers,
                       json={"role": "host", "name": "Trần Văn Hùng", "image": _signature()})
    assert last.status_code == 503
    assert "mật khẩu của tệp khóa" in last.get_json()["error"]
    latest = store.read(minutes_sql.latest_version, 1)
    assert latest["status"] == "final"
    assert {s["role"] for s in store.read(minutes_sql.signatures_of, latest["id"])} == {"head", "secretary"}
    assert store.read(visits_sql.get_visit, 1)["status"] != "signed"
    # The administrator's certificate page still opens and offers to install one again.
    admin = app.test_client()
    admin.environ_base["wsgi.url_scheme"] = "https"
    from .conftest import login
    assert login(admin, "admin", PASSWORDS["admin"]).status_code == 302
    assert admin.get("/admin/certificate").status_code == 200
