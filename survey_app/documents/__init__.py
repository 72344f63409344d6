"""The document pipeline shared by every official document (minutes, reports):
HTML → PDF/A-3b (`render`), the organisation's PAdES seal (`seal`) and its
verification (`verify`). Pure functions on plain values; no Flask, no database.
Read `render.py` first."""
from survey_app.documents.render import render_html, render_pdf
from survey_app.documents.seal import (
    create_organisation_certificate,
    load_signer,
    seal_pdf,
    signer_certificate,
)
from survey_app.documents.verify import VerificationResult, verify_pdf

__all__ = [
    "render_html", "render_pdf", "create_organisation_certificate", "load_signer",
    "seal_pdf", "signer_certificate", "VerificationResult", "verify_pdf",
]
