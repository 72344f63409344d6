"""SQL for survey plans (kế hoạch khảo sát): the plan document's row, its number
counter per issuing body and year, and the schedule, which is the delegation's visits."""
from __future__ import annotations

import json

from survey_app.storage.db import one

SCHEDULE_SELECT = """
SELECT visits.id, visits.uuid, visits.unit_id, units.name AS unit_name, units.locality AS unit_locality,
       visits.started_at, visits.status, visits.form_id, visits.form_version, visits.form_hash,
       (SELECT value FROM visit_fields f WHERE f.visit_id = visits.id AND f.path = 'host.place') AS place_json,
       EXISTS (SELECT 1 FROM unit_reports r WHERE r.visit_id = visits.id) AS reported
FROM visits JOIN units ON units.id = visits.unit_id
WHERE visits.delegation_id = ?
"""


def _row(row: dict) -> dict:
    place = row.pop("place_json")
    return {**row, "place": (json.loads(place) if place else None) or ""}


def schedule(db, delegation_id: int) -> list[dict]:
    """Every visit of the delegation, in the order of the schedule (time, then id)."""
    return [_row(row) for row in db.query(SCHEDULE_SELECT + " ORDER BY visits.started_at, visits.id",
                                          [delegation_id])]


def planned_visits(db, delegation_id: int) -> list[dict]:
    """The visits of the delegation that have not started (status planned)."""
    return [row for row in schedule(db, delegation_id) if row["status"] == "planned"]


def unit_is_planned(db, delegation_id: int, unit_id: int) -> bool:
    return one(db, "SELECT 1 AS yes FROM visits WHERE delegation_id = ? AND unit_id = ? LIMIT 1",
               [delegation_id, unit_id]) is not None


def get_plan(db, delegation_id: int) -> dict | None:
    return one(db, "SELECT * FROM survey_plans WHERE delegation_id = ?", [delegation_id])


def save_plan(db, delegation_id: int, **values) -> None:
    """Insert or replace the plan document's fields of a delegation."""
    db["survey_plans"].upsert({"delegation_id": delegation_id, **values}, pk="delegation_id")


def next_plan_number(db, body: str, year: int) -> int:
    """Allocate the next plan number of a body in a year (inside the caller's transaction)."""
    db.execute("INSERT INTO plan_counters (body, year, last_number) VALUES (?, ?, 1) "
               "ON CONFLICT (body, year) DO UPDATE SET last_number = last_number + 1", [body, year])
    return db.execute("SELECT last_number FROM plan_counters WHERE body = ? AND year = ?",
                      [body, year]).fetchone()[0]


def move_visit(db, visit_id: int, at: str, **columns) -> None:
    """Change a planned visit's row (unit, time, form) and count the change in its revision."""
    sets = ", ".join(f"{column} = ?" for column in columns)
    db.execute(f"UPDATE visits SET revision = revision + 1, updated_at = ?, {sets} "
               "WHERE id = ? AND status = 'planned'", [at, *columns.values(), visit_id])


def delete_planned_visit(db, visit_id: int) -> int:
    """Remove a visit that has not started (its fields and items go with it)."""
    return db.execute("DELETE FROM visits WHERE id = ? AND status = 'planned'", [visit_id]).rowcount

