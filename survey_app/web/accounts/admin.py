"""Administration: the list of users, creating a user, and per user: sign out
everywhere, disable, enable."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from survey_app.checklists.wtf import select_choices
from survey_app.domain.accounts import operations as accounts
from survey_app.domain import access
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import accounts as sql
from survey_app.storage import units as units_sql
from survey_app.web import nav
from survey_app.web.context import current_user, get_store
from survey_app.web.errors import refusal_text

bp = Blueprint("admin", __name__, url_prefix="/admin")
nav.add_entry("admin.users", N_("Người dùng"), {"admin"})


class UserForm(FlaskForm):
    username = StringField(N_("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    full_name = StringField(N_("Họ và tên"), validators=[Optional(), Length(max=200)])
    password = PasswordField(N_("Mật khẩu"), validators=[DataRequired(), Length(min=8, max=200)])
    role = SelectField(N_("Vai trò"), choices=select_choices([(r, _l(access.USER_ROLE_LABELS[r])) for r in access.USER_ROLES]))
    unit = StringField(N_("Đơn vị (với vai trò đại diện đơn vị)"), validators=[Optional(), Length(max=200)])
    email = EmailField(N_("Thư điện tử (nhận thư nhắc việc)"), validators=[Optional(), Length(max=254)])


ACTIONS = {"sign_out": N_("Đã đăng xuất %(name)s khỏi mọi thiết bị."),
           "disable": N_("Đã khóa tài khoản %(name)s."),
           "enable": N_("Đã mở khóa tài khoản %(name)s.")}


class UserActionForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])
    action = HiddenField(validators=[AnyOf(list(ACTIONS))])


@bp.before_request
def only_admins():
    access.require(access.can_manage_users(current_user()))


@bp.route("/users", methods=["GET", "POST"])
def users():
    store = get_store()
    form = UserForm()
    if form.validate_on_submit():
        try:
            accounts.create_user(store, form.username.data, form.password.data,
                                 form.role.data, (form.unit.data or "").strip() or None,
                                 (form.full_name.data or "").strip(), form.email.data or "")
        except DomainError as error:
            getattr(form, error.field or "username").errors.append(refusal_text(error))
        else:
            flash(_("Đã tạo người dùng %(name)s.", name=form.username.data), "success")
            return redirect(url_for("admin.users"))
    return _users_page(form, 400 if form.errors else 200)


def _users_page(form: UserForm, status: int):
    store = get_store()
    return render_template("admin/users.html", form=form, users=store.read(sql.list_users),
                           role_labels=access.USER_ROLE_LABELS,
                           units=store.read(units_sql.list_units)), status


@bp.post("/users/action")
def user_action():
    """One button of a user's row: end every session (and token), disable, enable."""
    form = UserActionForm()
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ."), "error")
        return _users_page(UserForm(formdata=None), 400)
    store, actor = get_store(), current_user()
    try:
        if form.action.data == "sign_out":
            user = accounts.sign_out_everywhere(store, form.user_id.data, actor)
        else:
            user = accounts.set_active(store, form.user_id.data, form.action.data == "enable", actor)
    except DomainError as error:
        flash(refusal_text(error), "error")
        return _users_page(UserForm(formdata=None), error.status)
    flash(_(ACTIONS[form.action.data], name=user["username"]), "success")
    return redirect(url_for("admin.users"))
