"""Fixtures: an app on a real SQLite file in tmp_path, its test client and CLI runner."""
from __future__ import annotations

import re
import shutil

import pytest

from survey_app import create_app
from survey_app.demo import DEMO_ACCOUNTS, load_demo
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import units as units_sql

from .live import browser, context, live_server, page  # noqa: F401  (fixtures for every module)
from .signing_pki import pki, softhsm  # noqa: F401  (one test PKI and one SoftHSM2 per session)
from .report_world import rapp, rclient, report_instance, rstore  # noqa: F401  (the survey report's world)
from .support import api_headers, seed_visit

PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}


def make_app(folder, **config):
    return create_app({"INSTANCE_PATH": str(folder / "instance"), "TESTING": True,
                       "EXPORTS_DIR": str(folder / "exports"), "SECRET_KEY": "test", **config})


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory):
    """An instance folder with the demo loaded once (password hashing is slow on purpose)."""
    folder = tmp_path_factory.mktemp("demo")
    app = make_app(folder)
    load_demo(app.extensions["survey_store"], app.extensions["survey_forms"],
              app.extensions["survey_files"] / "photos")
    app.extensions["survey_store"].close()
    return folder / "instance"


@pytest.fixture
def app(tmp_path, demo_instance):
    """An app on its own copy of the demo database."""
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path)
    yield app
    app.extensions["survey_store"].close()


@pytest.fixture
def store(app):
    return app.extensions["survey_store"]


@pytest.fixture
def demo(store):
    return store


@pytest.fixture
def client(app):
    # Session cookies are Secure: the test client speaks HTTPS so it sends them back.
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client, username, password=None):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                       "csrf_token": token})


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


@pytest.fixture
def login_as(client, demo):
    def _login(username):
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return _login


@pytest.fixture
def token(runner):
    """`token(username)` gives the Authorization header of a fresh API token; without
    a username, the secretary's (who drafts and finalizes minutes)."""
    def make(username="thuky"):
        return api_headers(runner, username)
    return make


@pytest.fixture
def seed_visit_id(store) -> int:
    """The demo visit's row id, looked up by the seed document's uuid."""
    return seed_visit(store)["id"]


@pytest.fixture
def unit_id(store):
    """`unit_id(name)`: a demo unit's row id, looked up by its name."""
    def find(name: str) -> int:
        return store.read(units_sql.get_unit_by_name, name)["id"]
    return find


@pytest.fixture(scope="session")
def certs_folder(tmp_path_factory):
    """The organisation certificate made once (RSA 3072 key generation is slow)."""
    folder = tmp_path_factory.mktemp("certs") / "certs"
    minutes_keys.ensure_certificate(folder)
    return folder


@pytest.fixture
def installed_certs(app, certs_folder):
    """The organisation certificate in the app's instance: minutes can be sealed. A module
    whose every test seals uses it with `pytestmark = pytest.mark.usefixtures("installed_certs")`."""
    shutil.copytree(certs_folder, f"{app.instance_path}/certs")


@pytest.fixture
def visit(seed_visit_id) -> int:
    """The demo visit's id, under the name the minutes tests use."""
    return seed_visit_id
