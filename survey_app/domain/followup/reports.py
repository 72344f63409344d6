"""The follow-up report as an issued document: draft → final → sealed.

A `draft` holds what the report covers (the board's filters) and who signs it; its PDF
is rendered from the live data on demand and says "DỰ THẢO". Finalize freezes the data
as JSON with its content hash, gives the report its number (`Số: 07/BC-BPC`, counted per
issuing body and year, apart from the minutes) and stores the PDF: from then on nothing
of it changes (409). Sealing renders the frozen content with the visible seal and seals
it with the organisation's certificate (`documents/seal.py`), as the minutes; the
verification page, API and CLI then name it (number, date, "báo cáo").

A report is the work of the one who prepared it: that user (a secretary, a head of a
delegation or an administrator) and administrators see and change it; its data is read
with the preparer's scope."""
from __future__ import annotations

import hashlib
import json

from survey_app.clock import now_utc, today_vn
from survey_app.domain import audit, files
from survey_app.domain.errors import Conflict, DomainError, Forbidden, NotFound
from survey_app.domain.followup import report as report_doc
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.documents import signer_certificate
from survey_app.markers import N_
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import followup_reports as sql

PREPARERS = frozenset({"admin", "secretary", "head"})
FILTER_KEYS = ("visit_from", "visit_to", "delegation_id", "unit_id")
MAX_NAME, MAX_TITLE = 200, 100
ATTEMPTS = 3
REFUSED = N_("Tài khoản không có quyền lập báo cáo theo dõi kiến nghị.")
NOT_FOUND = N_("Không tìm thấy báo cáo.")
FROZEN = N_("Báo cáo đã được thông qua: không thể sửa nội dung, phạm vi hay người ký nữa.")
NOT_DRAFT = N_("Báo cáo đã được thông qua trước đó.")
NOT_FINAL = N_("Chỉ đóng dấu số được báo cáo đã được thông qua và chưa đóng dấu.")
NO_SIGNER = N_("Vui lòng nhập họ và tên người ký báo cáo.")
NAME_TOO_LONG = N_("Họ và tên người ký quá dài (tối đa %(n)s ký tự).")
TITLE_TOO_LONG = N_("Chức vụ người ký quá dài (tối đa %(n)s ký tự).")
STATUS_LABELS = {"draft": N_("Dự thảo"), "final": N_("Đã thông qua, chờ đóng dấu số"),
                 "sealed": N_("Đã đóng dấu số")}
CHANGED = N_("Báo cáo vừa được người khác thay đổi; vui lòng thử lại.")


class _Changed(Exception):
    """The report (or the number) changed between rendering and the write."""


def _clean_signer(name, title) -> tuple[str, str]:
    name = name.strip() if isinstance(name, str) else ""
    title = title.strip() if isinstance(title, str) else ""
    if len(name) > MAX_NAME:
        raise DomainError(NAME_TOO_LONG, "signer_name", n=MAX_NAME)
    if len(title) > MAX_TITLE:
        raise DomainError(TITLE_TOO_LONG, "signer_title", n=MAX_TITLE)
    return name, title or report_doc.DEFAULT_SIGNER_TITLE


def _clean_filters(filters: dict) -> dict:
    return {key: filters[key] for key in FILTER_KEYS if filters.get(key) not in (None, "")}


def load(store, user: dict, report_id: int) -> dict:
    """The report, if the user may see it (its preparer, an administrator); else 404."""
    report = store.read(sql.get_report, report_id)
    if report is None or (user["role"] != "admin" and report["created_by"] != user["id"]):
        raise NotFound(NOT_FOUND)
    return report


def reports(store, user: dict) -> list[dict]:
    return store.read(sql.reports_of, None if user["role"] == "admin" else user["id"])


def create_draft(store, user: dict, filters: dict, signer_name: str = "", signer_title: str = "") -> int:
    """A new draft covering `filters`; the signer defaults to the delegation's head."""
    if user["role"] not in PREPARERS:
        raise Forbidden(REFUSED)
    filters = _clean_filters(filters)
    name, title = _clean_signer(signer_name, signer_title)
    if not name:
        name = report_doc.report_data(store, user, filters)["signer"]["name"]

    def write(db):
        report_id = sql.insert_report(db, status="draft", filters=filters, signer_name=name, signer_title=title,
                                      created_at=now_utc(), created_by=user["id"])
        audit.record(db, user, "followup_report.draft", "followup_report", report_id, {"filters": filters})
        return report_id
    return store.write(write)


def edit_draft(store, user: dict, report_id: int, filters: dict, signer_name: str, signer_title: str) -> dict:
    """Change what a draft covers and who signs it; a final or sealed report: 409."""
    load(store, user, report_id)
    filters = _clean_filters(filters)
    name, title = _clean_signer(signer_name, signer_title)

    def write(db):
        report = sql.get_report(db, report_id)
        if report["status"] != "draft":
            raise Conflict(FROZEN, "status")
        sql.update_report(db, report_id, filters=filters, signer_name=name, signer_title=title)
        audit.record(db, user, "followup_report.edit", "followup_report", report_id,
                     {"filters": filters, "signer_name": name, "signer_title": title})
        return sql.get_report(db, report_id)
    return store.write(write)


def _preparer(store, report: dict, user: dict) -> dict:
    """Whose scope the report's data is read with: its preparer's (while they exist)."""
    preparer = store.read(accounts_sql.get_user, report["created_by"]) if report["created_by"] else None
    return preparer or user


def draft_data(store, user: dict, report: dict, today: str | None = None) -> dict:
    """The content of a draft as it would be finalized now (number not yet given)."""
    data = report_doc.report_data(store, _preparer(store, report, user), report["filters"], today)
    data["signer"] = {"name": report["signer_name"], "title": report["signer_title"]}
    return data


def content_sha256(content: dict) -> str:
    """SHA-256 of the canonical JSON of the frozen content: the report's identity."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def finalize(store, env, user: dict, report_id: int, today: str | None = None) -> dict:
    """Freeze the content, give the number, store the PDF (draft → final)."""
    for _attempt in range(ATTEMPTS):
        report = load(store, user, report_id)
        if report["status"] != "draft":
            raise Conflict(NOT_DRAFT, "status")
        if not report["signer_name"]:
            raise DomainError(NO_SIGNER, "signer_name")
        content = draft_data(store, user, report, today)
        issued = content["today"]
        year = int(issued[:4])
        number = store.read(sql.peek_number, content["body"], year)
        content.update(number=f"{number:02d}/{content['symbol']}", issued=issued,
                       number_line=f"Số: {number:02d}/{content['symbol']}")
        digest = content_sha256(content)
        pdf = report_doc.report_pdf({**content, "content_sha256": digest})
        staged = [files.stage_bytes(env.files, pdf, ".pdf")]
        try:
            with files.cleaned_up(staged):
                store.write(_commit_final, user, report, content, digest, number, year, staged)
            return load(store, user, report_id)
        except _Changed:
            continue
    raise Conflict(CHANGED, "status")


def _commit_final(db, user: dict, seen: dict, content: dict, digest: str, number: int, year: int,
                  staged: list) -> None:
    report = sql.get_report(db, seen["id"])
    if (report["status"], report["filters"], report["signer_name"], report["signer_title"]) != \
            (seen["status"], seen["filters"], seen["signer_name"], seen["signer_title"]):
        raise _Changed()
    with files.placing(staged):
        if sql.next_number(db, content["body"], year) != number:
            raise _Changed()  # another report of the same body took this number meanwhile
        sql.update_report(db, report["id"], status="final", body=content["body"], symbol=content["symbol"],
                          year=year, number=number, content_json=content, content_sha256=digest,
                          final_pdf_sha256=staged[0].sha256, finalized_at=now_utc(), finalized_by=user["id"])
        audit.record(db, user, "followup_report.finalize", "followup_report", report["id"],
                     {"number": content["number"], "content_sha256": digest, "pdf_sha256": staged[0].sha256})


def seal(store, env, user: dict, report_id: int) -> dict:
    """Seal the final report with the organisation's certificate (final → sealed)."""
    report = load(store, user, report_id)
    if report["status"] != "final":
        raise Conflict(NOT_FINAL, "status")
    minutes_keys.ensure_signer(env.certs, env.signing, env.organisation)
    problem = minutes_keys.certificate_problem(signer_certificate(minutes_keys.signer_for(env.certs, env.signing)))
    if problem:
        raise Conflict(problem[0], "certificate", **problem[1])
    at, name = now_utc(), minutes_keys.sealer_name(env.certs, env.signing, env.organisation)
    content, digest = report["content"], report["content_sha256"]
    pdf, placement = report_doc.report_pdf({**content, "content_sha256": digest}, placed=True,
                                           seal=minutes_keys.seal_context(name, at, digest[:12]))
    sealed = minutes_keys.seal(env.certs, env.signing, pdf, placement, name=name,
                               reason=f"Báo cáo số {content['number']}", location=content.get("place") or report_doc.DEFAULT_PLACE,
                               info={audit.ANCHOR_KEY: audit.head_anchor(store)})
    staged = [files.stage_bytes(env.files, sealed, ".pdf")]

    def write(db):
        if sql.get_report(db, report_id)["status"] != "final":
            raise Conflict(NOT_FINAL, "status")
        with files.placing(staged):
            sql.update_report(db, report_id, status="sealed", sealed_at=at, sealed_pdf_sha256=staged[0].sha256,
                              sealed_by=user["id"])
            audit.record(db, user, "followup_report.seal", "followup_report", report_id,
                         {"number": content["number"], "content_sha256": digest, "pdf_sha256": staged[0].sha256})
    with files.cleaned_up(staged):
        store.write(write)
    return load(store, user, report_id)


def pdf_of(store, env, user: dict, report_id: int) -> tuple[dict, bytes]:
    """(report, PDF): the sealed file, else the final one, else the draft rendered now."""
    report = load(store, user, report_id)
    sha = report["sealed_pdf_sha256"] or report["final_pdf_sha256"]
    if sha:
        return report, files.file_path(env.files, sha, ".pdf").read_bytes()
    return report, report_doc.report_pdf(draft_data(store, user, report, today_vn()))

