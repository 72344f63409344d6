"""Every DOCX we make says who made it: `docProps/app.xml` names survey_app and its
version and, as Company, the issuing body; nothing is left of python-docx's template
(Microsoft Macintosh Word, Normal.dotm, zero counts, its thumbnail picture). The plan
and the outline are checked the same way in test_plans.py."""
from __future__ import annotations

import io
import zipfile
from importlib.metadata import version
from xml.etree import ElementTree

import docx

from survey_app.documents import docx_kit
from survey_app.domain.minutes.docx import render_docx

from .test_minutes_docx import context

APP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
TEMPLATE_LEFTOVERS = ("Microsoft", "Macintosh", "Normal.dotm", "python-docx", "<Template", "<Pages>",
                      "<Words>", "<TotalTime>", "<TitlesOfParts>")


def app_properties(data: bytes, company: str) -> dict:
    """Check the app.xml of a DOCX and return its fields (name → text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        xml = archive.read("docProps/app.xml").decode("utf-8")
        package_rels = archive.read("_rels/.rels").decode("utf-8")
    for leftover in TEMPLATE_LEFTOVERS:
        assert leftover not in xml, leftover
    assert "thumbnail" not in package_rels and not any("thumbnail" in n for n in names)
    fields = {e.tag.removeprefix(APP): e.text for e in ElementTree.fromstring(xml)}
    assert fields["Application"] == f"survey_app/{version('survey_app')}"
    major, minor = version("survey_app").split(".")[:2]
    assert fields["AppVersion"] == f"{int(major):02d}.{int(minor):04d}"
    assert fields["Company"] == company
    docx.Document(io.BytesIO(data))  # still a document python-docx (and so Word) opens
    return fields


def test_the_minutes_docx_names_survey_app_and_the_issuing_body():
    ctx = context()
    data = render_docx(ctx)
    app_properties(data, ctx["issuing_author"])
    assert ctx["issuing_author"] == "Ban Pháp chế HĐND tỉnh Gia Lai"


def test_a_company_is_escaped_and_can_differ_from_the_author():
    document = docx_kit.new_document(title="Báo cáo", author="Nguyễn Văn A", company="Sở Tài chính & Kế hoạch <GL>")
    fields = app_properties(docx_kit.to_bytes(document), "Sở Tài chính & Kế hoạch <GL>")
    assert set(fields) >= {"Application", "AppVersion", "Company", "DocSecurity"}
    assert docx.Document(io.BytesIO(docx_kit.to_bytes(document))).core_properties.author == "Nguyễn Văn A"


def test_a_document_built_without_the_kit_gets_true_properties_from_it():
    document = docx.Document()
    docx_kit.app_properties(document, "Ban Văn hóa - Xã hội")
    app_properties(docx_kit.to_bytes(document), "Ban Văn hóa - Xã hội")
