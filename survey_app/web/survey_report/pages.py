"""Pages of a delegation's survey report for the secretary and the head: state, the
PDF and DOCX, the wording of each section, finalize, the signing page (read the pages,
draw the head's signature: the report is then sealed), publish and withdraw."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from survey_app.domain import access
from survey_app.domain.errors import DomainError, Forbidden, NotFound
from survey_app.domain.survey_report import documents as docs
from survey_app.domain.survey_report import operations as ops
from survey_app.domain.survey_report.inputs import DUE_WORD, SECTIONS
from survey_app.markers import N_
from survey_app.storage import survey_reports as reports_sql
from survey_app.web.context import current_user, get_forms, get_store, minutes_env
from survey_app.web import signing
from survey_app.web.errors import flash_refusal, refusal_text, require_form
from survey_app.web.survey_report.api import report_file

bp = Blueprint("survey_report", __name__)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class WithdrawForm(FlaskForm):
    reason = StringField(N_("Lý do thu hồi"))


def wording_form(values: dict):
    fields = {key: TextAreaField(label, default=values.get(key, "")) for key, label in SECTIONS.items()}
    return type("ReportWordingForm", (FlaskForm,), fields)()


def back(delegation_id: int, **_):
    return redirect(url_for("survey_report.page", delegation_id=delegation_id))


@bp.route("/delegations/<int:delegation_id>/report", methods=["GET", "POST"])
def page(delegation_id):
    store, user = get_store(), current_user()
    delegation = ops.load_delegation(store, delegation_id, user)
    report = ops.latest(store, delegation_id)
    can_prepare = store.read(access.can_prepare_report, user, delegation_id)
    if request.method == "POST" and not can_prepare:
        raise Forbidden(ops.REFUSED)
    form, problem, current = None, None, {}
    if can_prepare and report["status"] == "draft":
        try:
            text = docs.context_of(store, get_forms(), minutes_env(), report)["recommendations_text"]
            current = {"recommendations": text.replace(f"({DUE_WORD}: ", f"({_(DUE_WORD)}: ")}
        except DomainError as error:  # visits not final yet: said on the page
            problem = refusal_text(error)
        form = wording_form({**current, **(report.get("wording") or {})})
        if form.validate_on_submit():
            try:
                ops.edit_wording(store, get_forms(), user, delegation_id, {k: form[k].data for k in SECTIONS})
                flash(_("Đã lưu câu chữ của báo cáo."), "success")
                return back(delegation_id)
            except DomainError as error:
                form[error.field].errors.append(refusal_text(error)) if error.field in SECTIONS else \
                    flash(refusal_text(error), "error")
    return render_template(
        "survey_report/page.html", delegation=delegation, report=report, form=form, problem=problem,
        action=ActionForm(), withdraw=WithdrawForm(), can_prepare=can_prepare,
        can_publish=store.read(access.can_publish_report, user, delegation_id),
        publications=store.read(reports_sql.publications_of, report["id"]) if report["id"] else []), \
        400 if form is not None and form.errors else 200


@bp.get("/delegations/<int:delegation_id>/report.pdf")
def download_pdf(delegation_id):
    return report_file(delegation_id, ".pdf", current_user())


@bp.get("/delegations/<int:delegation_id>/report.docx")
def download_docx(delegation_id):
    return report_file(delegation_id, ".docx", current_user())


@bp.post("/delegations/<int:delegation_id>/report/finalize")
@flash_refusal(back)
def finalize(delegation_id):
    require_form(ActionForm())
    ops.finalize(get_store(), get_forms(), minutes_env(), current_user(), delegation_id)
    flash(_("Đã thông qua báo cáo; các kiến nghị đã vào danh sách theo dõi."), "success")
    return back(delegation_id)


@bp.post("/delegations/<int:delegation_id>/report/publish")
@flash_refusal(back)
def publish(delegation_id):
    require_form(ActionForm())
    ops.publish(get_store(), current_user(), delegation_id)
    flash(_("Đã công khai báo cáo."), "success")
    return back(delegation_id)


@bp.post("/delegations/<int:delegation_id>/report/unpublish")
@flash_refusal(back)
def unpublish(delegation_id):
    form = require_form(WithdrawForm())
    ops.unpublish(get_store(), current_user(), delegation_id, form.reason.data)
    flash(_("Đã thu hồi báo cáo khỏi trang công khai."), "success")
    return back(delegation_id)


def back_to_sign(delegation_id: int, **_):
    return redirect(url_for("survey_report.sign", delegation_id=delegation_id))


@bp.get("/delegations/<int:delegation_id>/report/sign")
def sign(delegation_id):
    """The head reads the final report's pages, draws the signature, confirms (Ký)."""
    store, user = get_store(), current_user()
    delegation = ops.load_delegation(store, delegation_id, user)
    report = ops.latest(store, delegation_id)
    signer = (report.get("input_json") or {}).get("signer") or {}
    slot = {"role": "signer", "label": access.SIGNATORY_LABELS["head"],
            "signature": {"name": report["signer_name"], "signed_at": report["signed_at"],
                          "on_behalf": False} if report["status"] == "signed" else None,
            "form": signing.SignatureForm(prefix="signer", name=signer.get("name", "")),
            "action": url_for("survey_report.sign_signer", delegation_id=delegation_id),
            "allowed": store.read(access.report_signing_capacity, user, delegation_id) is not None}
    return render_template(
        "signing/sign.html", words=signing.REPORT_WORDS, subtitle=delegation["name"], document=report,
        slots=[slot], pages=signing.page_list(report) if report["id"] else None, changes=None,
        page_url=lambda n, h: url_for("survey_report.page_image", delegation_id=delegation_id,
                                      version=report["version"], number=n, h=h),
        pdf_url=url_for("survey_report.download_pdf", delegation_id=delegation_id),
        back_url=url_for("survey_report.page", delegation_id=delegation_id))


@bp.post("/delegations/<int:delegation_id>/report/sign")
@flash_refusal(back_to_sign)
def sign_signer(delegation_id):
    store, user = get_store(), current_user()
    ops.require_signer(store, user, delegation_id)
    form = signing.SignatureForm(prefix="signer")
    if not form.validate_on_submit():
        raise DomainError(N_("Vui lòng ký vào khung và ghi họ tên trước khi bấm Ký."), "name")
    ops.sign(store, minutes_env(), user, delegation_id, "signer", form.name.data, form.image.data)
    return back_to_sign(delegation_id)


@bp.get("/delegations/<int:delegation_id>/report/v<int:version>/page-<int:number>.png")
def page_image(delegation_id, version, number):
    """One page of the final or signed report's PDF as an image, for reading it before signing."""
    store = get_store()
    ops.load_delegation(store, delegation_id, current_user())
    report = ops.latest(store, delegation_id)
    if report["version"] != version or report["status"] == "draft":
        raise NotFound(signing.REPORT_WORDS["no_page"])
    return signing.page_image(report, number, signing.REPORT_WORDS["no_page"])
