"""The admin's form pages: list, upload (check + preview), publish, retire, download."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from survey_app.checklists import ITEM_TYPES
from survey_app.domain import access
from survey_app.domain.errors import DomainError
from survey_app.domain.forms import operations as ops
from survey_app.markers import N_
from survey_app.web import nav
from survey_app.web.errors import refusal_text
from survey_app.web.context import current_user, get_forms, get_store

bp = Blueprint("forms_admin", __name__, url_prefix="/admin/forms")
nav.add_entry("forms_admin.index", N_("Biểu mẫu"), {"admin"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def only_admins():
    access.require(access.can_manage_forms(current_user()), ops.NOT_ALLOWED)


@bp.get("")
def index():
    return _index()


def _index(problems=(), status=200):
    """The form list, with the problems of a refused workbook in the page's language."""
    problems = [p.translated(_) if hasattr(p, "translated") else p for p in problems]
    forms = get_forms()
    rows = [{"form": spec, "retired": retired, **ops.form_history(get_store(), spec.id)}
            for spec, retired in forms.catalogue()]
    return render_template("admin/forms.html", rows=rows, problems=problems), status


@bp.post("/preview")
def preview_upload():
    """Check an uploaded XLSForm; show every problem, or the preview and the publish button."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index([_("Vui lòng chọn tệp XLSForm (.xlsx) để tải lên.")], 400)
    try:
        spec = ops.prepare_xlsform(get_forms(), current_user(), upload.read())
    except ops.FormProblems as error:
        return _index(error.problems, 400)
    except DomainError as error:
        return _index([refusal_text(error)], 400)
    return _preview(spec, publishable=True)


@bp.get("/<form_id>/preview")
def preview(form_id):
    spec = get_forms().get(form_id)
    if spec is None:
        raise NotFound(N_("Biểu mẫu không tồn tại."))
    return _preview(spec, publishable=False)


def _preview(spec, publishable: bool):
    return render_template("admin/form_preview.html", form=spec, fields=sample_answers(spec),
                           publishable=publishable, current=get_forms().get(spec.id))


def sample_answers(spec) -> dict:
    """Answers that show each kind of item filled in (the admin changes them to try the
    skip logic): yes, the first choice, 1, a text, today."""
    samples = {"yes_partly_no": lambda item: "yes", "number": lambda item: 1,
               "choice": lambda item: item.choices[0].value if item.choices else None,
               "text": lambda item: _("Câu trả lời mẫu"),
               "date": lambda item: dt.date.today().isoformat(), "photo": lambda item: None}
    return {f"checklist.{key}.value": {"value": samples[item.type](item), "version": 0}
            for key, item in spec.items.items() if item.type in samples and item.type in ITEM_TYPES}


@bp.post("/publish")
def publish():
    # A browser sends a textarea's line breaks as CRLF: back to the canonical text's LF.
    source = request.form.get("source", "").replace("\r\n", "\n")
    content_hash = request.form.get("content_hash", "")
    try:
        spec = ops.publish_previewed(get_store(), get_forms(), current_user(), source, content_hash)
    except ops.FormProblems as error:
        return _index(error.problems, 400)
    except DomainError as error:
        return _index([refusal_text(error)], 400)
    flash(_("Đã phát hành biểu mẫu %(id)s, phiên bản %(version)s.", id=spec.id, version=spec.version),
          "success")
    return redirect(url_for("forms_admin.index"))


@bp.post("/<form_id>/retire")
def retire(form_id):
    return _retire(form_id, True)


@bp.post("/<form_id>/reinstate")
def reinstate(form_id):
    return _retire(form_id, False)


def _retire(form_id: str, retired: bool):
    try:
        ops.retire_form(get_store(), get_forms(), current_user(), form_id, retired)
    except DomainError as error:
        return _index([refusal_text(error)], 400)
    flash(_("Biểu mẫu %(id)s đã ngừng sử dụng cho buổi khảo sát mới.", id=form_id) if retired
          else _("Biểu mẫu %(id)s được dùng lại.", id=form_id), "success")
    return redirect(url_for("forms_admin.index"))


@bp.get("/<form_id>.xlsx")
def download(form_id):
    try:
        data = ops.form_xlsform(get_forms(), current_user(), form_id)
    except DomainError:
        raise NotFound(N_("Biểu mẫu không tồn tại.")) from None
    spec = get_forms().get(form_id)
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{form_id}-v{spec.version}.xlsx"'})
