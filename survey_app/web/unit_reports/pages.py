"""Pages of the unit's own report: the list of upcoming visits (a host: their unit's,
with the deadline; the delegation side: which units have reported), the report form
(the host writes, autosaved through a JSON route with the CSRF header; everyone else
who may see the visit reads it), and its attached written report."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, send_file, url_for

from survey_app.clock import today_vn
from survey_app.domain import access
from survey_app.domain.errors import DomainError
from survey_app.domain.unit_reports import operations, views
from survey_app.domain.visits import queries as visit_queries
from survey_app.markers import N_
from survey_app.web import errors, nav
from survey_app.web.context import current_user, evidence_dir, get_forms, get_store
from survey_app.web.i18n import locale
from survey_app.web.unit_reports.api import save

bp = Blueprint("unit_reports", __name__)
nav.add_entry("unit_reports.index", N_("Báo cáo của đơn vị"), {"host"})  # others: from the visit list
errors.json_pages("unit_reports.autosave", "unit_reports.upload")


@bp.get("/unit-reports/")
def index():
    user = current_user()
    if user["role"] == "host":
        visits = views.upcoming_for_host(get_store(), user)
    else:
        visits = visit_queries.find_visits(get_store(), user, {"date_from": today_vn()})
        visits.sort(key=lambda v: v["started_at"])
    marks = views.reported_marks(get_store(), [v["id"] for v in visits])
    return render_template("unit_reports/index.html", visits=visits, marks=marks, is_host=user["role"] == "host")


@bp.get("/visits/<int:visit_id>/unit-report")
def page(visit_id):
    user = current_user()
    visit = operations.load_for_reading(get_store(), visit_id, user)
    form = get_store().read(get_forms().for_visit, visit)
    report, revision = views.report_view(get_store(), visit_id)
    writable = access.can_write_unit_report(user, visit) and visit["status"] in operations.EDITABLE_STATUSES
    return render_template("unit_reports/report.html", visit=visit, form=form, report=report, revision=revision,
                           writable=writable, deadline=views.deadline_of(get_store(), visit),
                           attachment=views.attachment(get_store(), visit_id), outline_url=_outline_url(visit),
                           **views.evaluation(form, report["indicators"], locale()))


def _outline_url(visit: dict) -> str:
    """The report outline (đề cương báo cáo) of the visit's form, from its delegation's
    plan (the host's own outline names their unit and deadline)."""
    return url_for("plans.outline_file", delegation_id=visit["delegation_id"], kind="pdf", form=visit["form_id"])


@bp.post("/visits/<int:visit_id>/unit-report/save")
def autosave(visit_id):
    """The report page's autosave: the API's PUT, with the session and CSRF header."""
    return save(visit_id, current_user())


@bp.post("/visits/<int:visit_id>/unit-report/attachment")
def upload(visit_id):
    user = current_user()
    operations.load_for_writing(get_store(), visit_id, user)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        raise DomainError(N_("Vui lòng chọn tệp báo cáo bằng văn bản (PDF hoặc DOCX)."), "attachment")
    result = operations.attach_file(get_store(), user, visit_id, evidence_dir(), upload_file.filename,
                                    upload_file.stream)
    return jsonify({"ok": True, **result, "url": url_for("unit_reports.attachment", visit_id=visit_id)}), 201


@bp.get("/visits/<int:visit_id>/unit-report/file")
def attachment(visit_id):
    """The attached written report; without one, the report page."""
    operations.load_for_reading(get_store(), visit_id, current_user())
    found = operations.attachment_file(get_store(), visit_id, evidence_dir())
    if found is None:
        return redirect(url_for("unit_reports.page", visit_id=visit_id))
    path, content_type, name = found
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
