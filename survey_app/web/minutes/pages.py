"""Pages of the minutes (biên bản): versions, draft, wording, finalize, signing on the
tablet, correction, the signatories a delegation requires, the signing certificate."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from io import BytesIO
from wtforms import PasswordField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired

from survey_app.domain.minutes import comparison
from survey_app.domain.minutes import documents as docs
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.domain.minutes import operations as ops
from survey_app.domain import access
from survey_app.domain.access import SIGNATORY_LABELS, SIGNATORY_ROLES
from survey_app.domain.errors import DomainError
from survey_app.domain.minutes.input import SECTIONS, generated_sections
from survey_app.domain.visits.operations import EDITABLE_STATUSES, STATUS_LABELS
from survey_app.formatting import format_date, parse_datetime
from survey_app.clock import VN_TZ
from survey_app.markers import N_
from survey_app.web import i18n, nav
from survey_app.web import signing
from survey_app.web.context import current_user, get_forms, get_store, minutes_env
from survey_app.web.signing import SignatureForm, device
from survey_app.web.errors import flash_refusal, refusal_text, require_form

bp = Blueprint("minutes", __name__)
nav.add_entry("minutes.certificate", N_("Chứng thư số"), {"admin"})
PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.app_template_filter("vn_time")
def vn_time(value) -> str:
    """An ISO moment as `13/10/2025 08:30` in Vietnam time."""
    moment = parse_datetime(value)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


@bp.app_template_filter("vn_date")
def vn_date(value) -> str:
    """An ISO date as `13/10/2025`."""
    return format_date(value)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class SignatoriesForm(FlaskForm):
    """The roles that must sign; the operation checks each and names a wrong one."""
    roles = SelectMultipleField(validate_choice=False)


class CertificateForm(FlaskForm):
    p12 = FileField(N_("Tệp PKCS#12 (.p12, .pfx)"), validators=[FileRequired()])
    passphrase = PasswordField(N_("Mật khẩu của tệp"), validators=[DataRequired()])


def wording_form(values: dict):
    fields = {key: TextAreaField(label, default=values.get(key, "")) for key, label in SECTIONS.items()}
    return type("WordingForm", (FlaskForm,), fields)()


def back(visit_id: int, endpoint: str = "minutes.page"):
    return redirect(url_for(endpoint, visit_id=visit_id))


def back_to_sign(visit_id: int, **_):
    return back(visit_id, "minutes.sign")


@bp.route("/visits/<int:visit_id>/minutes")
def page(visit_id):
    store = get_store()
    visit = ops.load_for_minutes(store, visit_id, current_user())
    versions = ops.versions(store, visit_id)
    return render_template(
        "minutes_pages/minutes.html", visit=visit, versions=versions, latest=versions[-1] if versions else None,
        status_label=STATUS_LABELS[visit["status"]], form=ActionForm(),
        can_prepare=store.read(access.can_prepare_minutes, current_user(), visit),
        roles=ops.required_roles(store, visit), role_labels=SIGNATORY_LABELS, all_roles=SIGNATORY_ROLES,
        missing=ops.missing_items(store, get_forms(), visit, i18n.locale()) if visit["status"] in EDITABLE_STATUSES else [])


@bp.post("/visits/<int:visit_id>/minutes/draft")
@flash_refusal(back)
def draft(visit_id):
    require_form(ActionForm())
    ops.generate_draft(get_store(), current_user(), visit_id)
    flash(_("Đã tạo dự thảo biên bản."), "success")
    return back(visit_id)


@bp.post("/visits/<int:visit_id>/minutes/finalize")
@flash_refusal(back_to_sign)
def finalize(visit_id):
    require_form(ActionForm())
    ops.finalize_minutes(get_store(), get_forms(), minutes_env(), current_user(), visit_id,
                         confirmed=request.form.get("confirm") == "1")
    flash(_("Đã thông qua biên bản; mời các bên ký."), "success")
    return back_to_sign(visit_id)


@bp.post("/visits/<int:visit_id>/minutes/correction")
@flash_refusal(back)
def correction(visit_id):
    require_form(ActionForm())
    ops.issue_correction(get_store(), current_user(), visit_id)
    flash(_("Đã lập dự thảo bản đính chính; hồ sơ được mở lại để sửa."), "success")
    return back(visit_id)


@bp.post("/visits/<int:visit_id>/minutes/signatories")
@flash_refusal(back)
def signatories(visit_id):
    form = require_form(SignatoriesForm())
    ops.set_signatory_roles(get_store(), current_user(), visit_id, form.roles.data or [])
    flash(_("Đã lưu danh sách người ký."), "success")
    return back(visit_id)


@bp.route("/visits/<int:visit_id>/minutes/wording", methods=["GET", "POST"])
def wording(visit_id):
    store = get_store()
    visit = ops.load_for_minutes(store, visit_id, current_user(), prepare=True)
    minutes = ops.require_version(store, visit_id, None)
    generated = generated_sections(docs.input_of_draft(store, get_forms(), minutes_env(), minutes)) \
        if minutes["status"] == "draft" else {}
    form = wording_form({k: minutes["wording"].get(k) or generated.get(k, "") for k in SECTIONS})
    if form.validate_on_submit():
        texts = {k: form[k].data for k in SECTIONS}
        # Text equal to the generated one stays generated: the record keeps feeding it.
        overrides = {k: v for k, v in texts.items() if _norm(v) != _norm(generated.get(k, ""))}
        try:
            ops.edit_wording(store, current_user(), visit_id, overrides)
        except DomainError as error:
            if error.status != 409:
                raise
            flash(refusal_text(error), "error")
            return render_template("minutes_pages/wording.html", visit=visit, form=form, minutes=minutes,
                                   generated=generated), 409
        flash(_("Đã lưu câu chữ của biên bản."), "success")
        return back(visit_id)
    return render_template("minutes_pages/wording.html", visit=visit, form=form, minutes=minutes,
                           generated=generated)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


@bp.route("/visits/<int:visit_id>/minutes/sign")
def sign(visit_id):
    store, user = get_store(), current_user()
    visit = ops.load_for_minutes(store, visit_id, user)
    minutes = ops.require_version(store, visit_id, None)
    signed = {s["role"]: s for s in ops.signatures(store, minutes)}
    names = {s["role"]: s["name"] for s in (minutes.get("input_json") or {}).get("signatories", [])}
    slots = [{"role": r, "label": SIGNATORY_LABELS[r], "signature": signed.get(r),
              "form": SignatureForm(prefix=r, name=names.get(r, "")),
              "action": url_for("minutes.sign_role", visit_id=visit_id, role=r),
              "allowed": store.read(access.can_sign_minutes, user, visit, r)}
             for r in (minutes.get("required_roles") or [])]
    return render_template(
        "signing/sign.html", words=signing.MINUTES_WORDS, subtitle=visit["unit_name"], document=minutes,
        slots=slots, pages=signing.page_list(minutes), changes=comparison.changes_of_correction(store, minutes),
        page_url=lambda n, h: url_for("minutes.page_image", visit_id=visit_id, version=minutes["version"],
                                      number=n, h=h),
        pdf_url=url_for("minutes.download", visit_id=visit_id, version=minutes["version"], kind="pdf"),
        back_url=url_for("minutes.page", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/minutes/v<int:version>/page-<int:number>.png")
def page_image(visit_id, version, number):
    """One page of a final or signed version's PDF as an image, for reading it before signing."""
    store = get_store()
    ops.load_for_minutes(store, visit_id, current_user())
    minutes = ops.require_version(store, visit_id, version)
    return signing.page_image(minutes, number, signing.MINUTES_WORDS["no_page"])


@bp.post("/visits/<int:visit_id>/minutes/sign/<role>")
@flash_refusal(back_to_sign)
def sign_role(visit_id, role):
    form = SignatureForm(prefix=role)
    if not form.validate_on_submit():
        raise DomainError(N_("Vui lòng ký vào khung và ghi họ tên trước khi bấm Ký."), "name")
    result = ops.add_signature(get_store(), minutes_env(), current_user(), visit_id, role,
                               form.name.data, form.image.data, device=device())
    if not result["sealed"]:  # once sealed, the page's own box says it (with the download): one box, not two
        flash(_("Đã lưu chữ ký."), "success")
    return back(visit_id, "minutes.sign")


@bp.route("/visits/<int:visit_id>/minutes/v<int:version>.<kind>")
def download(visit_id, version, kind):
    store = get_store()
    ops.load_for_minutes(store, visit_id, current_user())
    minutes = ops.require_version(store, visit_id, version)
    if kind == "pdf":
        data, mime = docs.version_pdf(store, get_forms(), minutes_env(), minutes), PDF
    elif kind == "docx":
        data, mime = docs.version_docx(store, get_forms(), minutes_env(), minutes), DOCX
    else:
        raise DomainError(N_("Vui lòng chọn tệp PDF hoặc DOCX."), "kind")
    return send_file(BytesIO(data), mimetype=mime, as_attachment=True,
                     download_name=docs.file_name(visit_id, minutes, "." + kind))


@bp.route("/admin/certificate", methods=["GET", "POST"])
def certificate():
    access.require(access.can_manage_users(current_user()))
    env, form = minutes_env(), CertificateForm()
    if form.validate_on_submit():
        try:
            subject = minutes_keys.install(get_store(), current_user(), env.certs, form.p12.data.read(),
                                           form.passphrase.data, env.verification.trusted_roots)
        except DomainError as error:
            form.p12.errors.append(refusal_text(error))
        else:
            flash(_("Đã cài chứng thư số: %(subject)s", subject=subject), "success")
            return redirect(url_for("minutes.certificate"))
    try:
        subject, token_error = minutes_keys.current_subject(env.certs, env.signing), None
    except DomainError as error:
        subject, token_error = None, refusal_text(error)
    return render_template("minutes_pages/certificate.html", form=form, subject=subject,
                           signing=env.signing, token_error=token_error,
                           trusted=len(minutes_keys.trust_roots(env.certs))), 400 if form.errors else 200
