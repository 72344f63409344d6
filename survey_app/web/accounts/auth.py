"""Login and logout pages."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from survey_app.domain.accounts import sign_in
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.web.context import get_store
from survey_app.web.errors import refusal_text

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(N_("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(N_("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


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
            session.clear()  # a fresh session at login: nothing carried over
            session["user_id"] = user["id"]
            session.permanent = True
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    response = make_response(render_template("auth/login.html", form=form), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
