"""The audit trail (nhật ký): every change to visits, minutes and recommendations is
appended with who, when and what, inside the transaction that makes the change.

Entries are chained: each link covers the entry and the link before it, and
`audit_head` keeps the count and the last link, so `verify_chain` finds an edited,
inserted or deleted entry (the table also refuses UPDATE and DELETE by trigger).
The links are HMAC-SHA-256 with a key kept outside the database, so someone who can
edit the file cannot recompute them; and after every commit the head is appended to
an anchor file outside the database, so a truncated tail is found too.
"""
from __future__ import annotations

import hashlib
import hmac
import json

from survey_app.markers import N_, Message
from survey_app.storage import audit as sql
from survey_app.clock import now_utc

FIELDS = ("at", "actor_id", "actor", "action", "object_type", "object_id", "detail")
# The chain's head as every sealed document carries it in its document information.
ANCHOR_KEY = "/SurveyAppAuditHead"


def entry_hash(prev_hash: str, entry: dict, key: bytes | None = None) -> str:
    canonical = json.dumps([prev_hash] + [entry[f] for f in FIELDS], ensure_ascii=False,
                           separators=(",", ":")).encode("utf-8")
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def start_sealing(db) -> None:
    """Begin the anchor file of an instance: entries from the next one on are keyed."""
    seal = getattr(db, "audit_seal", None)
    if seal is not None:
        seal.start(sql.head(db)[0] + 1)


def _key_for(db, entry_number: int) -> bytes | None:
    seal = getattr(db, "audit_seal", None)
    if seal is None:
        return None
    keyed_from = seal.keyed_from()
    return seal.key if keyed_from is not None and entry_number >= keyed_from else None


def record(db, user: dict | None, action: str, object_type: str, object_id, detail=None) -> None:
    """Append one entry; call inside the write transaction of the change itself."""
    entry = {"at": now_utc(), "actor_id": user.get("id") if user else None,
             "actor": (user.get("username") or user.get("full_name") or "") if user else "system",
             "action": action, "object_type": object_type, "object_id": str(object_id),
             "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)}
    count, prev = sql.head(db)
    link = entry_hash(prev, entry, _key_for(db, count + 1))
    sql.append(db, entry, prev, link, count + 1)
    db.anchor_after_commit = (count + 1, link, entry["at"])


def head_anchor(store) -> str:
    """The chain's head now, as sealed documents carry it: "<entries>:<last link>"."""
    count, link = store.read(sql.head)
    return f"{count}:{link}"


def document_anchors(store, read_pdf) -> list[dict]:
    """The heads carried by the sealed documents: `read_pdf(sha256)` gives a stored PDF."""
    from survey_app.documents.verify import info_entry
    anchors = []
    for sha in store.read(sql.sealed_document_hashes):
        try:
            text = info_entry(read_pdf(sha), ANCHOR_KEY) or ""
        except OSError:  # a missing file is the backup's business; the chain is checked without it
            continue
        count, _, link = text.partition(":")
        if count.isdigit() and link:
            anchors.append({"entries": int(count), "hash": link, "document": sha})
    return anchors


def verify_chain(db, documents: list[dict] | None = None) -> list[str]:
    """Problems found in the chain (empty when intact); `documents` are the heads that
    sealed documents carry, checked like those of the anchor file."""
    seal = getattr(db, "audit_seal", None)
    keyed_from, anchors = seal.read() if seal is not None else (None, [])
    anchors = anchors + [a for a in documents or [] if a["entries"] > 0]
    problems, prev, count, last_id, links = [], "0" * 64, 0, 0, {}
    if seal is not None and keyed_from is None:
        problems.append(Message(N_("không tìm thấy tệp neo của nhật ký (audit-anchors.jsonl) bên ngoài cơ sở dữ liệu")))
    for row in sql.entries(db):
        count += 1
        if row["id"] != last_id + 1:
            problems.append(Message(N_("thiếu mục trước mục #%(id)s"), id=row["id"]))
        if row["prev_hash"] != prev:
            problems.append(Message(N_("mục #%(id)s: chuỗi băm bị đứt (có mục bị xóa hoặc chèn)"), id=row["id"]))
        key = seal.key if keyed_from is not None and count >= keyed_from else None
        if entry_hash(row["prev_hash"], row, key) != row["hash"]:
            problems.append(Message(N_("mục #%(id)s: nội dung đã bị sửa"), id=row["id"]))
        prev, last_id, links[count] = row["hash"], row["id"], row["hash"]
    head_count, head_hash = sql.head(db)
    if (head_count, head_hash) != (count, prev):
        problems.append(Message(N_("nhật ký có %(count)s mục, đầu chuỗi ghi %(head)s: mục cuối bị xóa hoặc thêm ngoài "
                                   "ứng dụng"), count=count, head=head_count))
    return problems + _anchor_problems(anchors, links, count)


def _anchor_problems(anchors: list[dict], links: dict, count: int) -> list[str]:
    """Every head written to the anchor file must still be in the chain, unchanged."""
    problems = []
    last = max((a["entries"] for a in anchors), default=0)
    if last > count:
        problems.append(Message(N_("tệp neo hoặc biên bản đã ký ghi %(last)s mục nhưng nhật ký chỉ còn %(count)s: "
                                   "các mục cuối đã bị xóa"), last=last, count=count))
    changed = [a["entries"] for a in anchors if a["entries"] <= count and links.get(a["entries"]) != a["hash"]]
    if changed:
        problems.append(Message(N_("mục #%(id)s: khác với bản neo bên ngoài cơ sở dữ liệu (nhật ký đã bị viết lại)"),
                                id=changed[0]))
    return problems


PAGE_SIZE = 50


def list_entries(store, user: dict, filters: dict, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """One page of the trail for the audit page and API (administrators only)."""
    from survey_app.domain.access import can_read_audit, require
    require(can_read_audit(user), N_("Tài khoản không có quyền xem nhật ký hệ thống."))
    rows = store.read(sql.find_entries, filters, page_size + 1, (page - 1) * page_size)
    return {"entries": [_public(row) for row in rows[:page_size]], "page": page,
            "has_next": len(rows) > page_size}


def all_entries(store, user: dict, filters: dict, limit: int = 100_000) -> list[dict]:
    """Every matching entry, newest first (for the CSV export), up to `limit`."""
    from survey_app.domain.access import can_read_audit, require
    require(can_read_audit(user), N_("Tài khoản không có quyền xem nhật ký hệ thống."))
    return [_public(row) for row in store.read(sql.find_entries, filters, limit)]


def _public(row: dict) -> dict:
    return {"id": row["id"], "at": row["at"], "actor": row["actor"], "action": row["action"],
            "object_type": row["object_type"], "object_id": row["object_id"],
            "details": json.loads(row["detail"] or "{}")}
