"""The home page per role (trang chủ): today's and upcoming visits, the visit to resume,
and what waits for this user: a host the recommendations due and the unit's reports
still to send, the committee the claims to confirm, a secretary the minutes to
finalise and to collect signatures for, a head of delegation the minutes to sign.
Every list is in the user's scope (`access.scope`), one query each."""
from __future__ import annotations

import datetime as dt

from survey_app.clock import today_vn
from survey_app.domain import access
from survey_app.domain.plans.operations import DEFAULT_REPORT_DAYS
from survey_app.domain.unit_reports import views as unit_report_views
from survey_app.domain.visits.operations import EDITABLE_STATUSES
from survey_app.storage import home as sql

SHOWN = 8  # rows per list; the total is shown beside them
DUE_SOON_DAYS = 30  # a host sees what falls due within a month (and everything overdue)

# Which lists of "what waits for me" each role gets, in the order shown.
WAITING = {
    "host": ("recommendations_due", "unit_report_due"),
    "secretary": ("minutes_to_finalize", "signatures_to_collect", "claims_to_confirm"),
    "head": ("minutes_to_sign", "claims_to_confirm"),
    "admin": ("claims_to_confirm",),
    "member": (),
    "viewer": (),
}


def _waiting(db, name: str, user: dict, scope, today: str):
    if name == "recommendations_due":
        until = (dt.date.fromisoformat(today) + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
        return sql.recommendations_due(db, scope, today, until, SHOWN)
    if name == "unit_report_due":
        listed = sql.unit_reports_due(db, scope.unit_id, today, SHOWN)
        for row in listed["rows"]:  # the deadline rule of the unit report pages, with the plan's days
            days = row["report_days"] if row["report_days"] is not None else DEFAULT_REPORT_DAYS
            row["deadline"] = unit_report_views.deadline(row, days)
            row["overdue"] = row["deadline"] < today
        return listed
    if name == "claims_to_confirm":
        return sql.claims_to_confirm(db, scope, today, SHOWN)
    if name == "minutes_to_finalize":
        return sql.minutes_to_finalize(db, scope, today, SHOWN)
    if name == "signatures_to_collect":
        return sql.minutes_awaiting_signatures(db, scope, SHOWN)
    if name == "minutes_to_sign":
        return sql.minutes_to_sign_as_head(db, user["id"], SHOWN)
    raise KeyError(name)


def _resume_as(user: dict, visit: dict | None) -> str | None:
    """How the visit is resumed: a host in the unit's report (what they write), the
    delegation side in capture while it can still change, otherwise its page."""
    if visit is None:
        return None
    if user["role"] == "host":
        return "unit_report"
    return "capture" if visit["status"] in EDITABLE_STATUSES and user["role"] != "viewer" else "view"


def home_for(store, user: dict, today: str | None = None) -> dict:
    """{today, visits: {rows, total}, resume: visit or None, resume_as, waiting:
    {name: {rows, total}}} for this user (a row's `day` is the visit's date)."""
    today = today or today_vn()
    scope = access.scope(user)

    def read(db):
        resume = sql.last_edited_visit(db, scope, user["id"]) if user["id"] is not None else None
        waiting = {name: _waiting(db, name, user, scope, today) for name in WAITING.get(user["role"], ())}
        return {"today": today, "visits": sql.upcoming_visits(db, scope, today, SHOWN), "resume": resume,
                "resume_as": _resume_as(user, resume),
                "waiting": waiting}
    return store.read(read)
