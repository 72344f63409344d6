"""Follow-up of recommendations (kiến nghị): the tracking row of each recommendation
item, its life cycle, who may see and change it, and the board's lists.

Life cycle `open → in_progress → done` (or `not_done`, or `dropped` with a reason);
every change is an append-only update row (author, date, note, evidence). A host's
`done` is a claim the committee (head or secretary of the delegation, admin) accepts
or rejects. *Overdue* is derived from the due date and today's date in Vietnam;
it is never stored.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from survey_app.markers import N_
from survey_app.storage import units as units_sql
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import recommendations as sql
from survey_app.storage import visits as visits_sql
from survey_app.domain import audit
from survey_app.domain.access import (
    can_decide_recommendation,
    can_report_progress,
    can_view_recommendation,
    history_unit,
    scope,
)
from survey_app.domain import files as stored_files
from survey_app.domain.followup import evidence
from survey_app.clock import now_utc, today_vn
from survey_app.domain.errors import DomainError, Forbidden, Label, NotFound, labels

STATUSES = ("open", "in_progress", "done", "not_done", "dropped")
STATUS_LABELS = {"open": N_("Chưa thực hiện"), "in_progress": N_("Đang thực hiện"),
                 "done": N_("Đã hoàn thành"), "not_done": N_("Không hoàn thành"),
                 "dropped": N_("Không tiếp tục theo dõi")}
# Statuses in which a recommendation is still to be carried out (and can be overdue).
ACTIVE_STATUSES = ("open", "in_progress", "not_done")
# The one transition table: from → statuses it may move to (reopening included).
TRANSITIONS = {
    "open": ("in_progress", "done", "not_done", "dropped"),
    "in_progress": ("open", "done", "not_done", "dropped"),
    "not_done": ("in_progress", "done", "dropped"),
    "done": ("in_progress",),
    "dropped": ("open",),
}
COMMITTEE_ONLY = {"dropped"}  # and reopening a done or dropped recommendation
DONE_RULES = ("evidence_or_note", "evidence", "note", "none")
REPORT_REFUSED = N_("Tài khoản không có quyền cập nhật kiến nghị này.")
DELETED_REASON = N_("Mục kiến nghị đã bị xóa khỏi hồ sơ buổi khảo sát.")
PAGE_SIZE = 50


def is_overdue(row: dict, today: str) -> bool:
    return row["status"] in ACTIVE_STATUSES and row["due"] < today


def default_due(visit_started_at: str, follow_up_days: int) -> str:
    """The deadline of a recommendation given without one: the visit's date plus the
    delegation's follow-up period (the same rule fills the rows of migration m004)."""
    return (dt.date.fromisoformat(visit_started_at[:10]) + dt.timedelta(days=follow_up_days)).isoformat()


# ----------------------------------------------------------------- keeping rows in step

def sync_recommendations(db, visit_id: int) -> None:
    """Make the visit's tracking rows match its live recommendation items (runs inside
    the caller's write transaction after every autosave change and import)."""
    visit = visits_sql.get_visit(db, visit_id)
    delegation = delegations_sql.get_delegation(db, visit["delegation_id"])
    due = default_due(visit["started_at"], delegation["follow_up_days"])
    rows, at = sql.rows_of_visit(db, visit_id), now_utc()
    live = set()
    for item in visits_sql.items_of(db, visit_id, "recommendation"):
        live.add(item["id"])
        addressee = (item["data"].get("addressee") or "").strip()
        sql.upsert(db, item_id=item["id"], visit_id=visit_id, delegation_id=visit["delegation_id"],
                   unit_id=units_sql.ensure_unit(db, addressee) if addressee else visit["unit_id"],
                   text=item["data"].get("text") or "", due=item["data"].get("due") or due,
                   updated_at=at)
    for item_id, row in rows.items():
        if item_id not in live:
            _drop_deleted(db, row, at)


def _drop_deleted(db, row: dict, at: str) -> None:
    if not sql.has_updates(db, row["item_id"]):
        sql.delete(db, row["item_id"])
    elif row["status"] != "dropped":
        sql.insert_update(db, item_id=row["item_id"], action="status", from_status=row["status"],
                          to_status="dropped", note=DELETED_REASON, author_id=None,
                          author_name="survey_app", at=at)
        sql.set_state(db, row["item_id"], status="dropped", reason=DELETED_REASON, accepted=None,
                      closed_at=at, updated_at=at)
        audit.record(db, None, "recommendation.drop", "recommendation", row["item_id"],
                     {"from": row["status"], "to": "dropped", "note": DELETED_REASON})


# ----------------------------------------------------------------- loading

def is_closed(row: dict) -> bool:
    """Nothing more to report: done and accepted by the committee, or no longer followed."""
    return row["status"] == "dropped" or (row["status"] == "done" and row.get("accepted") == 1)


def load(store, item_id: int, user: dict, today: str | None = None) -> dict:
    row = store.read(sql.get, item_id, today or today_vn())
    if row is None or not store.read(can_view_recommendation, user, row):
        raise NotFound(N_("Không tìm thấy kiến nghị."))
    return row


# ----------------------------------------------------------------- changes

def check_status(status) -> str:
    if status not in STATUSES:
        raise DomainError(N_("Trạng thái không tồn tại: '%(status)s'. Vui lòng chọn một trong: %(choices)s."),
                          "status", status=status, choices=labels(STATUS_LABELS, STATUSES))
    return status


def check_transition(current: str, target: str) -> None:
    check_status(target)
    if target not in TRANSITIONS[current]:
        raise DomainError(N_("Kiến nghị đang ở trạng thái “%(current)s” nên không chuyển được sang “%(target)s”. "
                             "Vui lòng chọn một trong: %(choices)s."), "status",
                          current=Label(STATUS_LABELS[current], current), target=Label(STATUS_LABELS[target], target),
                          choices=labels(STATUS_LABELS, TRANSITIONS[current]))


def _check_done_rule(rule: str, note: str, files: list) -> None:
    if rule in ("evidence", "evidence_or_note") and not files and (rule == "evidence" or not note):
        raise DomainError(N_("Vui lòng kèm tài liệu minh chứng hoặc ghi chú khi báo cáo hoàn thành.")
                          if rule == "evidence_or_note" else N_("Vui lòng kèm tài liệu minh chứng khi báo cáo hoàn thành."),
                          "evidence")
    if rule == "note" and not note:
        raise DomainError(N_("Vui lòng ghi chú khi báo cáo hoàn thành."), "note")


def report_progress(store, user: dict, item_id: int, *, status: str | None = None, note: str = "",
                    files: list[dict] = (), uploads: list = (), folder: Path | None = None,
                    upload_field: str = "evidence", done_rule: str = "evidence_or_note",
                    now: str | None = None) -> dict:
    """Record one update: a status change and/or a note, with evidence files: stored
    ones ({sha256, content_type, suffix, size, filename} from `evidence.save`) or
    `uploads` [(filename, stream)], which are read only once the user may report and
    the change is allowed, and stored only with the update that refers to them."""
    note = (note or "").strip()
    if len(note) > 5000:
        raise DomainError(N_("Ghi chú dài quá 5.000 ký tự. Vui lòng rút gọn ghi chú."), "note")
    row = load(store, item_id, user)
    if not store.read(can_report_progress, user, row):
        raise Forbidden(REPORT_REFUSED)
    attached = list(files) + list(uploads)
    target = row["status"] if status in (None, "") else check_status(status)
    if target != row["status"]:
        check_transition(row["status"], target)
        reopening = row["status"] in ("done", "dropped")
        if (target in COMMITTEE_ONLY or reopening) and not store.read(can_decide_recommendation, user, row):
            raise Forbidden(N_("Tài khoản không có quyền mở lại hoặc dừng theo dõi: chỉ Trưởng đoàn và Thư ký Đoàn được làm việc này."))
        if target == "done":
            _check_done_rule(done_rule, note, attached)
        if target == "dropped" and not note:
            raise DomainError(N_("Vui lòng nêu lý do dừng theo dõi."), "note")
    elif not note and not attached:
        raise DomainError(N_("Vui lòng chọn trạng thái mới, nhập ghi chú hoặc kèm tài liệu minh chứng."), "status")
    committee = store.read(can_decide_recommendation, user, row)
    staged: list = []
    with stored_files.cleaned_up(staged):
        saved = list(files) + (evidence.stage_all(folder, list(uploads), staged, upload_field) if uploads else [])
        return store.write(_write_update, row, user, target, note, saved, committee, now or now_utc(), staged)


def _write_update(db, row, user, target, note, files, committee, at, staged=()) -> dict:
    with stored_files.placing(staged):
        return _write_update_rows(db, row, user, target, note, files, committee, at)


def _write_update_rows(db, row, user, target, note, files, committee, at) -> dict:
    changed = target != row["status"]
    action = ("reopen" if row["status"] in ("done", "dropped") else "status") if changed else "note"
    update_id = sql.insert_update(db, item_id=row["item_id"], action=action, from_status=row["status"],
                                  to_status=target, note=note, author_id=user["id"],
                                  author_name=user["full_name"], at=at)
    for file in files:
        sql.insert_evidence(db, update_id=update_id, item_id=row["item_id"], **file)
    if changed:
        closed = at if target in ("done", "dropped", "not_done") else None
        sql.set_state(db, row["item_id"], status=target, updated_at=at, closed_at=closed,
                      accepted=(1 if committee else 0) if target == "done" else None,
                      reason=note if target == "dropped" else "")
    else:
        sql.set_state(db, row["item_id"], updated_at=at)
    _audit_update(db, user, row, action, target, note, update_id, files)
    return {"id": update_id, "item_id": row["item_id"], "status": target, "action": action}


def _audit_update(db, user, row, action, target, note, update_id, files) -> None:
    """One entry per change (progress, note, drop, reopen) and one per evidence file."""
    name = {"status": "drop" if target == "dropped" else "progress"}.get(action, action)
    audit.record(db, user, f"recommendation.{name}", "recommendation", row["item_id"],
                 {"update": update_id, "from": row["status"], "to": target, "note": note})
    for file in files:
        audit.record(db, user, "recommendation.evidence", "recommendation", row["item_id"],
                     {"update": update_id, "sha256": file["sha256"], "filename": file["filename"],
                      "content_type": file["content_type"], "size": file["size"]})


def decide_claim(store, user: dict, item_id: int, accept: bool, note: str = "", now: str | None = None) -> dict:
    """The committee accepts a unit's `done` claim, or rejects it (back to in_progress)."""
    row = load(store, item_id, user)
    if not store.read(can_decide_recommendation, user, row):
        raise Forbidden(N_("Tài khoản không có quyền xác nhận kết quả: chỉ Trưởng đoàn và Thư ký Đoàn được xác nhận."))
    if row["status"] != "done" or row["accepted"] != 0:
        raise DomainError(N_("Kiến nghị này không có báo cáo hoàn thành đang chờ xác nhận."), "status")
    if not accept and not (note or "").strip():
        raise DomainError(N_("Vui lòng nêu lý do không chấp nhận."), "note")
    return store.write(_write_decision, row, user, accept, (note or "").strip(), now or now_utc())


def _write_decision(db, row, user, accept, note, at) -> dict:
    target = "done" if accept else "in_progress"
    update_id = sql.insert_update(db, item_id=row["item_id"], action="accept" if accept else "reject",
                                  from_status="done", to_status=target, note=note, author_id=user["id"],
                                  author_name=user["full_name"], at=at)
    if accept:
        sql.set_state(db, row["item_id"], accepted=1, updated_at=at)
    else:
        sql.set_state(db, row["item_id"], status="in_progress", accepted=None, closed_at=None, updated_at=at)
    audit.record(db, user, f"recommendation.{'accept' if accept else 'reject'}", "recommendation",
                 row["item_id"], {"update": update_id, "note": note})
    return {"id": update_id, "item_id": row["item_id"], "status": target, "action": "accept" if accept else "reject"}


# ----------------------------------------------------------------- lists

def board(store, user: dict, filters: dict, page: int = 1, today: str | None = None,
          page_size: int = PAGE_SIZE) -> dict:
    """One page of the board (overdue first) and the counts per status."""
    today = today or today_vn()
    filters = {**filters, "scope": scope(user)}
    page = max(1, int(page))
    rows = store.read(sql.page, filters, today, page_size + 1, (page - 1) * page_size)
    counts = store.read(sql.counts, filters, today)
    return {"rows": rows[:page_size], "has_next": len(rows) > page_size, "page": page,
            "counts": counts, "total": sum(counts.get(s, 0) for s in STATUSES), "today": today}


def history(store, item_id: int, user: dict | None = None) -> list[dict]:
    """The updates with their evidence, as far as this user may read them: a host only
    those written while the recommendation was addressed to their unit (no user: all)."""
    return store.read(sql.updates_of, item_id, history_unit(user) if user is not None else None)
