"""Verification of the PAdES signatures on a minutes PDF.

`verify_pdf` never raises: a file that is not a PDF, or has no signature,
gives a result with `error` set. Validity follows pyHanko's `bottom_line`
(integrity, trust, allowed modifications), plus the rule that nothing may
follow the last signature.
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
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
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
    return {"field": embedded.field_name, "signer": _signer_name(status),
            "signed_at": moment.isoformat() if moment else None,
            "intact": bool(status.intact), "trusted": bool(status.trusted),
            "bottom_line": bool(status.bottom_line), "coverage": coverage,
            "docmdp_ok": status.docmdp_ok}


async def _validate_all(embedded_signatures: list, context: ValidationContext) -> list[dict]:
    results = []
    for embedded in embedded_signatures:
        status = await async_validate_pdf_signature(embedded, context)
        results.append(_summary(embedded, status))
    return results


def _judge(signatures: list[dict]) -> VerificationResult:
    last = signatures[-1]
    intact = all(s["intact"] for s in signatures)
    tail_ok = last["coverage"] == SignatureCoverageLevel.ENTIRE_FILE.name
    modified = not intact or not tail_ok or any(s["docmdp_ok"] is False for s in signatures)
    valid = all(s["bottom_line"] for s in signatures) and tail_ok and not modified
    return VerificationResult(intact=intact, valid=valid, signatures=signatures,
                              modified_after_signing=modified)


def verify_pdf(pdf_bytes: bytes, trust_roots: list) -> VerificationResult:
    """Check every signature of `pdf_bytes` against `trust_roots` (x509 certificates)."""
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures  # read anew on each access: once is enough
        if not embedded:
            return VerificationResult(error="The PDF has no signature.")
        context = ValidationContext(trust_roots=[_asn1_certificate(c) for c in trust_roots],
                                    allow_fetching=False, revocation_mode="soft-fail")
        signatures = asyncio.run(_validate_all(embedded, context))
    except Exception as exc:  # garbage in must give a report, never a crash
        return VerificationResult(error=f"Not a valid signed PDF: {type(exc).__name__}: {exc}"[:300])
    return _judge(signatures)
