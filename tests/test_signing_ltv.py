"""Timestamps and long-term validation (issue 14.2) against a real test PKI on the
loopback (Certomancer's CA, OCSP responder and TSA served by waitress): with
SIGNING_TSA_URL every seal carries an RFC 3161 timestamp and its chain's OCSP and
CRL answers (PAdES B-LT), a document timestamp makes it B-LTA, and verification
reports both. A TSA that cannot be reached refuses the seal and saves nothing."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from survey_app.documents import verify_pdf
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import minutes as minutes_sql

from .conftest import csrf_token, make_app
from .live import free_port
from .signing_pki import TOKEN_PIN, trust
from .support import sign_all, signature_b64
from .test_signing_token import _client_and_headers, _visit


@pytest.fixture
def sessions():
    yield
    minutes_keys.forget_token_signers()


def _sealed(tmp_path, demo_instance, roots: list[bytes], **config):
    """Minutes of the seed visit sealed by an app with `config`: (app, client, headers, visit, pdf)."""
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path, **config)
    trust(app, *roots)
    client, headers = _client_and_headers(app)
    visit = _visit(app)
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    assert sign_all(client, headers, visit)[-1]["sealed"]
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    return app, client, headers, visit, pdf


def _roots(app):
    return minutes_keys.trust_roots(Path(app.instance_path) / "certs")


def _offline_hard_fail(pdf: bytes, roots, with_dss: bool):
    """pyHanko's own validation, nothing fetched, every certificate's revocation status
    required: from the embedded DSS alone, or with nothing."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1 as asn1
    reader = PdfFileReader(io.BytesIO(pdf))
    settings = {"trust_roots": [asn1(c) for c in roots], "allow_fetching": False, "revocation_mode": "hard-fail"}
    context = (DocumentSecurityStore.read_dss(reader).as_validation_context(settings) if with_dss
               else ValidationContext(**settings, crls=[], ocsps=[]))
    embedded = [e for e in reader.embedded_signatures if e.sig_object_type == "/Sig"][0]
    return asyncio.run(async_validate_pdf_signature(embedded, context))


def _declares_pdfa_3b(pdf: bytes) -> bool:
    root = PdfFileReader(io.BytesIO(pdf)).root
    xmp = root["/Metadata"].get_object().data.decode("utf-8")
    return "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp \
        or ('pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp)


def test_a_seal_on_the_token_with_a_tsa_is_pades_b_lt(tmp_path, demo_instance, softhsm, pki, sessions):
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    app, client, headers, visit, pdf = _sealed(
        tmp_path, demo_instance, [pki.pem("root")], **softhsm, SIGNING_PKCS11_PIN=TOKEN_PIN,
        SIGNING_TSA_URL=pki.tsa_url)
    result = verify_pdf(pdf, _roots(app))
    assert result.valid and result.level == "B-LT", result
    signature = result.signatures[0]
    stamped = dt.datetime.fromisoformat(signature["timestamp"])
    assert before <= stamped <= dt.datetime.now(dt.timezone.utc) and signature["timestamp_trusted"]
    # the org certificate's OCSP answer, the root's CRL (issuing CA and TSA), the chain
    assert result.revocation_info["ocsp"] >= 1 and result.revocation_info["crl"] >= 1
    assert result.revocation_info["certificates"] >= 3
    assert result.document_timestamps == []
    # the embedded material alone proves every certificate unrevoked; without it, it cannot
    assert _offline_hard_fail(pdf, _roots(app), with_dss=True).bottom_line
    assert not _offline_hard_fail(pdf, _roots(app), with_dss=False).bottom_line
    # one revision: the seal covers the whole file, DSS included
    assert signature["coverage"] == "ENTIRE_FILE" and _declares_pdfa_3b(pdf)

    api = client.post("/api/v1/verify", data=pdf, headers={**headers, "Content-Type": "application/pdf"}).get_json()
    assert api["valid"] and api["level"] == "B-LT" and api["signers"][0]["timestamp"] == signature["timestamp"]
    assert api["revocation_info"] == result.revocation_info
    out = tmp_path / "bb.pdf"
    out.write_bytes(pdf)
    cli = app.test_cli_runner().invoke(args=["verify", str(out)])
    assert cli.exit_code == 0 and "Dấu thời gian (RFC 3161)" in cli.output and "B-LT" in cli.output, cli.output
    app.extensions["survey_store"].close()


def test_a_document_timestamp_makes_it_b_lta_and_later_changes_show(tmp_path, demo_instance, pki):
    app, client, headers, visit, pdf = _sealed(
        tmp_path, demo_instance, [pki.pem("root")], SIGNING_TSA_URL=pki.tsa_url,
        SIGNING_DOCUMENT_TIMESTAMP=True)  # the organisation's key on disk
    result = verify_pdf(pdf, _roots(app))
    assert result.valid and result.level == "B-LTA", result
    assert len(result.document_timestamps) == 1 and result.document_timestamps[0]["trusted"]
    assert result.signatures[0]["timestamp"] and result.revocation_info["crl"] >= 1
    assert _declares_pdfa_3b(pdf)
    info = PdfFileReader(io.BytesIO(pdf)).trailer_view["/Info"].get_object()
    assert "pyHanko" in str(info["/Producer"])  # Info and XMP producers stay equal (PDF/A)

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))  # an edit after the document timestamp
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    edited = io.BytesIO()
    writer.write(edited)
    changed = verify_pdf(edited.getvalue(), _roots(app))
    assert not changed.valid and changed.modified_after_signing
    assert not verify_pdf(pdf, []).valid  # the TSA and the key are trusted only through the roots

    page = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                        "file": (io.BytesIO(pdf), "bb.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Hợp lệ: tệp nguyên vẹn" in page and "Dấu thời gian" in page and "mức B-LTA" in page
    app.extensions["survey_store"].close()


def test_an_unreachable_tsa_refuses_the_seal_and_saves_nothing(tmp_path, demo_instance, pki):
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path, SIGNING_TSA_URL=f"http://127.0.0.1:{free_port()}/tsa")
    trust(app, pki.pem("root"))
    client, headers = _client_and_headers(app)
    visit = _visit(app)
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    for role in ("head", "secretary"):
        client.post(url, json={"role": role, "name": "A", "image": signature_b64()}, headers=headers)
    last = client.post(url, json={"role": "host", "name": "B", "image": signature_b64()}, headers=headers)
    assert last.status_code == 503 and last.get_json()["field"] == "timestamp"
    assert "dấu thời gian" in last.get_json()["error"] and "Vui lòng" in last.get_json()["error"]
    store = app.extensions["survey_store"]
    minutes = store.read(minutes_sql.latest_version, visit)
    assert minutes["status"] == "final" and minutes["signed_pdf_sha256"] is None
    assert len(store.read(minutes_sql.signatures_of, minutes["id"])) == 2
    store.close()
