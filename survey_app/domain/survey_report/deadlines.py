"""When a delegation's survey report is due: `REPORT_DUE_DAYS` after its last visit.
The board and the home page list the reports still to be finalized, late ones marked."""
from __future__ import annotations

import datetime as dt

from survey_app.clock import today_vn
from survey_app.domain.access import SEES_EVERYTHING, delegation_ids
from survey_app.storage import survey_reports as sql


def due_date(last_visit: str, due_days: int) -> str:
    return (dt.date.fromisoformat(last_visit[:10]) + dt.timedelta(days=int(due_days))).isoformat()


def reports_due(store, user: dict, due_days: int, today: str | None = None) -> list[dict]:
    """The reports not final yet of the delegations the user sees (a host: none)."""
    if user["role"] == "host":
        return []
    ids = None if user["role"] in SEES_EVERYTHING else store.read(delegation_ids, user)
    today = today or today_vn()
    rows = []
    for row in store.read(sql.due_reports, ids):
        due = due_date(row["last_visit"], due_days)
        rows.append({"delegation_id": row["id"], "name": row["name"], "last_visit": row["last_visit"],
                     "due": due, "late": due < today})
    return rows
