"""What the pages and the API show of the unit's own report: the report as the API
answers it, the host's upcoming visits with their deadlines, the capture page's
reported and previous figures, and which visits of a list have a report."""
from __future__ import annotations

from survey_app.clock import today_vn
from survey_app.domain.plans import operations as plans
from survey_app.domain.plans.context import report_due
from survey_app.storage import unit_reports as sql
from survey_app.storage import visits as visits_sql



def report_view(store, visit_id: int) -> tuple[dict, int]:
    """(the report as the API answers it, its revision: 0 when none was sent yet)."""
    report = store.read(sql.get_report, visit_id)
    if report is None:
        return {"summary": "", "period": {"from": None, "to": None}, "indicators": {}, "difficulties": [],
                "proposals": [], "submitted_at": None, "by": None}, 0
    return {"summary": report["summary"], "period": {"from": report["period_from"], "to": report["period_to"]},
            "indicators": report["indicators"], "difficulties": report["difficulties"],
            "proposals": report["proposals"], "submitted_at": report["submitted_at"],
            "by": report["by_name"]}, report["revision"]


def evaluation(form, indicators: dict, locale: str = "vi") -> dict:
    """The computed figures and the rule warnings (in `locale`) of the reported figures
    (warned, never blocked)."""
    result = form.evaluate(indicators)
    return {"computed": result.computed, "warnings": result.messages(locale)}


def attachment(store, visit_id: int) -> dict | None:
    report = store.read(sql.get_report, visit_id)
    if report is None or not report["attachment_sha256"]:
        return None
    return {"name": report["attachment_name"], "size": report["attachment_size"],
            "content_type": report["attachment_type"]}


def deadline(visit: dict, days: int) -> str:
    """The day (ISO) by which the unit reports: `days` before the visit's day (Vietnam
    time); the days are the plan's (`plans.report_days`)."""
    return report_due(visit["started_at"], days)


def deadline_of(store, visit: dict) -> str:
    return deadline(visit, store.read(plans.report_days, visit["delegation_id"]))


def upcoming_for_host(store, user: dict) -> list[dict]:
    """The host's unit's visits still to come or under way, each with its deadline and
    whether (and when) the unit has reported."""
    def read(db):
        rows = sql.upcoming_visits(db, user["unit_id"] or 0, today_vn())
        days = {}
        for row in rows:
            visit = visits_sql.get_visit(db, row["id"])
            if visit["delegation_id"] not in days:
                days[visit["delegation_id"]] = plans.report_days(db, visit["delegation_id"])
            row["deadline"] = deadline(visit, days[visit["delegation_id"]])
            row["overdue"] = row["submitted_at"] is None and row["deadline"] < today_vn()
        return rows
    return store.read(read)


def capture_figures(store, visit: dict) -> dict:
    """For the capture page: the unit's reported figures, the same unit's previous
    visit's figures (its record, as verified then), and the uids of the items the
    report prefilled."""
    def read(db):
        report = sql.get_report(db, visit["id"])
        previous = sql.previous_visit(db, visit["unit_id"], visit["id"], visit["started_at"])
        previous_figures = {}
        if previous is not None:
            previous_figures = {path.split(".", 1)[1]: field["value"]
                                for path, field in visits_sql.fields_of(db, previous["id"]).items()
                                if path.startswith("indicators.") and field["value"] is not None}
        return {"reported": report["indicators"] if report else None,
                "reported_at": report["submitted_at"] if report else None,
                "reported_items": set((report or {}).get("applied", {}).get("items", [])),
                "previous": previous_figures, "previous_at": previous["started_at"] if previous else None}
    return store.read(read)


def reported_marks(store, visit_ids: list[int]) -> dict[int, dict]:
    """visit id → {submitted_at, by_name} for the visits of a list that have a report."""
    return store.read(sql.reported_at, visit_ids)
