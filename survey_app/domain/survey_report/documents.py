"""The documents of a survey report version: HTML → PDF/A-3b (WeasyPrint, the
minutes' renderer), DOCX, and the sealed PDF. A draft is rendered from the visits
each time; a final or signed version is served from its stored file."""
from __future__ import annotations

import datetime as dt

from survey_app.clock import today_vn
from survey_app.documents.render import render_pdf, template_environment
from survey_app.domain.files import file_path
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.domain.minutes.sealing import seal_document
from survey_app.domain.survey_report.context import build_context
from survey_app.domain.survey_report import material as report_material
from survey_app.domain.survey_report.inputs import build_input, content_sha256, with_verify_url

TEMPLATE = "survey_report/bao_cao.html"
DRAFT_LINE = "(DỰ THẢO - không có giá trị pháp lý)"


def render_html(context: dict) -> str:
    return template_environment().get_template(TEMPLATE).render(**context)


def render_report(env, inp: dict) -> tuple[bytes, tuple | None]:
    """(PDF bytes, where the visible seal is) of an input (the env's renderer: WeasyPrint)."""
    return env.renderer(render_html(build_context(inp)), minutes_keys.SEAL_ELEMENT)


def draft_input(store, forms, env, report: dict) -> dict:
    """The input a draft shows now: the visits as recorded, today's date, no number."""
    material = report_material.gather(store, forms, report["delegation_id"])
    return build_input(material, report["wording"] or {}, number=0, issued=dt.date.fromisoformat(today_vn()),
                       version=report["version"], base_url=env.base_url)


def draft_context(store, forms, env, report: dict) -> dict:
    inp = {**draft_input(store, forms, env, report), "verify_url": f"{env.base_url.rstrip('/')}/verify?draft=1"}
    context = build_context(inp)
    context.update(code_line="Dự thảo, không có giá trị pháp lý", draft_line=DRAFT_LINE)
    return context


def frozen_input(store, env, report: dict) -> dict:
    inp = report["input_json"]
    if report["status"] == "signed":
        png = file_path(env.files, report["signature_sha256"], ".png").read_bytes()
        inp = with_verify_url({**inp, "signer": {**inp["signer"], "name": report["signer_name"],
                                                 "image_png": png}}, env.base_url)
    return inp


def context_of(store, forms, env, report: dict) -> dict:
    if report["status"] == "draft":
        return draft_context(store, forms, env, report)
    return build_context(frozen_input(store, env, report))


def report_pdf(store, forms, env, report: dict) -> bytes:
    if report["status"] == "draft":
        return render_pdf(render_html(draft_context(store, forms, env, report)))
    sha = report["signed_pdf_sha256"] if report["status"] == "signed" else report["final_pdf_sha256"]
    return file_path(env.files, sha, ".pdf").read_bytes()


def report_docx(store, forms, env, report: dict) -> bytes:
    from survey_app.domain.survey_report.docx import render_docx
    return render_docx(context_of(store, forms, env, report))


def file_name(delegation_id: int, report: dict, suffix: str) -> str:
    state = {"draft": "du-thao", "final": "da-thong-qua", "signed": "da-ky"}[report["status"]]
    return f"bao-cao-khao-sat-{delegation_id}-v{report['version']}-{state}{suffix}"


def sealed_report(store, env, report: dict, name: str, png: bytes) -> tuple[bytes, str, str]:
    """(sealed PDF, signed content hash, the moment the seal shows) of the final report
    with the head's drawn signature placed."""
    inp = report["input_json"]
    inp = with_verify_url({**inp, "signer": {**inp["signer"], "name": name, "image_png": png}}, env.base_url)
    sealed, at = seal_document(store, env, build_context(inp), render_html,
                               reason=f"Báo cáo số {inp['number']:02d}/{inp['symbol']}",
                               location=inp["issued_place"])
    return sealed, content_sha256(inp), at
