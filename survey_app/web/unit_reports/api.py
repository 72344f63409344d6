"""`GET/PUT /api/v1/visits/ID/unit-report` (contract in DESIGN.md, "Additions of
2026-11-29"). The answer's ETag is the report's revision; a PUT with `If-Match` of an
older revision is refused with 409 (a stale edit)."""
from __future__ import annotations

from flask import g, jsonify, request

from survey_app.domain.errors import DomainError
from survey_app.domain.unit_reports import operations, views
from survey_app.markers import N_
from survey_app.web.api import api_blueprint
from survey_app.web.context import get_forms, get_store
from survey_app.web.i18n import locale
from survey_app.web.inputs import json_body

bp = api_blueprint("api_unit_reports")


def if_match() -> int | None:
    """The revision a client last read (`If-Match: "N"`), or None when not sent."""
    text = request.headers.get("If-Match", "").strip()
    if not text or text == "*":
        return None
    text = text.removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise DomainError(N_("Vui lòng gửi 'If-Match' là số phiên bản của báo cáo (ví dụ \"3\")."), "If-Match")
    return int(text)


def answer(visit_id: int, extra: dict | None = None):
    """The report as the API reads it, its revision as the ETag."""
    body, revision = views.report_view(get_store(), visit_id)
    response = jsonify({**body, **(extra or {})})
    response.headers["ETag"] = f'"{revision}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def save(visit_id: int, user: dict):
    """PUT (API) or the page's autosave: permission and state first, then the body."""
    visit = operations.load_for_writing(get_store(), visit_id, user)
    revision = if_match()
    body = json_body()
    operations.save_report(get_store(), get_forms(), user, visit_id, body, revision)
    form = get_store().read(get_forms().for_visit, visit)
    report, _ = views.report_view(get_store(), visit_id)
    return answer(visit_id, views.evaluation(form, report["indicators"], locale()))


@bp.route("/visits/<int:visit_id>/unit-report", methods=["GET", "PUT"])
def report(visit_id):
    """GET: the report (its delegation, its unit's host, admins, viewers); PUT: the
    whole report, written by its unit's host only."""
    if request.method == "PUT":
        return save(visit_id, g.user)
    operations.load_for_reading(get_store(), visit_id, g.user)
    return answer(visit_id)
