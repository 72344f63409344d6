"""Follow-up documents: the report (PDF, XLSX, CSV) and the issued reports (numbered,
finalized, sealed), the reminder digests and the per-user iCalendar feed (token in the
URL, no session)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from survey_app.domain import access
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import report as followup_report
from survey_app.domain.followup import reminders
from survey_app.domain.followup import reports as issued
from survey_app.domain.followup import spreadsheet
from survey_app.storage import visits as visits_sql
from survey_app.web.context import current_user, get_store, minutes_env
from survey_app.web.errors import require_form
from survey_app.web.followup.pages import unit_choice, unit_name_of
from survey_app.web.inputs import date_arg, int_arg, int_value, text_arg
from survey_app.domain.visits.operations import parse_iso_date

bp = Blueprint("followup_docs", __name__, url_prefix="/followup")
# Content types as sent: one charset (Flask's `mimetype=` would add a second one).
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class CalendarForm(FlaskForm):
    """Making a new feed link: only the CSRF token."""


def report_filters() -> dict:
    return {"visit_from": date_arg("from"), "visit_to": date_arg("to"),
            "delegation_id": int_arg("delegation"), "unit_id": unit_choice(int_arg("unit"), text_arg("unit_name"))}


@bp.route("/report")
def report_form():
    store, user = get_store(), current_user()
    filters = report_filters()
    data = followup_report.report_data(store, user, filters) if request.args else None
    scope = access.scope(user)
    return render_template("followup/report_form.html", data=data, args=request.args,
                           delegations=store.read(visits_sql.delegation_options, scope),
                           unit_id=filters["unit_id"], unit_name=unit_name_of(store, user, filters["unit_id"]),
                           formats=FORMATS,
                           issue_form=ActionForm() if user["role"] in issued.PREPARERS else None)


@bp.route("/report.<fmt>")
def report_file(fmt):
    if fmt not in FORMATS:
        abort(404)
    data = followup_report.report_data(get_store(), current_user(), report_filters())
    body = {"pdf": followup_report.report_pdf, "xlsx": spreadsheet.report_xlsx,
            "csv": followup_report.report_csv}[fmt](data)
    name = f"bao-cao-theo-doi-kien-nghi-{data['today']}.{fmt}"
    return Response(body, content_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ActionForm(FlaskForm):
    """Finalize or seal a report: only the CSRF token."""


def _signer_fields() -> tuple[str, str]:
    return request.form.get("signer_name", ""), request.form.get("signer_title", "")


def _form_filters() -> dict:
    """The filters of a report as posted by its form (the names of the GET form)."""
    def text(name: str) -> str:
        return request.form.get(name, "").strip()
    return {"visit_from": parse_iso_date(text("from"), "from") if text("from") else None,
            "visit_to": parse_iso_date(text("to"), "to") if text("to") else None,
            "delegation_id": int_value(text("delegation"), "delegation"),
            "unit_id": unit_choice(int_value(text("unit"), "unit"), text("unit_name"))}


@bp.route("/reports", methods=["GET", "POST"])
def reports_page():
    store, user = get_store(), current_user()
    if request.method == "POST":
        require_form(ActionForm())
        report_id = issued.create_draft(store, user, _form_filters(), *_signer_fields())
        flash(_("Đã lập dự thảo báo cáo; kiểm tra nội dung rồi thông qua để cấp số."), "success")
        return redirect(url_for("followup_docs.report_page", report_id=report_id))
    access.require(user["role"] in issued.PREPARERS, issued.REFUSED)
    return render_template("followup/reports.html", reports=issued.reports(store, user), form=ActionForm(),
                           status_labels=issued.STATUS_LABELS)


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def report_page(report_id):
    store, user = get_store(), current_user()
    if request.method == "POST":
        require_form(ActionForm())
        issued.edit_draft(store, user, report_id, _form_filters(), *_signer_fields())
        flash(_("Đã lưu dự thảo báo cáo."), "success")
        return redirect(url_for("followup_docs.report_page", report_id=report_id))
    report = issued.load(store, user, report_id)
    data = report["content"] or issued.draft_data(store, user, report)
    scope = access.scope(user)
    return render_template("followup/issued_report.html", report=report, data=data, form=ActionForm(),
                           delegations=store.read(visits_sql.delegation_options, scope),
                           unit_name=unit_name_of(store, user, report["filters"].get("unit_id")),
                           status_labels=issued.STATUS_LABELS)


@bp.post("/reports/<int:report_id>/finalize")
def report_finalize(report_id):
    require_form(ActionForm())
    report = issued.finalize(get_store(), minutes_env(), current_user(), report_id)
    flash(_("Đã thông qua báo cáo số %(number)s.", number=report["content"]["number"]), "success")
    return redirect(url_for("followup_docs.report_page", report_id=report_id))


@bp.post("/reports/<int:report_id>/seal")
def report_seal(report_id):
    require_form(ActionForm())
    report = issued.seal(get_store(), minutes_env(), current_user(), report_id)
    flash(_("Đã đóng dấu số báo cáo số %(number)s.", number=report["content"]["number"]), "success")
    return redirect(url_for("followup_docs.report_page", report_id=report_id))


@bp.route("/reports/<int:report_id>.pdf")
def report_download(report_id):
    report, pdf = issued.pdf_of(get_store(), minutes_env(), current_user(), report_id)
    number = (report["content"] or {}).get("number", "").replace("/", "-")
    name = f"bao-cao-{number or 'du-thao'}-{report['status']}.pdf"
    return Response(pdf, content_type=FORMATS["pdf"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/reminders")
def reminder_page():
    days = int_arg("days", 30, maximum=366) or 30
    digests = reminders.digests(get_store(), current_user(), days, unit_id=int_arg("unit"))
    return render_template("followup/reminders.html", digests=digests, days=days,
                           labels=followup.STATUS_LABELS)


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page():
    store, user = get_store(), current_user()
    feed_url, form = None, CalendarForm()
    if request.method == "POST":
        require_form(form)
        token = reminders.create_calendar_token(store, user)
        feed_url = url_for("followup_docs.calendar_feed", token=token, _external=True)
        flash(_("Đã tạo liên kết lịch mới; liên kết cũ (nếu có) không còn dùng được."), "success")
    return render_template("followup/calendar.html", feed_url=feed_url, form=form,
                           has_calendar=reminders.has_calendar(store, user))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    store = get_store()
    user = reminders.user_for_calendar(store, token)
    if user is None:
        abort(404)
    body = reminders.calendar_feed(store, user, current_app.config.get("BASE_URL", ""))
    return Response(body, content_type="text/calendar; charset=utf-8")  # as is: one charset
