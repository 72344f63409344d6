"""A populated instance for the security tests: concrete ids of every kind of object
(visits, minutes, recommendations, evidence, photos), of the demo delegation and of a
foreign delegation and unit that no demo user belongs to or represents."""
from __future__ import annotations

import base64
import shutil
import uuid as uuidlib


from survey_app.demo import seed_document
from survey_app.domain.accounts import operations as accounts
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import evidence as followup_evidence
from survey_app.domain.followup import reminders
from survey_app.domain.followup import reports as followup_reports
from survey_app.domain.visits import document as visit_io
from survey_app.domain.visits import photos as visit_photos
from survey_app.domain.visits.operations import load_visit  # noqa: F401  (the loader the app uses)
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import units as units_sql
from survey_app.storage import visits as visits_sql

from .conftest import make_app
from .report_world import published_report_world
from .support import data_url, png_bytes, seed_visit

ROLES = {"anonymous": None, "admin": "admin", "secretary": "thuky", "head": "truongdoan",
         "member": "thanhvien", "host": "xahra", "other_host": "xaiahru", "viewer": "xem"}
FOREIGN_UNIT = "UBND xã Ngoài Đoàn"
CLI_USER = {"id": None, "role": "admin", "full_name": "test", "username": "test", "unit_id": None}


def document(delegation: str | None = None, unit: str | None = None) -> dict:
    doc = seed_document()
    doc["uuid"] = str(uuidlib.uuid4())
    if delegation:
        doc["delegation"] = {**doc["delegation"], "name": delegation,
                             "members": [{"name": "Người Ngoài Một", "role": "head"},
                                         {"name": "Người Ngoài Hai", "role": "secretary"}]}
    if unit:
        doc["host"] = {**doc["host"], "unit": unit}
        doc["recommendations"] = [{**r, "addressee": unit} for r in doc["recommendations"]]
        doc["proposals"] = [{**p, "addressee": unit} for p in doc.get("proposals", [])]
    for photo in doc.get("photos", []):
        photo["data"] = base64.b64encode(png_bytes((len(photo["caption"]) % 255, 9, 9))).decode()
    return doc


def tokens(store) -> dict:
    return {role: accounts.create_token(store, username) for role, username in ROLES.items() if username}


def bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def world_app(tmp_path_factory, demo_instance, name: str, **config):
    """A module's own app on a copy of the demo instance, with the world built in it:
    (app, ids, folder). The caller closes `app.extensions["survey_store"]`."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copytree(demo_instance, folder / "instance")
    app = make_app(folder, **config)
    return app, build(app), folder


def build(app) -> dict:
    """Create the objects; return their ids as {name: value}."""
    store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
    photos = app.extensions["survey_files"] / "photos"
    evidence_dir = app.extensions["survey_files"] / "evidence"
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    admin = bearer(accounts.create_token(store, "admin"))
    own = seed_visit(store)["id"]  # delegation of thuky/truongdoan/thanhvien, unit of xahra
    frozen = visit_io.import_document(store, forms, CLI_USER, document(), photos)["id"]
    foreign = visit_io.import_document(store, forms, CLI_USER,
                                       document("Đoàn khảo sát khác (không có người dùng demo)", FOREIGN_UNIT),
                                       photos)["id"]
    for visit_id in (frozen, foreign):
        response = client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=admin, json={"confirm": True})
        assert response.status_code == 200, response.get_data(as_text=True)
    ids = {"own": own, "frozen": frozen, "foreign": foreign}
    admin_user = store.read(accounts_sql.get_user_by_username, "admin")
    for name, visit_id in ids.copy().items():
        item = min(store.read(rec_sql.rows_of_visit, visit_id))
        saved = followup_evidence.save(evidence_dir, [("../../etc/passwd", png_bytes())])
        followup.report_progress(store, admin_user, item, status="in_progress", note="minh chứng", files=saved)
        ids[f"{name}_rec"] = item
        ids[f"{name}_evidence"] = next(evidence["id"] for update in store.read(rec_sql.updates_of, item)
                                       for evidence in update["evidence"])
        ids[f"{name}_photo"] = next(photo["uid"] for photo in store.read(visits_sql.items_of, visit_id, "photo")
                                    if photo["data"].get("sha256")) if name != "own" \
            else _own_photo(store, forms, photos, own)
        ids[f"{name}_unit"] = store.read(visits_sql.get_visit, visit_id)["unit_id"]
    store.write(units_sql.ensure_unit, FOREIGN_UNIT, "")
    calendar_user = accounts.create_user(store, "lich", "lich-123456", "viewer", None, "Lịch")
    ids["calendar"] = reminders.create_calendar_token(store, store.read(accounts_sql.get_user, calendar_user))
    ids["foreign_uuid"] = store.read(visits_sql.get_visit, foreign)["uuid"]
    ids["own_uuid"] = store.read(visits_sql.get_visit, own)["uuid"]
    ids["own_delegation"] = store.read(visits_sql.get_visit, own)["delegation_id"]
    ids["foreign_delegation"] = store.read(visits_sql.get_visit, foreign)["delegation_id"]
    survey = published_report_world(app)  # a delegation's survey report, final and published
    ids["report_delegation"], ids["public_report"] = survey["delegation"], survey["report"]
    # follow-up reports: the secretary's draft, and one only an admin prepared
    secretary = store.read(accounts_sql.get_user_by_username, "thuky")
    ids["own_report"] = followup_reports.create_draft(store, secretary, {}, "Đinh Ly An")
    ids["foreign_report"] = followup_reports.create_draft(store, admin_user, {}, "Người Ngoài Một")
    return ids


def _own_photo(store, forms, folder, visit_id: int) -> str:
    """The seed visit's photos have no file: add one through the upload operation."""
    admin = store.read(accounts_sql.get_user_by_username, "admin")
    visit_photos.add_photo(store, forms, admin, visit_id, folder, png_bytes((1, 2, 3)), uid="world-photo-own")
    return "world-photo-own"


def png_base64() -> str:
    return data_url(png_bytes())
