"""The public verification page (xác minh biên bản): anyone, without signing in,
uploads a PDF or follows the QR code (`?code=` the short content hash)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from survey_app.domain.minutes import documents as docs
from survey_app.domain.access import SIGNATORY_LABELS
from survey_app.markers import N_
from survey_app.web import nav
from survey_app.web.context import get_store, minutes_env

bp = Blueprint("verify", __name__)
nav.add_entry("verify.page", N_("Xác minh biên bản"), {"admin", "secretary", "head", "member", "host", "viewer"})


class VerifyForm(FlaskForm):
    file = FileField(N_("Tệp PDF biên bản"), validators=[FileRequired()])


@bp.route("/verify", methods=["GET", "POST"])
def page():
    store, form = get_store(), VerifyForm()
    result = found = None
    if form.validate_on_submit():
        result = docs.verify_document(store, minutes_env(), form.file.data.read())
    code = request.args.get("code", "")
    if code and result is None:
        found = docs.describe_version(store, docs.find_version(store, code))
    return render_template("minutes_pages/verify.html", form=form, result=result, code=code, found=found,
                           role_labels=SIGNATORY_LABELS), 400 if form.errors else 200
