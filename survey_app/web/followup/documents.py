"""Follow-up documents: the report (PDF, XLSX, CSV), the reminder digests and the
per-user iCalendar feed (token in the URL, no session)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from survey_app.domain import access
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import report as followup_report
from survey_app.domain.followup import reminders
from survey_app.domain.followup import spreadsheet
from survey_app.storage import visits as visits_sql
from survey_app.storage import units as units_sql
from survey_app.web.context import current_user, get_store
from survey_app.web.errors import require_form
from survey_app.web.inputs import date_arg, int_arg

bp = Blueprint("followup_docs", __name__, url_prefix="/followup")
# Content types as sent: one charset (Flask's `mimetype=` would add a second one).
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class CalendarForm(FlaskForm):
    """Making a new feed link: only the CSRF token."""


def report_filters() -> dict:
    return {"visit_from": date_arg("from"), "visit_to": date_arg("to"),
            "delegation_id": int_arg("delegation"), "unit_id": int_arg("unit")}


@bp.route("/report")
def report_form():
    store, user = get_store(), current_user()
    filters = report_filters()
    data = followup_report.report_data(store, user, filters) if request.args else None
    scope = access.scope(user)
    return render_template("followup/report_form.html", data=data, args=request.args,
                           delegations=store.read(visits_sql.delegation_options, scope),
                           units=store.read(units_sql.list_units, scope)[:500], formats=FORMATS)


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
