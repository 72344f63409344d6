"""Verification of the PAdES signatures on a minutes PDF.

`verify_pdf` never raises: a file that is not a PDF, or has no signature,
gives a result with `error` set. Validity follows pyHanko's `bottom_line`
(integrity, trust, allowed modifications), plus the rule that nothing may
follow the last signature (a document timestamp counts as one).

Long-term validation: the revocation answers embedded in the file's DSS are
used to check the certificates, and the result says which PAdES level the
file reaches (B-B, B-T with a signature timestamp, B-LT with validation
material embedded, B-LTA with a document timestamp after it). Revocation lists
given by the caller (the configured trusted roots' CRLs) are used too; nothing is
fetched from the network. A signer's certificate problem is named (expired, not yet
valid, revoked, untrusted).

The work is bounded before anything is validated: a file with more signatures
or revisions (incremental updates) than `Limits` allows is refused without
validating any of them (pyHanko's cost grows with both).
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

# Certificate problems a verdict names (the web and CLI word them for people).
EXPIRED, NOT_YET_VALID, REVOKED, UNTRUSTED = "expired", "not_yet_valid", "revoked", "untrusted"
TOO_MANY_SIGNATURES, TOO_MANY_REVISIONS = "too_many_signatures", "too_many_revisions"
# A signing certificate needs digitalSignature or nonRepudiation (pyHanko's default
# asks for nonRepudiation only); the same rule refuses other certificates at installation.
SIGNING_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                    match_all_key_usages=False)


@dataclasses.dataclass(frozen=True)
class Limits:
    """The most work one verification may do: minutes carry one seal (two with a
    document timestamp) in a handful of revisions, so these leave a wide margin."""
    signatures: int = 10
    revisions: int = 20


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
    refused: str | None = None           # TOO_MANY_SIGNATURES or TOO_MANY_REVISIONS: nothing validated
    validated: int = 0                   # signatures and timestamps actually validated (the work done)


def _asn1_certificate(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, x509.Certificate):
        return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    return asn1_x509.Certificate.load(bytes(cert))


def read_pem_bundle(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """(certificates, CRLs) as DER from a PEM file that may hold several of each."""
    certs, crls = [], []
    for kind, _headers, der in pem.unarmor(data, multiple=True):
        if kind == "CERTIFICATE":
            certs.append(der)
        elif kind == "X509 CRL":
            crls.append(der)
    return certs, crls


def certificate_problem(status, moment: dt.datetime) -> str | None:
    """Why the signer's certificate is not trusted, in one word (None when it is)."""
    if status.trusted:
        return None
    if status.revoked:
        return REVOKED
    indic = getattr(status.trust_problem_indic, "name", "") or ""
    cert = status.signing_cert
    if "REVOKED" in indic:
        return REVOKED
    if indic == "NOT_YET_VALID" or (cert is not None and cert.not_valid_before > moment):
        return NOT_YET_VALID
    if indic in ("EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED") or \
            (cert is not None and cert.not_valid_after < moment):
        return EXPIRED
    return UNTRUSTED


def _signer_name(status) -> str:
    try:
        return status.signing_cert.subject.human_friendly
    except Exception:  # a malformed certificate must not stop the report
        return ""


def _summary(embedded, status, moment: dt.datetime) -> dict:
    signed = status.signer_reported_dt or embedded.self_reported_timestamp
    coverage = status.coverage.name if status.coverage is not None else None
    stamp = status.timestamp_validity
    cert = status.signing_cert
    return {"field": embedded.field_name, "signer": _signer_name(status),
            "signed_at": signed.isoformat() if signed else None,
            "certificate_problem": certificate_problem(status, moment),
            "certificate_valid_until": cert.not_valid_after.isoformat() if cert is not None else None,
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


async def _validate_all(embedded_signatures: list, context: ValidationContext, moment) -> list[dict]:
    results = []
    for embedded in embedded_signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            status = await async_validate_pdf_timestamp(embedded, context)
            results.append(_timestamp_summary(embedded, status))
        else:
            status = await async_validate_pdf_signature(embedded, context, key_usage_settings=SIGNING_USAGE)
            results.append(_summary(embedded, status, moment))
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
                              revocation_info=revocation, level=_level(signatures, stamps, revocation),
                              validated=len(entries))


def _over_limits(reader: PdfFileReader, limits: Limits) -> VerificationResult | None:
    """A refusal when the file asks for more work than allowed, counted before any validation."""
    if reader.xrefs.total_revisions > limits.revisions:
        return VerificationResult(
            refused=TOO_MANY_REVISIONS,
            error=f"The PDF has more than {limits.revisions} revisions (incremental updates).")
    fields = enumerate_sig_fields(reader, filled_status=True)
    if sum(1 for _ in itertools.islice(fields, limits.signatures + 1)) > limits.signatures:
        return VerificationResult(
            refused=TOO_MANY_SIGNATURES, error=f"The PDF has more than {limits.signatures} signatures.")
    return None


def _context(dss: DocumentSecurityStore | None, trust_roots: list, crls: list = (),
             moment: dt.datetime | None = None) -> ValidationContext:
    """Trust in `trust_roots` only; the DSS's certificates and revocation answers, and
    the CRLs given, are used as they are (nothing is fetched)."""
    settings = {"trust_roots": [_asn1_certificate(c) for c in trust_roots],
                "allow_fetching": False, "revocation_mode": "soft-fail", "moment": moment,
                "crls": [asn1_crl.CertificateList.load(bytes(c)) for c in crls]}
    return dss.as_validation_context(settings) if dss is not None else ValidationContext(**settings)


def verify_pdf(pdf_bytes: bytes, trust_roots: list, crls: list = (),
               limits: Limits = Limits()) -> VerificationResult:
    """Check every signature of `pdf_bytes` against `trust_roots` (x509 certificates or
    DER bytes) and the revocation lists `crls` (DER bytes), within `limits`."""
    moment = dt.datetime.now(dt.timezone.utc)
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        refusal = _over_limits(reader, limits)
        if refusal is not None:
            return refusal
        embedded = reader.embedded_signatures  # read anew on each access: once is enough
        if not embedded:
            return VerificationResult(error="The PDF has no signature.")
        dss = _read_dss(reader)
        context = _context(dss, trust_roots, list(crls), moment)
        signatures = asyncio.run(_validate_all(embedded, context, moment))
        revocation = _revocation_info(dss)
    except Exception as exc:  # garbage in must give a report, never a crash
        return VerificationResult(error=f"Not a valid signed PDF: {type(exc).__name__}: {exc}"[:300])
    return _judge(signatures, revocation)


def info_entry(pdf: bytes, key: str) -> str | None:
    """A text entry of the document information of the PDF's latest revision, if any."""
    try:
        info = PdfFileReader(BytesIO(pdf), strict=False).trailer_view.get("/Info")
        value = info.get_object().get(key) if info is not None else None
    except Exception:  # not a PDF, or a damaged one: no entry
        return None
    return str(value) if value is not None else None
