"""SQL for the survey report (báo cáo kết quả khảo sát) of a delegation: versions,
the number counter per body and year, publication records, the report's
recommendations on the follow-up board, and the material read from the visits."""
from __future__ import annotations

import json

from survey_app.storage.db import one
from survey_app.storage.migrations import REPORT_RECOMMENDATION_IDS

JSON_COLUMNS = ("wording", "input_json")
FINAL_VISIT_STATUSES = ("minutes_final", "signed", "follow_up", "closed")


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = dict(row)
    for column in JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


# ----------------------------------------------------------------- versions

def latest(db, delegation_id: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM survey_reports WHERE delegation_id = ? "
                           "ORDER BY version DESC LIMIT 1", [delegation_id]))


def get(db, report_id: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM survey_reports WHERE id = ?", [report_id]))


def versions_of(db, delegation_id: int) -> list[dict]:
    return [_decode(r) for r in db.query(
        "SELECT id, delegation_id, version, status, number, symbol, year, content_sha256, signed_content_sha256, "
        "final_pdf_sha256, signed_pdf_sha256, published, published_at, finalized_at, signed_at, NULL AS wording, "
        "NULL AS input_json FROM survey_reports WHERE delegation_id = ? ORDER BY version", [delegation_id])]


def insert(db, **values) -> int:
    values["wording"] = json.dumps(values.get("wording") or {}, ensure_ascii=False)
    return db["survey_reports"].insert(values).last_pk


def update(db, report_id: int, **values) -> None:
    for column in JSON_COLUMNS:
        if column in values and values[column] is not None and not isinstance(values[column], str):
            values[column] = json.dumps(values[column], ensure_ascii=False, sort_keys=True)
    sets = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE survey_reports SET {sets} WHERE id = ?", [*values.values(), report_id])


def peek_number(db, body: str, year: int) -> int:
    row = db.execute("SELECT last_number FROM survey_report_counters WHERE body = ? AND year = ?",
                     [body, year]).fetchone()
    return (row[0] if row else 0) + 1


def next_number(db, body: str, year: int) -> int:
    """Allocate the next report number of a body in a year (inside the caller's transaction)."""
    db.execute("INSERT INTO survey_report_counters (body, year, last_number) VALUES (?, ?, 1) "
               "ON CONFLICT (body, year) DO UPDATE SET last_number = last_number + 1", [body, year])
    return db.execute("SELECT last_number FROM survey_report_counters WHERE body = ? AND year = ?",
                      [body, year]).fetchone()[0]


def find_by_pdf(db, sha256: str) -> dict | None:
    return _decode(one(db, "SELECT * FROM survey_reports WHERE signed_pdf_sha256 = ? OR final_pdf_sha256 = ? "
                           "LIMIT 1", [sha256, sha256]))


def find_by_code(db, code: str) -> dict | None:
    """The version whose verification code (the start of its content hash) is `code`."""
    bounds = [code, code + "g"] * 2
    return _decode(one(db, "SELECT * FROM survey_reports WHERE (content_sha256 >= ? AND content_sha256 < ?) "
                           "OR (signed_content_sha256 >= ? AND signed_content_sha256 < ?) "
                           "ORDER BY id DESC LIMIT 1", bounds))


# ----------------------------------------------------------------- material from the visits

def visits_of(db, delegation_id: int) -> list[dict]:
    """The delegation's visits, in the order they took place, with their unit."""
    return list(db.query(
        "SELECT visits.id, visits.status, visits.started_at, visits.unit_id, visits.form_hash, "
        "visits.form_id, visits.form_version, units.name AS unit_name, units.locality AS unit_locality "
        "FROM visits JOIN units ON units.id = visits.unit_id WHERE visits.delegation_id = ? "
        "ORDER BY visits.started_at, visits.id", [delegation_id]))


def fields_of_visits(db, visit_ids: list[int]) -> dict[int, dict]:
    """visit id → {path: value} of every recorded field, in one query."""
    found: dict[int, dict] = {v: {} for v in visit_ids}
    for chunk in range(0, len(visit_ids), 500):
        ids = visit_ids[chunk:chunk + 500]
        for row in db.query(f"SELECT visit_id, path, value FROM visit_fields WHERE visit_id IN "
                            f"({','.join('?' * len(ids))})", ids):
            found[row["visit_id"]][row["path"]] = json.loads(row["value"]) if row["value"] is not None else None
    return found


def reported_figures(db, visit_ids: list[int]) -> dict[int, dict]:
    """visit id → the figures the unit sent in its own report before the visit (m020)."""
    found: dict[int, dict] = {}
    for chunk in range(0, len(visit_ids), 500):
        ids = visit_ids[chunk:chunk + 500]
        for row in db.query(f"SELECT visit_id, indicators FROM unit_reports WHERE visit_id IN "
                            f"({','.join('?' * len(ids))})", ids):
            found[row["visit_id"]] = json.loads(row["indicators"] or "{}")
    return found


def items_of_visits(db, visit_ids: list[int], kinds: tuple[str, ...]) -> dict[int, list[dict]]:
    """visit id → its live items of these kinds (data decoded), in position order."""
    found: dict[int, list] = {v: [] for v in visit_ids}
    for chunk in range(0, len(visit_ids), 500):
        ids = visit_ids[chunk:chunk + 500]
        for row in db.query(
                f"SELECT visit_id, kind, data FROM visit_items WHERE deleted = 0 AND visit_id IN "
                f"({','.join('?' * len(ids))}) AND kind IN ({','.join('?' * len(kinds))}) "
                "ORDER BY visit_id, kind, position, id", [*ids, *kinds]):
            found[row["visit_id"]].append({"kind": row["kind"], "data": json.loads(row["data"])})
    return found


# ----------------------------------------------------------------- the report's recommendations

def add_recommendation(db, *, report_id: int, delegation_id: int, unit_id: int, text: str, addressee: str,
                       due: str, at: str) -> int:
    """A tracking row of the board for one recommendation of the report: it belongs to
    the report (no visit), with its own id above every visit item's (m028)."""
    item_id = max(db.execute("SELECT coalesce(max(item_id), 0) FROM recommendations WHERE item_id >= ?",
                             [REPORT_RECOMMENDATION_IDS]).fetchone()[0], REPORT_RECOMMENDATION_IDS) + 1
    db.execute("INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, text, due, updated_at, "
               "report_id) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
               [item_id, delegation_id, unit_id, text, due, at, report_id])
    return item_id


def recommendations_of(db, report_id: int, today: str) -> list[dict]:
    """The report's recommendations with their live status and whether they are overdue."""
    return list(db.query(
        "SELECT r.item_id AS id, r.text, r.due, r.status, units.name AS addressee, r.unit_id, "
        "(r.status IN ('open','in_progress','not_done') AND r.due < ?) AS overdue "
        "FROM recommendations r JOIN units ON units.id = r.unit_id WHERE r.report_id = ? "
        "ORDER BY r.item_id", [today, report_id]))


# ----------------------------------------------------------------- publication

def record_publication(db, report_id: int, action: str, reason: str, at: str, user_id: int | None) -> None:
    db["survey_report_publications"].insert({"report_id": report_id, "action": action, "reason": reason,
                                             "at": at, "by_user": user_id})
    update(db, report_id, published=1 if action == "publish" else 0,
           published_at=at if action == "publish" else None)


def publications_of(db, report_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM survey_report_publications WHERE report_id = ? ORDER BY id",
                         [report_id]))


def published(db, *, unit_id: int | None = None, status: str | None = None, limit: int = 200) -> list[dict]:
    """Published reports, newest first; with `unit_id`/`status`, those having a
    recommendation to that unit / in that status."""
    clauses, params = ["sr.published = 1"], []
    if unit_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM recommendations r WHERE r.report_id = sr.id AND r.unit_id = ?)")
        params.append(unit_id)
    if status:
        clauses.append("EXISTS (SELECT 1 FROM recommendations r WHERE r.report_id = sr.id AND r.status = ?)")
        params.append(status)
    return [_decode(r) for r in db.query(
        "SELECT sr.id, sr.delegation_id, sr.number, sr.symbol, sr.year, sr.published_at, sr.signed_pdf_sha256, "
        "sr.final_pdf_sha256, sr.status, sr.input_json, NULL AS wording "
        f"FROM survey_reports sr WHERE {' AND '.join(clauses)} ORDER BY sr.published_at DESC, sr.id DESC LIMIT ?",
        [*params, limit])]


def published_revision(db) -> str:
    """Changes whenever a publication or a recommendation's state changes (for ETags)."""
    pub = db.execute("SELECT coalesce(max(id), 0) FROM survey_report_publications").fetchone()[0]
    rev = db.execute("SELECT revision FROM recommendation_revision").fetchone()[0]
    return f"{pub}-{rev}"


def units_with_published(db) -> list[dict]:
    return list(db.query(
        "SELECT DISTINCT units.id, units.name FROM recommendations r JOIN units ON units.id = r.unit_id "
        "JOIN survey_reports sr ON sr.id = r.report_id WHERE sr.published = 1 ORDER BY units.name"))


def due_reports(db, delegation_ids: list[int] | None = None, limit: int = 50) -> list[dict]:
    """Delegations with visits and no final report yet, with their last visit's date
    (oldest first); with `delegation_ids`, only those delegations."""
    where, params = "", []
    if delegation_ids is not None:
        where = f"WHERE d.id IN ({','.join('?' * len(delegation_ids)) or 'NULL'})"
        params = list(delegation_ids)
    return list(db.query(
        "SELECT d.id, d.name, max(substr(v.started_at, 1, 10)) AS last_visit FROM delegations d "
        f"JOIN visits v ON v.delegation_id = d.id {where} GROUP BY d.id HAVING NOT EXISTS (SELECT 1 FROM "
        "survey_reports sr WHERE sr.delegation_id = d.id AND sr.status IN ('final','signed')) "
        "ORDER BY last_visit, d.id LIMIT ?", [*params, limit]))
