"""The units directory (đơn vị): the units delegations visit and recommendations are
addressed to. Admins create, edit, rename and merge them (`create`, `update`,
`merge`); everyone signed in searches them (`search`, `picker`), a host only their
own unit. Names are compared after folding (`survey_app/text.py`): one live unit per
folded name and locality; a second one is a Conflict naming the first."""
from __future__ import annotations

import unicodedata

from survey_app.domain import audit
from survey_app.domain.access import can_manage_units, require, scope
from survey_app.domain.errors import Conflict, DomainError, NotFound
from survey_app.domain.visits.operations import check_text
from survey_app.markers import N_
from survey_app.storage import units as sql
from survey_app.text import search_key

# The kinds of unit (loại đơn vị): a small fixed list, Vietnamese labels.
KINDS = ("ubnd_tinh", "ubnd_xa", "ubnd_phuong", "ubnd_dac_khu", "so", "ban", "trung_tam", "khac")
KIND_LABELS = {"ubnd_tinh": N_("UBND tỉnh"), "ubnd_xa": N_("UBND xã"), "ubnd_phuong": N_("UBND phường"),
               "ubnd_dac_khu": N_("UBND đặc khu"), "so": N_("Sở"), "ban": N_("Ban"),
               "trung_tam": N_("Trung tâm"), "khac": N_("Khác")}
FIELDS = ("name", "kind", "locality", "parent_id")
LIMITS = {"name": 300, "locality": 200}
PAGE_SIZE = 50
PICKER_SIZE = 20
MAX_QUERY = 100
REFUSED = N_("Tài khoản không có quyền quản lý danh mục đơn vị.")
DUPLICATE = N_("Đơn vị '%(name)s' đã có trong danh mục (mã %(id)s); vui lòng chọn đơn vị đó thay vì tạo mới.")


# ----------------------------------------------------------------- checking input

def kind_of(text: str, name: str = "") -> str | None:
    """A kind from its code or its Vietnamese label (folded, diacritics optional); empty:
    guessed from the name ("UBND xã Hra" is a UBND xã), else ''. None: not a kind."""
    key = search_key(text)
    if not key:
        return guess_kind(name)
    for kind in KINDS:
        label = search_key(KIND_LABELS[kind])
        if key in (kind.replace("_", " "), kind, label, label.removeprefix("ubnd ")):
            return kind
    return None


def guess_kind(name: str) -> str:
    key = search_key(name)
    for kind in ("ubnd_xa", "ubnd_phuong", "ubnd_dac_khu", "ubnd_tinh", "so", "ban", "trung_tam"):
        if key.startswith(search_key(KIND_LABELS[kind]) + " "):
            return kind
    return ""


def _text(data: dict, key: str, required: bool = False) -> str:
    value = check_text(data.get(key, ""), key, LIMITS[key]) or ""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if required and not value:
        raise DomainError(N_("Vui lòng nhập tên đơn vị."), key)
    return value


def parse(data, partial: bool = False) -> dict:
    """The checked values of a unit from its JSON shape {name, kind, locality, parent_id}."""
    if not isinstance(data, dict):
        raise DomainError(N_("Nội dung phải là một đối tượng JSON"), "body")
    for key in data:
        if key not in FIELDS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    if not partial and "name" not in data:
        raise DomainError(N_("Vui lòng nhập tên đơn vị."), "name")
    values: dict = {}
    if "name" in data:
        values["name"] = _text(data, "name", required=True)
    if "locality" in data:
        values["locality"] = _text(data, "locality")
    if "kind" in data or not partial:
        kind = data.get("kind") or ""
        if not isinstance(kind, str) or kind_of(kind, values.get("name", "")) is None:
            raise DomainError(N_("Vui lòng chọn loại đơn vị trong danh sách (ví dụ UBND xã, Sở, Trung tâm)."),
                              "kind")
        values["kind"] = kind_of(kind, values.get("name", ""))
    if "parent_id" in data:
        parent = data["parent_id"]
        if parent is not None and (isinstance(parent, bool) or not isinstance(parent, int) or not 1 <= parent < 2**62):
            raise DomainError(N_("Vui lòng chọn đơn vị cấp trên trong danh mục."), "parent_id")
        values["parent_id"] = parent
    return values


def _check_parent(db, unit_id: int | None, parent_id: int | None) -> None:
    """The parent exists, is live, and is not the unit itself or one of its children."""
    seen = {unit_id}
    while parent_id is not None:
        parent = sql.get_unit(db, parent_id)
        if parent is None or parent["merged_into"] is not None or parent_id in seen:
            raise DomainError(N_("Vui lòng chọn đơn vị cấp trên trong danh mục (không phải chính đơn vị này)."),
                              "parent_id")
        seen.add(parent_id)
        parent_id = parent["parent_id"]


def _refuse_duplicate(db, name: str, locality: str, other_than: int | None = None) -> None:
    existing = sql.find_live(db, name, locality, other_than)
    if existing is not None:
        raise Conflict(DUPLICATE, "name", name=existing["name"], id=existing["id"])


# ----------------------------------------------------------------- operations

def public(row: dict) -> dict:
    """A unit as the API shows it."""
    return {"id": row["id"], "name": row["name"], "kind": row["kind"], "locality": row["locality"],
            "parent_id": row["parent_id"]}


def create(store, user: dict, data) -> int:
    """A new unit (admins); a name that folds like a live unit's in the same locality: Conflict."""
    require(can_manage_units(user), REFUSED)
    values = parse(data)
    values.setdefault("locality", "")

    def write(db):
        _refuse_duplicate(db, values["name"], values["locality"])
        _check_parent(db, None, values.get("parent_id"))
        unit_id = sql.insert_unit(db, **values)
        audit.record(db, user, "unit.create", "unit", unit_id, {"after": public(sql.get_unit(db, unit_id))})
        return unit_id
    return store.write(write)


def update(store, user: dict, unit_id: int, data) -> dict:
    """Edit or rename a unit (admins); audited with the values before and after. Visits
    and recommendations point at the unit, so they show the new name."""
    require(can_manage_units(user), REFUSED)
    values = parse(data, partial=True)

    def write(db):
        row = _live(db, unit_id)
        before = public(row)
        if "name" in values or "locality" in values:
            _refuse_duplicate(db, values.get("name", row["name"]), values.get("locality", row["locality"]), unit_id)
        if "parent_id" in values:
            _check_parent(db, unit_id, values["parent_id"])
        if values:
            sql.update_unit(db, unit_id, **values)
        after = public(sql.get_unit(db, unit_id))
        if after != before:
            audit.record(db, user, "unit.update", "unit", unit_id, {"before": before, "after": after})
        return after
    return store.write(write)


def merge(store, user: dict, unit_id: int, into_id: int) -> dict:
    """Merge a duplicate into another unit (admins): its visits, recommendations (as
    addressee), their history and its host accounts move; it is no longer listed.
    The audit entry keeps what it was and what moved."""
    require(can_manage_units(user), REFUSED)

    def write(db):
        source, target = _live(db, unit_id), _live(db, into_id, "into")
        if source["id"] == target["id"]:
            raise DomainError(N_("Vui lòng chọn một đơn vị khác để gộp vào."), "into")
        moved = sql.usage(db, unit_id)
        sql.merge_units(db, unit_id, into_id)
        audit.record(db, user, "unit.merge", "unit", unit_id,
                     {"before": public(source), "into": public(target), "moved": moved})
        return {"unit": public(source), "into": public(target), "moved": moved}
    return store.write(write)


def _live(db, unit_id: int, field: str = "id") -> dict:
    row = sql.get_unit(db, unit_id) if unit_id else None
    if row is None or row["merged_into"] is not None:
        raise NotFound(N_("Không tìm thấy đơn vị."), field)
    return row


def get(store, user: dict, unit_id: int) -> dict:
    """One live unit, for its edit page (admins)."""
    require(can_manage_units(user), REFUSED)

    def read(db):
        row = _live(db, unit_id)
        parent = sql.get_unit(db, row["parent_id"]) if row["parent_id"] else None
        return {**public(row), "parent_name": parent["name"] if parent else ""}
    return store.read(read)


def search(store, user: dict, text: str = "", page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """One page of the units this user may see whose name matches `text` (without
    diacritics or case): `{units, page, has_next}`."""
    rows = store.read(sql.search_units, scope(user), text[:MAX_QUERY], page_size + 1, (page - 1) * page_size)
    return {"units": [{**public(row), "parent_name": row["parent_name"]} for row in rows[:page_size]],
            "page": page, "has_next": len(rows) > page_size}


def picker(store, user: dict, text: str) -> list[dict]:
    """At most 20 units for the search box of a unit picker."""
    rows = store.read(sql.search_units, scope(user), text[:MAX_QUERY], PICKER_SIZE)
    return [{"id": row["id"], "name": row["name"], "locality": row["locality"]} for row in rows]


def resolve_name(store, name: str) -> dict | None:
    """The live unit a typed name means after folding (a picker without script)."""
    return store.read(sql.get_unit_by_name, name)


def chosen(store, user: dict, unit_id: int, field: str = "unit") -> dict:
    """The live unit a picker chose, among those the user may see; NotFound otherwise."""
    row = store.read(sql.unit_in_scope, scope(user), unit_id)
    if row is None or row["merged_into"] is not None:
        raise NotFound(N_("Không tìm thấy đơn vị."), field)
    return public(row)
