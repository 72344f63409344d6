"""A demo instance whose seed delegation holds three visits with final minutes (the seed
visit at Hra and the two more of `survey_app.demo`), made once per session and copied
for each test: the survey report's tests start from it."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from survey_app.demo import load_survey_visits
from survey_app.domain.minutes import operations as minutes_ops
from survey_app.services import minutes_env

from .conftest import make_app
from .support import seed_visit, user

DELEGATION = 1


@pytest.fixture(scope="session")
def report_instance(tmp_path_factory, demo_instance):
    folder = tmp_path_factory.mktemp("report")
    shutil.copytree(demo_instance, folder / "instance")
    app = make_app(folder)
    store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
    with app.app_context():
        ids = load_survey_visits(store, forms, app.extensions["survey_files"] / "photos")
        secretary = user(store, "thuky")
        for visit_id in [seed_visit(store)["id"], *ids]:
            minutes_ops.finalize_minutes(store, forms, minutes_env(app), secretary, visit_id)
    store.close()
    return folder / "instance"


@pytest.fixture
def rapp(tmp_path, report_instance):
    shutil.copytree(report_instance, tmp_path / "instance")
    app = make_app(tmp_path, PUBLIC_RATE_LIMIT="1000 per minute")
    yield app
    app.extensions["survey_store"].close()


@pytest.fixture
def rstore(rapp):
    return rapp.extensions["survey_store"]


@pytest.fixture
def rclient(rapp):
    client = rapp.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
