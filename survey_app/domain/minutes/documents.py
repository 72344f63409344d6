"""The documents of a minutes version (PDF, DOCX) and the verification of a PDF.

A draft is rendered from the live record each time; a final or signed version
is served from the stored file (its bytes never change), and its DOCX from the
frozen input.
"""
from __future__ import annotations

import hashlib
import re
from io import BytesIO

from survey_app.documents import render_html, render_pdf, verify_pdf
from survey_app.domain.minutes.context import build_context
from survey_app.domain.minutes.docx import render_docx
from survey_app.storage import minutes as sql
from survey_app.storage import visits as visits_sql
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.domain.files import file_path
from survey_app.domain.minutes.input import input_from_visit, thaw, with_signatures
from survey_app.domain.minutes.operations import MinutesEnv

CODE = re.compile(r"^[0-9a-f]{6,64}$")


def input_of_draft(store, forms, env: MinutesEnv, minutes: dict):
    """The MinutesInput a draft version shows now (live record, its wording)."""
    visit = store.read(visits_sql.get_visit, minutes["visit_id"])
    roles = store.read(sql.required_roles, visit["delegation_id"])
    corrected = store.read(sql.get_version_by_id, minutes["corrects"]) if minutes["corrects"] else None
    return input_from_visit(store, forms, visit, dict(minutes, required_roles=roles), photos_dir=env.photos,
                            base_url=env.base_url, corrects_version=corrected and corrected["version"])


def _draft_context(store, forms, env: MinutesEnv, minutes: dict) -> dict:
    inp = input_of_draft(store, forms, env, minutes)
    context = build_context(inp)
    context["number_line"] = f"Số:        /{inp.symbol}"
    context["amendment"] = " ".join(filter(None, ["(DỰ THẢO)", context["amendment"]]))
    return context


def _frozen_context(store, env: MinutesEnv, minutes: dict) -> dict:
    inp = thaw(minutes["input_json"])
    if minutes["status"] == "signed":
        signed = {s["role"]: {"name": s["name"], "image_png":
                              file_path(env.files, s["image_sha256"], ".png").read_bytes()}
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


def version_docx(store, forms, env: MinutesEnv, minutes: dict) -> bytes:
    return render_docx(version_context(store, forms, env, minutes))


def file_name(visit_id: int, minutes: dict, suffix: str) -> str:
    state = {"draft": "du-thao", "final": "da-chot", "signed": "da-ky"}[minutes["status"]]
    return f"bien-ban-{visit_id}-v{minutes['version']}-{state}{suffix}"


# ----------------------------------------------------------------- verification

def _subject_hash(pdf: bytes) -> str | None:
    """The content hash the renderer wrote into the PDF's subject (`SHA-256 …`)."""
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        info = PdfFileReader(BytesIO(pdf), strict=False).trailer_view.get("/Info")
        subject = str(info.get_object().get("/Subject", "")) if info is not None else ""
    except Exception:  # not a PDF: no hash to find
        return None
    found = re.search(r"[0-9a-f]{64}", subject)
    return found.group(0) if found else None


def describe_version(store, minutes: dict | None) -> dict | None:
    if minutes is None:
        return None
    visit = store.read(visits_sql.get_visit, minutes["visit_id"])
    number = f"{minutes['number']:02d}/{minutes['symbol']}" if minutes.get("number") else None
    return {"visit_id": minutes["visit_id"], "version": minutes["version"], "status": minutes["status"],
            "number": number, "unit": visit["unit_name"], "delegation": visit["delegation_name"],
            "started_at": visit["started_at"], "signed_at": minutes["signed_at"],
            "content_sha256": minutes["signed_content_sha256"] or minutes["content_sha256"],
            "signatures": [{k: s[k] for k in ("role", "name", "signed_at", "collected_by")}
                           for s in store.read(sql.signatures_of, minutes["id"])]}


def find_version(store, code: str) -> dict | None:
    code = (code or "").strip().lower()
    return store.read(sql.find_by_content, code) if CODE.match(code) else None


def _common_name(subject: str) -> str:
    """`Common Name: HĐND tỉnh Gia Lai, Organization: …` → `HĐND tỉnh Gia Lai`."""
    found = re.search(r"Common Name: ([^,]+)", subject or "")
    return found.group(1).strip() if found else subject


def verify_document(store, env: MinutesEnv, pdf: bytes) -> dict:
    """Integrity and signers of a PDF, and the minutes version it is (when known here)."""
    result = verify_pdf(pdf, minutes_keys.trust_roots(env.certs))
    sha = hashlib.sha256(pdf).hexdigest()
    minutes = store.read(sql.find_by_pdf, sha)
    if minutes is None:
        embedded = _subject_hash(pdf)
        minutes = find_version(store, embedded) if embedded else None
    known = describe_version(store, minutes)
    return {"intact": result.intact, "valid": result.valid, "modified": result.modified_after_signing,
            "error": result.error, "sha256": sha,
            "signers": [{"name": _common_name(s["signer"]), "signed_at": s["signed_at"], "field": s["field"],
                         "trusted": s["trusted"], "valid": s["bottom_line"], "timestamp": s["timestamp"]}
                        for s in result.signatures],
            "level": result.level, "revocation_info": result.revocation_info,
            "document_timestamps": [s["timestamp"] for s in result.document_timestamps],
            "visit_id": known and known["visit_id"], "version": known and known["version"],
            "minutes": known}

