"""The public verification page (xác thực biên bản): anyone, without signing in,
uploads a PDF or follows the QR code (`?code=` the verification code printed on the
document; `?draft=1` from a draft, which has no legal value). Rate-limited per
address (`web/limits.py`)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from survey_app.domain.minutes import verification
from survey_app.domain.access import SIGNATORY_LABELS
from survey_app.markers import N_
from survey_app.web import nav
from survey_app.web.context import get_store, minutes_env
from survey_app.web.errors import refusal_text

bp = Blueprint("verify", __name__)
nav.add_entry("verify.page", N_("Xác thực biên bản"), {"admin", "secretary", "head", "member", "host", "viewer"})


class VerifyForm(FlaskForm):
    file = FileField(N_("Tệp PDF biên bản"), validators=[FileRequired()])


@bp.route("/verify", methods=["GET", "POST"])
def page():
    store, form = get_store(), VerifyForm()
    result = found = None
    if form.validate_on_submit():
        try:
            result = verification.verify_document(store, minutes_env(), form.file.data.read())
        except verification.Refused as refusal:
            form.file.errors.append(refusal_text(refusal))
    code = request.args.get("code", "")[:100]
    found_report = found_survey = None
    if code and result is None:
        found = verification.describe_version(store, verification.find_version(store, code))
        found_report = None if found else verification.find_report(store, code)
        found_survey = None if found or found_report else verification.describe_survey_report(
            verification.find_survey_report(store, code=code))
    return render_template("minutes_pages/verify.html", form=form, result=result, code=code, found=found,
                           found_report=found_report, found_survey=found_survey,
                           draft=request.args.get("draft") == "1", role_labels=SIGNATORY_LABELS,
                           problems=verification.CERTIFICATE_PROBLEMS), 400 if form.errors else 200
