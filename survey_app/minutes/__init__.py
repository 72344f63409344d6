"""The official minutes (biên bản làm việc) as a chain of pure steps.

`MinutesInput` → `build_context` → `render_html` → `render_pdf` (PDF/A-3b)
→ `seal_pdf` (PAdES) → `verify_pdf`; `render_docx` gives an editable copy.
No Flask here: these functions take and return plain values.
"""
from survey_app.minutes.context import MinutesInput, build_context, content_sha256
from survey_app.minutes.docx_export import render_docx
from survey_app.minutes.render import render_html, render_pdf
from survey_app.minutes.seal import (
    create_organisation_certificate, load_signer, seal_pdf, signer_certificate,
)
from survey_app.minutes.verify import VerificationResult, verify_pdf

__all__ = [
    "MinutesInput", "build_context", "content_sha256", "render_html", "render_pdf",
    "render_docx", "create_organisation_certificate", "load_signer", "seal_pdf",
    "signer_certificate", "VerificationResult", "verify_pdf",
]
