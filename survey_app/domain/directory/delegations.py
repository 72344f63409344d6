"""Delegations (đoàn khảo sát / đoàn giám sát) and who is in them.

`create` and `update` are the checked operations behind the API, the CLI and the
admin page: one validation (`parse`), permission first, audited with the values
before and after. Signed documents never change with them: minutes print the input
frozen at finalize (`domain/minutes/input.py`), not the delegation as it is now.
`create_delegation` / `ensure_delegation` remain for the demo and the tests' worlds."""
from __future__ import annotations

import re
import unicodedata

from survey_app.markers import N_
from survey_app.text import fold
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import delegations as sql
from survey_app.storage import plans as plans_sql
from survey_app.clock import day_vn, now_utc
from survey_app.formatting import format_date
from survey_app.domain import audit
from survey_app.domain.directory import minutes_settings
from survey_app.domain.access import (DELEGATION_POSITIONS, DELEGATION_SIDE, POSITION_LABELS,
                                      can_edit_delegation, can_manage_delegations, require, scope)
from survey_app.domain.errors import Conflict, DomainError, NotFound, labels
from survey_app.domain.visits.operations import check_text, parse_iso_date

KINDS = ("khao_sat", "giam_sat")
KIND_LABELS = {"khao_sat": N_("Khảo sát"), "giam_sat": N_("Giám sát")}
FIELDS = ("name", "body", "parent_body", "kind", "topic", "symbol", "followup_days", "decision", "members",
          "signature_layout", "period", *minutes_settings.FIELDS)
# How the minutes place the signature blocks (Decree 30 Mẫu 1.9, or host / delegation / secretary).
SIGNATURE_LAYOUTS = ("three_party", "mau_1_9")
SIGNATURE_LAYOUT_LABELS = {"three_party": N_("Ba bên: đại diện đơn vị bên trái, Đoàn bên phải, Thư ký Đoàn bên dưới"),
                           "mau_1_9": N_("Theo Mẫu 1.9 (Nghị định 30): Thư ký bên trái, Chủ tọa bên phải")}
DECISION_FIELDS = ("number", "date")
PERIOD_FIELDS = ("from", "to")
MEMBER_FIELDS = ("name", "title", "role", "username")
SYMBOL = re.compile(r"[^\W_]+(-[^\W_]+)*")  # BPC, HĐND, KT-NS: letters and digits, hyphens between
MAX_MEMBERS = 50
MAX_FOLLOWUP_DAYS = 3650
PAGE_SIZE = 50
LIMITS = {"name": 300, "body": 300, "parent_body": 300, "topic": 1000, "symbol": 20}
REFUSED = N_("Tài khoản không có quyền quản lý đoàn khảo sát.")


# ----------------------------------------------------------------- the lenient path (demo, imports)

def _insert_with_members(db, values: dict, members: list[dict]) -> int:
    delegation_id = sql.insert_delegation(db, **values)
    _insert_members(db, delegation_id, members)
    return delegation_id


def _insert_members(db, delegation_id: int, members: list[dict]) -> None:
    for position, member in enumerate(members):
        sql.insert_membership(db, delegation_id=delegation_id, position=position,
                              user_id=member.get("user_id"), name=member["name"],
                              title=member.get("title", ""), role=member.get("role") or "member")


def create_delegation(store, *, name: str, body: str, parent_body: str = "", topic: str = "",
                      decision_no: str = "", follow_up_days: int = 90,
                      members: list[dict] = ()) -> int:
    """Create a delegation with its members ({name, title, role, user_id?})."""
    if not name.strip() or not body.strip():
        raise DomainError(N_("Vui lòng nhập tên đoàn và cơ quan."), "name" if not name.strip() else "body")
    for member in members:
        if member.get("role") not in DELEGATION_POSITIONS:
            raise DomainError(N_("Vui lòng chọn chức danh trong đoàn là một trong: %(choices)s."), "members.role",
                              choices=labels(POSITION_LABELS))
    values = {"name": name.strip(), "body": body.strip(), "parent_body": parent_body,
              "topic": topic, "decision_no": decision_no, "follow_up_days": follow_up_days,
              "created_at": now_utc()}
    return store.write(_insert_with_members, values, list(members))


def ensure_delegation(store, **fields) -> int:
    """The id of the delegation with this name and body, created if missing."""
    found = store.read(sql.find_delegation, fields["name"], fields["body"])
    return found["id"] if found else create_delegation(store, **fields)


# ----------------------------------------------------------------- checking input

def _text(data: dict, key: str, required: bool = False) -> str:
    value = check_text(data.get(key, ""), key, LIMITS[key]) or ""
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise DomainError(N_("Vui lòng nhập '%(field)s'."), key, field=key)
    return value


def _object(value, field: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise DomainError(N_("'%(field)s' phải là một đối tượng JSON"), field, field=field)
    for key in value:
        if key not in allowed:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), f"{field}.{key}", key=f"{field}.{key}")
    return value


def parse(data, partial: bool = False) -> dict:
    """The checked values of a delegation from its JSON shape (the API's, also what the
    CLI and the page build); with `partial`, only the keys given. Members come back as
    {name, title, role, username} (username '' when none); accounts are checked in
    `_resolve_members`, inside the write."""
    if not isinstance(data, dict):
        raise DomainError(N_("Nội dung phải là một đối tượng JSON"), "body")
    for key in data:
        if key not in FIELDS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    if not partial:
        for key in ("name", "body", "members"):
            if key not in data:
                raise DomainError(N_("Vui lòng nhập '%(field)s'."), key, field=key)
    values: dict = {}
    for key in ("name", "body"):
        if key in data:
            values[key] = _text(data, key, required=True)
    for key in ("parent_body", "topic"):
        if key in data:
            values[key] = _text(data, key)
    if "symbol" in data:
        values["symbol"] = _text(data, "symbol")
        if values["symbol"] and not SYMBOL.fullmatch(values["symbol"]):
            raise DomainError(N_("Vui lòng nhập ký hiệu chỉ gồm chữ, số và dấu gạch nối (ví dụ BPC)."), "symbol")
    if "kind" in data or not partial:
        kind = data.get("kind", "khao_sat")
        if kind not in KINDS:
            raise DomainError(N_("Vui lòng chọn loại đoàn: Đoàn khảo sát hoặc Đoàn giám sát."), "kind")
        values["kind"] = kind
    if "followup_days" in data:
        days = data["followup_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_FOLLOWUP_DAYS:
            raise DomainError(N_("Vui lòng nhập thời hạn theo dõi là số ngày từ 1 đến %(maximum)s."),
                              "followup_days", maximum=MAX_FOLLOWUP_DAYS)
        values["followup_days"] = days
    if "decision" in data:
        decision = _object(data["decision"], "decision", DECISION_FIELDS)
        number = check_text(decision.get("number", ""), "decision.number", 100) or ""
        date = decision.get("date") or ""
        if date:
            date = parse_iso_date(check_text(date, "decision.date", 10), "decision.date")
        values["decision"] = {"number": number.strip(), "date": date}
    if "signature_layout" in data:
        if data["signature_layout"] not in SIGNATURE_LAYOUTS:
            raise DomainError(N_("Vui lòng chọn cách bố trí chữ ký: %(choices)s."), "signature_layout",
                              choices=labels(SIGNATURE_LAYOUT_LABELS, SIGNATURE_LAYOUTS))
        values["signature_layout"] = data["signature_layout"]
    if "members" in data:
        values["members"] = _members(data["members"])
    if "period" in data:
        values["period"] = _period(data["period"])
    values.update(minutes_settings.parse(data))
    return values


def _period(value) -> dict:
    """The dates the delegation's visits fall in (both optional; from before to)."""
    period = _object(value, "period", PERIOD_FIELDS)
    dates = {}
    for key in PERIOD_FIELDS:
        text = period.get(key) or ""
        dates[key] = parse_iso_date(check_text(text, f"period.{key}", 10), f"period.{key}") if text else ""
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        raise DomainError(N_("Vui lòng nhập ngày kết thúc thời gian khảo sát không trước ngày bắt đầu."),
                          "period.to")
    return dates


def _members(value) -> list[dict]:
    if not isinstance(value, list):
        raise DomainError(N_("'%(field)s' phải là một danh sách"), "members", field="members")
    if len(value) > MAX_MEMBERS:
        raise DomainError(N_("Một đoàn có tối đa %(maximum)s thành viên."), "members", maximum=MAX_MEMBERS)
    members, seen_names, seen_users = [], {}, {}
    for index, raw in enumerate(value):
        field = f"members[{index}]"
        raw = _object(raw, field, MEMBER_FIELDS)
        name = unicodedata.normalize("NFC", check_text(raw.get("name", ""), f"{field}.name", 200) or "").strip()
        if not name:
            raise DomainError(N_("Vui lòng nhập họ và tên của thành viên thứ %(number)s."), f"{field}.name",
                              number=index + 1)
        title = (check_text(raw.get("title", ""), f"{field}.title", 300) or "").strip()
        role = raw.get("role", "member")
        if role not in DELEGATION_POSITIONS:
            raise DomainError(N_("Vui lòng chọn chức danh trong đoàn của thành viên thứ %(number)s: %(choices)s."),
                              f"{field}.role", number=index + 1, choices=labels(POSITION_LABELS))
        username = (check_text(raw.get("username") or "", f"{field}.username", 100) or "").strip()
        for key, seen in ((fold(name), seen_names), (username.casefold(), seen_users)):
            if key and key in seen:
                raise DomainError(N_("%(name)s có mặt hai lần trong đoàn (thành viên thứ %(first)s và thứ "
                                     "%(number)s); mỗi người chỉ giữ một chức danh."), f"{field}.name"
                                  if seen is seen_names else f"{field}.username",
                                  name=name, first=seen[key] + 1, number=index + 1)
            if key:
                seen[key] = index
        members.append({"name": name, "title": title, "role": role, "username": username})
    heads = [m for m in members if m["role"] == "head"]
    if len(heads) != 1:
        raise DomainError(N_("Vui lòng chọn đúng một Trưởng đoàn trong số các thành viên (hiện có %(count)s)."),
                          "members", count=len(heads))
    return members


def _resolve_members(db, members: list[dict]) -> list[dict]:
    """Members with the id of their account: a username must name an active account of
    the delegation side (a host or viewer account joining a delegation would see its
    visits)."""
    resolved = []
    for index, member in enumerate(members):
        user_id = None
        if member["username"]:
            user = accounts_sql.get_user_by_username(db, member["username"])
            if user is None or not user["active"] or user["role"] not in DELEGATION_SIDE | {"admin"}:
                raise DomainError(N_("Không có tài khoản thành viên Đoàn nào tên '%(username)s' (thành viên thứ "
                                     "%(number)s)."), f"members[{index}].username",
                                  username=member["username"], number=index + 1)
            user_id = user["id"]
        resolved.append({**member, "user_id": user_id})
    return resolved


def _duplicate(db, name: str, body: str, other_than: int | None = None) -> int | None:
    key = (fold(name), fold(body))
    for row in sql.names_and_bodies(db):
        if row["id"] != other_than and (fold(row["name"]), fold(row["body"])) == key:
            return row["id"]
    return None


def _refuse_duplicate(db, name: str, body: str, other_than: int | None = None) -> None:
    existing = _duplicate(db, name, body, other_than)
    if existing is not None:
        raise Conflict(N_("Đoàn '%(name)s' của %(body)s đã có (mã %(id)s); vui lòng sửa đoàn đó thay vì tạo mới."),
                       "name", name=name, body=body, id=existing)


# ----------------------------------------------------------------- operations

def _columns(values: dict) -> dict:
    """Checked values as the columns of the delegations table."""
    columns = {key: values[key] for key in ("name", "body", "parent_body", "kind", "topic", "symbol",
                                            "signature_layout") if key in values}
    if "followup_days" in values:
        columns["follow_up_days"] = values["followup_days"]
    if "decision" in values:
        columns["decision_no"] = values["decision"]["number"]
        columns["decision_date"] = values["decision"]["date"]
    if "period" in values:
        columns["period_from"], columns["period_to"] = values["period"]["from"], values["period"]["to"]
    columns.update(minutes_settings.columns(values))
    return columns


def create(store, user: dict, data) -> int:
    """A new delegation from its JSON shape (admins and secretaries)."""
    require(can_manage_delegations(user), REFUSED)
    values = parse(data)

    def write(db):
        _refuse_duplicate(db, values["name"], values["body"])
        members = _resolve_members(db, values["members"])
        delegation_id = sql.insert_delegation(db, **_columns(values), created_at=now_utc())
        _insert_members(db, delegation_id, members)
        audit.record(db, user, "delegation.create", "delegation", delegation_id,
                     {"after": _public(db, sql.get_delegation(db, delegation_id))})
        return delegation_id
    return store.write(write)


def update(store, user: dict, delegation_id: int, data) -> dict:
    """Change the fields given (members: the whole list); the delegation as it is now."""
    require(can_manage_delegations(user), REFUSED)
    values = parse(data, partial=True)

    def write(db):
        row = _editable(db, user, delegation_id)
        before = _public(db, row)
        if "name" in values or "body" in values:
            _refuse_duplicate(db, values.get("name", row["name"]), values.get("body", row["body"]), delegation_id)
        columns = _columns(values)
        if "period" in values:
            _refuse_visits_outside(db, delegation_id, values["period"])
        if columns:
            sql.update_delegation(db, delegation_id, **columns)
        if "members" in values:
            members = _resolve_members(db, values["members"])
            sql.delete_members(db, delegation_id)
            _insert_members(db, delegation_id, members)
        after = _public(db, sql.get_delegation(db, delegation_id))
        if after != before:
            audit.record(db, user, "delegation.update", "delegation", delegation_id,
                         {"before": before, "after": after})
        return after
    return store.write(write)


def _refuse_visits_outside(db, delegation_id: int, period: dict) -> None:
    """A new period must still hold the visits already planned (not yet started)."""
    for visit in plans_sql.planned_visits(db, delegation_id):
        day = day_vn(visit["started_at"])
        if (period["from"] and day < period["from"]) or (period["to"] and day > period["to"]):
            raise Conflict(N_("Buổi khảo sát tại %(unit)s ngày %(date)s nằm ngoài thời gian khảo sát mới; vui lòng "
                              "sửa lịch khảo sát trước."), "period", unit=visit["unit_name"],
                           date=format_date(day))


def _public(db, row: dict, members: list[dict] | None = None) -> dict:
    """A delegation as the API shows it (`period` only once one is set: the contract's
    fields stay as they were)."""
    if members is None:
        members = sql.members_of(db, [row["id"]])[row["id"]]
    return {"id": row["id"], "name": row["name"], "body": row["body"], "parent_body": row["parent_body"],
            "kind": row["kind"], "topic": row["topic"], "symbol": row["symbol"],
            "followup_days": row["follow_up_days"],
            "decision": {"number": row["decision_no"], "date": row["decision_date"]},
            "members": [{"name": m["name"], "title": m["title"], "role": m["role"], "username": m["username"]}
                        for m in members],
            **({"signature_layout": row["signature_layout"]} if row["signature_layout"] else {}),
            **({"period": {"from": row["period_from"], "to": row["period_to"]}}
               if row["period_from"] or row["period_to"] else {}),
            **minutes_settings.public(row)}


def get(store, user: dict, delegation_id: int) -> dict:
    """One delegation, for those who may edit it (its edit page)."""
    require(can_manage_delegations(user), REFUSED)
    return store.read(lambda db: _public(db, _editable(db, user, delegation_id)))


def _editable(db, user: dict, delegation_id: int) -> dict:
    row = sql.get_delegation(db, delegation_id)
    if row is None:
        raise NotFound(N_("Không tìm thấy đoàn."), "id")
    require(can_edit_delegation(db, user, delegation_id), REFUSED)
    return row


def list_page(store, user: dict, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """One page of the delegations this user may see (a host: those that visited their unit)."""
    def read(db):
        rows = sql.page_of_delegations(db, scope(user), page_size + 1, (page - 1) * page_size)
        shown = rows[:page_size]
        members = sql.members_of(db, [row["id"] for row in shown])
        return {"delegations": [_public(db, row, members[row["id"]]) for row in shown], "page": page,
                "has_next": len(rows) > page_size}
    return store.read(read)
