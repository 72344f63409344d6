"""Administration: the list of users, creating a user, and per user: edit (name,
e-mail, role, unit), a temporary password, sign out everywhere, disable, enable."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from survey_app.checklists.wtf import select_choices
from survey_app.domain.accounts import editing
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


def role_field() -> SelectField:
    """The role list: a blank first choice, so no role (admin least of all) is preselected."""
    return SelectField(N_("Vai trò"), validators=[DataRequired(message=N_("Vui lòng chọn vai trò."))],
                       choices=select_choices([("", _l("— chọn vai trò —"))] +
                                              [(r, _l(access.USER_ROLE_LABELS[r])) for r in access.USER_ROLES]))


class AccountForm(FlaskForm):
    """What an administrator sets of an account, on creation and when editing it."""
    full_name = StringField(N_("Họ và tên"), validators=[Optional(), Length(max=200)])
    role = role_field()
    unit = StringField(N_("Đơn vị (với vai trò đại diện đơn vị)"), validators=[Optional(), Length(max=200)])
    email = EmailField(N_("Thư điện tử (nhận thư nhắc việc)"), validators=[Optional(), Length(max=254)])


class UserForm(AccountForm):
    username = StringField(N_("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(N_("Mật khẩu"), validators=[DataRequired(), Length(min=8, max=200)])


class PasswordResetForm(FlaskForm):
    password = PasswordField(N_("Mật khẩu tạm thời"), validators=[
        DataRequired(message=N_("Vui lòng nhập mật khẩu tạm thời dài ít nhất 8 ký tự.")),
        Length(min=accounts.MIN_PASSWORD, max=200,
               message=N_("Vui lòng nhập mật khẩu tạm thời dài ít nhất 8 ký tự."))])


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
                           role_labels=access.USER_ROLE_LABELS, units=[]), status  # suggested as typed


def _load_user(user_id: int) -> dict:
    user = get_store().read(sql.get_any_user, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    """One account: its name, e-mail address, role and unit (memberships of delegations
    are edited on the delegation pages)."""
    user = _load_user(user_id)
    form = _account_form(user)
    if form.validate_on_submit():
        try:
            changes = editing.edit_user(get_store(), user_id, current_user(), full_name=form.full_name.data,
                                        email=form.email.data or "", role=form.role.data, unit=form.unit.data)
        except DomainError as error:
            getattr(form, error.field if error.field in form else "role").errors.append(refusal_text(error))
            return _edit_page(user, form, PasswordResetForm(formdata=None), error.status)
        flash(_("Đã lưu tài khoản %(name)s.", name=user["username"]) if changes
              else _("Không có gì thay đổi."), "success")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    return _edit_page(user, form, PasswordResetForm(formdata=None), 400 if form.errors else 200)


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id):
    """A temporary password the administrator hands over; the account's sessions end."""
    user = _load_user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            editing.reset_password(get_store(), user_id, current_user(), form.password.data)
        except DomainError as error:
            form.password.errors.append(refusal_text(error))
        else:
            flash(_("Đã đặt mật khẩu tạm thời cho %(name)s. Vui lòng trao mật khẩu này trực tiếp; người dùng "
                    "phải đổi mật khẩu ngay khi đăng nhập.", name=user["username"]), "success")
            return redirect(url_for("admin.edit_user", user_id=user_id))
    return _edit_page(user, _account_form(user, formdata=None), form, 400)


def _account_form(user: dict, **kwargs) -> AccountForm:
    unit = get_store().read(units_sql.get_unit, user["unit_id"]) if user["unit_id"] else None
    return AccountForm(data={**user, "unit": unit["name"] if unit else ""}, **kwargs)


def _edit_page(user: dict, form: AccountForm, password_form: PasswordResetForm, status: int):
    # the unit field's suggestions come from the directory's search as the admin types
    unit = get_store().read(units_sql.get_unit, user["unit_id"]) if user["unit_id"] else None
    return render_template("admin/user_edit.html", user=user, form=form, password_form=password_form,
                           units=[unit] if unit else []), status


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
