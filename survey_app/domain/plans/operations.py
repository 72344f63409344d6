"""A delegation's survey plan (kế hoạch khảo sát): its schedule of visits across units
and the plan document's own fields, checked and saved in one write.

The schedule is the delegation's visits: a row is a visit, editable (unit, time, place,
form) and removable while it has not started (status planned). A row is refused, naming
its number and field, for a time in the past or outside the delegation's period, a unit
already in the plan, an unknown unit or form; nothing of the plan is saved then.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
import uuid as uuidlib

from survey_app.clock import day_vn, now_utc, today_vn
from survey_app.domain import audit
from survey_app.domain.access import PLAN_REFUSED, can_plan_for, require
from survey_app.domain.directory.issuing import issuing_place
from survey_app.domain.errors import Conflict, DomainError, NotFound
from survey_app.domain.fields import field_label
from survey_app.domain.visits.operations import (NAME_LIMIT, check_text, insert_visit_row, parse_iso_date,
                                                 parse_offset_datetime)
from survey_app.formatting import format_date, format_datetime
from survey_app.markers import N_
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import plans as sql
from survey_app.storage import units as units_sql
from survey_app.storage import visits as visits_sql

ROW_FIELDS = ("id", "unit_id", "unit", "started_at", "place", "form", "remove")
API_FIELDS = ("unit_id", "started_at", "place", "form")
PLAN_FIELDS = ("issued_date", "issued_place", "purpose", "requirements", "report_days", "figures")
DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS = 5, 60
TEXT_LIMIT, MAX_ROWS = 5000, 200


class RowRefusal(DomainError):
    """A refusal about one row of the schedule: "Dòng 2: …", the reason translated too."""

    def __init__(self, row: int, reason: DomainError):
        super().__init__(N_("Dòng %(row)s: %(reason)s"), f"rows[{row - 1}].{reason.field}",
                         row=row, reason=reason.message)
        self.reason, self.status = reason, reason.status

    def translated(self, gettext, codes: bool = False, locale: str = "vi", npgettext=None) -> str:
        return gettext(self.template) % {"row": self.params["row"],
                                         "reason": self.reason.translated(gettext, codes, locale, npgettext)}


# ----------------------------------------------------------------- reading

def _planner_delegation(db, user: dict, delegation_id: int) -> dict:
    delegation = delegations_sql.get_delegation(db, delegation_id)
    if delegation is None:
        raise NotFound(N_("Không tìm thấy đoàn."), "id")
    require(can_plan_for(db, user, delegation_id), PLAN_REFUSED)
    return delegation


def load_plan(store, user: dict, delegation_id: int) -> dict:
    """The plan page's data (the head or secretary of the delegation, admins)."""
    def read(db):
        delegation = _planner_delegation(db, user, delegation_id)
        rows = [dict(row, editable=row["status"] == "planned") for row in sql.schedule(db, delegation_id)]
        return {"delegation": delegation, "plan": plan_fields(db, delegation), "rows": rows}
    return store.read(read)


def plan_fields(db, delegation: dict) -> dict:
    """The plan document's fields as saved, or their defaults before the first save."""
    saved = sql.get_plan(db, delegation["id"])
    if saved:
        return saved
    return {"delegation_id": delegation["id"], "number": None, "year": None, "issued_date": today_vn(),
            "issued_place": default_place(delegation), "purpose": "", "requirements": "",
            "report_days": DEFAULT_REPORT_DAYS, "figures_from": "", "figures_to": ""}


def default_place(delegation: dict) -> str:
    """`HĐND tỉnh Gia Lai` → `Gia Lai`: the place of the date line, as in the body's
    minutes and survey report (the delegation's chosen place, if any)."""
    return issuing_place(delegation.get("parent_body") or "", delegation.get("body") or "",
                         delegation.get("minutes_place"))


# ----------------------------------------------------------------- checking a row

def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _unit(db, raw: dict) -> dict:
    if raw.get("unit_id") not in (None, ""):
        unit_id = raw["unit_id"]
        if isinstance(unit_id, bool) or not isinstance(unit_id, int) or not 0 < unit_id < 2 ** 63 \
                or (unit := units_sql.get_unit(db, unit_id)) is None:
            raise DomainError(N_("Không có đơn vị này trong danh mục đơn vị; vui lòng chọn một đơn vị có sẵn."),
                              "unit_id")
        return unit
    name = check_text(raw.get("unit") or "", "unit", NAME_LIMIT).strip()
    if not name:
        raise DomainError(N_("Vui lòng chọn đơn vị được khảo sát."), "unit")
    wanted = _fold(name)
    found = units_sql.get_unit_by_name(db, name) or next(
        (row for row in units_sql.list_units(db) if _fold(row["name"]) == wanted), None)
    if found is None:
        raise DomainError(N_("Không có đơn vị '%(name)s' trong danh mục đơn vị; vui lòng chọn một đơn vị có sẵn."),
                          "unit", name=name)
    return units_sql.get_unit(db, found["id"])


def _started_at(raw: dict, delegation: dict, now: str) -> str:
    if raw.get("started_at") in (None, ""):
        raise DomainError(N_("Vui lòng nhập thời gian bắt đầu buổi khảo sát."), "started_at")
    started = parse_offset_datetime(raw["started_at"], "started_at")
    if dt.datetime.fromisoformat(started) <= dt.datetime.fromisoformat(now):
        raise DomainError(N_("Thời gian %(when)s đã qua; vui lòng chọn thời gian bắt đầu sau hiện tại."),
                          "started_at", when=format_datetime(started))
    day, start, end = day_vn(started), delegation["period_from"], delegation["period_to"]
    if (start and day < start) or (end and day > end):
        raise DomainError(N_("Ngày %(date)s nằm ngoài thời gian khảo sát của Đoàn (%(period)s); vui lòng chọn "
                             "ngày trong thời gian đó."), "started_at", date=format_date(day),
                          period=period_text(delegation))
    return started


def period_text(delegation: dict) -> str:
    start, end = delegation["period_from"], delegation["period_to"]
    if start and end:
        return f"từ ngày {format_date(start)} đến ngày {format_date(end)}"
    return f"từ ngày {format_date(start)}" if start else f"đến ngày {format_date(end)}" if end else ""


def _form(forms, raw: dict):
    form_id = raw.get("form")
    form = forms.for_new_visit(form_id) if isinstance(form_id, str) and form_id else None
    if form is None:
        raise DomainError(N_("Vui lòng chọn biểu mẫu khảo sát đang được sử dụng."), "form")
    return form


def _check_row(db, forms, delegation: dict, raw, current: dict | None, now: str) -> dict:
    """One row as {unit, started_at, place, form (None: unchanged)}; a value left as the
    visit has it is not checked again (a past time stays as it was planned)."""
    if not isinstance(raw, dict):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một đối tượng JSON."), "row",
                          field=field_label("row"))
    for key in raw:
        if key not in ROW_FIELDS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    unit = _unit(db, raw)
    same_time = current is not None and raw.get("started_at") not in (None, "") and \
        _same_moment(raw["started_at"], current["started_at"])
    started = current["started_at"] if same_time else _started_at(raw, delegation, now)
    place = (check_text(raw.get("place") or "", "place", NAME_LIMIT) or "").strip()
    form = None if current is not None and raw.get("form") == current["form_id"] else _form(forms, raw)
    return {"unit": unit, "started_at": started, "place": place, "form": form}


def _same_moment(text, stored: str) -> bool:
    try:
        return dt.datetime.fromisoformat(str(text)) == dt.datetime.fromisoformat(stored)
    except ValueError:
        return False


# ----------------------------------------------------------------- the plan's own fields

def _plan_values(data, delegation: dict) -> dict:
    if not isinstance(data, dict):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một đối tượng JSON."), "fields",
                          field=field_label("fields"))
    for key in data:
        if key not in PLAN_FIELDS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    issued = parse_iso_date(data.get("issued_date") or today_vn(), "issued_date")
    days = data.get("report_days", DEFAULT_REPORT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_REPORT_DAYS:
        raise DomainError(N_("Vui lòng nhập hạn gửi báo cáo là số ngày từ 0 đến %(maximum)s trước buổi khảo sát."),
                          "report_days", maximum=MAX_REPORT_DAYS)
    figures = data.get("figures") or {}
    if not isinstance(figures, dict) or set(figures) - {"from", "to"}:
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một đối tượng JSON."), "figures",
                          field=field_label("figures"))
    period = {key: parse_iso_date(figures[key], f"figures.{key}") if figures.get(key) else ""
              for key in ("from", "to")}
    if period["from"] and period["to"] and period["from"] > period["to"]:
        raise DomainError(N_("Vui lòng nhập ngày cuối kỳ số liệu không trước ngày đầu kỳ."), "figures.to")
    return {"issued_date": issued,
            "issued_place": (check_text(data.get("issued_place") or "", "issued_place", 100) or "").strip()
            or default_place(delegation),
            "purpose": (check_text(data.get("purpose") or "", "purpose", TEXT_LIMIT) or "").strip(),
            "requirements": (check_text(data.get("requirements") or "", "requirements", TEXT_LIMIT) or "").strip(),
            "report_days": days, "figures_from": period["from"], "figures_to": period["to"]}


def _numbered(db, delegation: dict, values: dict) -> dict:
    """The values with the plan's number: kept while its year stays, else the next one of
    the issuing body in the new year."""
    year = int(values["issued_date"][:4])
    saved = sql.get_plan(db, delegation["id"])
    if saved and saved["year"] == year:
        return {**values, "number": saved["number"], "year": year}
    return {**values, "number": sql.next_plan_number(db, delegation["body"], year), "year": year}


# ----------------------------------------------------------------- saving

def save_plan(store, forms, user: dict, delegation_id: int, data) -> dict:
    """Save the plan's fields and its schedule at once: `data` = {"fields": {...}, "rows":
    [{id?, unit_id | unit, started_at, place, form, remove?}]}; a row with only its `id`
    stays as it is. Returns the plan's fields as saved."""
    if not isinstance(data, dict) or not isinstance(data.get("rows", []), list):
        raise DomainError(N_("Vui lòng gửi mục “%(field)s” dưới dạng một danh sách."), "rows",
                          field=field_label("rows"))
    if len(data.get("rows", [])) > MAX_ROWS:
        raise DomainError(N_("Một kế hoạch có tối đa %(maximum)s buổi khảo sát."), "rows", maximum=MAX_ROWS)

    def write(db):
        delegation = _planner_delegation(db, user, delegation_id)
        values = _numbered(db, delegation, _plan_values(data.get("fields") or {}, delegation))
        changes = _apply_rows(db, forms, user, delegation, data.get("rows", []))
        saved = sql.get_plan(db, delegation_id)
        if saved and all(saved[key] == value for key, value in values.items()) and not any(changes.values()):
            return saved  # saved again unchanged: nothing to write or audit
        sql.save_plan(db, delegation_id, **values, updated_at=now_utc(), updated_by=user["id"])
        audit.record(db, user, "plan.save", "delegation", delegation_id, {"fields": values, **changes})
        return sql.get_plan(db, delegation_id)
    return store.write(write)


def _apply_rows(db, forms, user: dict, delegation: dict, rows: list) -> dict:
    """Check every row first (refusing names the row), then write them."""
    existing = {visit["id"]: visit for visit in sql.schedule(db, delegation["id"])}
    now, checked, removed, positions = now_utc(), [], [], {}
    for index, raw in enumerate(rows):
        try:
            current = _row_visit(raw, existing, positions, index)
            if current is not None and current["status"] != "planned":
                if set(raw) != {"id"}:
                    raise Conflict(N_("Buổi khảo sát tại %(unit)s đã bắt đầu; không thể sửa hoặc xóa dòng này nữa."),
                                   "id", unit=current["unit_name"])
                continue
            if raw.get("remove") is True:
                if current is not None:
                    _refuse_if_reported(current, "remove")
                    removed.append(current)
                continue
            if current is not None and set(raw) == {"id"}:
                continue
            row = _check_row(db, forms, delegation, raw, current, now)
            if current is not None and (row["unit"]["id"] != current["unit_id"] or row["form"] is not None
                                        and row["form"].content_hash != current["form_hash"]):
                _refuse_if_reported(current, "unit" if row["unit"]["id"] != current["unit_id"] else "form")
            checked.append((index, current, row))
        except DomainError as error:
            raise RowRefusal(index + 1, error) from None
    _refuse_twice(existing, positions, removed, checked)
    return _write_rows(db, user, delegation, checked, removed)


def _refuse_if_reported(visit: dict, field: str) -> None:
    """The unit's own report belongs to this visit of this unit with this form: once the
    unit has sent it, the row keeps its unit and form and stays in the plan."""
    if visit["reported"]:
        raise Conflict(N_("%(unit)s đã gửi báo cáo cho buổi khảo sát này; vui lòng giữ đơn vị và biểu mẫu của "
                          "dòng này (chỉ đổi được thời gian, địa điểm)."), field, unit=visit["unit_name"])


def _row_visit(raw, existing: dict, positions: dict, index: int) -> dict | None:
    visit_id = raw.get("id") if isinstance(raw, dict) else None
    if visit_id in (None, ""):
        return None
    if isinstance(visit_id, bool) or not isinstance(visit_id, int) or visit_id not in existing \
            or visit_id in positions:
        raise NotFound(N_("Không tìm thấy buổi khảo sát này trong kế hoạch của Đoàn."), "id")
    positions[visit_id] = index
    return existing[visit_id]


def _refuse_twice(existing: dict, positions: dict, removed: list, checked: list) -> None:
    """A unit appears once in a plan: among the rows given and the visits left as they are
    (`positions`: the row of each visit given by its id)."""
    gone = {visit["id"] for visit in removed} | {current["id"] for _, current, _ in checked if current}
    seen = {visit["unit_id"]: positions.get(visit_id) for visit_id, visit in existing.items() if visit_id not in gone}
    for index, _, row in checked:
        unit = row["unit"]
        if unit["id"] in seen and seen[unit["id"]] is not None:
            raise RowRefusal(index + 1, DomainError(
                N_("%(unit)s đã có ở dòng %(first)s của lịch khảo sát; mỗi đơn vị chỉ có một buổi khảo sát trong "
                   "một kế hoạch."), "unit", unit=unit["name"], first=seen[unit["id"]] + 1))
        if unit["id"] in seen:
            raise RowRefusal(index + 1, DomainError(TWICE, "unit", unit=unit["name"]))
        seen[unit["id"]] = index


TWICE = N_("%(unit)s đã có trong lịch khảo sát; mỗi đơn vị chỉ có một buổi khảo sát trong một kế hoạch.")


def _write_rows(db, user: dict, delegation: dict, checked: list, removed: list) -> dict:
    at, changes = now_utc(), {"added": [], "changed": [], "removed": []}
    for visit in removed:
        sql.delete_planned_visit(db, visit["id"])
        changes["removed"].append({"id": visit["id"], "unit": visit["unit_name"], "started_at": visit["started_at"]})
    for _, current, row in checked:
        if current is None:
            visit_id = _insert(db, user, delegation["id"], row)
            changes["added"].append({"id": visit_id, "unit": row["unit"]["name"], "started_at": row["started_at"]})
        elif _move(db, user, current, row, at):
            changes["changed"].append({"id": current["id"], "unit": row["unit"]["name"],
                                       "started_at": row["started_at"]})
    return changes


def _insert(db, user: dict, delegation_id: int, row: dict) -> int:
    visit_id = insert_visit_row(db, row["form"], user, str(uuidlib.uuid4()), delegation_id, row["unit"]["id"],
                                row["started_at"], {"host.place": row["place"],
                                                    "host.locality": row["unit"]["locality"]})
    audit.record(db, user, "visit.plan", "visit", visit_id, {"unit": row["unit"]["name"], "form": row["form"].id})
    return visit_id


def _move(db, user: dict, current: dict, row: dict, at: str) -> bool:
    """Write what changed in a planned visit's row; whether anything did."""
    columns = {}
    if row["unit"]["id"] != current["unit_id"]:
        columns["unit_id"] = row["unit"]["id"]
        visits_sql.set_field(db, current["id"], "host.locality", row["unit"]["locality"] or None, at, user["id"])
    if row["started_at"] != current["started_at"]:
        columns["started_at"] = row["started_at"]
        visits_sql.set_field(db, current["id"], "started_at", row["started_at"], at, user["id"])
    if row["form"] is not None and row["form"].content_hash != current["form_hash"]:
        form = row["form"]
        visits_sql.ensure_form_version(db, form.content_hash, form.id, form.version, form.source, at)
        columns.update(form_id=form.id, form_version=form.version, form_hash=form.content_hash)
    if row["place"] != current["place"]:
        visits_sql.set_field(db, current["id"], "host.place", row["place"] or None, at, user["id"])
        if not columns:
            visits_sql.touch_visit(db, current["id"], at)
            return True
    if columns:
        sql.move_visit(db, current["id"], at, **columns)
    return bool(columns) or row["place"] != current["place"]


def report_days(db, delegation_id: int) -> int:
    """How many days before its visit a unit sends its report (the plan's, else 5)."""
    plan = sql.get_plan(db, delegation_id)
    return plan["report_days"] if plan else DEFAULT_REPORT_DAYS


def plan_one_visit(store, forms, user: dict, delegation_id: int, data) -> int:
    """One more visit in the plan (the API: `{"unit_id", "started_at", "place", "form"}`),
    under the same rules as a row of the plan page."""
    def write(db):
        delegation = _planner_delegation(db, user, delegation_id)
        if not isinstance(data, dict):
            raise DomainError(N_("Nội dung phải là một đối tượng JSON"), "body")
        for key in data:
            if key not in API_FIELDS:
                raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
        if data.get("unit_id") in (None, ""):
            raise DomainError(N_("Vui lòng chọn đơn vị được khảo sát."), "unit_id")
        row = _check_row(db, forms, delegation, data, None, now_utc())
        if sql.unit_is_planned(db, delegation_id, row["unit"]["id"]):
            raise Conflict(TWICE, "unit_id", unit=row["unit"]["name"])
        visit_id = _insert(db, user, delegation_id, row)
        return visit_id
    return store.write(write)
