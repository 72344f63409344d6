"""The home page per role (issue 12, item 6), on a world of two delegations and two
units with a host each: every list holds exactly the items of the user's scope (a host
never sees the other unit's), each item links to its page, and the lists come from a
fixed number of queries whatever the number of rows."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from survey_app.clock import today_vn
from survey_app.demo import HOST_UNIT, OTHER_UNIT
from survey_app.domain import home
from survey_app.domain.accounts import operations as accounts
from survey_app.domain.followup import operations as followup
from survey_app.domain.unit_reports import operations as unit_reports
from survey_app.domain.visits import changes
from survey_app.domain.visits import document as visit_io
from survey_app.domain.visits.operations import plan_visit

from .conftest import PASSWORDS, make_app
from .security_world import CLI_USER, bearer, document
from .support import seed_visit, user

OTHER_DELEGATION = "Đoàn giám sát của Ban Kinh tế - Ngân sách"
ACTIVE = ("open", "in_progress", "not_done")


def _ids(store, sql_text, *args) -> list[int]:
    return [row[0] for row in store.db.execute(sql_text, args).fetchall()]


def build_world(app) -> dict:
    """Two delegations (the demo's, A, and another, B) and two units with a host each
    (Hra: A's visits; Ia Hrú: B's): visits past, final and planned, a done claim per
    unit, a field the member changed. Returns the ids by name."""
    store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
    photos = app.extensions["survey_files"] / "photos"
    ids = {"seed": seed_visit(store)["id"]}  # the demo delegation (A) at Hra, in capture, 13/10/2025
    ids["a_final"] = visit_io.import_document(store, forms, CLI_USER, document(), photos)["id"]
    ids["b_final"] = visit_io.import_document(store, forms, CLI_USER, document(OTHER_DELEGATION, OTHER_UNIT),
                                              photos)["id"]
    ids["b_draft"] = visit_io.import_document(store, forms, CLI_USER, document(OTHER_DELEGATION, OTHER_UNIT),
                                              photos)["id"]
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    admin_token = bearer(accounts.create_token(store, "admin"))
    for name in ("a_final", "b_final"):
        response = client.post(f"/api/v1/visits/{ids[name]}/minutes/finalize", headers=admin_token, json={"confirm": True})
        assert response.status_code == 200, response.get_data(as_text=True)
    delegation = {name: store.db.execute("SELECT delegation_id FROM visits WHERE id = ?", [ids[name]]).fetchone()[0]
                  for name in ("seed", "b_final")}
    admin = user(store, "admin")
    soon = dt.date.fromisoformat(today_vn())
    for unit, key, days in ((HOST_UNIT, "seed", 3), (OTHER_UNIT, "b_final", 5)):
        planned = plan_visit(store, forms, admin, delegation_id=delegation[key], unit=unit, form_id="ttpvhcc-xa",
                             started_at=f"{soon + dt.timedelta(days=days)}T08:00:00+07:00")
        ids["a_planned" if key == "seed" else "b_planned"] = planned
    ids["a_reported"] = plan_visit(store, forms, admin, delegation_id=delegation["seed"], unit=HOST_UNIT,
                                   form_id="ttpvhcc-xa", started_at=f"{soon + dt.timedelta(days=10)}T08:00:00+07:00")
    unit_reports.save_report(store, forms, user(store, "xahra"), ids["a_reported"], {"summary": "Báo cáo của xã"})
    for host, visit in (("xahra", "a_final"), ("xaiahru", "b_final")):  # a done claim each
        item = _ids(store, "SELECT item_id FROM recommendations WHERE visit_id = ? ORDER BY item_id", ids[visit])[0]
        followup.report_progress(store, user(store, host), item, status="done", note="Đã hoàn thành")
        ids[f"claim_{visit[0]}"] = item
    changes.apply_change(store, forms, user(store, "thanhvien"), ids["a_planned"],
                         {"id": "home-resume-0001", "target": "host.place", "op": "set", "value": "Hội trường",
                          "base_version": 0})
    ids["units"] = {name: store.db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()[0]
                    for name in (HOST_UNIT, OTHER_UNIT)}
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_instance):
    folder = tmp_path_factory.mktemp("home")
    shutil.copytree(demo_instance, folder / "instance")
    app = make_app(folder, WTF_CSRF_ENABLED=False)
    store = app.extensions["survey_store"]
    yield app, store, build_world(app)
    store.close()


def _page(app, username, lang=None) -> str:
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert client.post("/login", data={"username": username, "password": PASSWORDS[username]}).status_code == 302
    response = client.get("/" + (f"?lang={lang}" if lang else ""))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _listed(html: str, name: str) -> list[str] | None:
    """The links of one list of the page, in order (None: the list is not on the page)."""
    match = re.search(rf'<ul class="home-list" data-list="{name}">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', match.group(1)) if match else None


def _due(store, unit_id: int) -> list[int]:
    until = (dt.date.fromisoformat(today_vn()) + dt.timedelta(days=home.DUE_SOON_DAYS)).isoformat()
    return _ids(store, "SELECT item_id FROM recommendations WHERE unit_id = ? AND status IN (?, ?, ?) "
                       "AND due <= ? ORDER BY due, item_id", unit_id, *ACTIVE, until)


def test_host_sees_only_their_units_visits_and_recommendations(world):
    app, store, ids = world
    for username, unit, other, planned, foreign in (
            ("xahra", HOST_UNIT, OTHER_UNIT, "a_planned", "b_planned"),
            ("xaiahru", OTHER_UNIT, HOST_UNIT, "b_planned", "a_planned")):
        html = _page(app, username)
        upcoming = [f"/visits/{ids[planned]}"] + ([f"/visits/{ids['a_reported']}"] if username == "xahra" else [])
        assert _listed(html, "visits") == upcoming
        assert _listed(html, "unit_report_due") == [f"/visits/{ids[planned]}/unit-report"]  # not the reported one
        due = _due(store, ids["units"][unit])
        assert due and len(due) <= home.SHOWN * 2
        assert _listed(html, "recommendations_due") == [f"/followup/r/{i}" for i in due[:home.SHOWN]]
        assert f"({len(due)})" in html
        assert (f"Xem tất cả {len(due)}" in html) == (len(due) > home.SHOWN)
        foreign_recs = _ids(store, "SELECT item_id FROM recommendations WHERE unit_id = ?", ids["units"][other])
        assert not any(f'href="/followup/r/{i}"' in html for i in foreign_recs), username
        assert f"/visits/{ids[foreign]}" not in html and other not in html
        for absent in ("claims_to_confirm", "minutes_to_finalize", "signatures_to_collect", "minutes_to_sign"):
            assert _listed(html, absent) is None, (username, absent)
        resume = re.search(r'id="home-resume">(.*?)</section>', html, re.S).group(1)
        if username == "xahra":  # the report prefilled the visit: resumed in the unit's report
            assert f'href="/visits/{ids["a_reported"]}/unit-report"' in resume
        else:
            assert "Tài khoản chưa nhập thông tin buổi khảo sát nào." in resume


def test_secretary_sees_minutes_to_finalize_signatures_to_collect_and_claims(world):
    app, store, ids = world
    html = _page(app, "thuky")
    assert _listed(html, "visits") == [f"/visits/{ids['a_planned']}", f"/visits/{ids['a_reported']}"]
    assert _listed(html, "minutes_to_finalize") == [f"/visits/{ids['seed']}/minutes"]
    assert _listed(html, "signatures_to_collect") == [f"/visits/{ids['a_final']}/minutes/sign"]
    assert _listed(html, "claims_to_confirm") == [f"/followup/r/{ids['claim_a']}"]
    assert _listed(html, "minutes_to_sign") is None and _listed(html, "recommendations_due") is None
    assert _listed(html, "unit_report_due") is None
    for name in ("b_final", "b_draft", "b_planned"):
        assert f"/visits/{ids[name]}" not in html


def test_head_sees_the_minutes_to_sign_and_the_claims(world):
    app, _, ids = world
    html = _page(app, "truongdoan")
    assert _listed(html, "minutes_to_sign") == [f"/visits/{ids['a_final']}/minutes/sign"]
    assert _listed(html, "claims_to_confirm") == [f"/followup/r/{ids['claim_a']}"]
    assert _listed(html, "minutes_to_finalize") is None and _listed(html, "signatures_to_collect") is None
    assert f"/followup/r/{ids['claim_b']}" not in html and f"/visits/{ids['b_final']}" not in html


def test_member_resumes_the_visit_they_edited_and_waits_for_nothing(world):
    app, _, ids = world
    html = _page(app, "thanhvien")
    resume = re.search(r'id="home-resume">(.*?)</section>', html, re.S).group(1)
    assert f'href="/visits/{ids["a_planned"]}/capture"' in resume
    assert 'id="home-waiting"' not in html
    assert _listed(html, "visits") == [f"/visits/{ids['a_planned']}", f"/visits/{ids['a_reported']}"]


def test_admin_and_viewer_see_every_delegation(world):
    app, _, ids = world
    both = [f"/visits/{ids['a_planned']}", f"/visits/{ids['b_planned']}", f"/visits/{ids['a_reported']}"]
    admin = _page(app, "admin")
    assert _listed(admin, "visits") == both
    assert _listed(admin, "claims_to_confirm") == [f"/followup/r/{ids['claim_a']}", f"/followup/r/{ids['claim_b']}"]
    viewer = _page(app, "xem")
    assert _listed(viewer, "visits") == both and 'id="home-waiting"' not in viewer


def test_the_outbox_placeholder_and_the_english_page(world):
    app, _, _ = world
    html = _page(app, "xahra", lang="en")
    outbox = re.search(r'<p id="home-outbox"([^>]*)>', html).group(1)
    assert 'data-waiting="' in outbox and 'data-none="No entries waiting to be sent."' in outbox
    assert 'src="/static/js/home.js" data-root="home-outbox"' in html
    assert "and upcoming visits" in html and "Recommendations of the unit due or overdue" in html
    assert "Buổi khảo sát" not in html


def test_the_lists_take_a_fixed_number_of_queries(world):
    """One query per list whatever the rows: counted with SQLite's trace callback."""
    app, store, _ = world
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        for username in ("xahra", "thuky", "truongdoan", "admin"):
            account = user(store, username)
            statements.clear()
            home.home_for(store, account)
            selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            assert len(selects) == 2 + len(home.WAITING[account["role"]]), (username, selects)
    finally:
        store.db.conn.set_trace_callback(None)
