"""SQL for reminders by e-mail: the hosts' addresses and the log of digests sent.

A send is claimed first (a 'sending' row), then marked 'sent' or 'failed'; the
unique index `reminder_mail_once` lets a (unit, day, content, address) be claimed
or sent only once. A claim older than `stale_before` (a run that died mid-send)
is turned into 'failed' so that a later run may try again.
"""
from __future__ import annotations

import sqlite3


def hosts_with_email(db) -> dict[int, list[dict]]:
    """unit id → the active host accounts of that unit that have an address."""
    hosts: dict[int, list[dict]] = {}
    for row in db.query(
            "SELECT id, username, full_name, email, unit_id FROM users "
            "WHERE role = 'host' AND active = 1 AND email != '' AND unit_id IS NOT NULL "
            "ORDER BY unit_id, username"):
        hosts.setdefault(row["unit_id"], []).append(row)
    return hosts


def was_sent(db, unit_id: int, day: str, digest_sha256: str, address: str) -> bool:
    return db.execute(
        "SELECT 1 FROM reminder_mail WHERE unit_id = ? AND day = ? AND digest_sha256 = ? "
        "AND address = ? AND status = 'sent'", [unit_id, day, digest_sha256, address]).fetchone() is not None


def claim(db, *, unit_id: int, day: str, digest_sha256: str, address: str, user_id: int | None,
          items: int, at: str, stale_before: str) -> int | None:
    """Claim one send; None when it was sent already or another run is sending it."""
    db.execute(
        "UPDATE reminder_mail SET status = 'failed', error = 'interrupted' WHERE status = 'sending' "
        "AND unit_id = ? AND day = ? AND digest_sha256 = ? AND address = ? AND at < ?",
        [unit_id, day, digest_sha256, address, stale_before])
    try:
        return db["reminder_mail"].insert({
            "unit_id": unit_id, "day": day, "digest_sha256": digest_sha256, "address": address,
            "user_id": user_id, "status": "sending", "items": items, "at": at}).last_pk
    except sqlite3.IntegrityError:
        return None


def finish(db, send_id: int, *, status: str, at: str, error: str = "", message_id: str = "") -> None:
    db.execute("UPDATE reminder_mail SET status = ?, error = ?, message_id = ?, at = ? WHERE id = ?",
               [status, error[:500], message_id, at, send_id])


def sends(db, day: str | None = None) -> list[dict]:
    """The log, oldest first (of one day when given)."""
    where, params = ("WHERE day = ?", [day]) if day else ("", [])
    return list(db.query(f"SELECT * FROM reminder_mail {where} ORDER BY id", params))
