"""The hash-chained audit trail and `survey-app audit verify`."""
from __future__ import annotations

import sqlite3
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.domain.visits import changes
from survey_app.domain.audit import verify_chain
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import audit as audit_sql
from survey_app.storage import visits as visits_sql


@pytest.fixture
def changed(app, store):
    """One autosave applied through the domain, so the trail has a visit change."""
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])
    user = store.read(accounts_sql.get_user_by_username, "thanhvien")
    status, _ = changes.apply_change(store, app.extensions["survey_forms"], user, visit["id"],
                                     {"id": str(uuid.uuid4()), "target": "report.summary",
                                      "value": "Tóm tắt đã sửa", "base_version": 1})
    assert status == 200
    return visit["id"]


def test_changes_are_recorded_with_who_and_what(store, changed):
    entries = store.read(audit_sql.entries_for, "visit", changed)
    assert [e["action"] for e in entries] == ["visit.import", "visit.set"]
    assert entries[-1]["actor"] == "thanhvien" and "Tóm tắt đã sửa" in entries[-1]["detail"]
    assert store.read(verify_chain) == []


def test_trail_refuses_update_and_delete(store, changed):
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE audit_log SET actor = 'x'")


def _tamper(store, sql):
    db = store.db
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(sql)


def test_verify_detects_an_edited_entry(runner, store, changed):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(store, "UPDATE audit_log SET detail = replace(detail, 'đã sửa', 'khác') "
                   "WHERE action = 'visit.set'")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "đã bị sửa" in result.output


def test_verify_detects_a_deleted_entry(runner, store, changed):
    _tamper(store, "DELETE FROM audit_log WHERE id = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "thiếu mục" in result.output


def test_verify_detects_the_last_entry_deleted(runner, store, changed):
    _tamper(store, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "mục cuối" in result.output


def _rechain(store, key: bytes | None = None):
    """What someone who can edit the database file but lacks the key does: recompute
    every link with plain SHA-256 (or a guessed key) and rewrite the head."""
    from survey_app.domain.audit import entry_hash
    db = store.db
    prev = "0" * 64
    rows = list(db.query("SELECT * FROM audit_log ORDER BY id"))
    for number, row in enumerate(rows, start=1):
        link = entry_hash(prev, row, key)
        db.execute("UPDATE audit_log SET id = ?, prev_hash = ?, hash = ? WHERE id = ?",
                   [number, prev, link, row["id"]])
        prev = link
    db.execute("UPDATE audit_head SET entries = ?, hash = ? WHERE id = 1", [len(rows), prev])


def test_an_edit_with_recomputed_hashes_is_caught(runner, store, changed):
    _tamper(store, "UPDATE audit_log SET detail = replace(detail, 'đã sửa', 'khác') WHERE action = 'visit.set'")
    _rechain(store)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "đã bị sửa" in result.output


def test_a_deleted_middle_entry_with_a_recomputed_chain_is_caught(runner, store, changed):
    before = store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert before >= 3
    _tamper(store, "DELETE FROM audit_log WHERE id = 2")
    _rechain(store)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output


def test_a_truncated_tail_with_a_consistent_head_is_caught(runner, store, changed):
    """Every link before the cut is genuine and the head agrees: only the anchors outside
    the database still know the trail was longer."""
    _tamper(store, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    last = store.db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    store.db.execute("UPDATE audit_head SET entries = ?, hash = ? WHERE id = 1", [last[0], last[1]])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "các mục cuối đã bị xóa" in result.output


def test_the_chain_is_keyed_and_anchored_outside_the_database(app, store, changed):
    from pathlib import Path

    from survey_app.domain.audit import entry_hash
    seal = store.audit_seal
    assert Path(app.instance_path, "audit.key").stat().st_mode & 0o777 == 0o600
    row = list(store.db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1"))[0]
    assert row["hash"] == entry_hash(row["prev_hash"], row, seal.key)
    assert row["hash"] != entry_hash(row["prev_hash"], row)  # not a plain hash anyone could recompute
    _, anchors = seal.read()
    assert anchors[-1]["entries"] == row["id"] and anchors[-1]["hash"] == row["hash"]


def test_a_missing_anchor_file_is_reported(runner, store, changed):
    store.audit_seal.anchors.unlink()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "tệp neo" in result.output
