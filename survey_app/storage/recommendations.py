"""SQL for the follow-up of recommendations (kiến nghị): tracking rows, their
append-only updates, evidence files and calendar tokens.

Filters are a dict: `status`, `unit_id`, `delegation_id`, `due_month` (YYYY-MM),
`overdue` (bool), `visit_from`/`visit_to` (visit dates; a survey report's date for its own
recommendations, which have no visit), `q` (words the recommendation's
text or implementing unit contains, found in m007's search index: no diacritics, no
case, each word a prefix), and the user's `scope` (a
`storage.scope.Scope`; missing = no limit). `today` is the date in Vietnam that decides
what is overdue; it is never stored.
"""
from __future__ import annotations

from survey_app.storage.scope import EVERYTHING, Scope, recommendations_clause, visits_clause
from survey_app.storage.db import one
from survey_app.storage.visits import fts_terms

# The active statuses (domain/followup/operations.ACTIVE_STATUSES) in the very form of
# the partial index of migration m006, so that the planner uses it.
_ACTIVE_SQL = "r.status IN ('open','in_progress','not_done')"

SELECT = """
SELECT r.*, units.name AS unit_name, delegations.name AS delegation_name,
       substr(visits.started_at, 1, 10) AS visit_date, sr.number AS report_number, sr.symbol AS report_symbol,
       json_extract(sr.input_json, '$.issued_date') AS report_date,
       ({active} AND r.due < :today) AS overdue
FROM recommendations r JOIN units ON units.id = r.unit_id
JOIN delegations ON delegations.id = r.delegation_id
LEFT JOIN visits ON visits.id = r.visit_id
LEFT JOIN survey_reports sr ON sr.id = r.report_id
"""


# ----------------------------------------------------------------- tracking rows

def rows_of_visit(db, visit_id: int) -> dict[int, dict]:
    """The tracking rows of the visit's own recommendation items (a survey report's rows
    have no visit)."""
    return {row["item_id"]: row for row in db.query("SELECT * FROM recommendations WHERE visit_id = ?", [visit_id])}


def upsert(db, **values) -> None:
    db.execute(
        "INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, text, due, updated_at) "
        "VALUES (:item_id, :visit_id, :delegation_id, :unit_id, :text, :due, :updated_at) "
        "ON CONFLICT (item_id) DO UPDATE SET delegation_id = excluded.delegation_id, "
        "unit_id = excluded.unit_id, text = excluded.text, due = excluded.due "
        "WHERE (unit_id, text, due, delegation_id) IS NOT "
        "(excluded.unit_id, excluded.text, excluded.due, excluded.delegation_id)", values)


def delete(db, item_id: int) -> None:
    db.execute("DELETE FROM recommendations WHERE item_id = ?", [item_id])


def set_state(db, item_id: int, **values) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in values)
    db.execute(f"UPDATE recommendations SET {sets} WHERE item_id = :item_id", {**values, "item_id": item_id})


def get(db, item_id: int, today: str) -> dict | None:
    return one(db, SELECT.format(active=_ACTIVE_SQL) + " WHERE r.item_id = :id",
                {"id": item_id, "today": today})


def has_updates(db, item_id: int) -> bool:
    return db.execute("SELECT 1 FROM recommendation_updates WHERE item_id = ? LIMIT 1",
                      [item_id]).fetchone() is not None


# ----------------------------------------------------------------- updates and evidence

def insert_update(db, **values) -> int:
    """An update row, marked with the unit the recommendation is addressed to now."""
    if "unit_id" not in values:
        values["unit_id"] = db.execute("SELECT unit_id FROM recommendations WHERE item_id = ?",
                                       [values["item_id"]]).fetchone()[0]
    return db["recommendation_updates"].insert(values).last_pk


def insert_evidence(db, **values) -> int:
    return db["recommendation_evidence"].insert(values).last_pk


def _of_unit(unit_id: int | None, table: str = "recommendation_updates") -> str:
    """Only the updates written while the recommendation was addressed to `unit_id`."""
    return "" if unit_id is None else f" AND {table}.unit_id = {int(unit_id)}"


def updates_of(db, item_id: int, unit_id: int | None = None) -> list[dict]:
    """The history (oldest first) with its evidence; with `unit_id`, only that unit's part."""
    updates = list(db.query("SELECT * FROM recommendation_updates WHERE item_id = ?"
                            f"{_of_unit(unit_id)} ORDER BY id", [item_id]))
    files: dict[int, list] = {}
    for row in db.query("SELECT e.* FROM recommendation_evidence e JOIN recommendation_updates "
                        f"ON recommendation_updates.id = e.update_id WHERE e.item_id = ?{_of_unit(unit_id)} "
                        "ORDER BY e.id", [item_id]):
        files.setdefault(row["update_id"], []).append(row)
    return [{**update, "evidence": files.get(update["id"], [])} for update in updates]


def get_evidence(db, evidence_id: int) -> dict | None:
    """An evidence file with the unit its update was written for (`update_unit_id`)."""
    return one(db, "SELECT e.*, u.unit_id AS update_unit_id FROM recommendation_evidence e "
                    "JOIN recommendation_updates u ON u.id = e.update_id WHERE e.id = ?", [evidence_id])


def last_updates(db, item_ids: list[int], unit_id: int | None = None) -> dict[int, dict]:
    if not item_ids:
        return {}
    marks = ",".join("?" * len(item_ids))
    return {row["item_id"]: row for row in db.query(
        f"SELECT * FROM recommendation_updates WHERE id IN (SELECT max(id) FROM recommendation_updates "
        f"WHERE item_id IN ({marks}){_of_unit(unit_id)} GROUP BY item_id)", item_ids)}


# ----------------------------------------------------------------- lists

def _where(filters: dict, today: str, *, with_overdue: bool = True) -> tuple[str, dict]:
    clauses, params = [], {"today": today}
    for key, column in (("status", "r.status"), ("unit_id", "r.unit_id"),
                        ("delegation_id", "r.delegation_id")):
        if filters.get(key) not in (None, ""):
            clauses.append(f"{column} = :{key}")
            params[key] = filters[key]
    if filters.get("scope") is not None and not filters["scope"].everything:
        clauses.append(recommendations_clause(filters["scope"]))
    if filters.get("due_month"):
        clauses.append("r.due BETWEEN :month_start AND :month_end")
        params.update(month_start=filters["due_month"] + "-01", month_end=filters["due_month"] + "-31")
    if filters.get("due_until"):
        clauses.append("r.due <= :due_until")
        params["due_until"] = filters["due_until"]
    if filters.get("visit_from") or filters.get("visit_to"):
        # a survey report's recommendation has no visit: the report's date stands for it
        clauses.append("(r.visit_id IN (SELECT id FROM visits WHERE substr(started_at, 1, 10) "
                       "BETWEEN :visit_from AND :visit_to) OR r.report_id IN (SELECT id FROM survey_reports "
                       "WHERE json_extract(input_json, '$.issued_date') BETWEEN :visit_from AND :visit_to))")
        params.update(visit_from=filters.get("visit_from") or "0000", visit_to=filters.get("visit_to") or "9999")
    for n, term in enumerate(fts_terms(filters.get("q") or "")):
        # the recommendation's own part of the index: rowid = its item id
        clauses.append(f"r.item_id IN (SELECT rowid FROM visit_search WHERE visit_search MATCH :q{n} AND rowid > 0)")
        params[f"q{n}"] = term
    if with_overdue and filters.get("overdue"):
        clauses.append(f"{_ACTIVE_SQL} AND r.due < :today")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def page(db, filters: dict, today: str, limit: int, offset: int = 0) -> list[dict]:
    """One page of the board: overdue ones first (by due date), then the others by due
    date. The order is found on ids alone (two index-ordered scans, each stopping after
    the page, no sort of the table, no join for skipped rows); then only the page's
    rows are joined to their unit, delegation and visit."""
    where, params = _where(filters, today)
    joiner = " AND " if where else " WHERE "
    late = f"({_ACTIVE_SQL} AND r.due < :today)"
    part = f"SELECT r.item_id FROM recommendations r{where}{joiner}{{}} ORDER BY r.due, r.item_id LIMIT :n"
    ids = [row[0] for row in db.execute(
        f"SELECT * FROM ({part.format(late)}) UNION ALL SELECT * FROM ({part.format('NOT ' + late)}) "
        "LIMIT :limit OFFSET :offset", {**params, "n": limit + offset, "limit": limit, "offset": offset})]
    if not ids:
        return []
    rows = {row["item_id"]: row for row in db.query(
        SELECT.format(active=_ACTIVE_SQL) + f" WHERE r.item_id IN ({','.join(map(str, ids))})", {"today": today})}
    return [rows[i] for i in ids]


def all_rows(db, filters: dict, today: str) -> list[dict]:
    where, params = _where(filters, today)
    return list(db.query(SELECT.format(active=_ACTIVE_SQL) + where + " ORDER BY r.due, r.item_id", params))


# Filters the tally (status, due) can answer alone; any other filter reads the rows.
_TALLY_FILTERS = {"status", "due_month", "due_until", "overdue"}


def _needs_rows(filters: dict) -> bool:
    """True when a filter other than status or due applies (a scope that sees everything
    does not: an administrator's or viewer's counts come from the tally too)."""
    for key, value in filters.items():
        if key in _TALLY_FILTERS or value in (None, ""):
            continue
        if key == "scope" and value.everything:
            continue
        return True
    return False


def counts(db, filters: dict, today: str) -> dict:
    """{status: n, ..., 'overdue': n, 'pending': n (done claims awaiting the committee)}:
    one query, on the tally kept by triggers when only status/due filters apply (no scan
    of the recommendations), else on the filtered rows."""
    where, params = _where(filters, today, with_overdue=False)
    if not _needs_rows(filters):
        source = (f"SELECT r.status, sum(r.n) AS n, sum(CASE WHEN {_ACTIVE_SQL} AND r.due < :today "
                  "THEN r.n END) AS late, "
                  f"sum(r.pending) AS pending FROM recommendation_tally r{where} GROUP BY r.status")
    else:
        source = (f"SELECT r.status, count(*) AS n, sum({_ACTIVE_SQL} AND r.due < :today) AS late, "
                  f"sum(r.status = 'done' AND r.accepted = 0) AS pending FROM recommendations r{where} "
                  "GROUP BY r.status")
    result, overdue, pending = {}, 0, 0
    for status, n, late, waiting in db.execute(source, params):
        if n:
            result[status] = n
        overdue += late or 0
        pending += waiting or 0
    return {**result, "overdue": overdue, "pending": pending}


def revision(db) -> int:
    """Bumped by trigger on every change to a recommendation (keys the chart cache)."""
    row = db.execute("SELECT revision FROM recommendation_revision WHERE id = 1").fetchone()
    return row[0] if row else 0


def status_by_unit(db, filters: dict, today: str, top: int = 12) -> list[dict]:
    """Per unit and status, for the units with the most active recommendations."""
    where, params = _where(filters, today)
    joiner = " AND " if where else " WHERE "
    units = [row["unit_id"] for row in db.query(
        f"SELECT r.unit_id, count(*) AS n FROM recommendations r{where}{joiner}{_ACTIVE_SQL} "
        "GROUP BY r.unit_id ORDER BY n DESC LIMIT :top", {**params, "top": top})]
    if not units:
        return []
    marks = ",".join(map(str, units))
    return list(db.query(
        f"SELECT units.name AS unit_name, r.unit_id, r.status, count(*) AS n FROM recommendations r "
        f"JOIN units ON units.id = r.unit_id{where}{joiner}r.unit_id IN ({marks}) "
        "GROUP BY r.unit_id, r.status", params))


def closed_by_month(db, filters: dict, today: str) -> list[dict]:
    where, params = _where(filters, today)
    joiner = " AND " if where else " WHERE "
    return list(db.query(
        f"SELECT substr(r.closed_at, 1, 7) AS month, count(*) AS n FROM recommendations r{where}{joiner}"
        "r.closed_at IS NOT NULL GROUP BY month ORDER BY month", params))


# ----------------------------------------------------------------- unit page

def visits_of_unit(db, unit_id: int, scope: Scope = EVERYTHING, limit: int = 12) -> list[dict]:
    clause = f" AND {visits_clause(scope)}"
    return list(db.query(
        "SELECT visits.id, visits.started_at, visits.form_id, visits.form_hash, visits.status, "
        "delegations.name AS delegation_name FROM visits JOIN delegations ON delegations.id = visits.delegation_id "
        f"WHERE visits.unit_id = ?{clause} ORDER BY visits.started_at DESC LIMIT ?", [unit_id, limit]))


def indicators_of(db, visit_ids: list[int]) -> dict[int, dict]:
    if not visit_ids:
        return {}
    found: dict[int, dict] = {vid: {} for vid in visit_ids}
    marks = ",".join("?" * len(visit_ids))
    for row in db.query(f"SELECT visit_id, path, value FROM visit_fields WHERE visit_id IN ({marks}) "
                        "AND path >= 'indicators.' AND path < 'indicators/'", visit_ids):
        found[row["visit_id"]][row["path"][len("indicators."):]] = row["value"]
    return found


def of_unit(db, unit_id: int, filters: dict, today: str, limit: int = 200) -> list[dict]:
    """Recommendations addressed to the unit or made at a visit to it."""
    where, params = _where(filters, today)
    joiner = " AND " if where else " WHERE "
    return list(db.query(
        SELECT.format(active=_ACTIVE_SQL) + where + joiner +
        "(r.unit_id = :unit OR r.visit_id IN (SELECT id FROM visits WHERE unit_id = :unit)) "
        "ORDER BY r.due DESC, r.item_id LIMIT :limit", {**params, "unit": unit_id, "limit": limit}))


# ----------------------------------------------------------------- calendar tokens

def set_calendar_token(db, user_id: int, token_hash: str, at: str) -> None:
    db.execute("INSERT INTO calendar_tokens VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
               "token_hash = excluded.token_hash, created_at = excluded.created_at", [user_id, token_hash, at])


def user_for_calendar_token(db, token_hash: str) -> dict | None:
    return one(db, "SELECT users.* FROM calendar_tokens JOIN users ON users.id = calendar_tokens.user_id "
                "WHERE token_hash = ? AND users.active = 1", [token_hash])


def has_calendar_token(db, user_id: int) -> bool:
    return db.execute("SELECT 1 FROM calendar_tokens WHERE user_id = ?", [user_id]).fetchone() is not None


def count_updates(db) -> int:
    """How many progress updates are stored, for every recommendation."""
    return db.execute("SELECT count(*) FROM recommendation_updates").fetchone()[0]


def all_evidence(db) -> list[dict]:
    """Every stored evidence file's row, oldest first."""
    return list(db.query("SELECT * FROM recommendation_evidence ORDER BY id"))
