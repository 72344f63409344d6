"""Checking and saving the unit's own report, and its attached written report.

Only the host of the visited unit writes it (anyone else: NotFound, so a visit's
existence does not leak), and only until the minutes are final (Conflict). Saving
also prefills the visit: the report's summary, period and figures go into the visit's
fields, its difficulties and proposals into list items, wherever no member has changed
the value on site since the unit last wrote it (`applied` records what the report
wrote), so the delegation's verified values always win and both stay visible.
"""
from __future__ import annotations

import uuid as uuidlib
from pathlib import Path
from typing import BinaryIO

from survey_app.clock import now_utc
from survey_app.domain import audit, files
from survey_app.domain.access import can_view_visit, can_write_unit_report
from survey_app.domain.errors import Conflict, DomainError, NotFound
from survey_app.domain.fields import field_label
from survey_app.domain.followup import evidence
from survey_app.domain.visits.operations import (
    EDITABLE_STATUSES,
    TEXT_LIMIT,
    check_item,
    check_text,
    parse_iso_date,
)
from survey_app.checklists import AnswerError
from survey_app.markers import N_
from survey_app.storage import unit_reports as sql
from survey_app.storage import visits as visits_sql

FIELDS = ("summary", "period", "indicators", "difficulties", "proposals")
MAX_ENTRIES = 100  # difficulties or proposals in one report
ATTACHMENT_TYPES = ("application/pdf",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
NOT_FOUND = N_("Không tìm thấy buổi khảo sát.")
FINAL = N_("Biên bản đã được thông qua: báo cáo của đơn vị không thể sửa nữa.")
STALE = N_("Báo cáo vừa được lưu ở nơi khác; vui lòng tải lại trang để xem bản mới nhất trước khi sửa.")


# ----------------------------------------------------------------- loading

def load_for_reading(store, visit_id: int, user: dict) -> dict:
    """The visit whose report `user` may read (its delegation, its unit's host, admins
    and viewers), or NotFound."""
    visit = store.read(visits_sql.get_visit, visit_id)
    if visit is None or not store.read(can_view_visit, user, visit):
        raise NotFound(NOT_FOUND)
    return visit


def load_for_writing(store, visit_id: int, user: dict) -> dict:
    """The visit whose report `user` may write: NotFound for anyone but its unit's
    host (existence does not leak), Conflict once the minutes are final."""
    visit = store.read(visits_sql.get_visit, visit_id)
    if visit is None or not can_write_unit_report(user, visit):
        raise NotFound(NOT_FOUND)
    require_open(visit)
    return visit


def require_open(visit: dict) -> None:
    if visit["status"] not in EDITABLE_STATUSES:
        raise Conflict(FINAL, "status")


# ----------------------------------------------------------------- checks

def check_report(form, body) -> dict:
    """The report's values, normalised; DomainError naming the first bad field. A key
    left out is empty (PUT replaces the whole report)."""
    if not isinstance(body, dict):
        raise DomainError(N_("Vui lòng gửi báo cáo dưới dạng một đối tượng JSON."), "body")
    for key in body:
        if key not in FIELDS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    summary = check_text(body.get("summary"), "summary", TEXT_LIMIT) or ""
    return {"summary": summary, "period": _period(body.get("period")),
            "indicators": _indicators(form, body.get("indicators")),
            "difficulties": _entries(body.get("difficulties"), "difficulties", "difficulty"),
            "proposals": _entries(body.get("proposals"), "proposals", "proposal")}


def _object(value, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một đối tượng JSON."), field,
                          field=field_label(field))
    return value


def _period(value) -> dict:
    period = _object(value, "period")
    for key in period:
        if key not in ("from", "to"):
            raise DomainError(N_("Trường không được phép: '%(key)s' trong '%(field)s'"), f"period.{key}",
                              key=key, field="period")
    clean = {key: parse_iso_date(period[key], f"period.{key}") if period.get(key) not in (None, "") else None
             for key in ("from", "to")}
    if clean["from"] and clean["to"] and clean["from"] > clean["to"]:
        raise DomainError(N_("Vui lòng chọn ngày kết thúc kỳ báo cáo không trước ngày bắt đầu."), "period.to")
    return clean


def _indicators(form, value) -> dict:
    figures = _object(value, "indicators")
    clean = {}
    for key, number in figures.items():
        if key not in form.indicator_keys:
            raise DomainError(N_("Vui lòng chỉ báo cáo các chỉ tiêu của biểu mẫu: '%(key)s' không có trong biểu mẫu "
                                 "của buổi khảo sát."),
                              f"indicators.{key}", key=key)
        if isinstance(number, bool) or not (number is None or isinstance(number, (int, float))):
            raise DomainError(N_("Vui lòng nhập một số cho chỉ tiêu '%(label)s'."), f"indicators.{key}",
                              label=form.indicator(key).label)
        try:
            checked = form.check_indicator(key, number)
        except AnswerError as error:
            raise DomainError(error.template, f"indicators.{key}", **error.params) from None
        if checked is not None:
            clean[key] = checked
    return clean


def _entries(value, field: str, kind: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một danh sách."), field,
                          field=field_label(field))
    if len(value) > MAX_ENTRIES:
        raise DomainError(N_("Vui lòng gửi tối đa %(limit)s mục trong “%(field)s”."), field,
                          field=field_label(field), limit=MAX_ENTRIES)
    entries = [check_item(kind, entry, f"{field}[{i}]") for i, entry in enumerate(value)]
    for i, entry in enumerate(entries):
        if not (entry.get("text") or "").strip():
            raise DomainError(N_("Vui lòng nhập nội dung cho mục %(number)s của “%(field)s”."),
                              f"{field}[{i}].text", number=i + 1, field=field_label(field))
    return [{k: entry.get(k) or "" for k in (("text",) if kind == "difficulty" else ("text", "addressee"))}
            for entry in entries]


# ----------------------------------------------------------------- saving

def save_report(store, forms, user: dict, visit_id: int, body, revision: int | None = None) -> dict:
    """Check and save the report (and prefill the visit); `revision`, when given, must
    be the revision last read (else Conflict: someone saved in between).
    Returns the report's new revision."""
    visit = load_for_writing(store, visit_id, user)
    form = store.read(forms.for_visit, visit)
    report = check_report(form, body)

    def write(db):
        current = visits_sql.get_visit(db, visit_id)  # again, under the write lock
        require_open(current)
        stored = sql.get_report(db, visit_id)
        if revision is not None and revision != (stored["revision"] if stored else 0):
            raise Conflict(STALE, "revision")
        at = now_utc()
        applied = prefill_visit(db, form, user, visit_id, report, (stored or {}).get("applied") or {}, at)
        number = sql.save_report(db, visit_id, {
            "summary": report["summary"], "period_from": report["period"]["from"],
            "period_to": report["period"]["to"], "indicators": report["indicators"],
            "difficulties": report["difficulties"], "proposals": report["proposals"],
            "applied": applied, "submitted_at": at, "submitted_by": user["id"]})
        visits_sql.touch_visit(db, visit_id, at)
        audit.record(db, user, "unit_report.save", "visit", visit_id, {"revision": number})
        return number
    return store.write(write)


def prefill_visit(db, form, user, visit_id: int, report: dict, applied: dict, at: str) -> dict:
    """Write the report into the visit where no member changed it on site since the
    report last did; return the new `applied` record {fields: {path: version}, items: [uid]}."""
    values = {"report.summary": report["summary"] or None,
              "report.period.from": report["period"]["from"], "report.period.to": report["period"]["to"]}
    values.update({f"indicators.{key}": report["indicators"].get(key) for key in sorted(form.indicator_keys)})
    written = applied.get("fields", {})
    fields = {}
    for path, value in values.items():
        current = visits_sql.get_field(db, visit_id, path)
        untouched = current is None or current["value"] in (None, "") or written.get(path) == current["version"]
        if not untouched:
            continue  # verified on site: the member's value stays
        if current is not None and current["value"] == value:
            fields[path] = current["version"]
        elif value is not None or current is not None:
            fields[path] = visits_sql.set_field(db, visit_id, path, value, at, user["id"])
    return {"fields": fields, "items": _prefill_items(db, user, visit_id, report, applied.get("items", []), at)}


def _prefill_items(db, user, visit_id: int, report: dict, previous: list[str], at: str) -> list[str]:
    """The report's difficulties and proposals as the visit's items: those the report
    made before and nobody changed since are replaced; a member's changed ones stay."""
    kept = []
    for uid in previous:
        item = visits_sql.get_item(db, uid)
        if item is None or item["deleted"] or item["visit_id"] != visit_id:
            continue
        if item["version"] == 1:
            visits_sql.update_item(db, uid, at, user["id"], deleted=1)
        else:
            kept.append(uid)
    made = []
    for key, kind in (("difficulties", "difficulty"), ("proposals", "proposal")):
        for entry in report[key]:
            uid = f"unit-report-{uuidlib.uuid4()}"
            visits_sql.insert_item(db, uid=uid, visit_id=visit_id, kind=kind, updated_at=at,
                                   updated_by=user["id"], data=entry,
                                   position=visits_sql.next_position(db, visit_id, kind))
            made.append(uid)
    return kept + made


# ----------------------------------------------------------------- the written report

def attach_file(store, user: dict, visit_id: int, folder: Path, filename: str, stream: BinaryIO | bytes) -> dict:
    """Attach the unit's signed written report (PDF or DOCX), checked as evidence is
    (type by content, 20 MB, zip bomb safe); permission and state are checked before a
    byte is read; a refused file leaves nothing behind."""
    load_for_writing(store, visit_id, user)
    staged_files: list = []
    with files.cleaned_up(staged_files):
        staged, info = evidence.stage(folder, (filename, stream), "attachment")
        staged_files.append(staged)
        if info["content_type"] not in ATTACHMENT_TYPES:
            raise DomainError(N_("Vui lòng đính kèm báo cáo bằng văn bản dạng PDF hoặc DOCX (tệp '%(name)s' "
                                 "không phải PDF hoặc DOCX)."), "attachment", name=evidence.display_name(filename))

        def write(db):
            require_open(visits_sql.get_visit(db, visit_id))
            with files.placing([staged]):
                number = sql.set_attachment(db, visit_id, info, now_utc(), user["id"])
                audit.record(db, user, "unit_report.attach", "visit", visit_id,
                             {"sha256": info["sha256"], "name": info["filename"]})
            return number
        revision = store.write(write)
    return {"name": info["filename"], "content_type": info["content_type"], "size": info["size"],
            "revision": revision}


def attachment_file(store, visit_id: int, folder: Path) -> tuple[Path, str, str] | None:
    """(path, content type, download name) of the attached written report, or None."""
    report = store.read(sql.get_report, visit_id)
    if report is None or not report["attachment_sha256"]:
        return None
    return (files.file_path(folder, report["attachment_sha256"], report["attachment_suffix"]),
            report["attachment_type"], report["attachment_name"])
