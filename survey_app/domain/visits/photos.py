"""Photos of a visit taken with the tablet camera: one upload becomes a stored file
(by content, see `images.py`) and a `photo` item of the visit, idempotent by the
item's client-made uid; a photo may also answer a photo-type checklist item.

The upload is streamed to a temporary file (never read whole into memory), checked
and decoded there one at a time, and moved into place inside the write transaction,
after the permission and the visit's state were checked: a refused upload keeps nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from survey_app.domain import audit
from survey_app.storage import visits as sql
from survey_app.domain.visits import changes
from survey_app.clock import now_utc
from survey_app.domain import files
from survey_app.domain.errors import DomainError, NotFound
from survey_app.domain import images
from survey_app.domain.images import photo_path
from survey_app.domain.visits.ids import check_client_id
from survey_app.domain.visits.operations import check_item, load_visit, require_editable
from survey_app.markers import N_

CUT_OFF = N_("Ảnh gửi lên bị thiếu (đường truyền bị ngắt); vui lòng gửi lại")


def add_photo(store, forms, user: dict, visit_id: int, folder: Path, data: BinaryIO | bytes, *,
              uid: str | None, caption: str = "", credit: str = "", checklist_item: str = "",
              for_item: str = "") -> tuple[bool, dict]:
    """Store the photo and add its item; return (created, {item, version, value, field,
    sha256, content_type, width, height}). The same uid again returns the existing item
    and keeps nothing; without a uid, the item is named by the photo's content, so the
    same photo sent twice to a visit is one item. `for_item` is the checklist item the
    photo was taken for (any type; its camera button prefills the caption)."""
    load_visit(store, visit_id, user, edit=True)  # permission and state before any byte is read
    if uid is not None:
        check_client_id(uid, "item", item=True)
    existing = store.read(_existing, visit_id, uid) if uid else None
    if existing is not None:
        return False, existing
    values = check_item("photo", {"caption": caption, "credit": credit}, "photo")
    if checklist_item:
        _check_photo_item(store, forms, visit_id, checklist_item)
        values["checklist_item"] = checklist_item
    if for_item:
        _check_form_item(store, forms, visit_id, for_item)
        values["for_item"] = for_item
    pending: list = []
    with files.cleaned_up(pending):
        staged, saved = stage_checked(folder, data, pending)
        uid = uid or f"photo-{visit_id}-{saved['sha256'][:40]}"
        return store.write(_insert, store, forms, user, visit_id, uid, {**values, "sha256": saved["sha256"]},
                           saved, staged)


def stage_checked(folder: Path, data, pending: list) -> tuple:
    """An uploaded photo staged and checked (complete, its type from its content, its size
    and pixels bounded): (staged file, {sha256, content_type, width, height, size}). What
    is staged joins `pending`, removed by the caller's `files.cleaned_up` if refused."""
    raw = images.stage_upload(folder, data, "file")
    pending.append(raw)
    check_complete(raw.tmp)
    staged, saved = images.check_staged(raw, "file")
    pending.append(staged)
    return staged, saved


def check_complete(path: Path) -> None:
    """Refuse a cut-off JPEG or PNG (an upload broken on the way): Pillow would decode
    it as a half-grey picture, since WeasyPrint allows truncated images process-wide."""
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(max(0, path.stat().st_size - 4096))
        tail = handle.read()
    if head[:3] == b"\xff\xd8\xff" and not tail.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise DomainError(CUT_OFF, "file")
    if head[:8] == b"\x89PNG\r\n\x1a\n" and b"IEND" not in tail[-16:]:
        raise DomainError(CUT_OFF, "file")


def _existing(db, visit_id: int, uid: str) -> dict | None:
    item = sql.get_item(db, uid)
    if item is None:
        return None
    if item["visit_id"] != visit_id or item["kind"] != "photo":
        raise DomainError(N_("Mục không thuộc buổi khảo sát này"), "item")
    photo = sql.get_photo(db, item["data"].get("sha256") or "") or {}
    return {"item": uid, "version": item["version"], "value": item["data"], "field": None,
            **{k: photo.get(k) for k in ("sha256", "content_type", "width", "height")}}


def _check_form_item(store, forms, visit_id: int, key: str) -> None:
    form = store.read(lambda db: forms.for_visit(db, sql.get_visit(db, visit_id)))
    if key not in form.items:
        raise DomainError(N_("Mục '%(key)s' không có trong biểu mẫu của buổi khảo sát; vui lòng chọn "
                                 "một mục của nội dung khảo sát"), "for_item", key=key)


def _check_photo_item(store, forms, visit_id: int, key: str) -> None:
    form = store.read(lambda db: forms.for_visit(db, sql.get_visit(db, visit_id)))
    item = form.items.get(key)
    if item is None or item.type != "photo":
        raise DomainError(N_("Mục '%(key)s' của biểu mẫu không nhận ảnh"), "checklist_item", key=key)


def _insert(db, store, forms, user, visit_id, uid, data, saved, staged):
    again = _existing(db, visit_id, uid)  # a twin request may have won the race
    if again is not None:
        return False, again
    visit = sql.get_visit(db, visit_id)
    if visit is None:
        raise NotFound(N_("Không tìm thấy buổi khảo sát."))
    require_editable(visit)  # it may have been finalized while the photo was checked
    with files.placing([staged]):
        return _insert_rows(db, store, forms, user, visit, uid, data, saved)


def _insert_rows(db, store, forms, user, visit, uid, data, saved):
    visit_id, at = visit["id"], now_utc()
    sql.insert_photo(db, saved["sha256"], saved["content_type"], saved["width"], saved["height"],
                     saved["size"], at)
    sql.insert_item(db, uid=uid, visit_id=visit_id, kind="photo", data=data, updated_at=at,
                    updated_by=user["id"], position=sql.next_position(db, visit_id, "photo"))
    field = (_answer_with_photo(db, store, forms, user, visit_id, uid, data["checklist_item"])
             if data.get("checklist_item") else None)
    sql.touch_visit(db, visit_id, at, **({"status": "in_progress"} if visit["status"] == "planned" else {}))
    audit.record(db, user, "visit.photo", "visit", visit_id,
                 {"item": uid, "sha256": saved["sha256"], "checklist_item": data.get("checklist_item")})
    photo_logged(db, user, visit_id, uid, f"photo-added-{uid}", at)
    return True, {"item": uid, "version": 1, "value": data, "field": field,
                  **{k: saved[k] for k in ("sha256", "content_type", "width", "height")}}


def _answer_with_photo(db, store, forms, user, visit_id, uid, key) -> dict:
    """The checklist answer becomes the photo's uid, through an ordinary change message
    (store.write nests: it joins this transaction), so it has a version like any field."""
    path = f"checklist.{key}.value"
    current = sql.get_field(db, visit_id, path) or {"version": 0}
    message = {"id": f"photo-answer-{uid}", "target": path, "op": "set", "value": uid,
               "base_version": current["version"]}
    _, result = changes.apply_change(store, forms, user, visit_id, message)
    return {"path": path, "version": result.get("version"), "value": uid}


def photo_logged(db, user, visit_id: int, item_uid: str, key: str, at: str) -> None:
    """A row of the visit's change log naming the photo item, which the live capture of
    the other members reads like any item change (the photo's file is not in it)."""
    sql.record_change(db, key, visit_id, user["id"], 200, {"ok": True, "item": item_uid}, at)



def photo_file(store, visit_id: int, uid: str, folder: Path, original: bool = False) -> tuple[Path, str]:
    """(path, content type) of a visit's photo item, or NotFound: its newest annotated
    copy when there is one (what the minutes print), unless `original` is asked for."""
    def read(db):
        item = sql.get_item(db, uid)
        if item is None or item["visit_id"] != visit_id or item["kind"] != "photo" or item["deleted"]:
            return None
        annotated = None if original else sql.annotated_photos(db, visit_id).get(uid)
        return annotated or sql.get_photo(db, item["data"].get("sha256") or "")
    stored = store.read(read)
    if stored is None:
        raise NotFound(N_("Không tìm thấy ảnh."))
    return photo_path(folder, stored["sha256"], stored["content_type"]), stored["content_type"]
