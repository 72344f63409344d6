"""Sign-in, sign-out and the user's own password change."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from survey_app.domain.accounts import operations as accounts
from survey_app.domain.accounts import sign_in
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.web.context import current_user, get_store
from survey_app.web.errors import refusal_text

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(N_("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(N_("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(N_("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(N_("Mật khẩu mới"), validators=[
        DataRequired(), Length(min=accounts.MIN_PASSWORD, max=200,
                               message=N_("Vui lòng nhập mật khẩu mới dài ít nhất 8 ký tự."))])
    confirm = PasswordField(N_("Nhập lại mật khẩu mới"), validators=[
        DataRequired(), EqualTo("new_password", message=N_("Vui lòng nhập lại đúng mật khẩu mới."))])


def start_session(user_id: int, epoch: int) -> None:
    """A fresh session (nothing carried over) bound to the user's current epoch."""
    session.clear()
    session["user_id"] = user_id
    session["epoch"] = epoch
    session.permanent = True


def safe_next(target: str | None) -> str:
    """A path of this site only: browsers drop tabs and newlines from a URL and read a
    backslash as a slash, so "/\\evil" or "/<tab>/evil" would lead off the site."""
    if target and target.startswith("/") and target.isprintable() and "\\" not in target \
            and not target.startswith("//"):
        return target
    return url_for("shell.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, retry_after = 200, None
    if form.validate_on_submit():
        try:
            user = sign_in.authenticate(get_store(), form.username.data, form.password.data,
                                        request.remote_addr or "")
        except sign_in.Throttled as error:
            flash(refusal_text(error), "error")
            status, retry_after = 429, error.retry_after
        except DomainError as error:
            flash(refusal_text(error), "error")
            status = 401
        else:
            start_session(user["id"], user["session_epoch"])
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    response = make_response(render_template("auth/login.html", form=form), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    user = current_user()
    if user is not None:
        accounts.sign_out(get_store(), user)
    session.clear()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """The signed-in user's own password; every other session and token ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user()
        try:
            epoch = accounts.change_password(get_store(), user, form.current_password.data,
                                             form.new_password.data, request.remote_addr or "")
        except sign_in.Throttled as error:
            form.current_password.errors.append(refusal_text(error))
        except DomainError as error:
            getattr(form, error.field or "current_password").errors.append(refusal_text(error))
        else:
            start_session(user["id"], epoch)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("shell.index"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
