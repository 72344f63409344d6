"""Autosave messages: each change to a visit is one small message, applied at most once.

A message: `{"id": client-made id, "target": field path or item kind, "op": "set" |
"add" | "delete" | "move", "value": …, "item": item uid, "base_version": the version
the client last saw, "position": number}`. The server applies each `id` at most
once: a repeat answers with the first result. A `set` or `delete` based on a version
that is no longer current is a conflict (409) that carries both values, so the later
writer chooses instead of silently overwriting. The offline queue of the tablet
sends exactly these messages.
"""
from __future__ import annotations

from survey_app.markers import N_
from survey_app.storage import visits as sql
from survey_app.domain import audit
from survey_app.clock import now_utc
from survey_app.domain.errors import Conflict, DomainError, NotFound, labels
from survey_app.domain.visits.ids import check_client_id
from survey_app.domain.visits.operations import (
    ITEM_FIELDS,
    after_change,
    check_field,
    check_item,
    require_editable,
)

OPS = ("set", "add", "delete", "move")
# What a refusal calls each operation (the API adds the code: "thêm ('add')").
OP_LABELS = {"set": N_("sửa giá trị"), "add": N_("thêm mục"), "delete": N_("xóa mục"), "move": N_("chuyển chỗ mục")}
MESSAGE_KEYS = {"id", "target", "op", "value", "item", "base_version", "position", "visit"}


def check_message(message) -> dict:
    if not isinstance(message, dict):
        raise DomainError(N_("Thông điệp phải là một đối tượng JSON"), "message")
    for key in message:
        if key not in MESSAGE_KEYS:
            raise DomainError(N_("Trường không được phép: '%(key)s'"), key, key=key)
    check_client_id(message.get("id"), "id")
    if not isinstance(message.get("target"), str) or not message["target"]:
        raise DomainError(N_("Vui lòng cho biết trường cần sửa."), "target")
    op = message.get("op", "set")
    if op not in OPS:
        raise DomainError(N_("Vui lòng chọn một thao tác: %(choices)s."), "op", choices=labels(OP_LABELS))
    base = message.get("base_version")
    if op in ("set", "delete") and (not isinstance(base, int) or isinstance(base, bool) or base < 0):
        raise DomainError(N_("Vui lòng gửi phiên bản đã thấy của trường (một số nguyên không âm)."),
                          "base_version")
    return {**message, "op": op}


def apply_change(store, forms, user: dict, visit_id: int, message, locale: str = "vi") -> tuple[int, dict]:
    """Apply one message; return (HTTP status, result), the rule warnings in `locale`.
    Repeats return the first result."""
    message = check_message(message)
    return store.write(_apply, forms, user, visit_id, message, locale)


def _apply(db, forms, user, visit_id, message, locale):
    done = sql.applied_change(db, visit_id, user["id"], message["id"])
    if done is not None:
        return done["status"], {**done["result"], "repeated": True}
    visit = sql.get_visit(db, visit_id)
    if visit is None:
        raise NotFound(N_("Không tìm thấy buổi khảo sát."))
    require_editable(visit)
    form = forms.for_visit(db, visit)
    try:
        result = _dispatch(db, form, user, visit, message, locale)
        status = 200
        audit.record(db, user, f"visit.{message['op']}", "visit", visit_id,
                     {k: message.get(k) for k in ("id", "target", "item", "value", "position")})
    except Conflict as conflict:
        status, result = 409, conflict.detail
    sql.record_change(db, message["id"], visit_id, user["id"], status, result, now_utc())
    return status, result


def _dispatch(db, form, user, visit, message, locale: str = "vi") -> dict:
    at, user_id = now_utc(), user["id"]
    target, op = message["target"], message["op"]
    if target in ITEM_FIELDS:
        result = _item_change(db, visit, message, at, user_id)
    elif op == "set":
        result = _field_change(db, form, visit, message, at, user_id)
    else:
        raise DomainError(N_("Trường '%(target)s' chỉ nhận 'op': 'set'"), "op", target=target)
    columns = {"status": "in_progress"} if visit["status"] == "planned" else {}
    if target in ("started_at", "ended_at"):
        columns[target] = result["value"]
    sql.touch_visit(db, visit["id"], at, **columns)
    after_change(db, visit["id"], target)
    evaluation = form.evaluate(_indicators(db, visit["id"]))
    return {**result, "ok": True, "target": target,
            "computed": evaluation.computed,
            "warnings": evaluation.messages(locale)}


def _indicators(db, visit_id: int) -> dict:
    return {path.split(".", 1)[1]: field["value"] for path, field in sql.fields_of(db, visit_id).items()
            if path.startswith("indicators.") and field["value"] is not None}


def _conflict(target, message, server_value, server_version, changed: dict, item=None) -> Conflict:
    """409 with both values, and who made the server's one and when (`changed`)."""
    conflict = Conflict(N_("Trường này vừa được người khác sửa; vui lòng chọn giá trị giữ lại."), target)
    conflict.detail = {"ok": False, "conflict": True, "target": target, "item": item,
                       "server_value": server_value, "server_version": server_version,
                       "server_changed_by": changed["who"], "server_changed_at": changed["at"],
                       "your_value": message.get("value"), "error": conflict.message}
    return conflict


def _field_change(db, form, visit, message, at, user_id) -> dict:
    path = message["target"]
    value = check_field(form, path, message.get("value"))
    current = sql.get_field(db, visit["id"], path) or {"value": None, "version": 0}
    if current["version"] != message["base_version"]:
        if current["value"] == value:  # both wrote the same thing: nothing to choose
            return {"value": value, "version": current["version"]}
        raise _conflict(path, message, current["value"], current["version"],
                        sql.last_change(db, visit["id"], path=path))
    version = sql.set_field(db, visit["id"], path, value, at, user_id)
    return {"value": value, "version": version}


def _item_change(db, visit, message, at, user_id) -> dict:
    kind, op, uid = message["target"], message["op"], message.get("item")
    check_client_id(uid, "item", item=True)
    existing = sql.get_item(db, uid)
    if existing is not None and (existing["visit_id"] != visit["id"] or existing["kind"] != kind):
        raise DomainError(N_("Mục không thuộc buổi khảo sát này"), "item")
    if op == "add":
        return _add_item(db, visit, kind, uid, message, existing, at, user_id)
    if existing is None or existing["deleted"]:
        raise NotFound(N_("Không tìm thấy mục"), "item")
    if op == "move":
        position = message.get("position")
        if not isinstance(position, (int, float)) or isinstance(position, bool):
            raise DomainError(N_("Vui lòng gửi vị trí của mục là một số."), "position")
        version = sql.update_item(db, uid, at, user_id, position=float(position))
        return {"item": uid, "version": version}
    if existing["version"] != message["base_version"]:
        raise _conflict(kind, message, existing["data"], existing["version"],
                        sql.last_change(db, visit["id"], uid=uid), uid)
    if op == "delete":
        return {"item": uid, "version": sql.update_item(db, uid, at, user_id, deleted=1)}
    data = check_item(kind, message.get("value"), kind, visit["started_at"][:10])
    if kind == "photo":
        data = {**existing["data"], **{k: v for k, v in data.items() if k in ("caption", "credit")}}
    return {"item": uid, "value": data, "version": sql.update_item(db, uid, at, user_id, data=data)}


def _add_item(db, visit, kind, uid, message, existing, at, user_id) -> dict:
    if existing is not None:
        raise DomainError(N_("Mục với mã này đã tồn tại"), "item")
    if kind == "photo":
        raise DomainError(N_("Ảnh được thêm bằng cách tải tệp lên"), "target")
    data = check_item(kind, message.get("value"), kind, visit["started_at"][:10])
    position = message.get("position")
    if not isinstance(position, (int, float)) or isinstance(position, bool):
        position = sql.next_position(db, visit["id"], kind)
    sql.insert_item(db, uid=uid, visit_id=visit["id"], kind=kind, position=float(position), data=data,
                    updated_at=at, updated_by=user_id)
    return {"item": uid, "value": data, "version": 1}
