"""SQL for the follow-up reports (báo cáo theo dõi thực hiện kiến nghị): their versions
and the number counter per issuing body and year."""
from __future__ import annotations

import json

from survey_app.storage.db import one


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    row = dict(row)
    row["filters"] = json.loads(row["filters"] or "{}")
    row["content"] = json.loads(row.pop("content_json")) if row.get("content_json") else None
    return row


def get_report(db, report_id: int) -> dict | None:
    return _decode(one(db, "SELECT * FROM followup_reports WHERE id = ?", [report_id]))


def reports_of(db, user_id: int | None) -> list[dict]:
    """The reports a user prepared (None: every report), newest first, without content."""
    where, params = ("WHERE created_by = ?", [user_id]) if user_id is not None else ("", [])
    return list(db.query("SELECT id, status, filters, body, symbol, year, number, signer_name, created_at, "
                         f"finalized_at, sealed_at FROM followup_reports {where} ORDER BY id DESC LIMIT 200",
                         params))


def insert_report(db, **values) -> int:
    values["filters"] = json.dumps(values.get("filters") or {}, ensure_ascii=False, sort_keys=True)
    return db["followup_reports"].insert(values).last_pk


def update_report(db, report_id: int, **values) -> None:
    for column in ("filters", "content_json"):
        if column in values and not isinstance(values[column], str):
            values[column] = json.dumps(values[column], ensure_ascii=False, sort_keys=True)
    sets = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE followup_reports SET {sets} WHERE id = ?", [*values.values(), report_id])


def peek_number(db, body: str, year: int) -> int:
    """The number `next_number` would allocate now (nothing is reserved)."""
    row = db.execute("SELECT last_number FROM followup_report_counters WHERE body = ? AND year = ?",
                     [body, year]).fetchone()
    return (row[0] if row else 0) + 1


def next_number(db, body: str, year: int) -> int:
    """Allocate the next report number of a body in a year (inside the caller's transaction)."""
    db.execute("INSERT INTO followup_report_counters (body, year, last_number) VALUES (?, ?, 1) "
               "ON CONFLICT (body, year) DO UPDATE SET last_number = last_number + 1", [body, year])
    return db.execute("SELECT last_number FROM followup_report_counters WHERE body = ? AND year = ?",
                      [body, year]).fetchone()[0]


def find_by_pdf(db, sha256: str) -> dict | None:
    return _decode(one(db, "SELECT * FROM followup_reports WHERE sealed_pdf_sha256 = ? "
                            "OR final_pdf_sha256 = ? LIMIT 1", [sha256, sha256]))


def find_by_code(db, code: str) -> dict | None:
    """The final or sealed report whose content hash starts with `code` (see minutes.find_by_code)."""
    return _decode(one(db, "SELECT * FROM followup_reports WHERE content_sha256 >= ? AND content_sha256 < ? "
                            "ORDER BY id DESC LIMIT 1", [code, code + "g"]))
