"""A survey report's own recommendations belong to the report (issue 13, task item 2):
on the board they name the report (number, link), never the date or links of the
delegation's last visit; their rows have no visit and no hidden visit item; m028
moves the rows the old model made, with their history, and a visit's later items
never take their ids."""
from __future__ import annotations

import json
import sqlite3

import pytest

from survey_app.storage.db import connect
from survey_app.storage.migrations import REPORT_RECOMMENDATION_IDS
from survey_app.storage.schema import apply_migrations, migrations

from .conftest import login
from .report_world import DELEGATION
from .support import api_headers

WORDING = {"recommendations": "UBND tỉnh Gia Lai: Nâng cấp đường truyền cho các xã (thời hạn: 30/06/2026)\n"
                              "Sở Nội vụ: Bổ sung biên chế cho Trung tâm"}


def _finalize(rclient) -> dict:
    secretary = api_headers(rclient.application.test_cli_runner(), "thuky")
    base = f"/api/v1/delegations/{DELEGATION}/report"
    assert rclient.post(f"{base}/wording", json=WORDING, headers=secretary).status_code == 200
    final = rclient.post(f"{base}/finalize", headers=secretary)
    assert final.status_code == 200, final.get_json()
    return final.get_json()


def test_report_recommendations_belong_to_the_report_not_to_a_visit(rclient, rstore):
    hidden_before = rstore.db.execute("SELECT count(*) FROM visit_items WHERE deleted = 1").fetchone()[0]
    report = _finalize(rclient)
    rows = list(rstore.db.query("SELECT * FROM recommendations WHERE report_id = ? ORDER BY item_id", [report["id"]]))
    assert [r["text"] for r in rows] == ["Nâng cấp đường truyền cho các xã", "Bổ sung biên chế cho Trung tâm"]
    assert all(r["visit_id"] is None and r["item_id"] > REPORT_RECOMMENDATION_IDS for r in rows)
    assert rstore.db.execute("SELECT count(*) FROM visit_items WHERE deleted = 1").fetchone()[0] == hidden_before
    # the API names the report, not a visit
    head = api_headers(rclient.application.test_cli_runner(), "truongdoan")
    listed = {r["text"]: r for r in rclient.get(f"/api/v1/recommendations?delegation={DELEGATION}",
                                                headers=head).get_json()["recommendations"]}
    first = listed["Nâng cấp đường truyền cho các xã"]
    assert (first["report_id"], first["visit_id"], first["visit_date"], first["due"]) == \
        (report["id"], None, None, "2026-06-30")
    # the board and the detail page show the report's number and link, no visit
    login(rclient, "truongdoan")
    board = rclient.get(f"/followup/?delegation={DELEGATION}").get_data(as_text=True)
    assert "Báo cáo số 01/BC-BPC" in board
    detail = rclient.get(f"/followup/r/{rows[0]['item_id']}").get_data(as_text=True)
    assert "Báo cáo số 01/BC-BPC" in detail and 'id="report-link"' in detail
    assert f'href="/delegations/{DELEGATION}/report"' in detail
    assert 'id="visit-link"' not in detail and 'id="minutes-link"' not in detail and "khảo sát ngày" not in detail
    # progress on it is recorded like any recommendation's
    token = rclient.get(f"/followup/r/{rows[0]['item_id']}").get_data(as_text=True)
    csrf = token.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    answer = rclient.post(f"/followup/r/{rows[0]['item_id']}/updates",
                          data={"csrf_token": csrf, "status": "in_progress", "note": "Đang triển khai"})
    assert answer.status_code in (302, 303)
    assert rstore.db.execute("SELECT status FROM recommendations WHERE item_id = ?",
                             [rows[0]["item_id"]]).fetchone()[0] == "in_progress"


def test_a_visit_resync_leaves_the_report_recommendations_alone(rclient, rstore):
    from survey_app.domain.followup.operations import sync_recommendations
    report = _finalize(rclient)
    last_visit = rstore.db.execute("SELECT max(id) FROM visits WHERE delegation_id = ?", [DELEGATION]).fetchone()[0]
    rstore.write(sync_recommendations, last_visit)
    assert rstore.db.execute("SELECT count(*) FROM recommendations WHERE report_id = ?",
                             [report["id"]]).fetchone()[0] == 2


def _old_world(db) -> dict:
    """What the model before m028 made: a report's recommendation hung on a hidden item
    of the last visit, with an update and its evidence."""
    at = "2026-11-01T00:00:00+00:00"
    db.execute("INSERT INTO users (id, username, password_hash, role, created_at) VALUES (1, 'a', 'x', 'admin', ?)",
               [at])
    db.execute("INSERT INTO units (id, name, name_key, search_key) VALUES (1, 'UBND xã Hra', 'ubnd xa hra', 'x'), "
               "(2, 'Sở Nội vụ', 'so noi vu', 'y')")
    db.execute("INSERT INTO delegations (id, name, body, created_at) VALUES (1, 'Đoàn', 'Ban Pháp chế', ?)", [at])
    db.execute("INSERT INTO form_versions VALUES ('h', 'f', 1, '{}', ?)", [at])
    db.execute("INSERT INTO visits (id, uuid, delegation_id, unit_id, form_id, form_version, form_hash, started_at, "
               "created_at, updated_at) VALUES (1, 'u', 1, 1, 'f', 1, 'h', '2026-10-13T08:00', ?, ?)", [at, at])
    db.execute("INSERT INTO survey_reports (id, delegation_id, version, status, created_at) "
               "VALUES (1, 1, 1, 'final', ?)", [at])
    db.execute("INSERT INTO visit_items (id, uid, visit_id, kind, position, data, updated_at) VALUES "
               "(7, 'own', 1, 'recommendation', 1, ?, ?), (8, 'report-1-x', 1, 'recommendation', 0, ?, ?)",
               [json.dumps({"text": "Của buổi khảo sát"}), at,
                json.dumps({"text": "Bổ sung biên chế", "report_id": 1}), at])
    db.execute("UPDATE visit_items SET deleted = 1 WHERE id = 8")
    db.execute("INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, text, due, updated_at, "
               "report_id) VALUES (7, 1, 1, 1, 'Của buổi khảo sát', '2026-12-01', ?, NULL), "
               "(8, 1, 1, 2, 'Bổ sung biên chế', '2026-12-01', ?, 1)", [at, at])
    update = db["recommendation_updates"].insert({"item_id": 8, "action": "progress", "at": at}).last_pk
    db["recommendation_evidence"].insert({"update_id": update, "item_id": 8, "sha256": "0" * 64,
                                          "content_type": "image/png", "suffix": ".png", "size": 1})
    return {"update": update}


def test_m028_moves_old_report_recommendations_off_the_visit(tmp_path):
    db = connect(tmp_path / "old.db")
    migrations.apply(db, stop_before="m028_report_recommendations")
    old = _old_world(db)
    assert apply_migrations(db)[0] == "m028_report_recommendations"
    moved = REPORT_RECOMMENDATION_IDS + 1
    rows = {r["item_id"]: r for r in db.query("SELECT * FROM recommendations")}
    assert set(rows) == {7, moved}
    assert (rows[moved]["visit_id"], rows[moved]["report_id"], rows[moved]["text"]) == (None, 1, "Bổ sung biên chế")
    assert rows[7]["visit_id"] == 1  # a visit's own recommendation is untouched
    assert db.execute("SELECT item_id FROM recommendation_updates WHERE id = ?", [old["update"]]).fetchone()[0] == moved
    assert db.execute("SELECT item_id FROM recommendation_evidence").fetchone()[0] == moved
    assert db.execute("SELECT count(*) FROM visit_items WHERE id = 8").fetchone()[0] == 0  # the hidden item is gone
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the visit's next item takes a fresh id that no report recommendation holds
    next_item = db["visit_items"].insert({"uid": "next", "visit_id": 1, "kind": "recommendation", "position": 2,
                                          "data": "{}", "updated_at": "x"}).last_pk
    assert next_item not in rows
    # the constraints still hold where they should: a visit's row still needs a real visit
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, due, updated_at) "
                   "VALUES (99, 42, 1, 1, '2026-12-01', 'x')")
    # the tally kept by triggers still counts both rows
    assert db.execute("SELECT sum(n) FROM recommendation_tally").fetchone()[0] == 2
    db.close()
