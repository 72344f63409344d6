"""Demo data: one account per role and the delegation of the seed case
(Ban Pháp chế HĐND tỉnh Gia Lai at the public administrative service centre of Hra)."""
from __future__ import annotations

import json
from pathlib import Path

from survey_app.domain.accounts import operations as accounts
from survey_app.domain.directory import delegations
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import units as units_sql

SEED_VISIT = Path(__file__).with_name("hra-visit.json")
# Two more visits of the seed delegation (other communes, realistic figures), so that
# the survey report compares three units; their minutes are finalized by `init --demo`.
SURVEY_VISITS = [Path(__file__).with_name(name) for name in ("dakdoa-visit.json", "iagrai-visit.json")]
HOST_UNIT = "UBND xã Hra"
OTHER_UNIT = "UBND xã Ia Hrú"

# (username, password, role, unit, full name): also listed in README.md.
DEMO_ACCOUNTS = [
    ("admin", "demo-admin-2025", "admin", None, "Quản trị hệ thống"),
    ("thuky", "demo-thuky-2025", "secretary", None, "Nguyễn Thị Thu"),
    ("truongdoan", "demo-truongdoan-2025", "head", None, "Đinh Ly An"),
    ("thanhvien", "demo-thanhvien-2025", "member", None, "Rơ Mah Khuê"),
    ("xahra", "demo-xahra-2025", "host", HOST_UNIT, "Trần Văn Hùng"),
    ("xaiahru", "demo-xaiahru-2025", "host", OTHER_UNIT, "Lê Thị Hoa"),
    ("xem", "demo-xem-2025", "viewer", None, "Người theo dõi"),
]


def seed_document() -> dict:
    return json.loads(SEED_VISIT.read_text(encoding="utf-8"))


def _ensure_units(db) -> None:
    units_sql.ensure_unit(db, HOST_UNIT, "xã Hra")
    units_sql.ensure_unit(db, "Trung tâm Phục vụ hành chính công xã Hra", "xã Hra")
    units_sql.ensure_unit(db, OTHER_UNIT, "xã Ia Hrú")
    units_sql.ensure_unit(db, "UBND xã Đak Đoa", "xã Đak Đoa")
    units_sql.ensure_unit(db, "UBND xã Ia Grai", "xã Ia Grai")


def load_demo(store, forms=None, photos_dir=None) -> list[tuple[str, str, str]]:
    """Create what is missing (running it twice duplicates nothing); return the accounts.
    With the forms, the seed visit is imported too (idempotent by its uuid)."""
    store.write(_ensure_units)
    user_ids = {}
    for username, password, role, unit, full_name in DEMO_ACCOUNTS:
        user = store.read(accounts_sql.get_user_by_username, username)
        user_ids[username] = user["id"] if user else accounts.create_user(
            store, username, password, role, unit, full_name)
    seed = seed_document()["delegation"]
    delegations.ensure_delegation(
        store, name=seed["name"], body=seed["body"], parent_body=seed["parent_body"],
        topic=seed["topic"], members=[
            {"name": "Đinh Ly An", "title": "Trưởng Ban Pháp chế HĐND tỉnh", "role": "head",
             "user_id": user_ids["truongdoan"]},
            {"name": "Rơ Mah Khuê", "title": "Phó Trưởng Ban Pháp chế HĐND tỉnh", "role": "member",
             "user_id": user_ids["thanhvien"]},
            {"name": "Nguyễn Thị Thu", "title": "Chuyên viên Văn phòng Đoàn ĐBQH và HĐND tỉnh",
             "role": "secretary", "user_id": user_ids["thuky"]},
        ])
    if forms is not None:
        from survey_app.domain.visits.document import import_document
        head = store.read(accounts_sql.get_user, user_ids["truongdoan"])
        import_document(store, forms, head, seed_document(), photos_dir)
    return [(u, p, r) for u, p, r, _, _ in DEMO_ACCOUNTS]


def load_survey_visits(store, forms, photos_dir=None) -> list[int]:
    """Import the two more visits of the seed delegation (idempotent by uuid); their ids."""
    from survey_app.domain.visits.document import import_document
    from survey_app.storage import visits as visits_sql
    head = store.read(accounts_sql.get_user_by_username, "truongdoan")
    ids = []
    for path in SURVEY_VISITS:
        doc = json.loads(path.read_text(encoding="utf-8"))
        found = store.read(visits_sql.get_visit_by_uuid, doc["uuid"])
        ids.append(found["id"] if found else import_document(store, forms, head, doc, photos_dir)["id"])
    return ids


def finalize_survey_minutes(store, forms, env, visit_ids: list[int]) -> None:
    """The two more visits took place before the demo opens: their minutes are final
    (the seed visit at Hra stays open, so the report waits for its minutes)."""
    from survey_app.domain.minutes import operations as minutes_ops
    from survey_app.storage import visits as visits_sql
    secretary = store.read(accounts_sql.get_user_by_username, "thuky")
    for visit_id in visit_ids:
        if store.read(visits_sql.get_visit, visit_id)["status"] in ("planned", "in_progress", "minutes_draft"):
            minutes_ops.finalize_minutes(store, forms, env, secretary, visit_id, confirmed=True)
