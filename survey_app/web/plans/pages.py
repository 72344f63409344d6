"""The plan pages under a delegation: the plans a planner keeps, one delegation's plan
(its fields and a table of schedule rows, saved at once), and its two documents, the
plan and the report outline, as PDF or DOCX. Checks and saving are
`domain/plans/operations.py`'s; the documents `domain/plans/documents.py`'s."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, FieldList, Form, FormField, HiddenField,
                     IntegerField, SelectField, StringField, TextAreaField)
from wtforms.validators import NumberRange, Optional

from survey_app.checklists.wtf import select_choices
from survey_app.clock import VN_TZ
from survey_app.domain import access
from survey_app.domain.errors import DomainError
from survey_app.domain.plans import documents as docs
from survey_app.domain.plans import operations as plans
from survey_app.domain.plans.context import number_text
from survey_app.formatting import format_datetime
from survey_app.markers import N_
from survey_app.storage import visits as visits_sql
from survey_app.web.context import current_user, get_forms, get_store
from survey_app.web.errors import refusal_text
from survey_app.web.i18n import own_language
from survey_app.web.inputs import text_arg

bp = Blueprint("plans", __name__, url_prefix="/delegations")
BLANK_ROWS = 2
PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RowForm(Form):
    id = HiddenField()
    unit = StringField(N_("Đơn vị được khảo sát"))
    started_at = DateTimeLocalField(N_("Thời gian bắt đầu (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    place = StringField(N_("Địa điểm làm việc"))
    checklist_form = SelectField(N_("Biểu mẫu khảo sát"), validate_choice=False)
    remove = BooleanField(N_("Xóa"))


class PlanForm(FlaskForm):
    issued_date = DateField(N_("Ngày ban hành kế hoạch"), validators=[Optional()])
    issued_place = StringField(N_("Địa danh ghi trên kế hoạch"))
    purpose = TextAreaField(N_("Mục đích (để trống: Đoàn dùng đoạn mặc định)"))
    requirements = TextAreaField(N_("Yêu cầu (để trống: Đoàn dùng đoạn mặc định)"))
    report_days = IntegerField(N_("Hạn gửi báo cáo: số ngày trước buổi khảo sát"), default=plans.DEFAULT_REPORT_DAYS,
                               validators=[Optional(), NumberRange(min=0, max=plans.MAX_REPORT_DAYS)])
    figures_from = DateField(N_("Số liệu tính từ ngày"), validators=[Optional()])
    figures_to = DateField(N_("Số liệu tính đến ngày"), validators=[Optional()])
    rows = FieldList(FormField(RowForm), min_entries=0, max_entries=plans.MAX_ROWS)


@bp.get("/plans")
def index():
    """The delegations whose plan this user keeps (head or secretary, admins all)."""
    user, store = current_user(), get_store()
    access.require(access.can_plan_visits(user), access.PLAN_REFUSED)
    ids = store.read(access.planning_delegation_ids, user)
    return render_template("plans/index.html", delegations=store.read(visits_sql.delegation_options, ids=ids))


@bp.route("/<int:delegation_id>/plan", methods=["GET", "POST"])
def page(delegation_id):
    store, user = get_store(), current_user()
    current = plans.load_plan(store, user, delegation_id)  # 404 / 403 before anything
    form = PlanForm() if request.method == "POST" else PlanForm(data=_form_data(current))
    if request.method == "GET":
        _pad(form, len(current["rows"]) + BLANK_ROWS)
    _choices(form)
    if request.method == "POST" and "add_row" in request.form:
        _pad(form, len(form.rows.entries) + 1)
        _choices(form)
        return _page(form, current, 200)
    if form.validate_on_submit():
        rows, sent = _rows(form, current)
        try:
            plans.save_plan(store, get_forms(), user, delegation_id, {"fields": _fields(form), "rows": rows})
        except DomainError as error:
            _attach(form, sent, error)
        else:
            flash(_("Đã lưu kế hoạch khảo sát."), "success")
            return redirect(url_for("plans.page", delegation_id=delegation_id))
    return _page(form, current, 400 if request.method == "POST" else 200)


def _page(form: PlanForm, current: dict, status: int):
    started = {row["id"]: {**row, "when": format_datetime(row["started_at"], str(get_locale()))}
               for row in current["rows"] if not row["editable"]}
    units = sorted({row["unit_name"] for row in current["rows"]})  # the others: the directory's search
    titles = {f.id: own_language(f, "title") for f in get_forms()}
    outlines = [(form_id, titles.get(form_id, form_id)) for form_id in
                dict.fromkeys(row["form_id"] for row in current["rows"])]
    number = number_text(current["delegation"], current["plan"]) if current["plan"]["number"] else ""
    return render_template("plans/page.html", form=form, current=current, started=started, units=units,
                           outlines=outlines, number=number, period=plans.period_text(current["delegation"]),
                           can_edit_delegation=get_store().read(access.can_edit_delegation, current_user(),
                                                                current["delegation"]["id"])), status


def _choices(form: PlanForm) -> None:
    choices = select_choices([("", "—")] + [(f.id, f"{own_language(f, 'title')} (v{f.version})")
                                            for f in get_forms()])
    for row in form.rows:
        row.form.checklist_form.choices = choices


def _pad(form: PlanForm, rows: int) -> None:
    while len(form.rows.entries) < min(rows, plans.MAX_ROWS):
        form.rows.append_entry()


def _local(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment).astimezone(VN_TZ).replace(tzinfo=None)


def _date(text: str):
    return dt.date.fromisoformat(text) if text else None


def _form_data(current: dict) -> dict:
    plan = current["plan"]
    return {"issued_date": _date(plan["issued_date"]), "issued_place": plan["issued_place"],
            "purpose": plan["purpose"], "requirements": plan["requirements"], "report_days": plan["report_days"],
            "figures_from": _date(plan["figures_from"]), "figures_to": _date(plan["figures_to"]),
            "rows": [{"id": str(row["id"]), "unit": row["unit_name"], "started_at": _local(row["started_at"]),
                      "place": row["place"], "checklist_form": row["form_id"]} for row in current["rows"]]}


def _fields(form: PlanForm) -> dict:
    return {"issued_date": form.issued_date.data.isoformat() if form.issued_date.data else "",
            "issued_place": form.issued_place.data or "", "purpose": form.purpose.data or "",
            "requirements": form.requirements.data or "",
            "report_days": form.report_days.data if form.report_days.data is not None else plans.DEFAULT_REPORT_DAYS,
            "figures": {"from": form.figures_from.data.isoformat() if form.figures_from.data else "",
                        "to": form.figures_to.data.isoformat() if form.figures_to.data else ""}}


def _rows(form: PlanForm, current: dict) -> tuple[list[dict], list]:
    """The rows as the plan's JSON shape, and the form row each came from; blank rows are
    left out, a visit that has started is sent as its id only (it stays as it is)."""
    started = {row["id"] for row in current["rows"] if not row["editable"]}
    rows, sent = [], []
    for entry in form.rows:
        row = entry.form
        visit_id = int(row.id.data) if (row.id.data or "").isdigit() else None
        if visit_id in started:
            rows.append({"id": visit_id})
        elif visit_id is None and not (row.unit.data or "").strip() and not row.started_at.data:
            continue
        elif row.remove.data:
            rows.append({"id": visit_id, "remove": True} if visit_id else {"remove": True})
        else:
            rows.append({**({"id": visit_id} if visit_id else {}), "unit": row.unit.data or "",
                         "started_at": row.started_at.data.replace(tzinfo=VN_TZ).isoformat()
                         if row.started_at.data else "", "place": row.place.data or "",
                         "form": row.checklist_form.data or ""})
        sent.append(entry)
    return rows, sent


ROW_FIELDS = {"unit": "unit", "unit_id": "unit", "started_at": "started_at", "place": "place",
              "form": "checklist_form"}
PLAN_FIELDS = {"figures.from": "figures_from", "figures.to": "figures_to", "figures": "figures_from"}


def _attach(form: PlanForm, sent: list, error: DomainError) -> None:
    """The refusal beside the field it names (a row's: that row's field)."""
    field, text = error.field or "", refusal_text(error)
    if field.startswith("rows["):
        index, _, sub = field[len("rows["):].partition("].")
        if index.isdigit() and int(index) < len(sent) and sub in ROW_FIELDS:
            target = getattr(sent[int(index)].form, ROW_FIELDS[sub])
            target.errors = [*target.errors, text]
            return
    target = getattr(form, PLAN_FIELDS.get(field, field), None) if field in PLAN_FIELDS or \
        field in PlanForm.__dict__ else None
    if target is None or field == "rows":
        form.form_errors.append(text)
    else:
        target.errors = [*target.errors, text]


# ----------------------------------------------------------------- documents

@bp.get("/<int:delegation_id>/plan.<kind>")
def plan_file(delegation_id, kind):
    context = docs.plan_document(get_store(), get_forms(), current_user(), delegation_id)
    return _send(docs.pdf(context, docs.PLAN_TEMPLATE) if kind == "pdf" else docs.docx(context) if kind == "docx"
                 else None, kind, f"ke-hoach-khao-sat-doan-{delegation_id}")


@bp.get("/<int:delegation_id>/outline.<kind>")
def outline_file(delegation_id, kind):
    form_id = text_arg("form")[:100] or None
    context = docs.outline_document(get_store(), get_forms(), current_user(), delegation_id, form_id)
    return _send(docs.pdf(context, docs.OUTLINE_TEMPLATE) if kind == "pdf" else
                 docs.docx(context, outline=True) if kind == "docx" else None,
                 kind, f"de-cuong-bao-cao-doan-{delegation_id}")


def _send(data: bytes | None, kind: str, name: str):
    if data is None:
        raise DomainError(N_("Chỉ tải được PDF hoặc DOCX."), "kind")
    return send_file(BytesIO(data), mimetype=PDF if kind == "pdf" else DOCX, as_attachment=True,
                     download_name=f"{name}.{kind}")
