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

from .support import seed_visit, user

DELEGATION = 1


def make_app(folder, **config):
    from .conftest import make_app as make  # conftest imports this module's fixtures
    return make(folder, **config)


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
            minutes_ops.finalize_minutes(store, forms, minutes_env(app), secretary, visit_id, confirmed=True)
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


def published_report_world(app) -> dict:
    """A second delegation of the demo's head, secretary and member with one visit (at a
    unit without host) whose minutes are final, and its survey report final and
    published: {delegation, report}."""
    import uuid as uuid_lib

    from survey_app.demo import seed_document
    from survey_app.domain.directory.delegations import ensure_delegation
    from survey_app.domain.survey_report import operations as report_ops
    from survey_app.domain.visits.document import import_document

    store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
    name = "Đoàn khảo sát lập báo cáo"
    doc = seed_document()
    doc["uuid"] = str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, name))
    doc["delegation"] = {**doc["delegation"], "name": name}
    # at a unit without a host account, so the demo's hosts see nothing new
    doc["host"] = {**doc["host"], "unit": "UBND xã Đak Đoa", "locality": "xã Đak Đoa", "attendees": []}
    doc["recommendations"] = [{k: v for k, v in r.items() if k != "addressee"} for r in doc["recommendations"]]
    members = [{"name": full, "title": title, "role": role, "user_id": user(store, username)["id"]}
               for full, title, role, username in (
                   ("Đinh Ly An", "Trưởng Ban Pháp chế HĐND tỉnh", "head", "truongdoan"),
                   ("Rơ Mah Khuê", "Phó Trưởng Ban Pháp chế HĐND tỉnh", "member", "thanhvien"),
                   ("Nguyễn Thị Thu", "Chuyên viên", "secretary", "thuky"))]
    delegation = ensure_delegation(store, name=name, body=doc["delegation"]["body"],
                                   parent_body=doc["delegation"]["parent_body"], topic=doc["delegation"]["topic"],
                                   members=members)
    admin = user(store, "admin")
    with app.app_context():
        visit = import_document(store, forms, admin, doc, app.extensions["survey_files"] / "photos")["id"]
        minutes_ops.finalize_minutes(store, forms, minutes_env(app), admin, visit, confirmed=True)
        report = report_ops.finalize(store, forms, minutes_env(app), admin, delegation)
        report_ops.publish(store, user(store, "truongdoan"), delegation)
    return {"delegation": delegation, "report": report["id"]}
