"""Verification (xác thực) of minutes and follow-up reports: a PDF anyone uploads, or
the verification code printed on a document (the QR code leads to it).

An uploaded PDF is checked in a worker process within limits (signatures, revisions,
time; `documents/workers.py`), against the organisation's certificates and the
configured trusted roots. The answer names the version it is, and the signed
correction that replaced it, if any; a replaced version stays valid as what was
signed then.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from io import BytesIO

from survey_app.clock import VN_TZ
from survey_app.documents import verify as pdf_verify
from survey_app.documents import workers
from survey_app.domain.errors import DomainError
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.formatting import parse_datetime
from survey_app.markers import N_
from survey_app.storage import followup_reports as reports_sql
from survey_app.storage import survey_reports as survey_sql
from survey_app.storage import minutes as sql
from survey_app.storage import visits as visits_sql

# The code printed on a document (12 hex digits) or the whole content hash: never a prefix.
CODE = re.compile(r"^(?:[0-9a-f]{12}|[0-9a-f]{64})$")

CERTIFICATE_PROBLEMS = {
    pdf_verify.EXPIRED: N_("Chứng thư số của người ký đã hết hạn."),
    pdf_verify.NOT_YET_VALID: N_("Chứng thư số của người ký chưa đến thời hạn có hiệu lực."),
    pdf_verify.REVOKED: N_("Chứng thư số của người ký đã bị thu hồi."),
    pdf_verify.UNTRUSTED: N_("Chứng thư số của người ký không thuộc chứng thư gốc được tin cậy."),
}
REFUSALS = {
    pdf_verify.TOO_MANY_SIGNATURES: N_("Tệp PDF có quá nhiều chữ ký số (tối đa %(n)s); hệ thống không xác thực tệp này."),
    pdf_verify.TOO_MANY_REVISIONS: N_("Tệp PDF có quá nhiều lần cập nhật (tối đa %(n)s); hệ thống không xác thực tệp này."),
}
TOO_LONG = N_("Tệp PDF cần quá nhiều thời gian để xác thực; hệ thống đã dừng việc xác thực tệp này.")
BUSY = N_("Hệ thống đang xác thực nhiều tệp cùng lúc, vui lòng thử lại sau giây lát.")


class VerifierBusy(DomainError):
    """Every verification worker is busy: try again shortly (503 with Retry-After)."""
    status = 503


class Refused(DomainError):
    """A file refused before or during validation (400, field `file`)."""

    def __init__(self, template: str, **params):
        super().__init__(template, "file", **params)


@dataclasses.dataclass(frozen=True)
class VerifySettings:
    """How much one verification may cost. `workers` 0 runs it in this process (the CLI)."""
    max_signatures: int = 10
    max_revisions: int = 20
    workers: int = 0
    timeout: float = 20.0
    wait: float = 2.0
    trusted_roots: tuple = ()       # PEM files: root certificates and their CRLs

    @property
    def limits(self) -> pdf_verify.Limits:
        return pdf_verify.Limits(signatures=self.max_signatures, revisions=self.max_revisions)


# ----------------------------------------------------------------- versions

def find_version(store, code: str) -> dict | None:
    """The version with exactly this verification code; None for anything else."""
    code = (code or "").strip().lower()
    return store.read(sql.find_by_code, code) if CODE.match(code) else None


def _vn_date(moment) -> str | None:
    parsed = parse_datetime(moment)
    if parsed is None:
        return None
    return (parsed.astimezone(VN_TZ) if parsed.tzinfo else parsed).date().isoformat()


def number_of(minutes: dict) -> str | None:
    return f"{minutes['number']:02d}/{minutes['symbol']}" if minutes.get("number") else None


def replaced_by(store, minutes: dict) -> dict | None:
    """{version, number, date} of the signed correction replacing this version, or None."""
    if not minutes.get("id"):
        return None
    newer = store.read(sql.replacement_of, minutes["id"])
    if newer is None:
        return None
    return {"version": newer["version"], "number": number_of(newer), "date": _vn_date(newer["signed_at"])}


def describe_version(store, minutes: dict | None) -> dict | None:
    if minutes is None:
        return None
    visit = store.read(visits_sql.get_visit, minutes["visit_id"])
    return {"visit_id": minutes["visit_id"], "version": minutes["version"], "status": minutes["status"],
            "number": number_of(minutes), "unit": visit["unit_name"], "delegation": visit["delegation_name"],
            "started_at": visit["started_at"], "signed_at": minutes["signed_at"],
            "content_sha256": minutes["signed_content_sha256"] or minutes["content_sha256"],
            "replaced_by": replaced_by(store, minutes),
            "signatures": [{k: s[k] for k in ("role", "name", "signed_at", "collected_by", "on_behalf")}
                           for s in store.read(sql.signatures_of, minutes["id"])]}


def find_report(store, code: str) -> dict | None:
    """The final or sealed follow-up report with exactly this verification code."""
    code = (code or "").strip().lower()
    return describe_report(store.read(reports_sql.find_by_code, code)) if CODE.match(code) else None


def describe_report(report: dict | None) -> dict | None:
    """What verification says of a follow-up report (báo cáo): number, date, status."""
    if report is None or not report.get("content"):
        return None
    content = report["content"]
    return {"kind": "báo cáo", "id": report["id"], "number": content["number"], "date": content["issued"],
            "status": report["status"], "subject": content["subject"], "issuing_body": content["body"],
            "signer": report["signer_name"], "sealed_at": report["sealed_at"],
            "content_sha256": report["content_sha256"]}


def find_survey_report(store, sha: str | None = None, code: str | None = None) -> dict | None:
    """The survey report version whose stored PDF has this hash, or whose content hash
    (the verification code, or the whole hash embedded in the PDF) starts so."""
    found = store.read(survey_sql.find_by_pdf, sha) if sha else None
    code = (code or "").strip().lower()
    if found is None and code and CODE.match(code):
        found = store.read(survey_sql.find_by_code, code)
    return found


def describe_survey_report(report: dict | None) -> dict | None:
    """What verification says of a survey report (báo cáo kết quả khảo sát); nothing of a draft."""
    if report is None or report["status"] == "draft":
        return None
    inp = report["input_json"]
    return {"id": report["id"], "delegation_id": report["delegation_id"], "version": report["version"],
            "status": report["status"], "number": number_of(report), "delegation": inp["delegation"]["name"],
            "issued_date": inp["issued_date"], "signed_at": report["signed_at"], "signer": report["signer_name"],
            "content_sha256": report["signed_content_sha256"] or report["content_sha256"], "replaced_by": None}


# ----------------------------------------------------------------- uploaded PDFs

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


def _common_name(subject: str) -> str:
    """`Common Name: HĐND tỉnh Gia Lai, Organization: …` → `HĐND tỉnh Gia Lai`."""
    found = re.search(r"Common Name: ([^,]+)", subject or "")
    return found.group(1).strip() if found else subject


def _run(env, pdf: bytes) -> pdf_verify.VerificationResult:
    settings: VerifySettings = env.verification
    roots, crls = minutes_keys.trust_material(env.certs, settings.trusted_roots)
    args = (pdf, roots, crls, settings.limits)
    if settings.workers <= 0:
        return pdf_verify.verify_pdf(*args)
    pool = workers.shared_pool(settings.workers)
    try:
        return pool.run(pdf_verify.verify_pdf, args, timeout=settings.timeout, wait=settings.wait)
    except workers.PoolBusy:
        raise VerifierBusy(BUSY) from None
    except workers.JobTimedOut:
        raise Refused(TOO_LONG) from None
    except workers.JobFailed:
        raise Refused(TOO_LONG) from None


def check_pdf(env, pdf: bytes) -> pdf_verify.VerificationResult:
    """The signatures' verdict, or `Refused` when the file asks for too much work."""
    result = _run(env, pdf)
    if result.refused:
        limit = env.verification.max_signatures if result.refused == pdf_verify.TOO_MANY_SIGNATURES \
            else env.verification.max_revisions
        raise Refused(REFUSALS[result.refused], n=limit)
    return result


def _signer(s: dict) -> dict:
    return {"name": _common_name(s["signer"]), "signed_at": s["signed_at"], "field": s["field"],
            "trusted": s["trusted"], "valid": s["bottom_line"], "timestamp": s.get("timestamp"),
            "certificate_problem": s.get("certificate_problem"),
            "certificate_valid_until": s.get("certificate_valid_until")}


def verify_document(store, env, pdf: bytes) -> dict:
    """Integrity and signers of a PDF, and the minutes version it is (when known here)."""
    result = check_pdf(env, pdf)
    sha = hashlib.sha256(pdf).hexdigest()
    minutes, embedded = store.read(sql.find_by_pdf, sha), None
    if minutes is None:
        embedded = _subject_hash(pdf)
        minutes = find_version(store, embedded) if embedded else None
    known = describe_version(store, minutes)
    report = None
    if minutes is None:
        report = store.read(reports_sql.find_by_pdf, sha)
        if report is None and embedded:
            report = store.read(reports_sql.find_by_code, embedded)
    survey = None if minutes is not None or report is not None else find_survey_report(store, sha, embedded)
    return {"report": describe_report(report), "survey_report": describe_survey_report(survey),
            "intact": result.intact, "valid": result.valid, "modified": result.modified_after_signing,
            "error": result.error, "sha256": sha,
            "signers": [_signer(s) for s in result.signatures],
            "level": result.level, "revocation_info": result.revocation_info,
            "document_timestamps": [s["timestamp"] for s in result.document_timestamps],
            "visit_id": known and known["visit_id"], "version": known and known["version"],
            "replaced_by": known and known["replaced_by"], "minutes": known}
