"""The official minutes (biên bản làm việc) as a chain of pure steps.

`MinutesInput` → `build_context` → `render_html` → `render_pdf` (PDF/A-3b)
→ `seal_pdf` (PAdES) → `verify_pdf`; `render_docx` gives an editable copy.
No Flask here: these functions take and return plain values.
"""
from survey_app.minutes.context import MinutesInput, build_context, content_sha256
from survey_app.minutes.render import render_html, render_pdf

__all__ = ["MinutesInput", "build_context", "content_sha256", "render_html", "render_pdf"]
