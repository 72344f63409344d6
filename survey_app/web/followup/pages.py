"""Follow-up pages: the board, one recommendation with its history and update form,
evidence downloads, the unit page and the board's charts (script-free SVG)."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField

from survey_app.domain import access
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup import evidence as followup_evidence
from survey_app.domain.followup import report as followup_report
from survey_app.domain.followup.month import month_calendar
from survey_app.domain.directory import units as directory_units
from survey_app.domain.errors import DomainError, NotFound
from survey_app.domain.survey_report import deadlines
from survey_app.markers import N_
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import visits as visits_sql
from survey_app.storage import units as units_sql
from survey_app.web import i18n, nav
from survey_app.web.context import current_user, done_rule, evidence_dir, get_forms, get_store
from survey_app.web.errors import flash_refusal, require_form
from survey_app.web.inputs import int_arg, month_arg, text_arg

bp = Blueprint("followup", __name__, url_prefix="/followup")
nav.add_entry("followup.board", N_("Theo dõi kiến nghị"), access.USER_ROLES)
# The status labels for templates/followup/_rows.html's `status_tag` (macros imported
# without context see the globals only).
bp.add_app_template_global(followup.STATUS_LABELS, "status_labels")


class UpdateForm(FlaskForm):
    """A host's progress report: the status is checked by the operation, which names it."""
    status = SelectField(N_("Trạng thái mới"), validate_choice=False)
    note = TextAreaField(N_("Nội dung cập nhật"))
    evidence = MultipleFileField(N_("Tài liệu minh chứng (PDF, ảnh, Word, Excel; tối đa 20 MB mỗi tệp)"))


class DecisionForm(FlaskForm):
    """The committee's answer to a claim of done: `decision` comes from the button pressed."""
    note = TextAreaField(N_("Ý kiến (bắt buộc khi không chấp nhận)"))
    decision = StringField()


def board_filters() -> dict:
    """The board's filters from the URL (so a view can be shared); refused naming the field."""
    status = text_arg("status") or None
    if status:
        followup.check_status(status)
    return {"status": status, "unit_id": _unit_filter(), "delegation_id": int_arg("delegation"),
            "due_month": month_arg("month"), "overdue": request.args.get("overdue") == "1",
            "q": text_arg("q")[:200] or None}


def _unit_filter() -> int | None:
    return unit_choice(int_arg("unit"), text_arg("unit_name"))


def unit_choice(unit_id: int | None, name: str) -> int | None:
    """The unit picker's id (`unit`), or without script the typed name (`unit_name`)
    matched in the directory after folding."""
    name = name[:300]
    if unit_id is not None or not name:
        return unit_id
    found = directory_units.resolve_name(get_store(), name)
    if found is None:
        raise DomainError(N_("Không tìm thấy đơn vị '%(name)s' trong danh mục; vui lòng chọn trong danh sách gợi ý."),
                          "unit_name", name=name)
    return found["id"]


def query_args(**changes) -> dict:
    args = {k: v for k, v in request.args.items() if v not in ("", None)}
    args.update({k: v for k, v in changes.items()})
    return {k: v for k, v in args.items() if v not in ("", None)}


@bp.route("/")
def board():
    store, user = get_store(), current_user()
    filters = board_filters()
    result = followup.board(store, user, filters, int_arg("page", 1))
    return render_template(
        "followup/board.html", board=result, filters=filters, labels=followup.STATUS_LABELS,
        statuses=followup.STATUSES, chart_args=query_args(page=None), query_args=query_args,
        delegation_choices=[(d["id"], d["name"])
                            for d in store.read(visits_sql.delegation_options, access.scope(user))],
        unit_name=unit_name_of(store, user, filters["unit_id"]),
        due_reports=deadlines.reports_due(store, user, current_app.config["REPORT_DUE_DAYS"]))


@bp.route("/calendar/<int(fixed_digits=4):year>-<int(fixed_digits=2):month>")
def calendar_month(year, month):
    """The month calendar of due dates, in the user's scope and the board's filters."""
    if not (1 <= month <= 12 and 1900 <= year <= 2998):
        raise NotFound(N_("Không có tháng này trong lịch."))
    filters = {**board_filters(), "due_month": None}
    data = month_calendar(get_store(), current_user(), year, month, filters)
    return render_template("followup/month.html", cal=data, query_args=query_args(month=None, page=None),
                           labels=followup.STATUS_LABELS)


def unit_name_of(store, user, unit_id: int | None) -> str:
    """The name the unit filter's search box shows for the chosen unit."""
    unit = store.read(units_sql.unit_in_scope, access.scope(user), unit_id) if unit_id else None
    return unit["name"] if unit else ""


@bp.route("/charts/status-by-unit.svg")
def chart_status_by_unit():
    return _svg(followup_report.chart_svg(get_store(), current_user(), board_filters(), "by_unit",
                                          gettext=_, locale=i18n.locale()))


@bp.route("/charts/closed.svg")
def chart_closed():
    return _svg(followup_report.chart_svg(get_store(), current_user(), board_filters(), "closed",
                                          gettext=_, locale=i18n.locale()))


def _svg(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/style.css")
def stylesheet():
    response = Response(render_template("followup/followup.css"), mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/r/<int:item_id>")
def detail(item_id):
    store, user = get_store(), current_user()
    row = followup.load(store, item_id, user)
    targets = followup.TRANSITIONS[row["status"]]
    update = UpdateForm(formdata=None)
    update.status.choices = [("", _("Giữ nguyên (%(s)s)", s=_(followup.STATUS_LABELS[row["status"]])))] + \
        [(t, _(followup.STATUS_LABELS[t])) for t in targets]
    can_decide = store.read(access.can_decide_recommendation, user, row)
    visit = store.read(visits_sql.get_visit, row["visit_id"]) if row["visit_id"] else None
    return render_template(
        "followup/detail.html", row=row, history=followup.history(store, item_id, user),
        labels=followup.STATUS_LABELS, update=update, decision=DecisionForm(formdata=None),
        # closed (accepted as done, or dropped): only the committee may still reopen it
        can_report=store.read(access.can_report_progress, user, row) and (can_decide or not followup.is_closed(row)),
        can_decide=can_decide, done_rule=done_rule(),
        visit_link=visit is not None and store.read(access.can_view_visit, user, visit),
        report_link=bool(row["report_id"]) and store.read(access.can_view_report, user, row["delegation_id"]))


def _back_to_detail(item_id: int):
    return redirect(url_for("followup.detail", item_id=item_id)), 303


@bp.post("/r/<int:item_id>/updates")
@flash_refusal(_back_to_detail)
def post_update(item_id):
    store, user = get_store(), current_user()
    form = require_form(UpdateForm())
    uploads = [(f.filename or "", f.stream) for f in form.evidence.data or () if f and f.filename]
    followup.report_progress(store, user, item_id, status=form.status.data, note=form.note.data or "",
                             uploads=uploads, folder=evidence_dir(), done_rule=done_rule())
    flash(_("Đã lưu cập nhật."), "success")
    return _back_to_detail(item_id)


@bp.post("/r/<int:item_id>/decision")
@flash_refusal(_back_to_detail)
def post_decision(item_id):
    form = require_form(DecisionForm())
    accept = form.decision.data == "accept"
    followup.decide_claim(get_store(), current_user(), item_id, accept, form.note.data or "")
    flash(_("Đã xác nhận hoàn thành.") if accept else _("Đã trả lại: chưa chấp nhận kết quả."), "success")
    return _back_to_detail(item_id)


@bp.route("/evidence/<int:evidence_id>")
def evidence(evidence_id):
    store, user = get_store(), current_user()
    found = store.read(rec_sql.get_evidence, evidence_id)
    if found is None:
        raise NotFound(N_("Không tìm thấy tệp minh chứng."))
    row = followup.load(store, found["item_id"], user)
    if not store.read(access.can_view_evidence, user, row, found):
        raise NotFound(N_("Không tìm thấy tệp minh chứng."))
    response = send_file(followup_evidence.evidence_path(evidence_dir(), found), mimetype=found["content_type"],
                         as_attachment=not found["content_type"].startswith("image/"),
                         download_name=followup_evidence.named_by_type(found["filename"], found["content_type"]))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/units/<int:unit_id>")
def unit(unit_id):
    data = followup_report.unit_overview(get_store(), get_forms(), current_user(), unit_id, locale=i18n.locale())
    return render_template("followup/unit.html", data=data)
