"""SQL for the host unit's own report before a visit (migration m020): the report of
one visit, its attachment, the host's upcoming visits and which visits have a report."""
from __future__ import annotations

import json

from survey_app.storage.db import one

JSON_COLUMNS = ("indicators", "difficulties", "proposals", "applied")


def _decoded(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = dict(row)
    for column in JSON_COLUMNS:
        row[column] = json.loads(row[column])
    return row


def get_report(db, visit_id: int) -> dict | None:
    """The report with the name of who submitted it (`by_name`), or None."""
    return _decoded(one(db, "SELECT r.*, coalesce(nullif(u.full_name, ''), u.username) AS by_name "
                            "FROM unit_reports r LEFT JOIN users u ON u.id = r.submitted_by "
                            "WHERE r.visit_id = ?", [visit_id]))


def save_report(db, visit_id: int, values: dict) -> int:
    """Insert or replace the report's content; return its new revision."""
    encoded = {key: json.dumps(value, ensure_ascii=False) if key in JSON_COLUMNS else value
               for key, value in values.items()}
    columns = ", ".join(encoded)
    updates = ", ".join(f"{column} = excluded.{column}" for column in encoded)
    db.execute(f"INSERT INTO unit_reports (visit_id, {columns}) VALUES (?, {', '.join('?' * len(encoded))}) "
               f"ON CONFLICT (visit_id) DO UPDATE SET {updates}, revision = revision + 1",
               [visit_id, *encoded.values()])
    return db.execute("SELECT revision FROM unit_reports WHERE visit_id = ?", [visit_id]).fetchone()[0]


def set_attachment(db, visit_id: int, info: dict, at: str, user_id: int | None) -> int:
    """Attach a checked file (the report row is made if missing); return the revision."""
    values = {"attachment_sha256": info["sha256"], "attachment_suffix": info["suffix"],
              "attachment_type": info["content_type"], "attachment_name": info["filename"],
              "attachment_size": info["size"], "submitted_at": at, "submitted_by": user_id}
    return save_report(db, visit_id, values)


def reported_at(db, visit_ids: list[int]) -> dict[int, dict]:
    """visit id → {submitted_at, by_name} of the visits that have a report."""
    if not visit_ids:
        return {}
    marks = ",".join("?" * len(visit_ids))
    rows = db.query("SELECT r.visit_id, r.submitted_at, coalesce(nullif(u.full_name, ''), u.username) AS by_name "
                    f"FROM unit_reports r LEFT JOIN users u ON u.id = r.submitted_by WHERE r.visit_id IN ({marks})",
                    [int(i) for i in visit_ids])
    return {row["visit_id"]: row for row in rows}


def upcoming_visits(db, unit_id: int, since: str) -> list[dict]:
    """The visits to a unit that start on or after `since` (ISO date) or are still only
    planned, soonest first, with their report's time if any."""
    return list(db.query(
        "SELECT v.id, v.started_at, v.status, v.form_id, v.form_hash, d.name AS delegation_name, "
        "r.submitted_at, r.revision FROM visits v JOIN delegations d ON d.id = v.delegation_id "
        "LEFT JOIN unit_reports r ON r.visit_id = v.id "
        "WHERE v.unit_id = ? AND (substr(v.started_at, 1, 10) >= ? OR v.status = 'planned') "
        "ORDER BY v.started_at, v.id", [unit_id, since]))


def previous_visit(db, unit_id: int, visit_id: int, started_at: str) -> dict | None:
    """The same unit's last visit before this one (id, started_at, form_id), or None."""
    return one(db, "SELECT id, started_at, form_id FROM visits WHERE unit_id = ? AND id != ? "
                   "AND started_at < ? ORDER BY started_at DESC, id DESC LIMIT 1",
               [unit_id, visit_id, started_at])
