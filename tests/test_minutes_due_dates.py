"""Deadlines in the minutes (17.4): every recommendation's due date is printed in the
PDF and the DOCX, and those that the delegation's default period gave are marked as
such, with the period stated; the dates printed are the dates the follow-up holds
the unit to."""
from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader

from survey_app.demo import seed_document
from survey_app.domain.minutes.context import build_context
from survey_app.domain.minutes.input import with_default_dues
from survey_app.storage import minutes as minutes_sql
from survey_app.storage import visits as visits_sql

from .support import seed_recs

NOTE = "Thời hạn mặc định: 90 ngày kể từ ngày làm việc, áp dụng cho kiến nghị không ghi thời hạn."


@pytest.fixture
def visit(store) -> int:
    return store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    return flat(" ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs))


def expected_details(store) -> list[str]:
    """What each recommendation must say, from the tracking rows (the dates followed up)."""
    explicit = {r["text"]: r.get("due") for r in seed_document()["recommendations"]}
    details = []
    for row in seed_recs(store):
        day = "/".join(reversed(row["due"].split("-")))
        label = "thời hạn" if explicit[row["text"]] else "thời hạn mặc định"
        details.append(f"đơn vị thực hiện: {row['unit_name']}; {label}: {day})")
    return details


def test_every_due_date_is_printed_in_the_final_pdf_and_docx_and_defaults_are_marked(
        login_as, store, visit):
    client = login_as("thuky")
    token = client.get(f"/visits/{visit}/minutes").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token).group(1)
    assert client.post(f"/visits/{visit}/minutes/draft", data={"csrf_token": csrf}).status_code in (302, 303)
    assert client.post(f"/visits/{visit}/minutes/finalize", data={"csrf_token": csrf, "confirm": "1"}).status_code in (302, 303)
    version = store.read(minutes_sql.latest_version, visit)
    assert (version["version"], version["status"]) == (1, "final")  # frozen: what the parties sign
    details = expected_details(store)
    assert sum("mặc định" in d for d in details) == 4 and "thời hạn: 30/06/2026)" in " ".join(details)
    pdf = client.get(f"/visits/{visit}/minutes/v1.pdf")
    word = client.get(f"/visits/{visit}/minutes/v1.docx")
    assert pdf.status_code == word.status_code == 200
    for text in (pdf_text(pdf.data), docx_text(word.data)):
        for detail in details:
            assert detail in text
        assert text.count("thời hạn mặc định:") == 4 and NOTE in text
        assert "(đơn vị thực hiện: UBND xã Hra; thời hạn: 30/06/2026)" in text


def test_minutes_without_defaults_have_no_note():
    doc = {"started_at": "2025-10-13T08:00:00+07:00",
           "recommendations": [{"text": "Làm A.", "addressee": "UBND xã Hra", "due": "2026-03-31"}]}
    from survey_app.domain.minutes.context import MinutesInput
    body = build_context(MinutesInput(document=with_default_dues(doc, "2026-01-11")))["body"]
    numbered = next(b for b in body if b["type"] == "numbered")
    assert numbered["items"][0]["detail"] == "(đơn vị thực hiện: UBND xã Hra; thời hạn: 31/03/2026)"
    assert not any("mặc định" in b.get("text", "") for b in body)
    doc["recommendations"].append({"text": "Làm B.", "addressee": "", "due": ""})
    body = build_context(MinutesInput(document=with_default_dues(doc, "2026-01-11")))["body"]
    numbered = next(b for b in body if b["type"] == "numbered")
    assert numbered["items"][1]["detail"] == "(thời hạn mặc định: 11/01/2026)"
    assert any(b.get("text") == NOTE for b in body)
