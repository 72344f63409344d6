"""Visits (buổi khảo sát): planning one, who may see and edit it, and the fields
and list items a visit is made of.

A visit's scalar values live under paths (`report.summary`,
`indicators.dossiers_received`, `checklist.premises_adequate.value`…), its lists
(attendees, difficulties, proposals, opinions, recommendations, photos) are items
with a client-made `uid`. Every field and item carries its own version, which the
autosave messages of `changes.py` check.
"""
from __future__ import annotations

import datetime as dt
import uuid as uuidlib

from survey_app.markers import N_
from survey_app.checklists.types import typed_number
from survey_app.storage import units as units_sql
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import visits as sql
from survey_app.domain import audit
from survey_app.domain.access import PLAN_REFUSED, can_edit_visit, can_plan_for, can_plan_visits, can_view_visit
from survey_app.clock import now_utc
from survey_app.domain.errors import Conflict, DomainError, Forbidden, NotFound, labels
from survey_app.domain.fields import field_label
from survey_app.formatting import format_date

STATUSES = ("planned", "in_progress", "minutes_draft", "minutes_final", "signed", "follow_up", "closed")
STATUS_LABELS = {
    "planned": N_("Đã lên kế hoạch"), "in_progress": N_("Đang khảo sát"),
    "minutes_draft": N_("Dự thảo biên bản"), "minutes_final": N_("Biên bản đã được thông qua"),
    "signed": N_("Đã ký"), "follow_up": N_("Đang theo dõi kiến nghị"), "closed": N_("Đã kết thúc"),
}
EDITABLE_STATUSES = ("planned", "in_progress", "minutes_draft")
TEXT_LIMIT, NAME_LIMIT = 20000, 300

TEXT_FIELDS = {"host.place": NAME_LIMIT, "host.locality": NAME_LIMIT, "report.summary": TEXT_LIMIT,
               "conclusion.by": NAME_LIMIT, "conclusion.text": TEXT_LIMIT}
DATE_FIELDS = ("report.period.from", "report.period.to")
DATETIME_FIELDS = ("started_at", "ended_at")

# kind → {key: max length}; `due` and `side` are checked on their own.
ITEM_FIELDS = {
    "attendee": {"side": 20, "name": NAME_LIMIT, "title": NAME_LIMIT},
    "difficulty": {"text": TEXT_LIMIT},
    "proposal": {"text": TEXT_LIMIT, "addressee": NAME_LIMIT},
    "opinion": {"member": NAME_LIMIT, "text": TEXT_LIMIT},
    "recommendation": {"text": TEXT_LIMIT, "addressee": NAME_LIMIT, "due": 10},
    "photo": {"caption": 2000, "credit": NAME_LIMIT, "sha256": 64, "checklist_item": 100,
              "for_item": 100},
}
ATTENDEE_SIDES = ("delegation", "host", "guest")
SIDE_LABELS = {"delegation": N_("Thành viên Đoàn"), "host": N_("Đơn vị được khảo sát"),
               "guest": N_("Khách mời")}


# ----------------------------------------------------------------- loading

def load_visit(store, visit_id: int, user: dict, *, edit: bool = False) -> dict:
    """The visit, or NotFound / Forbidden; with edit=True also Conflict once frozen."""
    visit = store.read(sql.get_visit, visit_id)
    if visit is None or not store.read(can_view_visit, user, visit):
        raise NotFound(N_("Không tìm thấy buổi khảo sát."))
    if edit:
        if not store.read(can_edit_visit, user, visit):
            raise Forbidden(N_("Tài khoản không có quyền sửa buổi khảo sát này."))
        require_editable(visit)
    return visit


def require_editable(visit: dict) -> None:
    if visit["status"] not in EDITABLE_STATUSES:
        raise Conflict(N_("Biên bản đã được thông qua: hồ sơ buổi khảo sát không thể sửa nữa; "
                          "vui lòng lập bản đính chính nếu cần."), "status")


# ----------------------------------------------------------------- value checks

def parse_offset_datetime(value, field: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DomainError(N_("Vui lòng gửi “%(field)s” là thời điểm có múi giờ "
                             "(năm-tháng-ngàyTgiờ:phút:giây+07:00)."), field, field=field_label(field))
    return moment.isoformat()


def parse_iso_date(value, field: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise DomainError(N_("Vui lòng chọn một ngày hợp lệ cho mục “%(field)s”."), field,
                          field=field_label(field)) from None


def check_text(value, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError(N_("Vui lòng nhập mục “%(field)s” bằng chữ."), field, field=field_label(field))
    if len(value) > limit:
        raise DomainError(N_("Mục “%(field)s” dài quá %(limit)s ký tự; vui lòng rút gọn."), field,
                          field=field_label(field), limit=limit)
    return value


def check_field(form, path: str, value):
    """The normalised value for a field path, or DomainError naming the field."""
    if path in TEXT_FIELDS:
        return check_text(value, path, TEXT_FIELDS[path])
    if value in (None, ""):
        if path == "started_at":
            raise DomainError(N_("Vui lòng nhập thời điểm bắt đầu."), path)
        return None
    if path in DATE_FIELDS:
        return parse_iso_date(value, path)
    if path in DATETIME_FIELDS:
        return parse_offset_datetime(value, path)
    head, _, key = path.partition(".")
    if head == "indicators" and key in form.indicator_keys:
        return _form_check(lambda k, v: form.check_indicator(k, typed_number(k, v)), key, value, path)
    if head == "checklist":
        item_key, _, part = key.rpartition(".")
        if item_key in form.item_keys and part == "value":
            if form.items[item_key].type == "number":
                value = _form_check(typed_number, item_key, value, path)
            return _form_check(form.check_answer, item_key, value, path)
        if item_key in form.item_keys and part == "note":
            return check_text(value, path, TEXT_LIMIT)
    raise DomainError(N_("Trường không tồn tại: '%(path)s'"), path, path=path)


def _form_check(check, key, value, path):
    from survey_app.checklists import AnswerError
    try:
        return check(key, value)
    except AnswerError as error:
        raise DomainError(error.template, path, **error.params) from None


def check_item(kind: str, data, field: str, visit_date: str | None = None) -> dict:
    if kind not in ITEM_FIELDS:
        raise DomainError(N_("Loại mục không tồn tại: '%(kind)s'"), field, kind=kind)
    if not isinstance(data, dict):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một đối tượng JSON."), field,
                          field=field_label(field))
    allowed = ITEM_FIELDS[kind]
    for key in data:
        if key not in allowed:
            raise DomainError(N_("Trường không được phép: '%(key)s' trong '%(field)s'"), f"{field}.{key}",
                              key=key, field=field)
    clean = {key: check_text(value, f"{field}.{key}", allowed[key]) for key, value in data.items()}
    if kind == "attendee" and clean.get("side", "host") not in ATTENDEE_SIDES:
        raise DomainError(N_("Vui lòng chọn thành phần của người tham dự: %(choices)s."), f"{field}.side",
                          choices=labels(SIDE_LABELS))
    if clean.get("due"):
        clean["due"] = parse_iso_date(clean["due"], f"{field}.due")
        if visit_date and clean["due"] < visit_date:
            raise DomainError(N_("Thời hạn thực hiện %(due)s trước ngày khảo sát %(visit_date)s. Vui lòng chọn "
                                 "thời hạn từ ngày khảo sát trở đi."), f"{field}.due",
                              due=format_date(clean["due"]), visit_date=format_date(visit_date))
    return clean


# ----------------------------------------------------------------- planning

def plan_visit(store, forms, user: dict, *, delegation_id: int, unit: str, form_id: str,
               started_at: str, place: str = "", locality: str = "") -> int:
    """Create a planned visit of a delegation to a unit with a checklist form."""
    return plan_visit_once(store, forms, user, uuid=str(uuidlib.uuid4()), delegation_id=delegation_id,
                           unit=unit, form_id=form_id, started_at=started_at, place=place,
                           locality=locality)[0]


def plan_visit_once(store, forms, user: dict, *, uuid: str, delegation_id, unit, form_id, started_at,
                    place="", locality="") -> tuple[int, bool]:
    """Plan the visit with this client-made uuid once: (id, created). The same uuid again,
    even sent by several requests at once, answers the existing visit to whoever may
    see it (a tablet's outbox repeats itself) and changes nothing."""
    if not can_plan_visits(user):
        raise Forbidden(N_("Tài khoản không có quyền lập kế hoạch khảo sát."))
    existing = store.read(sql.get_visit_by_uuid, uuid)
    if existing is not None:
        return _replayed(store.read(can_view_visit, user, existing), existing), False
    plan = _checked_plan(store, forms, user, delegation_id, unit, form_id, started_at, place, locality)

    def write(db):
        again = sql.get_visit_by_uuid(db, uuid)  # a twin request may have won the race
        if again is not None:
            return _replayed(can_view_visit(db, user, again), again), False
        form, unit_name, started, fields = plan["form"], plan["unit"], plan["started_at"], plan["fields"]
        visit_id = insert_visit_row(db, form, user, uuid, delegation_id,
                                    units_sql.ensure_unit(db, unit_name, fields["host.locality"]),
                                    started, fields)
        audit.record(db, user, "visit.plan", "visit", visit_id, {"unit": unit_name, "form": form.id})
        return visit_id, True
    return store.write(write)


def _replayed(visible: bool, visit: dict) -> int:
    if not visible:
        raise NotFound(N_("Không tìm thấy buổi khảo sát."))
    return visit["id"]


def _checked_plan(store, forms, user, delegation_id, unit, form_id, started_at, place, locality) -> dict:
    """The plan's values checked (they may come straight from a client's JSON, a tablet's
    offline plan: types too), and the right to plan for that delegation."""
    form = forms.for_new_visit(form_id) if isinstance(form_id, str) else None
    if form is None:  # unknown, or retired: no new visits
        raise DomainError(N_("Biểu mẫu không tồn tại hoặc đã ngừng sử dụng: '%(form_id)s'"), "form",
                          form_id=form_id)
    if not isinstance(delegation_id, int) or isinstance(delegation_id, bool) or not 0 < delegation_id < 2 ** 63 \
            or store.read(delegations_sql.get_delegation, delegation_id) is None:
        raise DomainError(N_("Không tìm thấy đoàn. Vui lòng chọn một đoàn trong danh sách."), "delegation")
    if not store.read(can_plan_for, user, delegation_id):
        raise Forbidden(PLAN_REFUSED)
    if not isinstance(unit, str) or not unit.strip():
        raise DomainError(N_("Vui lòng nhập tên đơn vị được khảo sát."), "host.unit")
    check_text(unit, "host.unit", NAME_LIMIT)
    place, locality = check_text(place, "host.place", NAME_LIMIT), check_text(locality, "host.locality", NAME_LIMIT)
    started = parse_offset_datetime(started_at, "started_at")
    # A new visit starts with the form's defaults (XLSForm `default`), as any other field.
    return {"form": form, "unit": unit.strip(), "started_at": started,
            "fields": {"host.place": place, "host.locality": locality or "", **form.defaults()}}


def insert_visit_row(db, form, user, uuid, delegation_id, unit_id, started_at, fields: dict) -> int:
    at = now_utc()
    sql.ensure_form_version(db, form.content_hash, form.id, form.version, form.source, at)
    visit_id = sql.insert_visit(db, uuid=uuid, delegation_id=delegation_id, unit_id=unit_id,
                                form_id=form.id, form_version=form.version, form_hash=form.content_hash,
                                status="planned", started_at=started_at, created_by=user and user["id"],
                                created_at=at, updated_at=at)
    sql.set_field(db, visit_id, "started_at", started_at, at, user and user["id"])
    for path, value in fields.items():
        if value not in (None, ""):
            sql.set_field(db, visit_id, path, value, at, user and user["id"])
    return visit_id


# Changes that can alter the follow-up rows: the recommendations themselves, and the
# visit's date (the default due date counts from it).
FOLLOW_UP_TARGETS = ("recommendation", "started_at")


def after_change(db, visit_id: int, target: str | None = None) -> None:
    """Keep what is derived from a visit in step, inside the change's transaction: the
    follow-up rows when `target` can alter them (None: a whole visit was written, as
    at import). The search index follows by itself (triggers, migration m007)."""
    if target is None or target in FOLLOW_UP_TARGETS:
        from survey_app.domain.followup.operations import sync_recommendations
        sync_recommendations(db, visit_id)
