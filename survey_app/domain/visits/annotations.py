"""Arrows and circles drawn on a photo on the tablet: the annotated copy is uploaded
as a photo of its own (the same checks: type from content, size and pixel bounds),
stored by content, and linked to the photo item it was drawn on (migration m026). The
original file and item stay as they were; the newest copy is what the capture page
shows and the minutes print. Idempotent by the upload's client-made uid.

"Dùng ảnh gốc" (`use_original`) puts the photo as taken back in use: a newest row that
names the original's own file. The annotated copy's file is kept, not deleted: files are
stored by content (the same bytes may serve another item or visit), a sealed minutes
version may have printed it, and the audit trail names it; "Vẽ lại từ ảnh gốc" then
draws on the original again. Each copy and each return to the original is also a row of
the visit's change log (applied_changes), so the other members' capture pages show it
live (domain/visits/live.py).
"""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import BinaryIO

from survey_app.clock import now_utc
from survey_app.domain import audit, files
from survey_app.domain.errors import DomainError, NotFound
from survey_app.domain.visits.ids import check_client_id
from survey_app.domain.visits.operations import load_visit, require_editable
from survey_app.domain.visits.photos import photo_logged, stage_checked
from survey_app.markers import N_
from survey_app.storage import visits as sql

NO_PHOTO = N_("Không tìm thấy ảnh cần vẽ chú thích trong buổi khảo sát này.")


def add_annotation(store, user: dict, visit_id: int, folder: Path, data: BinaryIO | bytes, *,
                   annotates: str, uid: str | None = None) -> tuple[bool, dict]:
    """Store the annotated copy of photo item `annotates`; return (created, {item,
    annotation, sha256, content_type, width, height, original_sha256}). The same uid
    again returns the first result and keeps nothing."""
    load_visit(store, visit_id, user, edit=True)  # permission and state before any byte is read
    if uid is not None:
        check_client_id(uid, "item", item=True)
        existing = store.read(_existing, visit_id, uid)
        if existing is not None:
            return False, existing
    original = store.read(_original, visit_id, annotates)
    pending: list = []
    with files.cleaned_up(pending):
        staged, saved = stage_checked(folder, data, pending)
        uid = uid or "annotation-" + hashlib.sha256(f"{annotates}:{saved['sha256']}".encode()).hexdigest()[:40]
        return store.write(_insert, user, visit_id, annotates, uid, saved, staged, original["sha256"])


def _original(db, visit_id: int, item_uid) -> dict:
    """The photo row of a visit's (not deleted) photo item, or NotFound naming `annotates`."""
    item = sql.get_item(db, item_uid) if isinstance(item_uid, str) and item_uid else None
    if item is None or item["visit_id"] != visit_id or item["kind"] != "photo" or item["deleted"] \
            or not item["data"].get("sha256"):
        raise NotFound(NO_PHOTO, "annotates")
    return sql.get_photo(db, item["data"]["sha256"])


def _existing(db, visit_id: int, uid: str) -> dict | None:
    row = sql.get_annotation(db, uid)
    if row is None:
        return None
    if row["visit_id"] != visit_id:
        raise DomainError(N_("Mục không thuộc buổi khảo sát này"), "item")
    return _result(row["item_uid"], uid, sql.get_photo(db, row["sha256"]),
                   sql.get_item(db, row["item_uid"])["data"]["sha256"])


def _result(item_uid: str, uid: str, photo: dict, original_sha256: str) -> dict:
    return {"item": item_uid, "annotation": uid, "original_sha256": original_sha256,
            **{k: photo[k] for k in ("sha256", "content_type", "width", "height")}}


def _insert(db, user, visit_id, item_uid, uid, saved, staged, original_sha256):
    again = _existing(db, visit_id, uid)  # a twin request may have won the race
    if again is not None:
        return False, again
    visit = sql.get_visit(db, visit_id)
    require_editable(visit)  # it may have been finalized while the photo was checked
    _original(db, visit_id, item_uid)  # or deleted meanwhile
    at = now_utc()
    with files.placing([staged]):
        sql.insert_photo(db, saved["sha256"], saved["content_type"], saved["width"], saved["height"],
                         saved["size"], at)
        sql.insert_annotation(db, uid, visit_id, item_uid, saved["sha256"], at, user["id"])
        sql.touch_visit(db, visit_id, at)
        audit.record(db, user, "visit.photo_annotated", "visit", visit_id,
                     {"item": item_uid, "sha256": saved["sha256"], "original_sha256": original_sha256})
        photo_logged(db, user, visit_id, item_uid, f"photo-annotated-{uid}", at)
    return True, _result(item_uid, uid, saved, original_sha256)


def use_original(store, user: dict, visit_id: int, item_uid) -> tuple[bool, dict]:
    """Photo item `item_uid` shows and prints its original again; return (changed,
    {item, sha256, content_type, width, height}). Nothing changes (False) when it shows
    its original already."""
    load_visit(store, visit_id, user, edit=True)
    return store.write(_use_original, user, visit_id, item_uid)


def _use_original(db, user, visit_id, item_uid):
    require_editable(sql.get_visit(db, visit_id))
    original = _original(db, visit_id, item_uid)
    result = {"item": item_uid, **{k: original[k] for k in ("sha256", "content_type", "width", "height")}}
    copy = sql.annotated_photos(db, visit_id).get(item_uid)
    if copy is None:
        return False, result
    at = now_utc()
    uid = "original-" + uuid.uuid4().hex
    sql.insert_annotation(db, uid, visit_id, item_uid, original["sha256"], at, user["id"])
    sql.touch_visit(db, visit_id, at)
    audit.record(db, user, "visit.photo_original", "visit", visit_id,
                 {"item": item_uid, "sha256": original["sha256"], "annotated_sha256": copy["sha256"]})
    photo_logged(db, user, visit_id, item_uid, f"photo-{uid}", at)
    return True, result

