"""The survey report through the JSON API: latest PDF and DOCX, wording, finalize,
the signer's drawn signature (sealed), publish and withdraw (DESIGN.md, 2026-11-29)."""
from __future__ import annotations

from io import BytesIO

from flask import g, jsonify, send_file

from survey_app.domain.survey_report import documents as docs
from survey_app.domain.survey_report import operations as ops
from survey_app.web.api import api_blueprint
from survey_app.web.context import get_forms, get_store, minutes_env
from survey_app.web.inputs import json_object

bp = api_blueprint("api_survey_report")
PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def summary(report: dict) -> dict:
    number = f"{report['number']:02d}/{report['symbol']}" if report.get("number") else None
    return {"id": report["id"], "delegation_id": report["delegation_id"], "version": report["version"],
            "status": report["status"], "number": number, "published": bool(report.get("published")),
            "content_sha256": report.get("signed_content_sha256") or report.get("content_sha256"),
            "pdf_sha256": report.get("signed_pdf_sha256") or report.get("final_pdf_sha256")}


def report_file(delegation_id: int, suffix: str, user: dict):
    """The latest report as a PDF or DOCX download, for a user who may read the
    delegation (the API's and the pages' downloads)."""
    store = get_store()
    ops.load_delegation(store, delegation_id, user)
    report = ops.latest(store, delegation_id)
    make, mimetype = (docs.report_pdf, PDF) if suffix == ".pdf" else (docs.report_docx, DOCX)
    data = make(store, get_forms(), minutes_env(), report)
    return send_file(BytesIO(data), mimetype=mimetype, download_name=docs.file_name(delegation_id, report, suffix))


@bp.get("/delegations/<int:delegation_id>/report.pdf")
def report_pdf(delegation_id):
    return report_file(delegation_id, ".pdf", g.user)


@bp.get("/delegations/<int:delegation_id>/report.docx")
def report_docx(delegation_id):
    return report_file(delegation_id, ".docx", g.user)


@bp.post("/delegations/<int:delegation_id>/report/wording")
def wording(delegation_id):
    return jsonify(summary(ops.edit_wording(get_store(), get_forms(), g.user, delegation_id, json_object())))


@bp.post("/delegations/<int:delegation_id>/report/finalize")
def finalize(delegation_id):
    return jsonify(summary(ops.finalize(get_store(), get_forms(), minutes_env(), g.user, delegation_id)))


@bp.post("/delegations/<int:delegation_id>/report/signatures")
def signatures(delegation_id):
    body = json_object({"role", "name", "image"})
    result = ops.sign(get_store(), minutes_env(), g.user, delegation_id, body.get("role"), body.get("name"),
                      body.get("image"))
    return jsonify(result), 201


@bp.post("/delegations/<int:delegation_id>/report/publish")
def publish(delegation_id):
    return jsonify(summary(ops.publish(get_store(), g.user, delegation_id)))


@bp.post("/delegations/<int:delegation_id>/report/unpublish")
def unpublish(delegation_id):
    body = json_object({"reason"})
    return jsonify(summary(ops.unpublish(get_store(), g.user, delegation_id, body.get("reason"))))
