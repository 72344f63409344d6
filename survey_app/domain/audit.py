"""The audit trail (nhật ký): every change to visits, minutes and recommendations is
appended with who, when and what, inside the transaction that makes the change.

Entries are hash-chained: each hash covers the entry and the hash before it, and
`audit_head` keeps the count and the last hash, so `verify_chain` finds an edited,
inserted or deleted entry (the table also refuses UPDATE and DELETE by trigger).
"""
from __future__ import annotations

import hashlib
import json

from survey_app.storage import audit as sql
from survey_app.clock import now_utc

FIELDS = ("at", "actor_id", "actor", "action", "object_type", "object_id", "detail")


def entry_hash(prev_hash: str, entry: dict) -> str:
    canonical = json.dumps([prev_hash] + [entry[f] for f in FIELDS], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(db, user: dict | None, action: str, object_type: str, object_id, detail=None) -> None:
    """Append one entry; call inside the write transaction of the change itself."""
    entry = {"at": now_utc(), "actor_id": user.get("id") if user else None,
             "actor": (user.get("username") or user.get("full_name") or "") if user else "system",
             "action": action, "object_type": object_type, "object_id": str(object_id),
             "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)}
    count, prev = sql.head(db)
    sql.append(db, entry, prev, entry_hash(prev, entry), count + 1)


def verify_chain(db) -> list[str]:
    """Problems found in the chain (empty when intact)."""
    problems, prev, count, last_id = [], "0" * 64, 0, 0
    for row in sql.entries(db):
        count += 1
        if row["id"] != last_id + 1:
            problems.append(f"thiếu mục trước mục #{row['id']}")
        if row["prev_hash"] != prev:
            problems.append(f"mục #{row['id']}: chuỗi băm bị đứt (có mục bị xóa hoặc chèn)")
        if entry_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(f"mục #{row['id']}: nội dung đã bị sửa")
        prev, last_id = row["hash"], row["id"]
    head_count, head_hash = sql.head(db)
    if (head_count, head_hash) != (count, prev):
        problems.append(f"nhật ký có {count} mục, đầu chuỗi ghi {head_count}: mục cuối bị xóa hoặc thêm ngoài ứng dụng")
    return problems
