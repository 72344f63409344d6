"""Operations on the survey report of a delegation: reword the draft, finalize,
sign and seal, publish and withdraw. Each change is one `store.write` transaction.

Life of a version: `draft` (made from the visits on demand, with the secretary's
wording) → `final` (input frozen as JSON with its content hash, number allocated
per body and year, PDF stored, recommendations on the follow-up board) → `signed`
(the head of delegation's drawn signature placed, the PDF sealed with the
organisation's certificate). A final or signed report may be published.
"""
from __future__ import annotations

import datetime as dt

from survey_app.clock import now_utc, today_vn
from survey_app.domain import audit, files
from survey_app.domain.access import (
    can_prepare_report, can_publish_report, can_view_report, report_signing_capacity,
)
from survey_app.domain.errors import Conflict, DomainError, Forbidden, NotFound, labels
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.domain.minutes.operations import MinutesEnv, decode_signature
from survey_app.domain.survey_report import material as report_material
from survey_app.domain.survey_report.documents import render_report, sealed_report
from survey_app.domain.survey_report.inputs import build_input, clean_wording, content_sha256, freeze
from survey_app.markers import N_
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import survey_reports as sql
from survey_app.storage import units as units_sql

FROZEN = N_("Báo cáo đã được thông qua: không thể sửa nội dung hay câu chữ nữa.")
CHANGED = N_("Báo cáo vừa được người khác thay đổi trong lúc xử lý; vui lòng thử lại.")
NOT_FINAL = N_("Vui lòng thông qua báo cáo trước khi ký hoặc công khai; dự thảo không được công khai.")
REFUSED = N_("Tài khoản không có quyền lập báo cáo kết quả khảo sát của đoàn này.")
VIEW_REFUSED = N_("Tài khoản không có quyền xem báo cáo kết quả khảo sát của đoàn này.")
PUBLISH_REFUSED = N_("Chỉ Trưởng đoàn hoặc Thư ký Đoàn mới công khai hoặc thu hồi được báo cáo.")
SIGN_REFUSED = N_("Tài khoản không có quyền ký báo cáo: chỉ Trưởng đoàn tự ký, hoặc Thư ký Đoàn thu nhận "
                  "chữ ký của Trưởng đoàn trên thiết bị của mình.")
NO_REPORT = N_("Đoàn chưa có báo cáo kết quả khảo sát.")
MAX_REASON = 1000


# ----------------------------------------------------------------- loading

def load_delegation(store, delegation_id: int, user: dict, check=can_view_report) -> dict:
    """The delegation, when it exists (404) and the user may do this with its report (403)."""
    delegation = store.read(delegations_sql.get_delegation, delegation_id)
    if delegation is None:
        raise NotFound(N_("Không tìm thấy đoàn khảo sát."))
    if not store.read(check, user, delegation_id):
        raise Forbidden({can_view_report: VIEW_REFUSED, can_publish_report: PUBLISH_REFUSED}.get(check, REFUSED))
    return delegation


def preview(delegation_id: int) -> dict:
    """An unsaved draft: what the report would say now (reading never creates a version)."""
    return {"id": None, "delegation_id": delegation_id, "version": 1, "status": "draft", "wording": {}}


def latest(store, delegation_id: int, preview_ok: bool = True) -> dict:
    report = store.read(sql.latest, delegation_id)
    if report is None and not preview_ok:
        raise Conflict(NO_REPORT, "status")
    return report or preview(delegation_id)


# ----------------------------------------------------------------- wording

def edit_wording(store, forms, user: dict, delegation_id: int, wording) -> dict:
    """Replace the secretary's wording of the draft (an empty text = the generated one);
    the first wording creates the draft. Refused (409) once the report is final."""
    load_delegation(store, delegation_id, user, can_prepare_report)
    clean = clean_wording(wording)
    report_material.check_visits(store.read(sql.visits_of, delegation_id))

    def write(db):
        current = sql.latest(db, delegation_id)
        if current is not None and current["status"] != "draft":
            raise Conflict(FROZEN, "status")
        if current is None:
            report_id = sql.insert(db, delegation_id=delegation_id, version=1, status="draft", wording=clean,
                                   created_at=now_utc(), created_by=user["id"])
        else:
            report_id = current["id"]
            sql.update(db, report_id, wording=clean)
        audit.record(db, user, "report.wording", "survey_report", report_id,
                     {"delegation_id": delegation_id, "sections": sorted(clean)})
        return sql.get(db, report_id)
    return store.write(write)


# ----------------------------------------------------------------- finalize

def _state(db, delegation_id: int) -> tuple:
    current = sql.latest(db, delegation_id)
    visits = tuple((v["id"], v["status"]) for v in sql.visits_of(db, delegation_id))
    return (current and (current["id"], current["status"], str(current["wording"])), visits)


def finalize(store, forms, env: MinutesEnv, user: dict, delegation_id: int) -> dict:
    """Freeze the report, allocate its number, store its PDF, put its recommendations on
    the follow-up board. The PDF is rendered outside the write lock; the write checks
    that nothing it depends on changed and that the number is still free."""
    load_delegation(store, delegation_id, user, can_prepare_report)
    seen = store.read(_state, delegation_id)
    report = latest(store, delegation_id)
    if report["status"] != "draft":
        raise Conflict(FROZEN, "status")
    material = report_material.gather(store, forms, delegation_id)
    delegation = material["delegation"]
    issued = dt.date.fromisoformat(today_vn())
    number = store.read(sql.peek_number, delegation["body"], issued.year)
    inp = build_input(material, report["wording"] or {}, number=number, issued=issued, version=report["version"],
                      base_url=env.base_url)
    pdf, _ = render_report(env, inp)
    staged = [files.stage_bytes(env.files, pdf, ".pdf")]
    with files.cleaned_up(staged):
        report_id = store.write(_commit_final, user, delegation_id, seen, inp, staged)
    return store.read(sql.get, report_id)


def _commit_final(db, user: dict, delegation_id: int, seen: tuple, inp: dict, staged: list) -> int:
    if _state(db, delegation_id) != seen:
        raise Conflict(CHANGED, "status")
    body = inp["delegation"]["body"]
    if sql.next_number(db, body, inp["year"]) != inp["number"]:
        raise Conflict(CHANGED, "status")
    with files.placing(staged):
        current = sql.latest(db, delegation_id)
        report_id = current["id"] if current else sql.insert(
            db, delegation_id=delegation_id, version=1, status="draft", wording={}, created_at=now_utc(),
            created_by=user["id"])
        sha = content_sha256(inp)
        sql.update(db, report_id, status="final", body=body, year=inp["year"], number=inp["number"],
                   symbol=inp["symbol"], input_json=freeze(inp), content_sha256=sha,
                   final_pdf_sha256=staged[0].sha256, finalized_at=now_utc(), finalized_by=user["id"])
        _board(db, user, report_id, inp)
        audit.record(db, user, "report.finalize", "survey_report", report_id, {
            "delegation_id": delegation_id, "number": f"{inp['number']:02d}/{inp['symbol']}",
            "content_sha256": sha, "pdf_sha256": staged[0].sha256})
        return report_id


def _board(db, user: dict, report_id: int, inp: dict) -> None:
    """Each recommendation of the report joins the follow-up board, addressed to its unit
    and belonging to the report (not to any of the visits)."""
    at = now_utc()
    for rec in inp["recommendations"]:
        unit_id = units_sql.ensure_unit(db, rec["addressee"])
        sql.add_recommendation(db, report_id=report_id, delegation_id=inp["delegation"]["id"], unit_id=unit_id,
                               text=rec["text"], addressee=rec["addressee"], due=rec["due"], at=at)


# ----------------------------------------------------------------- signature and seal

def require_signer(store, user: dict, delegation_id: int) -> str:
    """How this user may sign the delegation's report (`self`, or the secretary
    collecting the head's signature); 404/403 before anything else is read."""
    load_delegation(store, delegation_id, user)
    capacity = store.read(report_signing_capacity, user, delegation_id)
    if capacity is None:
        raise Forbidden(SIGN_REFUSED, "role")
    return capacity


def sign(store, env: MinutesEnv, user: dict, delegation_id: int, role, name, image) -> dict:
    """The head of delegation's drawn signature on the final report; the PDF with it is sealed."""
    capacity = require_signer(store, user, delegation_id)
    if role != "signer":
        raise DomainError(N_("Vui lòng chọn một trong: %(choices)s."), "role",
                          choices=labels({"signer": N_("Người ký báo cáo")}))
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise DomainError(N_("Vui lòng ghi họ và tên người ký (tối đa 200 ký tự)."), "name")
    png = decode_signature(image)
    report = latest(store, delegation_id, preview_ok=False)
    if report["status"] != "final":
        raise Conflict(NOT_FINAL if report["status"] == "draft" else N_("Báo cáo đã được ký."), "status")
    pdf, signed_sha, at = sealed_report(store, env, report, name, png)
    staged = [files.stage_bytes(env.files, png, ".png"), files.stage_bytes(env.files, pdf, ".pdf")]
    with files.cleaned_up(staged):
        store.write(_commit_signature, user, report, name, capacity, signed_sha, at, staged)
    return {"ok": True, "role": "signer", "sealed": True, "on_behalf": capacity != "self",
            "version": report["version"]}


def _commit_signature(db, user, report, name, capacity, signed_sha, at, staged) -> None:
    current = sql.get(db, report["id"])
    if current["status"] != "final":
        raise Conflict(N_("Báo cáo đã được ký."), "status")
    with files.placing(staged):
        sql.update(db, report["id"], status="signed", signer_name=name, signature_sha256=staged[0].sha256,
                   signed_by=user["id"], signed_at=at, signed_content_sha256=signed_sha,
                   signed_pdf_sha256=staged[1].sha256)
        audit.record(db, user, "report.sign", "survey_report", report["id"], {
            "delegation_id": report["delegation_id"], "name": name, "on_behalf": capacity != "self",
            "content_sha256": signed_sha})


# ----------------------------------------------------------------- publication

def publish(store, user: dict, delegation_id: int) -> dict:
    load_delegation(store, delegation_id, user, can_publish_report)

    def write(db):
        report = sql.latest(db, delegation_id)
        if report is None or report["status"] == "draft":
            raise Conflict(NOT_FINAL, "status")
        if report["published"]:
            raise Conflict(N_("Báo cáo đã được công khai."), "status")
        at = now_utc()
        sql.record_publication(db, report["id"], "publish", "", at, user["id"])
        audit.record(db, user, "report.publish", "survey_report", report["id"], {"delegation_id": delegation_id})
        return sql.get(db, report["id"])
    return store.write(write)


def unpublish(store, user: dict, delegation_id: int, reason) -> dict:
    """Withdraw a published report; the reason stays on record (publications, audit)."""
    load_delegation(store, delegation_id, user, can_publish_report)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(N_("Vui lòng ghi lý do thu hồi báo cáo (tối đa %(n)s ký tự)."), "reason", n=MAX_REASON)

    def write(db):
        report = sql.latest(db, delegation_id)
        if report is None or not report["published"]:
            raise Conflict(N_("Báo cáo chưa được công khai."), "status")
        sql.record_publication(db, report["id"], "withdraw", reason, now_utc(), user["id"])
        audit.record(db, user, "report.withdraw", "survey_report", report["id"],
                     {"delegation_id": delegation_id, "reason": reason})
        return sql.get(db, report["id"])
    return store.write(write)


def sealer(env: MinutesEnv) -> str:
    return minutes_keys.sealer_name(env.certs, env.signing, env.organisation)
