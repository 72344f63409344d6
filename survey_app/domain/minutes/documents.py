"""The documents of a minutes version (PDF, DOCX); verifying a PDF is `verification.py`.

A draft is rendered from the live record each time; a final or signed version
is served from the stored file (its bytes never change), and its DOCX from the
frozen input.
"""
from __future__ import annotations

import dataclasses

from survey_app.documents import render_html, render_pdf
from survey_app.domain.minutes.context import annex_title, build_context
from survey_app.domain.minutes.docx import render_docx
from survey_app.storage import minutes as sql
from survey_app.storage import visits as visits_sql
from survey_app.domain.files import file_path
from survey_app.domain.minutes.input import draft_verify_url, input_from_visit, thaw, with_signatures
from survey_app.domain.minutes.operations import MinutesEnv


def input_of_draft(store, forms, env: MinutesEnv, minutes: dict):
    """The MinutesInput a draft version shows now (live record, its wording)."""
    visit = store.read(visits_sql.get_visit, minutes["visit_id"])
    roles = store.read(sql.required_roles, visit["delegation_id"])
    corrected = store.read(sql.get_version_by_id, minutes["corrects"]) if minutes["corrects"] else None
    return input_from_visit(store, forms, visit, dict(minutes, required_roles=roles), photos_dir=env.photos,
                            base_url=env.base_url, corrects_version=corrected and corrected["version"])


DRAFT_LINE = "Dự thảo, không có giá trị pháp lý"


def _draft_context(store, forms, env: MinutesEnv, minutes: dict) -> dict:
    """A draft's QR code leads to a page saying it is a draft; it has no verification code."""
    inp = dataclasses.replace(input_of_draft(store, forms, env, minutes),
                              verify_url=draft_verify_url(env.base_url))
    context = build_context(inp)
    context["code_line"] = DRAFT_LINE
    context["number_line"] = f"Số:        /{inp.symbol}"
    context["annex_title"] = annex_title(f"      /{inp.symbol}", inp.issued_date)
    context["amendment"] = " ".join(filter(None, ["(DỰ THẢO)", context["amendment"]]))
    return context


def _frozen_context(store, env: MinutesEnv, minutes: dict) -> dict:
    inp = thaw(minutes["input_json"])
    if minutes["status"] == "signed":
        signed = {s["role"]: {"name": s["name"], "image_png":
                              file_path(env.files, s["image_sha256"], ".png").read_bytes(),
                              "collected_by": s["collected_by"] if s["on_behalf"] else None}
                  for s in store.read(sql.signatures_of, minutes["id"])}
        inp = with_signatures(inp, signed, minutes["required_roles"], env.base_url)
    return build_context(inp)


def version_context(store, forms, env: MinutesEnv, minutes: dict) -> dict:
    if minutes["status"] == "draft":
        return _draft_context(store, forms, env, minutes)
    return _frozen_context(store, env, minutes)


def draft_html(store, forms, env: MinutesEnv, minutes: dict) -> str:
    return render_html(_draft_context(store, forms, env, minutes))


def version_pdf(store, forms, env: MinutesEnv, minutes: dict) -> bytes:
    """The PDF of a version: rendered for a draft, the stored bytes otherwise."""
    if minutes["status"] == "draft":
        return render_pdf(draft_html(store, forms, env, minutes))
    sha = minutes["signed_pdf_sha256"] if minutes["status"] == "signed" else minutes["final_pdf_sha256"]
    return file_path(env.files, sha, ".pdf").read_bytes()


def frozen_pdf(env: MinutesEnv, minutes: dict) -> tuple[bytes, str] | None:
    """The stored PDF of a final or signed version and its SHA-256 (None for a draft)."""
    sha = {"final": minutes.get("final_pdf_sha256"), "signed": minutes.get("signed_pdf_sha256")}.get(minutes["status"])
    return (file_path(env.files, sha, ".pdf").read_bytes(), sha) if sha else None


def version_docx(store, forms, env: MinutesEnv, minutes: dict) -> bytes:
    return render_docx(version_context(store, forms, env, minutes))


def file_name(visit_id: int, minutes: dict, suffix: str) -> str:
    state = {"draft": "du-thao", "final": "da-chot", "signed": "da-ky"}[minutes["status"]]
    return f"bien-ban-{visit_id}-v{minutes['version']}-{state}{suffix}"
