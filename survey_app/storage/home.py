"""SQL of the home page: each list is one query limited to the user's scope (the
clauses of `storage/scope.py`), a few rows with the total beside them (a window
count), never a query per row. `today` is the date in Vietnam (ISO)."""
from __future__ import annotations

from survey_app.storage.db import one
from survey_app.storage.scope import Scope, recommendations_clause, visits_clause

# The lists by status name the index of migration m021 (the planner, counting rows per
# delegation, would otherwise walk every visit of the user's delegations).
VISIT = """SELECT v.id, v.status, v.started_at, substr(v.started_at, 1, 10) AS day, u.name AS unit_name,
       d.name AS delegation_name, count(*) OVER () AS total
FROM visits v {index}JOIN units u ON u.id = v.unit_id JOIN delegations d ON d.id = v.delegation_id"""
BY_STATUS = VISIT.format(index="INDEXED BY visits_status_started ")
ANY = VISIT.format(index="")
# The unit's reports due also carry the days before the visit their plan asks for (NULL:
# the plan's default, survey_plans has no row yet).
REPORT_DUE = ANY.replace("AS total", "AS total, p.report_days AS report_days", 1) + \
    " LEFT JOIN survey_plans p ON p.delegation_id = v.delegation_id"

REC = """SELECT r.item_id, r.text, r.due, r.status, u.name AS unit_name,
       (r.status IN ('open','in_progress','not_done') AND r.due < :today) AS overdue,
       count(*) OVER () AS total
FROM recommendations r {index}JOIN units u ON u.id = r.unit_id"""


def _listed(rows: list[dict]) -> dict:
    return {"rows": rows, "total": rows[0]["total"] if rows else 0}


def upcoming_visits(db, scope: Scope, today: str, limit: int) -> dict:
    """Planned or ongoing visits from today on, soonest first."""
    return _listed(list(db.query(
        f"{BY_STATUS} WHERE v.status IN ('planned','in_progress') AND v.started_at >= :today "
        f"AND {visits_clause(scope, 'v')} ORDER BY v.started_at, v.id LIMIT :limit",
        {"today": today, "limit": limit})))


def last_edited_visit(db, scope: Scope, user_id: int) -> dict | None:
    """The visit this user changed last (a field, a list item or an autosave message),
    among those they still see; the indexes of migration m021 make it a few lookups."""
    return one(db, f"""
WITH mine(visit_id, at) AS (
    SELECT visit_id, max(updated_at) FROM visit_fields WHERE updated_by = :me GROUP BY visit_id
    UNION ALL SELECT visit_id, max(updated_at) FROM visit_items WHERE updated_by = :me GROUP BY visit_id
    UNION ALL SELECT visit_id, max(applied_at) FROM applied_changes WHERE user_id = :me GROUP BY visit_id)
{ANY} JOIN mine ON mine.visit_id = v.id WHERE {visits_clause(scope, 'v')}
ORDER BY mine.at DESC, v.id DESC LIMIT 1""", {"me": user_id})


def recommendations_due(db, scope: Scope, today: str, until: str, limit: int) -> dict:
    """Active recommendations due by `until` (the overdue ones among them), soonest first."""
    return _listed(list(db.query(
        f"{REC.format(index='')} WHERE r.status IN ('open','in_progress','not_done') AND r.due <= :until "
        f"AND {recommendations_clause(scope, 'r')} ORDER BY r.due, r.item_id LIMIT :limit",
        {"today": today, "until": until, "limit": limit})))


def unit_reports_due(db, unit_id: int, today: str, limit: int) -> dict:
    """The unit's visits from today on (or still planned) that it has not reported for
    yet while it still may (the minutes are not final), soonest first."""
    return _listed(list(db.query(
        f"{REPORT_DUE} WHERE v.unit_id = :unit AND (v.started_at >= :today OR v.status = 'planned') "
        "AND v.status IN ('planned','in_progress','minutes_draft') "
        "AND NOT EXISTS (SELECT 1 FROM unit_reports r WHERE r.visit_id = v.id) "
        "ORDER BY v.started_at, v.id LIMIT :limit", {"unit": unit_id, "today": today, "limit": limit})))


def claims_to_confirm(db, scope: Scope, today: str, limit: int) -> dict:
    """Progress reports that claim a recommendation done, awaiting the committee."""
    return _listed(list(db.query(
        f"{REC.format(index='INDEXED BY recommendations_claims ')} WHERE r.status = 'done' AND r.accepted = 0 "
        f"AND {recommendations_clause(scope, 'r')} "
        "ORDER BY r.updated_at, r.item_id LIMIT :limit", {"today": today, "limit": limit})))


def minutes_to_finalize(db, scope: Scope, today: str, limit: int) -> dict:
    """Visits that took place (or take place today) whose minutes are not finalised yet."""
    return _listed(list(db.query(
        f"{BY_STATUS} WHERE v.status IN ('in_progress','minutes_draft') AND v.started_at < date(:today, '+1 day') "
        f"AND {visits_clause(scope, 'v')} ORDER BY v.started_at, v.id LIMIT :limit",
        {"today": today, "limit": limit})))


_UNSIGNED = """EXISTS (SELECT 1 FROM minutes_versions mv WHERE mv.visit_id = v.id AND mv.status = 'final'
    AND EXISTS (SELECT 1 FROM json_each(coalesce(mv.required_roles, '["head","secretary","host"]')) need
                WHERE {roles} AND NOT EXISTS (SELECT 1 FROM minutes_signatures s
                                              WHERE s.minutes_id = mv.id AND s.role = need.value)))"""


_HEAD = "need.value = 'head'"


def minutes_awaiting_signatures(db, scope: Scope, limit: int) -> dict:
    """Final minutes with a required signature still missing (the secretary collects them)."""
    return _listed(list(db.query(
        f"{BY_STATUS} WHERE v.status = 'minutes_final' AND {_UNSIGNED.format(roles='1')} "
        f"AND {visits_clause(scope, 'v')} ORDER BY v.started_at, v.id LIMIT :limit", {"limit": limit})))


def minutes_to_sign_as_head(db, user_id: int, limit: int) -> dict:
    """Final minutes of the delegations this user heads whose head's signature is missing."""
    return _listed(list(db.query(
        f"{BY_STATUS} WHERE v.status = 'minutes_final' AND {_UNSIGNED.format(roles=_HEAD)} "
        "AND v.delegation_id IN (SELECT delegation_id FROM memberships WHERE user_id = :me AND role = 'head') "
        "ORDER BY v.started_at, v.id LIMIT :limit", {"me": user_id, "limit": limit})))
