"""Verification of the PAdES signatures on a minutes PDF.

`verify_pdf` never raises: a file that is not a PDF, or has no signature,
gives a result with `error` set. Validity follows pyHanko's `bottom_line`
(integrity, trust, allowed modifications), plus the rule that nothing may
follow the last signature (a document timestamp counts as one).

Long-term validation: the revocation answers embedded in the file's DSS are
used to check the certificates, and the result says which PAdES level the
file reaches (B-B, B-T with a signature timestamp, B-LT with validation
material embedded, B-LTA with a document timestamp after it).
"""
from __future__ import annotations

import asyncio
import dataclasses
from functools import lru_cache
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


@dataclasses.dataclass
class VerificationResult:
    """Outcome of checking every signature of one PDF."""
    intact: bool = False
    valid: bool = False
    signatures: list = dataclasses.field(default_factory=list)
    modified_after_signing: bool = False
    error: str | None = None
    document_timestamps: list = dataclasses.field(default_factory=list)
    revocation_info: dict | None = None  # what the DSS holds: {"ocsp": n, "crl": n, "certificates": n}
    level: str | None = None             # PAdES level: B-B, B-T, B-LT, B-LTA


def _asn1_certificate(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, x509.Certificate):
        return _parsed(cert.public_bytes(Encoding.DER))
    return _parsed(bytes(cert))


@lru_cache(maxsize=64)
def _parsed(der: bytes) -> asn1_x509.Certificate:
    """A trust root parsed once: the parsed object keeps its normalised names, which
    every verification compares (Unicode string preparation of a Vietnamese name is
    slow in asn1crypto)."""
    return asn1_x509.Certificate.load(der)


def _signer_name(status) -> str:
    try:
        return status.signing_cert.subject.human_friendly
    except Exception:  # a malformed certificate must not stop the report
        return ""


def _summary(embedded, status) -> dict:
    moment = status.signer_reported_dt or embedded.self_reported_timestamp
    coverage = status.coverage.name if status.coverage is not None else None
    stamp = status.timestamp_validity
    return {"field": embedded.field_name, "signer": _signer_name(status),
            "signed_at": moment.isoformat() if moment else None,
            "intact": bool(status.intact), "trusted": bool(status.trusted),
            "bottom_line": bool(status.bottom_line), "coverage": coverage,
            "docmdp_ok": status.docmdp_ok,
            "timestamp": stamp.timestamp.isoformat() if stamp is not None else None,
            "timestamp_trusted": bool(stamp.trusted and stamp.valid and stamp.intact) if stamp else None}


def _timestamp_summary(embedded, status) -> dict:
    """A document timestamp (PAdES B-LTA) in the terms of a signature's summary."""
    coverage = status.coverage.name if status.coverage is not None else None
    ok = bool(status.intact and status.valid and status.trusted)
    return {"field": embedded.field_name, "signer": _signer_name(status), "document_timestamp": True,
            "signed_at": status.timestamp.isoformat(), "timestamp": status.timestamp.isoformat(),
            "intact": bool(status.intact), "trusted": bool(status.trusted), "bottom_line": ok,
            "coverage": coverage, "docmdp_ok": status.docmdp_ok is not False}


async def _validate_all(embedded_signatures: list, context: ValidationContext) -> list[dict]:
    results = []
    for embedded in embedded_signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            status = await async_validate_pdf_timestamp(embedded, context)
            results.append(_timestamp_summary(embedded, status))
        else:
            status = await async_validate_pdf_signature(embedded, context)
            results.append(_summary(embedded, status))
    return results


def _read_dss(reader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _revocation_info(dss: DocumentSecurityStore | None) -> dict | None:
    if dss is None:
        return None
    return {"ocsp": len(dss.ocsps), "crl": len(dss.crls), "certificates": len(list(dss.certs))}


def _level(signatures: list[dict], stamps: list[dict], revocation: dict | None) -> str:
    if not all(s["timestamp"] for s in signatures):
        return "B-B"
    if not revocation:
        return "B-T"
    return "B-LTA" if stamps else "B-LT"


def _judge(entries: list[dict], revocation: dict | None = None) -> VerificationResult:
    signatures = [e for e in entries if not e.get("document_timestamp")]
    stamps = [e for e in entries if e.get("document_timestamp")]
    if not signatures:
        return VerificationResult(error="The PDF has no signature.", document_timestamps=stamps)
    intact = all(s["intact"] for s in entries)
    tail_ok = entries[-1]["coverage"] == SignatureCoverageLevel.ENTIRE_FILE.name
    modified = not intact or not tail_ok or any(s["docmdp_ok"] is False for s in entries)
    valid = all(s["bottom_line"] for s in entries) and tail_ok and not modified
    return VerificationResult(intact=intact, valid=valid, signatures=signatures,
                              modified_after_signing=modified, document_timestamps=stamps,
                              revocation_info=revocation, level=_level(signatures, stamps, revocation))


def _context(dss: DocumentSecurityStore | None, trust_roots: list) -> ValidationContext:
    """Trust in `trust_roots` only; the DSS's certificates and revocation answers are
    used as they are (nothing is fetched)."""
    settings = {"trust_roots": [_asn1_certificate(c) for c in trust_roots],
                "allow_fetching": False, "revocation_mode": "soft-fail"}
    return dss.as_validation_context(settings) if dss is not None else ValidationContext(**settings)


def verify_pdf(pdf_bytes: bytes, trust_roots: list) -> VerificationResult:
    """Check every signature of `pdf_bytes` against `trust_roots` (x509 certificates)."""
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures  # read anew on each access: once is enough
        if not embedded:
            return VerificationResult(error="The PDF has no signature.")
        dss = _read_dss(reader)
        signatures = asyncio.run(_validate_all(embedded, _context(dss, trust_roots)))
        revocation = _revocation_info(dss)
    except Exception as exc:  # garbage in must give a report, never a crash
        return VerificationResult(error=f"Not a valid signed PDF: {type(exc).__name__}: {exc}"[:300])
    return _judge(signatures, revocation)
