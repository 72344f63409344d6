"""Access rules in one module (domain/access.py) and the access findings of the
penetration test (issue 15): planning for another delegation (1), autosave message ids
per visit and user (11), a recommendation's history when its addressee changes (12),
parallel plans with one uuid (13), what a host sees in the lists' options (15)."""
from __future__ import annotations

import concurrent.futures
import http.cookies
import json
import re
import threading
import urllib.error
import urllib.request
import uuid as uuidlib

import pytest

from survey_app.demo import HOST_UNIT, OTHER_UNIT
from survey_app.domain import access
from survey_app.domain.accounts import operations as accounts
from survey_app.domain.directory import delegations
from survey_app.domain.errors import Forbidden
from survey_app.domain.followup import evidence as followup_evidence
from survey_app.domain.followup import operations as followup
from survey_app.domain.visits import changes
from survey_app.domain.visits import document as visit_io
from survey_app.domain.visits import queries as visit_queries
from survey_app.domain.visits.operations import plan_visit
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import visits as visits_sql
from survey_app.storage import units as units_sql

from . import security_world as world
from .conftest import csrf_token
from .live import LiveServer
from .support import user

FORM = "ttpvhcc-xa"
OTHER_DELEGATION = "Đoàn giám sát của Ban Kinh tế - Ngân sách"
FOREIGN_DELEGATION = "Đoàn khảo sát khác (không có người dùng demo)"


def forms_of(app):
    return app.extensions["survey_forms"]


def plan_json(delegation_id, uuid=None, **changes):
    return {"uuid": uuid or str(uuidlib.uuid4()), "delegation": delegation_id, "unit": HOST_UNIT, "form": FORM,
            "started_at": "2025-11-03T08:00:00+07:00", "place": "Hội trường", **changes}


def count(store, table: str) -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def foreign_visit(app) -> int:
    """A visit of a delegation no demo user belongs to, at a unit no demo host represents."""
    store = app.extensions["survey_store"]
    doc = world.document(FOREIGN_DELEGATION, world.FOREIGN_UNIT)
    return visit_io.import_document(store, forms_of(app), world.CLI_USER, doc,
                                    app.extensions["survey_files"] / "photos")["id"]


# ----------------------------------------------------------------- the module itself

def test_the_three_sets_of_roles_are_distinct_and_labelled():
    assert access.USER_ROLES == ("admin", "secretary", "head", "member", "host", "viewer")
    assert access.DELEGATION_POSITIONS == ("head", "deputy", "member", "secretary")
    assert access.SIGNATORY_ROLES == ("head", "secretary", "host")
    for roles, labels in ((access.USER_ROLES, access.USER_ROLE_LABELS),
                          (access.DELEGATION_POSITIONS, access.DELEGATION_POSITION_LABELS),
                          (access.SIGNATORY_ROLES, access.SIGNATORY_LABELS)):
        assert set(labels) == set(roles)
    assert accounts.USER_ROLES is access.USER_ROLES  # the accounts use the one definition


def test_the_active_statuses_are_those_of_the_storage_sql():
    """The domain owns the active statuses; storage's SQL must say the same (it is
    written as the partial index of migration m006 says it, so the planner uses it)."""
    quoted = ",".join(f"'{s}'" for s in followup.ACTIVE_STATUSES)
    assert rec_sql._ACTIVE_SQL == f"r.status IN ({quoted})"


def test_the_default_due_date_is_one_rule(store, seed_visit_id):
    assert followup.default_due("2025-10-13T08:00:00+07:00", 90) == "2026-01-11"
    recs = [r for r in store.read(rec_sql.rows_of_visit, seed_visit_id).values()]
    items = {i["id"]: i for i in store.read(visits_sql.items_of, seed_visit_id, "recommendation")}
    visit = store.read(visits_sql.get_visit, seed_visit_id)
    without = [r for r in recs if not items[r["item_id"]]["data"].get("due")]
    for row in without:  # the rows the follow-up keeps use the same rule
        assert row["due"] == followup.default_due(visit["started_at"], 90)


def test_the_visit_list_filters_in_sql_with_a_fixed_number_of_queries(app, store):
    """The scope is part of the list's query: more visits do not mean more queries."""
    member = user(store, "thanhvien")

    def statements() -> int:
        seen = []
        store.db.conn.set_trace_callback(seen.append)
        try:
            found = visit_queries.find_visits(store, member, {})
        finally:
            store.db.conn.set_trace_callback(None)
        return len(found), len(seen)

    few, few_queries = statements()
    for _ in range(4):  # visits of the member's delegation, imported by the admin
        visit_io.import_document(store, forms_of(app), world.CLI_USER, world.document(),
                                 app.extensions["survey_files"] / "photos")
    foreign_visit(app)
    many, many_queries = statements()
    assert many == few + 4  # the foreign visit is not listed
    assert many_queries == few_queries


# ----------------------------------------------------------------- 15.1 planning

@pytest.fixture
def other_delegation(store):
    return delegations.create_delegation(store, name=OTHER_DELEGATION, body="Ban Kinh tế - Ngân sách HĐND tỉnh")


@pytest.mark.parametrize("username", ["truongdoan", "thuky"])
def test_a_planner_cannot_plan_for_another_delegation(login_as, store, other_delegation, username):
    client = login_as(username)
    token = csrf_token(client, "/visits/new")
    visits, audits = count(store, "visits"), count(store, "audit_log")
    refused = client.post("/visits/from-device", json=plan_json(other_delegation), headers={"X-CSRFToken": token})
    assert refused.status_code == 403, refused.get_data(as_text=True)
    assert "Tài khoản không có quyền lập kế hoạch" in refused.get_json()["error"]
    assert (count(store, "visits"), count(store, "audit_log")) == (visits, audits)
    page = client.get("/visits/new").get_data(as_text=True)
    assert OTHER_DELEGATION not in page and "Ban Pháp chế" in page  # offered: their delegation only
    posted = client.post("/visits/new", data={"csrf_token": token, "delegation": other_delegation, "unit": HOST_UNIT,
                                              "form": FORM, "started_at": "2025-11-03T08:00"})
    assert posted.status_code == 400 and count(store, "visits") == visits
    own = client.post("/visits/from-device", json=plan_json(1), headers={"X-CSRFToken": token})
    assert own.status_code == 201 and count(store, "visits") == visits + 1


def test_planning_needs_the_head_or_secretary_position_in_that_delegation(app, store):
    """A user whose role is head plans only where they are the head or the secretary."""
    forms = forms_of(app)
    head_id = accounts.create_user(store, "truongdoan2", "mat-khau-dai-2025", "head", None, "Trần Hai")
    head = store.read(accounts_sql.get_user, head_id)
    as_member = delegations.create_delegation(store, name="Đoàn A", body="Ban Văn hóa - Xã hội", members=[
        {"name": "Trần Hai", "role": "member", "user_id": head_id}])
    as_head = delegations.create_delegation(store, name="Đoàn B", body="Ban Văn hóa - Xã hội", members=[
        {"name": "Trần Hai", "role": "head", "user_id": head_id}])
    values = dict(unit=HOST_UNIT, form_id=FORM, started_at="2025-11-03T08:00:00+07:00")
    with pytest.raises(Forbidden):
        plan_visit(store, forms, head, delegation_id=as_member, **values)
    with pytest.raises(Forbidden):
        plan_visit(store, forms, user(store, "truongdoan"), delegation_id=as_head, **values)
    visit_id = plan_visit(store, forms, head, delegation_id=as_head, **values)
    assert store.read(visits_sql.get_visit, visit_id)["delegation_id"] == as_head
    admin = user(store, "admin")
    assert plan_visit(store, forms, admin, delegation_id=as_member, **values)  # the admin plans for any


# ----------------------------------------------------------------- 15.11 autosave ids

def _message(store, visit_id, client_id, value, path="conclusion.text"):
    current = store.read(visits_sql.get_field, visit_id, path) or {"version": 0}
    return {"id": client_id, "target": path, "op": "set", "value": value, "base_version": current["version"]}


def test_an_autosave_id_counts_per_visit_and_user(app, store, seed_visit_id):
    forms, admin, member, secretary = forms_of(app), user(store, "admin"), user(store, "thanhvien"), user(store, "thuky")
    other = foreign_visit(app)
    secret = "Kết luận của một đoàn khác, không dành cho thành viên này"
    changes.apply_change(store, forms, admin, other, _message(store, other, "shared-id-0001", secret))

    status, answer = changes.apply_change(store, forms, member, seed_visit_id,
                                          _message(store, seed_visit_id, "shared-id-0001", "Của tôi"))
    assert status == 200 and not answer.get("repeated") and secret not in json.dumps(answer, ensure_ascii=False)
    assert store.read(visits_sql.get_field, seed_visit_id, "conclusion.text")["value"] == "Của tôi"  # applied, not swallowed

    status, answer = changes.apply_change(store, forms, secretary, 1,
                                          _message(store, seed_visit_id, "shared-id-0001", "Của thư ký"))
    assert status == 200 and not answer.get("repeated")  # another user's message with the same id
    assert store.read(visits_sql.get_field, seed_visit_id, "conclusion.text")["value"] == "Của thư ký"

    again = changes.apply_change(store, forms, secretary, seed_visit_id,
                                 {**_message(store, seed_visit_id, "shared-id-0001", "Lần nữa")})
    assert again[1]["repeated"] is True and again[1]["value"] == "Của thư ký"  # a true repeat still is one
    assert store.read(visits_sql.get_field, seed_visit_id, "conclusion.text")["value"] == "Của thư ký"


def test_a_replayed_id_through_the_api_answers_only_the_callers_own_visit(app, store, client, runner,
                                                                         seed_visit_id):
    forms, admin = forms_of(app), user(store, "admin")
    other = foreign_visit(app)
    changes.apply_change(store, forms, admin, other, _message(store, other, "replayed-id-0001", "Bí mật"))
    token = runner.invoke(args=["token", "create", "thanhvien"]).output.strip()
    answer = client.post(f"/api/v1/visits/{seed_visit_id}/changes", headers={"Authorization": f"Bearer {token}"},
                         json=_message(store, seed_visit_id, "replayed-id-0001", "Ý kiến thành viên"))
    assert answer.status_code == 200 and "Bí mật" not in answer.get_data(as_text=True)
    assert answer.get_json()["value"] == "Ý kiến thành viên"


# ----------------------------------------------------------------- 15.12 new addressee

def _readdress(app, store, item: dict, unit: str) -> None:
    message = {"id": str(uuidlib.uuid4()), "target": "recommendation", "op": "set", "item": item["uid"],
               "base_version": store.read(visits_sql.get_item, item["uid"])["version"],
               "value": {**item["data"], "addressee": unit}}
    status, answer = changes.apply_change(store, forms_of(app), user(store, "admin"), item["visit_id"], message)
    assert status == 200, answer


def test_a_new_addressee_does_not_get_the_old_units_history(app, store, client, runner, seed_visit_id):
    from .conftest import login
    item = store.read(visits_sql.items_of, seed_visit_id, "recommendation")[0]
    _readdress(app, store, item, HOST_UNIT)
    old_note = "Ghi chú nội bộ của UBND xã Hra"
    saved = followup_evidence.save(app.extensions["survey_files"] / "evidence",
                                   [("bien-ban-noi-bo.png", world.png_bytes((5, 6, 7)))])
    followup.report_progress(store, user(store, "xahra"), item["id"], status="in_progress", note=old_note,
                             files=saved)
    evidence_id = followup.history(store, item["id"])[-1]["evidence"][0]["id"]
    _readdress(app, store, item, OTHER_UNIT)

    new_host = user(store, "xaiahru")
    assert store.read(rec_sql.get, item["id"], "2025-12-01")["unit_id"] == new_host["unit_id"]
    assert login(client, "xaiahru").status_code == 302
    page = client.get(f"/followup/r/{item['id']}")
    assert page.status_code == 200 and old_note not in page.get_data(as_text=True)
    assert client.get(f"/followup/evidence/{evidence_id}").status_code == 404
    report = client.get("/followup/report.csv?unit=%d" % new_host["unit_id"]).get_data(as_text=True)
    assert old_note not in report
    token = runner.invoke(args=["token", "create", "xaiahru"]).output.strip()
    api = client.get(f"/api/v1/recommendations/{item['id']}", headers={"Authorization": f"Bearer {token}"})
    assert api.get_json()["updates"] == []
    assert followup.history(store, item["id"], new_host) == []

    followup.report_progress(store, new_host, item["id"], note="Xã Ia Hrú đã nhận")
    assert [u["note"] for u in followup.history(store, item["id"], new_host)] == ["Xã Ia Hrú đã nhận"]
    committee = [u["note"] for u in followup.history(store, item["id"], user(store, "thuky"))]
    assert committee == [old_note, "Xã Ia Hrú đã nhận"]  # the delegation keeps the whole history


# ----------------------------------------------------------------- 15.13 parallel plans

class Browser:
    """A signed-in session on the live server over plain HTTP (the cookie is Secure, so
    it is carried by hand, as a browser does for 127.0.0.1)."""

    def __init__(self, server: LiveServer):
        self.server, self.cookies = server, {}

    def call(self, path: str, data: bytes | None = None, headers: dict | None = None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.server.url + path, data=data,
                                         headers={**(headers or {}), "Cookie": cookie})
        try:
            response = urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.call(path)[1]).group(1)

    def login(self, username: str) -> None:
        from urllib.parse import urlencode
        from .conftest import PASSWORDS
        body = urlencode({"username": username, "password": PASSWORDS[username],
                          "csrf_token": self.token("/login")}).encode()
        status, _ = self.call("/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_six_parallel_plans_with_one_uuid_make_one_visit(tmp_path):
    server = LiveServer(tmp_path)
    server.cli("init", "--demo")
    with server:
        tablet = Browser(server)
        tablet.login("thuky")
        token = tablet.token("/visits/new")
        body = json.dumps(plan_json(1, uuid="parallel-plan-0000001")).encode()
        barrier = threading.Barrier(6)

        def send(_):
            barrier.wait()
            return tablet.call("/visits/from-device", body, {"Content-Type": "application/json",
                                                              "X-CSRFToken": token})
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(send, range(6)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200, 200, 200, 200, 200, 201], answers
    ids = {json.loads(text)["id"] for _, text in answers}
    assert len(ids) == 1
    import sqlite3
    db = sqlite3.connect(tmp_path / "instance" / "survey_app.db")
    try:
        assert db.execute("SELECT count(*) FROM visits WHERE uuid = 'parallel-plan-0000001'").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'visit.plan'").fetchone()[0] == 1
    finally:
        db.close()


# ----------------------------------------------------------------- 15.15 a host's options

def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


def _unit_choices(client, html: str, path: str) -> list[str]:
    """The units a page offers: its select, or (the unit picker of the board and the
    visit list, issue 12) what the picker's search answers."""
    if path in ("/followup/", "/visits", "/followup/report"):
        assert 'class="unit-picker"' in html
        return [u["name"] for u in client.get("/units/search?q=").get_json()["units"]]
    return _options(html, "unit")


@pytest.mark.parametrize("path", ["/visits", "/followup/", "/followup/report"])
def test_a_host_sees_only_their_unit_and_the_delegations_that_came(app, login_as, path):
    foreign_visit(app)
    delegations.create_delegation(app.extensions["survey_store"], name=OTHER_DELEGATION, body="Ban Kinh tế")
    client = login_as("xahra")
    html = client.get(path).get_data(as_text=True)
    units = [u for u in _unit_choices(client, html, path) if u not in ("", "Tất cả")]
    assert units == [HOST_UNIT]
    named = [d for d in _options(html, "delegation") if d not in ("", "Tất cả")]
    assert named == ["Đoàn khảo sát của Ban Pháp chế HĐND tỉnh Gia Lai"]
    for other in (OTHER_UNIT, world.FOREIGN_UNIT, FOREIGN_DELEGATION, OTHER_DELEGATION):
        assert other not in html


@pytest.mark.parametrize("path", ["/visits", "/followup/", "/followup/report"])
def test_the_delegation_side_still_sees_every_unit_and_delegation(app, login_as, path):
    foreign_visit(app)
    client = login_as("thuky")
    html = client.get(path).get_data(as_text=True)
    assert {HOST_UNIT, OTHER_UNIT, world.FOREIGN_UNIT} <= set(_unit_choices(client, html, path))
    assert FOREIGN_DELEGATION in _options(html, "delegation")


# ----------------------------------------------------------------- migration m008

def test_migration_m008_keeps_and_rekeys_what_was_there(tmp_path):
    """A database written before m008: its applied messages stay applied (now under
    their visit and user), its updates get the unit they were written for, and a
    photo's checklist key moves from `item` to `checklist_item`."""
    from survey_app.demo import load_demo
    from survey_app.storage.db import Store
    from survey_app.storage.migrations import migrations

    from .conftest import make_app
    app = make_app(tmp_path / "forms")
    forms = forms_of(app)
    store = Store(tmp_path / "old.db")
    migrations.apply(store.db, stop_before="m008_access_keys")
    # The demo is written by today's code, whose units need the directory's columns:
    # m018 (which touches nothing m008 changes) is applied early and recorded applied.
    from survey_app.storage.migrations import m018_unit_directory
    with store.db.atomic():
        m018_unit_directory(store.db)
        migrations._record_applied(store.db, "m018_unit_directory")
    load_demo(store, forms, tmp_path / "photos")
    admin = user(store, "admin")
    status, _ = changes.apply_change(store, forms, admin, 1, _message(store, 1, "before-m008-0001", "Trước"))
    assert status == 200
    item = store.read(visits_sql.items_of, 1, "recommendation")[0]
    store.db.execute("INSERT INTO recommendation_updates (item_id, action, note, author_name, at) "
                     "VALUES (?, 'note', 'ghi chú cũ', 'Trần Văn Hùng', '2025-10-20T00:00:00+00:00')", [item["id"]])
    store.write(visits_sql.insert_item, uid="photo-before-m008", visit_id=1, kind="photo", position=99.0,
                data={"caption": "Quầy", "item": "premises_adequate"}, updated_at="2025-10-20", updated_by=None)

    migrations.apply(store.db)
    assert store.read(visits_sql.applied_change, 1, admin["id"], "before-m008-0001")["status"] == 200
    assert store.read(visits_sql.applied_change, 1, user(store, "thuky")["id"], "before-m008-0001") is None
    unit = store.read(rec_sql.get, item["id"], "2025-12-01")["unit_id"]
    assert [u["unit_id"] for u in store.read(rec_sql.updates_of, item["id"])] == [unit]
    assert store.read(visits_sql.get_item, "photo-before-m008")["data"] == {
        "caption": "Quầy", "checklist_item": "premises_adequate"}
    store.close()


def test_a_host_asking_for_another_units_report_learns_no_names(app, store, login_as):
    """The report names the delegation and unit of its filters: only those the user may
    see, so trying ids does not list every unit's and delegation's name (15.15)."""
    from openpyxl import load_workbook
    import io
    foreign = store.read(visits_sql.get_visit, foreign_visit(app))
    other_unit = store.read(units_sql.get_unit_by_name, OTHER_UNIT)["id"]
    client = login_as("xahra")
    query = f"?delegation={foreign['delegation_id']}&unit={other_unit}&from=2025-01-01"
    page = client.get("/followup/report" + query).get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/followup/report.xlsx" + query).data))
    cells = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    for text in (page, cells):
        assert FOREIGN_DELEGATION not in text and OTHER_UNIT not in text
    own = client.get(f"/followup/report?unit={store.read(units_sql.get_unit_by_name, HOST_UNIT)['id']}")
    assert f"đối với {HOST_UNIT}" in own.get_data(as_text=True)  # their own unit is still named
