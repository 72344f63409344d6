"""The minutes through the JSON API: the latest PDF, finalize, drawn signatures, verify."""
from __future__ import annotations

from io import BytesIO

from flask import g, jsonify, request, send_file

from survey_app.domain.minutes import documents as docs
from survey_app.domain.minutes import verification
from survey_app.domain.minutes import operations as ops
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.web.api import api_blueprint
from survey_app.web.inputs import json_object
from survey_app.web.context import get_forms, get_store, minutes_env
from survey_app.web.signing import device

bp = api_blueprint("api_minutes")
MAX_PDF = 25 * 1024 * 1024


def summary(minutes: dict) -> dict:
    number = f"{minutes['number']:02d}/{minutes['symbol']}" if minutes.get("number") else None
    return {"version": minutes["version"], "status": minutes["status"], "number": number,
            "corrects": minutes["corrects"], "required_roles": minutes["required_roles"],
            "content_sha256": minutes["signed_content_sha256"] or minutes["content_sha256"],
            "pdf_sha256": minutes["signed_pdf_sha256"] or minutes["final_pdf_sha256"]}


def _pdf(visit_id: int, version: int | None):
    store = get_store()
    ops.load_for_minutes(store, visit_id, g.user)
    minutes = ops.require_version(store, visit_id, version, preview_ok=True)
    data = docs.version_pdf(store, get_forms(), minutes_env(), minutes)
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=docs.file_name(visit_id, minutes, ".pdf"))


@bp.get("/visits/<int:visit_id>/minutes.pdf")
def latest_pdf(visit_id):
    return _pdf(visit_id, None)


@bp.get("/visits/<int:visit_id>/minutes/<int:version>.pdf")
def version_pdf(visit_id, version):
    return _pdf(visit_id, version)


@bp.get("/visits/<int:visit_id>/minutes")
def list_versions(visit_id):
    ops.load_for_minutes(get_store(), visit_id, g.user)
    return jsonify({"versions": [summary(m) for m in ops.versions(get_store(), visit_id)]})


@bp.post("/visits/<int:visit_id>/minutes/draft")
def draft(visit_id):
    return jsonify(summary(ops.generate_draft(get_store(), g.user, visit_id)))


@bp.post("/visits/<int:visit_id>/minutes/wording")
def wording(visit_id):
    return jsonify(summary(ops.edit_wording(get_store(), g.user, visit_id, json_object())))


@bp.post("/visits/<int:visit_id>/minutes/finalize")
def finalize(visit_id):
    # The contract's finalize takes no body; a client that wants to be asked first sends
    # {"confirm": false} and gets 409 naming the unanswered required items (the page asks).
    body = json_object({"confirm"}) if request.content_length else {}
    confirm = body.get("confirm", True)
    if not isinstance(confirm, bool):
        raise DomainError(N_("Vui lòng cho biết có thông qua biên bản khi còn mục bắt buộc chưa trả lời hay không "
                             "(đúng hoặc sai)."), "confirm")
    minutes = ops.finalize_minutes(get_store(), get_forms(), minutes_env(), g.user, visit_id,
                                   confirmed=confirm)
    return jsonify(summary(minutes))


@bp.post("/visits/<int:visit_id>/minutes/correction")
def correction(visit_id):
    return jsonify(summary(ops.issue_correction(get_store(), g.user, visit_id))), 201


@bp.post("/visits/<int:visit_id>/minutes/signatures")
def signatures(visit_id):
    body = json_object({"role", "name", "image"})
    result = ops.add_signature(get_store(), minutes_env(), g.user, visit_id, body.get("role"),
                               body.get("name"), body.get("image"), device=device())
    return jsonify(result), 201


@bp.post("/verify")
def verify():
    upload = request.files.get("file")
    data = upload.read(MAX_PDF + 1) if upload else request.get_data(cache=False)
    if not data:
        raise DomainError(N_("Vui lòng chọn tệp PDF cần xác thực."), "file")
    if len(data) > MAX_PDF:
        raise DomainError(N_("Tệp PDF quá lớn. Vui lòng gửi tệp nhỏ hơn."), "file")
    if b"%PDF-" not in data[:1024]:  # checked by content, whatever the file is called
        raise DomainError(N_("Tệp gửi lên không phải là PDF. Vui lòng chọn tệp PDF."), "file")
    return jsonify(verification.verify_document(get_store(), minutes_env(), data))
