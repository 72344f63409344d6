"""Follow-up of recommendations: tracking rows, life cycle, overdue, permissions, evidence, API."""
from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.domain import audit
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import evidence as followup_evidence
from survey_app.domain.errors import DomainError, Forbidden
from survey_app.storage import audit as audit_sql
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import hra_rec, pdf_bytes, png_bytes, seed_recs, user


def evidence_png() -> bytes:
    return png_bytes("red", (20, 20))


# ----------------------------------------------------------------- tracking rows

def test_seed_recommendations_are_tracked_with_units_and_due_dates(store):
    recs = seed_recs(store)
    assert len(recs) == 5
    units = [r["unit_name"] for r in recs]
    assert units.count("UBND xã Hra") == 4 and units.count("Trung tâm Phục vụ hành chính công xã Hra") == 1
    dues = sorted(r["due"] for r in recs)
    assert "2026-06-30" in dues and dues[0] == "2026-01-11"  # 13/10/2025 + 90 days
    assert {r["status"] for r in recs} == {"open"}


def test_board_shows_seed_recommendations_for_both_units(login_as):
    client = login_as("thuky")
    page = client.get("/followup/").get_data(as_text=True)
    assert "UBND xã Hra" in page and "Trung tâm Phục vụ hành chính công xã Hra" in page
    assert "11/01/2026" in page and "30/06/2026" in page
    assert "Theo dõi kiến nghị" in client.get("/").get_data(as_text=True)


def test_autosave_keeps_rows_in_step_and_due_before_visit_is_refused(client, token, store):
    headers = token("thuky")
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    url = f"/api/v1/visits/{visit}/changes"
    uid = str(uuid.uuid4())
    msg = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "add", "item": uid,
           "value": {"text": "Kiến nghị mới", "addressee": "UBND xã Ia Hrú", "due": "2026-03-01"}}
    assert client.post(url, json=msg, headers=headers).status_code == 200
    row = next(r for r in seed_recs(store) if r["text"] == "Kiến nghị mới")
    assert (row["due"], row["unit_name"]) == ("2026-03-01", "UBND xã Ia Hrú")
    bad = {**msg, "id": str(uuid.uuid4()), "item": str(uuid.uuid4()), "value": {"text": "x", "due": "2025-10-01"}}
    refused = client.post(url, json=bad, headers=headers)
    assert refused.status_code == 400 and "trước ngày khảo sát" in refused.get_json()["error"]
    delete = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "delete", "item": uid, "base_version": 1}
    assert client.post(url, json=delete, headers=headers).status_code == 200
    assert not [r for r in seed_recs(store) if r["text"] == "Kiến nghị mới"]


def test_editing_due_dates_onto_a_date_already_counted_keeps_the_tally_right(client, token, store):
    """Regression: the tally trigger must not fail when another recommendation already
    has the new (status, due) pair (an UPSERT overrode INSERT OR IGNORE in the trigger)."""
    headers = token("thuky")
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    items = store.read(visits_sql.items_of, visit, "recommendation")
    for item in items[:3]:
        message = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "set", "item": item["uid"],
                   "value": {**item["data"], "due": "2026-12-31"}, "base_version": item["version"]}
        assert client.post(f"/api/v1/visits/{visit}/changes", json=message, headers=headers).status_code == 200
    # The tally is a trigger-kept table: read directly, as a storage check.
    tally = dict(store.db.execute("SELECT status || due, n FROM recommendation_tally WHERE n > 0").fetchall())
    actual = dict(store.db.execute("SELECT status || due, count(*) FROM recommendations GROUP BY status, due"))
    assert tally == actual and actual["open2026-12-31"] == 3


def test_deleted_item_with_updates_is_kept_as_dropped(client, token, store):
    rec = hra_rec(store)
    followup.report_progress(store, user(store, "xahra"), rec["item_id"], status="in_progress", note="Đang làm")
    uid = next(i["uid"] for i in store.read(visits_sql.items_of, rec["visit_id"]) if i["id"] == rec["item_id"])
    delete = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "delete", "item": uid, "base_version": 1}
    response = client.post(f"/api/v1/visits/{rec['visit_id']}/changes", json=delete, headers=token("thuky"))
    assert response.status_code == 200
    row = store.read(rec_sql.rows_of_visit, rec["visit_id"])[rec["item_id"]]
    assert row["status"] == "dropped" and "xóa" in row["reason"]


# ----------------------------------------------------------------- life cycle

def test_life_cycle_with_claim_accept_reject_and_reopen(store):
    rec, host, secretary = hra_rec(store), user(store, "xahra"), user(store, "thuky")
    item = rec["item_id"]
    followup.report_progress(store, host, item, status="in_progress", note="Đã giao phòng chuyên môn")
    with pytest.raises(DomainError) as missing:
        followup.report_progress(store, host, item, status="done")
    assert missing.value.field == "evidence"
    followup.report_progress(store, host, item, status="done", note="Đã hoàn thành")
    row = store.read(followup.sql.get, item, "2025-12-01")
    assert row["status"] == "done" and row["accepted"] == 0
    followup.decide_claim(store, secretary, item, accept=False, note="Chưa đủ minh chứng")
    assert store.read(followup.sql.get, item, "2025-12-01")["status"] == "in_progress"
    followup.report_progress(store, host, item, status="done", note="Bổ sung", files=[])
    followup.decide_claim(store, secretary, item, accept=True)
    row = store.read(followup.sql.get, item, "2025-12-01")
    assert row["status"] == "done" and row["accepted"] == 1 and row["closed_at"]
    with pytest.raises(Forbidden):
        followup.report_progress(store, host, item, status="in_progress", note="mở lại")
    followup.report_progress(store, secretary, item, status="in_progress", note="Mở lại để bổ sung")
    actions = [u["action"] for u in followup.history(store, item)]
    assert actions == ["status", "status", "reject", "status", "accept", "reopen"]


def test_every_change_is_in_the_audit_trail(store, tmp_path):
    item, host, head = hra_rec(store)["item_id"], user(store, "xahra"), user(store, "truongdoan")
    photo = followup_evidence.save(tmp_path, [("anh.png", evidence_png())])
    followup.report_progress(store, host, item, status="done", note="Xong", files=photo)
    followup.decide_claim(store, head, item, accept=False, note="Thiếu ảnh")
    followup.report_progress(store, host, item, note="Ghi chú thêm")
    followup.report_progress(store, head, item, status="dropped", note="Đã sáp nhập")
    followup.report_progress(store, head, item, status="open", note="Theo dõi lại")
    entries = store.read(audit_sql.entries_for, "recommendation", item)
    assert [e["action"] for e in entries] == [
        "recommendation.progress", "recommendation.evidence", "recommendation.reject", "recommendation.note",
        "recommendation.drop", "recommendation.reopen"]
    assert [e["actor"] for e in entries] == ["xahra", "xahra", "truongdoan", "xahra", "truongdoan", "truongdoan"]
    assert photo[0]["sha256"] in entries[1]["detail"] and "Đã sáp nhập" in entries[4]["detail"]
    assert store.read(audit.verify_chain) == []


@pytest.mark.parametrize("current,target,ok", [
    ("open", "in_progress", True), ("open", "done", True), ("in_progress", "not_done", True),
    ("done", "in_progress", True), ("done", "open", False), ("dropped", "done", False),
    ("dropped", "open", True), ("not_done", "open", False)])
def test_transition_table(current, target, ok):
    if ok:
        followup.check_transition(current, target)
    else:
        with pytest.raises(DomainError) as error:
            followup.check_transition(current, target)
        assert f"'{current}'" in error.value.message and f"'{target}'" in error.value.message


def test_unknown_status_is_named():
    with pytest.raises(DomainError) as error:
        followup.check_status("finished")
    assert "'finished'" in error.value.message and error.value.field == "status"


def test_dropping_needs_a_reason_and_the_committee(store):
    item = hra_rec(store)["item_id"]
    with pytest.raises(Forbidden):
        followup.report_progress(store, user(store, "xahra"), item, status="dropped", note="Không làm")
    with pytest.raises(DomainError):
        followup.report_progress(store, user(store, "truongdoan"), item, status="dropped")
    followup.report_progress(store, user(store, "truongdoan"), item, status="dropped", note="Đã sáp nhập")
    assert store.read(followup.sql.get, item, "2026-01-01")["reason"] == "Đã sáp nhập"


# ----------------------------------------------------------------- overdue and time zone

def test_today_is_the_date_in_vietnam():
    assert followup.today_vn(dt.datetime(2026, 1, 11, 16, 59, tzinfo=dt.timezone.utc)) == "2026-01-11"
    assert followup.today_vn(dt.datetime(2026, 1, 11, 17, 0, tzinfo=dt.timezone.utc)) == "2026-01-12"


def test_overdue_is_derived_around_the_due_date(store):
    rec = hra_rec(store)
    assert rec["due"] == "2026-01-11"
    admin = user(store, "admin")
    for now, late in ((dt.datetime(2026, 1, 11, 16, 59, tzinfo=dt.timezone.utc), False),
                      (dt.datetime(2026, 1, 11, 17, 0, tzinfo=dt.timezone.utc), True)):
        today = followup.today_vn(now)
        assert followup.is_overdue(rec, today) is late
        board = followup.board(store, admin, {"overdue": True}, today=today)
        assert (rec["item_id"] in [r["item_id"] for r in board["rows"]]) is late
    late_board = followup.board(store, admin, {}, today="2026-02-01")
    assert late_board["rows"][0]["overdue"] and late_board["counts"]["overdue"] == 4
    followup.report_progress(store, user(store, "thuky"), rec["item_id"], status="done", note="Xong")
    assert followup.board(store, admin, {}, today="2026-02-01")["counts"]["overdue"] == 3


# ----------------------------------------------------------------- permissions

@pytest.mark.parametrize("username,sees,may_update", [
    ("admin", 5, True), ("thuky", 5, True), ("truongdoan", 5, True), ("thanhvien", 5, True),
    ("xahra", 4, True), ("xaiahru", 0, False), ("xem", 5, False)])
def test_who_sees_and_updates_what(client, token, store, username, sees, may_update):
    headers = token(username)
    listed = client.get("/api/v1/recommendations", headers=headers)
    assert listed.status_code == 200 and len(listed.get_json()["recommendations"]) == sees
    item = hra_rec(store)["item_id"]
    response = client.post(f"/api/v1/recommendations/{item}/updates",
                           json={"status": "in_progress", "note": "Đang triển khai"}, headers=headers)
    expected = 201 if may_update else (404 if username == "xaiahru" else 403)
    assert response.status_code == expected, response.get_json()
    count = store.read(rec_sql.count_updates)
    assert count == (1 if may_update else 0)


def test_only_the_committee_accepts_a_claim(client, token, store):
    item = hra_rec(store)["item_id"]
    url = f"/api/v1/recommendations/{item}/updates"
    assert client.post(url, json={"status": "done", "note": "Đã xong"}, headers=token("xahra")).status_code == 201
    for username in ("xahra", "thanhvien", "xem"):
        assert client.post(url, json={"decision": "accept"}, headers=token(username)).status_code in (403,)
    accepted = client.post(url, json={"decision": "accept"}, headers=token("truongdoan"))
    assert accepted.status_code == 201 and accepted.get_json()["recommendation"]["accepted"] == 1


def test_api_refusals_name_the_problem(client, token, store):
    item = hra_rec(store)["item_id"]
    url = f"/api/v1/recommendations/{item}/updates"
    bad = client.post(url, json={"status": "finished"}, headers=token("thuky"))
    assert bad.status_code == 400 and "'finished'" in bad.get_json()["error"]
    client.post(url, json={"status": "done", "note": "x"}, headers=token("thuky"))
    wrong = client.post(url, json={"status": "open"}, headers=token("thuky"))
    assert wrong.status_code == 400 and "'done'" in wrong.get_json()["error"] and "'open'" in wrong.get_json()["error"]
    assert client.get("/api/v1/recommendations?status=xyz", headers=token("thuky")).status_code == 400
    assert client.get("/api/v1/recommendations?overdue=1", headers=token("thuky")).status_code == 200
    assert client.post(url, json={"status": "open"}).status_code == 401


def test_pages_refuse_other_units(login_as, store):
    client = login_as("xaiahru")
    item = hra_rec(store)["item_id"]
    assert client.get(f"/followup/r/{item}").status_code == 404
    assert client.get(f"/followup/units/{hra_rec(store)['unit_id']}").status_code == 404
    assert "UBND xã Hra" not in client.get("/followup/").get_data(as_text=True).split("<table")[1]


# ----------------------------------------------------------------- evidence

def test_evidence_rules(tmp_path):
    assert followup_evidence.check(pdf_bytes(), "bien-ban.pdf") == "application/pdf"
    assert followup_evidence.check(evidence_png(), "anh.png") == "image/png"
    with pytest.raises(DomainError):
        followup_evidence.check("Đây là văn bản, không phải PDF".encode(), "gia.pdf")
    with pytest.raises(DomainError) as big:
        followup_evidence.check(b"%PDF-" + b"0" * (20 * 1024 * 1024) + b"%%EOF", "lon.pdf")
    assert "20 MB" in big.value.message
    with pytest.raises(DomainError):
        followup_evidence.save(tmp_path, [("a.png", evidence_png()), ("b.pdf", b"not a pdf")])
    assert not any(tmp_path.rglob("*.png"))  # nothing stored when one file is refused


def test_docx_is_recognised_by_its_members():
    import docx
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả")
    document.save(out)
    assert followup_evidence.check(out.getvalue(), "bao-cao.docx").endswith("wordprocessingml.document")


def test_upload_through_the_page(login_as, store, app):
    client = login_as("xahra")
    item = hra_rec(store)["item_id"]
    token = csrf_token(client, f"/followup/r/{item}")
    response = client.post(f"/followup/r/{item}/updates", data={
        "csrf_token": token, "status": "in_progress", "note": "Đã mua máy quét",
        "evidence": [(io.BytesIO(evidence_png()), "hoa-don.png"), (io.BytesIO(pdf_bytes()), "qd.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    files = store.read(rec_sql.all_evidence)
    assert {f["content_type"] for f in files} == {"image/png", "application/pdf"}
    assert client.get(f"/followup/evidence/{files[0]['id']}").status_code == 200
    fake = client.post(f"/followup/r/{item}/updates", data={
        "csrf_token": token, "note": "giả", "evidence": [(io.BytesIO(b"hello"), "gia.pdf")]},
        content_type="multipart/form-data")
    assert fake.status_code == 303
    assert store.read(rec_sql.count_updates) == 1
    other = login_as("xaiahru")
    assert other.get(f"/followup/evidence/{files[0]['id']}").status_code == 404


def test_counts_for_everyone_come_from_the_tally_and_agree_with_the_rows(store):
    """An administrator's board counts read the tally kept by triggers (no scan of the
    recommendations), and give what counting the rows gives; a host's scope reads rows."""
    from survey_app.clock import today_vn
    from survey_app.domain.access import scope
    admin, host = user(store, "admin"), user(store, "xahra")
    assert rec_sql._needs_rows({"scope": scope(admin), "status": None}) is False
    assert rec_sql._needs_rows({"scope": scope(host), "status": None}) is True
    today = today_vn()
    tally = store.read(rec_sql.counts, {"scope": scope(admin), "status": None}, today)
    rows = store.read(rec_sql.counts, {"scope": scope(admin), "visit_from": "0000"}, today)  # every visit
    assert tally == rows and sum(n for k, n in tally.items() if k not in ("overdue", "pending")) > 0
