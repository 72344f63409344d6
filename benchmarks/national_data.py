"""A national-scale follow-up data set written straight through the storage layer:
3,321 units (communes after the 2025 reform), 20,000 visits, 100,000 recommendations."""
from __future__ import annotations

import datetime as dt
import json
import random

from survey_app.clock import now_utc
from survey_app.text import fold, search_key

FULL = {"units": 3321, "visits": 20000, "recommendations": 100000, "delegations": 60}
QUICK = {"units": 400, "visits": 2000, "recommendations": 10000, "delegations": 10}
STATUSES = ("open", "open", "in_progress", "in_progress", "done", "not_done", "dropped")


def generate(store, sizes: dict, seed: int = 7) -> None:
    """Bulk inserts in one write transaction (executemany; no per-row sync)."""
    store.write(_generate, sizes, random.Random(seed))


def _generate(db, sizes, rnd) -> None:
    at = now_utc()
    db.execute("INSERT OR IGNORE INTO form_versions VALUES ('bench', 'ttpvhcc-xa', 1, '', ?)", [at])
    first_unit = db.execute("SELECT coalesce(max(id), 0) + 1 FROM units").fetchone()[0]
    names = [(f"UBND xã Thử nghiệm {i:04d}", f"xã {i}") for i in range(sizes["units"])]
    db.conn.executemany("INSERT INTO units (name, locality, name_key, locality_key, search_key) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(name, locality, fold(name), fold(locality), search_key(name)) for name, locality in names])
    first_delegation = db.execute("SELECT coalesce(max(id), 0) + 1 FROM delegations").fetchone()[0]
    db.conn.executemany("INSERT INTO delegations (name, body, follow_up_days, created_at) VALUES (?, ?, 90, ?)",
                        [(f"Đoàn khảo sát số {i}", "Ban Pháp chế", at) for i in range(sizes["delegations"])])
    start = dt.date(2023, 1, 1)
    visits = []
    for i in range(sizes["visits"]):
        day = start + dt.timedelta(days=rnd.randrange(1000))
        visits.append((f"bench-{i}", first_delegation + rnd.randrange(sizes["delegations"]),
                       first_unit + rnd.randrange(sizes["units"]), day.isoformat() + "T08:00:00+07:00"))
    db.conn.executemany(
        "INSERT INTO visits (uuid, delegation_id, unit_id, form_id, form_version, form_hash, status, started_at, "
        f"created_at, updated_at) VALUES (?, ?, ?, 'ttpvhcc-xa', 1, 'bench', 'signed', ?, '{at}', '{at}')", visits)
    rows = list(db.execute("SELECT id, delegation_id, unit_id, substr(started_at, 1, 10) FROM visits "
                           "WHERE uuid LIKE 'bench-%'"))
    _fields(db, rows, rnd, at)
    _recommendations(db, rows, sizes["recommendations"], rnd, at)
    db.execute("ANALYZE")


def _fields(db, rows, rnd, at) -> None:
    db.conn.executemany(
        "INSERT INTO visit_fields (visit_id, path, value, updated_at) VALUES (?, ?, ?, ?)",
        [(vid, f"indicators.{key}", json.dumps(rnd.randrange(50, 900)), at)
         for vid, *_ in rows for key in ("dossiers_received", "dossiers_resolved", "dossiers_online")])


def _recommendations(db, rows, count, rnd, at) -> None:
    items, recs = [], []
    first_item = db.execute("SELECT coalesce(max(id), 0) + 1 FROM visit_items").fetchone()[0]
    for n in range(count):
        vid, delegation, unit, day = rows[n % len(rows)]
        item_id = first_item + n
        due = (dt.date.fromisoformat(day) + dt.timedelta(days=rnd.choice((30, 90, 180, 365)))).isoformat()
        status = rnd.choice(STATUSES)
        text = f"Kiến nghị thử nghiệm số {n}: tăng cường cải cách hành chính"
        items.append((item_id, f"bench-item-{n}", vid, n, json.dumps({"text": text}, ensure_ascii=False), at))
        closed = due + "T10:00:00+00:00" if status in ("done", "dropped", "not_done") else None
        recs.append((item_id, vid, delegation, unit, text, due, status, 1 if status == "done" else None, closed, at))
    db.conn.executemany("INSERT INTO visit_items (id, uid, visit_id, kind, position, data, updated_at) "
                        "VALUES (?, ?, ?, 'recommendation', ?, ?, ?)", items)
    db.conn.executemany("INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, text, due, "
                        "status, accepted, closed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", recs)
