"""Delegations set up without the demo (API, CLI), listed with their members, and
visits listed through the API: the contract of DESIGN.md "Additions of 2026-11-29",
checked on a real SQLite file, with real minutes (WeasyPrint) for the frozen input."""
from __future__ import annotations

import json
import subprocess
import unicodedata

import pytest

from survey_app.demo import HOST_UNIT, OTHER_UNIT
from survey_app.domain.directory import delegations
from survey_app.domain.visits.operations import plan_visit
from survey_app.storage import accounts as accounts_sql



def body(**changes) -> dict:
    data = {"name": "Đoàn giám sát chuyên đề việc làm", "body": "Ban Văn hóa - Xã hội HĐND tỉnh",
            "parent_body": "HĐND tỉnh Gia Lai", "kind": "giam_sat", "topic": "Giải quyết việc làm 2025",
            "symbol": "BVHXH", "followup_days": 60,
            "decision": {"number": "15/QĐ-BVHXH", "date": "2025-10-01"},
            "members": [{"name": "Đinh Ly An", "title": "Trưởng Ban", "role": "head", "username": "truongdoan"},
                        {"name": "Lê Văn Phó", "title": "Phó Trưởng Ban", "role": "deputy"},
                        {"name": "Rơ Mah Khuê", "title": "Ủy viên", "role": "member", "username": "thanhvien"},
                        {"name": "Nguyễn Thị Thu", "title": "Chuyên viên", "role": "secretary",
                         "username": "thuky"}]}
    data.update(changes)
    return data


def counts(store) -> tuple[int, int, int]:
    return tuple(store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("delegations", "memberships", "audit_log"))


def audit_entries(store, action):
    return [json.loads(row[0]) for row in store.db.execute(
        "SELECT detail FROM audit_log WHERE action = ? ORDER BY id", [action])]


def listed(client, headers, page=1) -> dict:
    response = client.get(f"/api/v1/delegations?page={page}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ----------------------------------------------------------------- create and list

@pytest.mark.parametrize("username", ["admin", "thuky"])
def test_create_then_list_gives_every_field_back(client, store, token, username):
    headers = token(username)
    created = client.post("/api/v1/delegations", json=body(), headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    new_id = created.get_json()["id"]
    shown = next(d for d in listed(client, headers)["delegations"] if d["id"] == new_id)
    expected = {**body(), "id": new_id}
    expected["members"] = [{"username": None, **m} if "username" not in m else m for m in body()["members"]]
    assert shown == expected
    entry = audit_entries(store, "delegation.create")[-1]
    assert entry["after"]["name"] == body()["name"] and len(entry["after"]["members"]) == 4
    member = store.db.execute("SELECT m.user_id, u.username FROM memberships m JOIN users u ON u.id = m.user_id "
                              "WHERE m.delegation_id = ? AND m.role = 'head'", [new_id]).fetchone()
    assert member[1] == "truongdoan"  # linked to the account, so the head's scope includes it


def test_defaults_for_what_is_left_out(client, token):
    headers = token("admin")
    minimal = {"name": "Đoàn tối thiểu", "body": "Ban Pháp chế", "members": [{"name": "Một Người", "role": "head"}]}
    new_id = client.post("/api/v1/delegations", json=minimal, headers=headers).get_json()["id"]
    shown = next(d for d in listed(client, headers)["delegations"] if d["id"] == new_id)
    assert (shown["kind"], shown["followup_days"], shown["symbol"], shown["decision"]) == \
        ("khao_sat", 90, "", {"number": "", "date": ""})
    assert shown["members"] == [{"name": "Một Người", "title": "", "role": "head", "username": None}]


@pytest.mark.parametrize("username", ["truongdoan", "thanhvien", "xahra", "xem"])
def test_only_admins_and_secretaries_create(client, store, token, username):
    headers = token(username)
    before = counts(store)
    refused = client.post("/api/v1/delegations", json=body(), headers=headers)
    assert refused.status_code == 403 and "không có quyền" in refused.get_json()["error"]
    assert counts(store) == before


BAD = [
    ({"colour": "đỏ"}, "colour"),
    ({"kind": "thanh_tra"}, "kind"),
    ({"followup_days": "60"}, "followup_days"),
    ({"followup_days": True}, "followup_days"),
    ({"followup_days": 0}, "followup_days"),
    ({"name": 12}, "name"),
    ({"name": "   "}, "name"),
    ({"body": None}, "body"),
    ({"symbol": "BPC/2025"}, "symbol"),
    ({"decision": {"number": "1", "date": "2025-13-01"}}, "decision.date"),
    ({"decision": {"number": "1", "signer": "X"}}, "decision.signer"),
    ({"decision": "15/QĐ"}, "decision"),
    ({"members": "Đinh Ly An"}, "members"),
    ({"members": []}, "members"),
    ({"members": [{"name": "A", "role": "member"}]}, "members"),  # no head
    ({"members": [{"name": "A", "role": "head"}, {"name": "B", "role": "head"}]}, "members"),  # two heads
    ({"members": [{"name": "A", "role": "head"}, {"name": "a ", "role": "secretary"}]}, "members[1].name"),
    ({"members": [{"name": "A", "role": "head", "username": "thuky"},
                  {"name": "B", "role": "secretary", "username": "THUKY"}]}, "members[1].username"),
    ({"members": [{"name": "A", "role": "chairman"}]}, "members[0].role"),
    ({"members": [{"name": "A", "role": "head", "phone": "0912"}]}, "members[0].phone"),
    ({"members": [{"name": "", "role": "head"}]}, "members[0].name"),
    ({"members": [{"name": "A", "role": "head", "username": "khong-co-ai"}]}, "members[0].username"),
    ({"members": [{"name": "A", "role": "head", "username": "xahra"}]}, "members[0].username"),  # a host account
    ({"members": ["A"]}, "members[0]"),
]


@pytest.mark.parametrize("change,field", BAD)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(client, store, token, change, field):
    headers = token("admin")
    before = counts(store)
    refused = client.post("/api/v1/delegations", json=body(**change), headers=headers)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["field"] == field
    assert refused.get_json()["error"]
    assert counts(store) == before


def test_missing_required_fields_are_named(client, token):
    headers = token("admin")
    for missing in ("name", "body", "members"):
        data = body()
        del data[missing]
        refused = client.post("/api/v1/delegations", json=data, headers=headers)
        assert (refused.status_code, refused.get_json()["field"]) == (400, missing)


def test_a_member_in_two_positions_is_named_in_vietnamese_and_english(client, token):
    headers = token("admin")
    data = body(members=[{"name": "Đinh Ly An", "role": "head"}, {"name": "Đinh Ly An", "role": "secretary"}])
    vietnamese = client.post("/api/v1/delegations", json=data, headers=headers).get_json()["error"]
    assert "Đinh Ly An" in vietnamese and "hai lần" in vietnamese
    english = client.post("/api/v1/delegations?lang=en", json=data,
                          headers=headers).get_json()["error"]
    assert "Đinh Ly An" in english and "twice" in english


def test_a_duplicate_answers_409_naming_the_existing_one(client, store, token):
    headers = token("admin")
    first = client.post("/api/v1/delegations", json=body(), headers=headers).get_json()["id"]
    before = counts(store)
    # The same name and body written another way: decomposed accents, other case, extra spaces.
    variant = body(name=unicodedata.normalize("NFD", "ĐOÀN GIÁM SÁT chuyên đề  việc làm"),
                   body=" ban văn hóa - xã hội hđnd tỉnh")
    for data in (body(), variant):
        conflict = client.post("/api/v1/delegations", json=data, headers=headers)
        assert conflict.status_code == 409, conflict.get_data(as_text=True)
        answer = conflict.get_json()
        assert answer["id"] == first and answer["field"] == "name" and str(first) in answer["error"]
    assert counts(store) == before


# ----------------------------------------------------------------- edit

def test_patch_changes_only_what_is_given_and_is_audited(client, store, token):
    headers = token("thuky")
    new_id = client.post("/api/v1/delegations", json=body(), headers=headers).get_json()["id"]
    changed = client.patch(f"/api/v1/delegations/{new_id}", json={"topic": "Việc làm cho thanh niên"},
                           headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json() == {**body(topic="Việc làm cho thanh niên"), "id": new_id,
                                  "members": changed.get_json()["members"]}
    assert [m["name"] for m in changed.get_json()["members"]] == [m["name"] for m in body()["members"]]
    entry = audit_entries(store, "delegation.update")[-1]
    assert (entry["before"]["topic"], entry["after"]["topic"]) == (body()["topic"], "Việc làm cho thanh niên")
    members = [{"name": "Lê Văn Phó", "title": "Phó Trưởng Ban", "role": "head"},
               {"name": "Nguyễn Thị Thu", "title": "Chuyên viên", "role": "secretary", "username": "thuky"}]
    replaced = client.patch(f"/api/v1/delegations/{new_id}", json={"members": members}, headers=headers)
    assert [(m["name"], m["role"]) for m in replaced.get_json()["members"]] == \
        [("Lê Văn Phó", "head"), ("Nguyễn Thị Thu", "secretary")]
    assert store.db.execute("SELECT count(*) FROM memberships WHERE delegation_id = ?",
                            [new_id]).fetchone()[0] == 2
    entry = audit_entries(store, "delegation.update")[-1]
    assert len(entry["before"]["members"]) == 4 and len(entry["after"]["members"]) == 2


def test_a_refused_patch_changes_nothing(client, store, token):
    headers = token("admin")
    new_id = client.post("/api/v1/delegations", json=body(), headers=headers).get_json()["id"]
    other = client.post("/api/v1/delegations", json=body(name="Đoàn khác"), headers=headers).get_json()["id"]
    before = counts(store), listed(client, headers)
    bad = client.patch(f"/api/v1/delegations/{new_id}", headers=headers,
                       json={"topic": "mới", "members": [{"name": "A", "role": "member"}]})
    assert (bad.status_code, bad.get_json()["field"]) == (400, "members")
    duplicate = client.patch(f"/api/v1/delegations/{other}", json={"name": body()["name"]}, headers=headers)
    assert (duplicate.status_code, duplicate.get_json()["id"]) == (409, new_id)
    assert client.patch("/api/v1/delegations/999999", json={"topic": "x"}, headers=headers).status_code == 404
    assert (counts(store), listed(client, headers)) == before


def test_a_secretary_edits_only_delegations_they_belong_to(client, store, token):
    admin, secretary = token("admin"), token("thuky")
    theirs = client.post("/api/v1/delegations", json=body(), headers=admin).get_json()["id"]
    without = body(name="Đoàn không có thư ký demo",
                   members=[{"name": "Người Khác", "role": "head"}])
    foreign = client.post("/api/v1/delegations", json=without, headers=admin).get_json()["id"]
    before = counts(store)
    refused = client.patch(f"/api/v1/delegations/{foreign}", json={"topic": "x"}, headers=secretary)
    assert refused.status_code == 403 and counts(store) == before
    assert client.patch(f"/api/v1/delegations/{theirs}", json={"topic": "x"}, headers=secretary).status_code == 200
    head = client.patch(f"/api/v1/delegations/{theirs}", json={"topic": "y"}, headers=token("truongdoan"))
    assert head.status_code == 403


def test_editing_a_delegation_never_changes_signed_or_final_minutes(client, store, token):
    """The minutes keep the input frozen at finalize: renaming the delegation and
    replacing its members changes neither the stored version nor the PDF served."""
    headers = token("admin")
    visit = 1  # the demo visit, of the demo delegation
    delegation_id = store.db.execute("SELECT delegation_id FROM visits WHERE id = ?", [visit]).fetchone()[0]
    final = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    assert final.status_code == 200, final.get_data(as_text=True)
    frozen = store.db.execute("SELECT * FROM minutes_versions WHERE visit_id = ?", [visit]).fetchall()
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    old_name = store.db.execute("SELECT name FROM delegations WHERE id = ?", [delegation_id]).fetchone()[0]
    assert "Đinh Ly An" in pdftotext(pdf)
    changed = client.patch(f"/api/v1/delegations/{delegation_id}", headers=headers, json={
        "name": "Đoàn đã đổi tên", "members": [{"name": "Trưởng Đoàn Mới", "title": "Trưởng Ban", "role": "head"}]})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["name"] != old_name
    assert store.db.execute("SELECT * FROM minutes_versions WHERE visit_id = ?", [visit]).fetchall() == frozen
    again = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert again == pdf
    assert "Trưởng Đoàn Mới" not in pdftotext(again)


def pdftotext(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


# ----------------------------------------------------------------- scope and pages

def test_a_host_sees_only_delegations_that_visited_their_unit(client, store, token):
    admin = token("admin")
    unvisited = client.post("/api/v1/delegations", json=body(), headers=admin).get_json()["id"]
    everything = {d["id"] for d in listed(client, admin)["delegations"]}
    demo = store.db.execute("SELECT delegation_id FROM visits WHERE id = 1").fetchone()[0]
    assert {unvisited, demo} <= everything
    assert {d["id"] for d in listed(client, token("xahra"))["delegations"]} == {demo}
    assert listed(client, token("xaiahru"))["delegations"] == []  # no visit to xã Ia Hrú yet


def test_delegations_come_50_a_page(client, store, token):
    for n in range(60):
        delegations.create_delegation(store, name=f"Đoàn số {n:02}", body="Ban Pháp chế")
    total = store.db.execute("SELECT count(*) FROM delegations").fetchone()[0]
    headers = token("admin")
    first, second = listed(client, headers, 1), listed(client, headers, 2)
    assert (len(first["delegations"]), first["has_next"], first["page"]) == (50, True, 1)
    assert (len(second["delegations"]), second["has_next"]) == (total - 50, False)
    assert not {d["id"] for d in first["delegations"]} & {d["id"] for d in second["delegations"]}
    assert client.get("/api/v1/delegations?page=x", headers=headers).get_json()["field"] == "page"


# ----------------------------------------------------------------- visits list

def visits(client, headers, query="") -> dict:
    response = client.get(f"/api/v1/visits{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def planned(app, store):
    """Visits of the demo delegation to the other unit (xã Ia Hrú): 55 of them."""
    head = store.read(accounts_sql.get_user_by_username, "truongdoan")
    delegation_id = store.db.execute("SELECT delegation_id FROM visits WHERE id = 1").fetchone()[0]
    return [plan_visit(store, app.extensions["survey_forms"], head, delegation_id=delegation_id, unit=OTHER_UNIT,
                       form_id="ttpvhcc-xa", started_at=f"2025-12-{1 + n % 28:02}T08:00:00+07:00")
            for n in range(55)]


def test_the_visit_list_answers_the_contract_fields_50_a_page(client, store, token, planned):
    headers = token("admin")
    first = visits(client, headers)
    assert (len(first["visits"]), first["has_next"], first["page"]) == (50, True, 1)
    second = visits(client, headers, "?page=2")
    ids = [v["id"] for v in first["visits"] + second["visits"]]
    assert sorted(ids) == sorted(set(planned) | {1})  # each once
    demo = next(v for v in second["visits"] + first["visits"] if v["id"] == 1)
    row = store.db.execute("SELECT uuid, unit_id, delegation_id, started_at, status FROM visits WHERE id = 1").fetchone()
    assert demo == {"id": 1, "uuid": row[0], "unit_id": row[1], "unit_name": HOST_UNIT, "delegation_id": row[2],
                    "started_at": row[3], "status": row[4]}


def test_the_visit_list_filters(client, store, token, planned):
    headers = token("admin")
    host_unit = store.db.execute("SELECT unit_id FROM visits WHERE id = 1").fetchone()[0]
    assert [v["id"] for v in visits(client, headers, f"?unit={host_unit}")["visits"]] == [1]
    status = store.db.execute("SELECT status FROM visits WHERE id = 1").fetchone()[0]
    assert 1 in [v["id"] for v in visits(client, headers, f"?status={status}")["visits"]]
    assert visits(client, headers, "?delegation=999999")["visits"] == []
    by_text = visits(client, headers, "?q=hra")["visits"]  # without diacritics: "Hra"
    assert [v["id"] for v in by_text] == [1]
    for query, field in (("?status=unknown", "status"), ("?delegation=abc", "delegation"), ("?unit=-1", "unit")):
        refused = client.get(f"/api/v1/visits{query}", headers=headers)
        assert (refused.status_code, refused.get_json()["field"]) == (400, field)


def test_the_visit_list_has_the_visit_pages_permissions(client, token, planned):
    assert [v["id"] for v in visits(client, token("xahra"))["visits"]] == [1]  # their unit only
    other_host = {v["id"] for v in visits(client, token("xaiahru"), "?page=1")["visits"]}
    assert 1 not in other_host and other_host <= set(planned)
    assert len(visits(client, token("thanhvien"))["visits"]) == 50  # a member of that delegation


# ----------------------------------------------------------------- CLI

def test_cli_create_edit_list(runner, store):
    before = counts(store)
    created = runner.invoke(args=[
        "delegation", "create", "--name", "Đoàn CLI", "--body", "Ban Kinh tế - Ngân sách", "--kind", "giam_sat",
        "--symbol", "BKTNS", "--followup-days", "45", "--decision-number", "7/QĐ", "--decision-date", "2025-09-30",
        "--member", "Trần Hai;Trưởng Ban;head;truongdoan", "--member", "Lê Ba;Chuyên viên;secretary"])
    assert created.exit_code == 0, created.output
    new_id = int(created.output.strip())
    edited = runner.invoke(args=["delegation", "edit", str(new_id), "--topic", "Ngân sách xã"])
    assert edited.exit_code == 0, edited.output
    listing = runner.invoke(args=["delegation", "list", "--json"])
    shown = next(d for d in json.loads(listing.output) if d["id"] == new_id)
    assert shown["topic"] == "Ngân sách xã" and shown["followup_days"] == 45
    assert shown["decision"] == {"number": "7/QĐ", "date": "2025-09-30"}
    assert [(m["name"], m["role"], m["username"]) for m in shown["members"]] == \
        [("Trần Hai", "head", "truongdoan"), ("Lê Ba", "secretary", None)]
    table = runner.invoke(args=["delegation", "list"]).output
    assert f"{new_id}\tgiam_sat\tBKTNS\tĐoàn CLI" in table
    assert counts(store)[0] == before[0] + 1 and counts(store)[2] == before[2] + 2  # create + edit audited


@pytest.mark.parametrize("args,field", [
    (["--member", "Trần Hai;Trưởng Ban;member"], "members"),
    (["--member", "Trần Hai;Trưởng Ban;head;khong-co"], "members[0].username"),
    (["--member", "Trần Hai;Trưởng Ban;head", "--kind", "thanh_tra"], "kind"),
])
def test_cli_refuses_bad_input_with_exit_2(runner, store, args, field):
    before = counts(store)
    result = runner.invoke(args=["delegation", "create", "--name", "Đoàn lỗi", "--body", "Ban X", *args])
    assert result.exit_code == 2 and f"(trường: {field})" in result.output
    assert counts(store) == before
    duplicate = runner.invoke(args=["delegation", "create", "--name", "Đoàn lỗi", "--body", "Ban X",
                                    "--member", "A;B;head"])
    assert duplicate.exit_code == 0
    again = runner.invoke(args=["delegation", "create", "--name", "Đoàn lỗi", "--body", "Ban X",
                                "--member", "A;B;head"])
    assert again.exit_code == 2 and duplicate.output.strip() in again.output
