"""The delegations pages (admins and secretaries): the list, a new delegation, and
editing one with its members. The members are a table of rows: filled rows are the
members, empty rows are ignored, "Thêm dòng" adds a row, a ticked "Xóa" drops one;
no script is needed. Checks and saving are `domain/directory/delegations.py`'s."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import NumberRange, Optional

from survey_app.checklists.wtf import select_choices
from survey_app.domain import access
from survey_app.domain.access import POSITION_LABELS
from survey_app.domain.directory import delegations, minutes_settings
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.web import nav
from survey_app.web.context import current_user, get_store
from survey_app.web.errors import refusal_text
from survey_app.web.inputs import int_arg

bp = Blueprint("directory", __name__, url_prefix="/delegations")
# In the admins' menu; a secretary's menu stays on one line at 768 px: their way in is
# the visit list's "Các đoàn" button.
nav.add_entry("directory.index", N_("Các đoàn"), {"admin"})

BLANK_ROWS = 2
MAX_ROWS = delegations.MAX_MEMBERS


class MemberForm(Form):
    name = StringField(N_("Họ và tên"))
    title = StringField(N_("Chức vụ in trên văn bản"))
    role = SelectField(N_("Chức danh trong đoàn"), default="member", choices=select_choices(
        [(p, _l(POSITION_LABELS[p])) for p in access.DELEGATION_POSITIONS]))
    username = StringField(N_("Tài khoản (tên đăng nhập)"))
    remove = BooleanField(N_("Xóa"))


class DelegationForm(FlaskForm):
    name = StringField(N_("Tên đoàn"))
    kind = SelectField(N_("Loại đoàn"), choices=select_choices(
        [(k, _l(delegations.KIND_LABELS[k])) for k in delegations.KINDS]))
    body = StringField(N_("Cơ quan thành lập đoàn"))
    parent_body = StringField(N_("Cơ quan cấp trên"))
    topic = StringField(N_("Chủ đề"))
    decision_number = StringField(N_("Số quyết định thành lập đoàn"))
    decision_date = DateField(N_("Ngày quyết định"), validators=[Optional()])
    symbol = StringField(N_("Ký hiệu trong số văn bản (ví dụ BPC)"))
    followup_days = IntegerField(N_("Thời hạn theo dõi kiến nghị (ngày)"), default=90,
                                 validators=[Optional(), NumberRange(min=1, max=delegations.MAX_FOLLOWUP_DAYS)])
    signature_layout = SelectField(N_("Bố trí chữ ký trong biên bản"), default="three_party", choices=select_choices(
        [(k, _l(delegations.SIGNATURE_LAYOUT_LABELS[k])) for k in delegations.SIGNATURE_LAYOUTS]))
    period_from = DateField(N_("Thời gian khảo sát từ ngày"), validators=[Optional()])
    period_to = DateField(N_("Thời gian khảo sát đến ngày"), validators=[Optional()])
    minutes_place = StringField(N_("Địa danh ở dòng ngày tháng (để trống: tên tỉnh của cơ quan ban hành)"))
    minutes_copies = TextAreaField(N_("Số bản biên bản và nơi giữ (mỗi dòng: nơi giữ: số bản)"))
    minutes_recipients = TextAreaField(N_("Các nơi được gửi biên bản (mỗi dòng một nơi)"))
    members = FieldList(FormField(MemberForm), min_entries=1, max_entries=MAX_ROWS)


@bp.before_request
def only_managers():
    access.require(access.can_manage_delegations(current_user()), delegations.REFUSED)


@bp.get("/")
def index():
    page = max(int_arg("page", 1, maximum=100_000), 1)
    result = delegations.list_page(get_store(), current_user(), page)
    return render_template("directory/delegations.html", result=result, kind_labels=delegations.KIND_LABELS,
                           position_labels=POSITION_LABELS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = DelegationForm()
    if request.method == "GET":
        _pad(form, BLANK_ROWS + 2)
    return _edit(form, None)


@bp.route("/<int:delegation_id>/edit", methods=["GET", "POST"])
def edit(delegation_id):
    current = delegations.get(get_store(), current_user(), delegation_id)  # 404 / 403 before anything
    form = DelegationForm() if request.method == "POST" else DelegationForm(data=_form_data(current))
    if request.method == "GET":
        _pad(form, len(current["members"]) + BLANK_ROWS)
    return _edit(form, current)


def _edit(form: DelegationForm, current: dict | None):
    if request.method == "POST" and "add_row" in request.form:
        _pad(form, len(form.members.entries) + 1)
        return _page(form, current)
    if form.validate_on_submit():
        store, user = get_store(), current_user()
        try:
            if current is None:
                delegation_id = delegations.create(store, user, _data(form))
            else:
                delegation_id = current["id"]
                delegations.update(store, user, delegation_id, _data(form))
        except DomainError as error:
            _attach(form, error)
        else:
            flash(_("Đã lưu đoàn %(name)s.", name=form.name.data.strip()), "success")
            return redirect(url_for("directory.edit", delegation_id=delegation_id))
    return _page(form, current)


def _page(form: DelegationForm, current: dict | None):
    status = 400 if request.method == "POST" and "add_row" not in request.form else 200
    return render_template("directory/edit.html", form=form, current=current,
                           host_placeholder=minutes_settings.HOST), status


def _pad(form: DelegationForm, rows: int) -> None:
    while len(form.members.entries) < min(rows, MAX_ROWS):
        form.members.append_entry()


def _form_data(current: dict) -> dict:
    return {**{key: current[key] for key in ("name", "kind", "body", "parent_body", "topic", "symbol",
                                            "followup_days")},
            "signature_layout": current.get("signature_layout") or "three_party",
            "minutes_place": current.get("minutes_place", ""),
            "minutes_copies": minutes_settings.copies_lines(current.get("minutes_copies", [])),
            "minutes_recipients": "\n".join(current.get("minutes_recipients", [])),
            "decision_number": current["decision"]["number"],
            "decision_date": _date(current["decision"]["date"]),
            "period_from": _date(current.get("period", {}).get("from", "")),
            "period_to": _date(current.get("period", {}).get("to", "")),
            "members": [{**m, "username": m["username"] or ""} for m in current["members"]]}


def _date(text: str):
    return dt.date.fromisoformat(text) if text else None


def _data(form: DelegationForm) -> dict:
    """The form as the delegation's JSON shape (rows without a name, and ticked ones, left out)."""
    members = [{"name": row.form.name.data or "", "title": row.form.title.data or "", "role": row.form.role.data,
                "username": (row.form.username.data or "").strip()}
               for row in form.members if (row.form.name.data or "").strip() and not row.form.remove.data]
    return {"name": form.name.data or "", "kind": form.kind.data, "body": form.body.data or "",
            "parent_body": form.parent_body.data or "", "topic": form.topic.data or "",
            "symbol": form.symbol.data or "", "followup_days": form.followup_days.data or 90,
            "signature_layout": form.signature_layout.data,
            "minutes_place": (form.minutes_place.data or "").strip() or None,
            "minutes_copies": minutes_settings.copies_from_lines(form.minutes_copies.data),
            "minutes_recipients": [line for line in (form.minutes_recipients.data or "").splitlines()
                                   if line.strip()] or None,
            "decision": {"number": form.decision_number.data or "",
                         "date": form.decision_date.data.isoformat() if form.decision_date.data else ""},
            "period": {"from": form.period_from.data.isoformat() if form.period_from.data else "",
                       "to": form.period_to.data.isoformat() if form.period_to.data else ""},
            "members": members}


def _attach(form: DelegationForm, error: DomainError) -> None:
    """Show the refusal beside the field it names (a member's row: that row's field)."""
    field = error.field or "name"
    target = {"decision.number": "decision_number", "decision.date": "decision_date", "period": "period_from",
              "period.from": "period_from", "period.to": "period_to"}.get(field, field)
    if target.startswith("minutes_"):
        target = target.split("[")[0]
    if target.startswith("members["):
        index, _, sub = target[len("members["):].partition("].")
        rows = [row for row in form.members if (row.form.name.data or "").strip() and not row.form.remove.data]
        if index.isdigit() and int(index) < len(rows) and sub in MemberForm.__dict__:
            getattr(rows[int(index)].form, sub).errors = [*getattr(rows[int(index)].form, sub).errors,
                                                         refusal_text(error)]
            return
        target = "members"
    owner = getattr(form, target, None) if target in DelegationForm.__dict__ else None
    if owner is None:
        form.form_errors.append(refusal_text(error))
    elif target == "members":
        form.form_errors.append(refusal_text(error))
    else:
        owner.errors = [*owner.errors, refusal_text(error)]
