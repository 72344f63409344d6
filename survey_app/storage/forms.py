"""SQL for the forms published through the application: publications (form id,
version, content hash of the text kept in form_versions) and retirements."""
from __future__ import annotations


def publish(db, form_id: str, version: int, content_hash: str, at: str, user_id: int | None) -> None:
    db.execute("INSERT INTO form_publications VALUES (?, ?, ?, ?, ?)",
               [form_id, version, content_hash, at, user_id])


def latest_publications(db) -> list[dict]:
    """The newest publication of every form id, with its text."""
    return list(db.query("""
        SELECT p.form_id, p.version, p.content_hash, p.published_at, v.source
        FROM form_publications p JOIN form_versions v ON v.content_hash = p.content_hash
        WHERE p.version = (SELECT max(version) FROM form_publications q WHERE q.form_id = p.form_id)
        ORDER BY p.form_id"""))


def publications_of(db, form_id: str) -> list[dict]:
    return list(db.query("""
        SELECT p.form_id, p.version, p.content_hash, p.published_at, u.full_name AS published_by
        FROM form_publications p LEFT JOIN users u ON u.id = p.published_by
        WHERE p.form_id = ? ORDER BY p.version DESC""", [form_id]))


def version_hashes(db) -> set[str]:
    """The content hashes of every form text kept (published or used by a visit)."""
    return {row["content_hash"] for row in db.query("SELECT content_hash FROM form_versions")}


def retired_ids(db) -> set[str]:
    return {row["form_id"] for row in db.query("SELECT form_id FROM form_retirements")}


def retire(db, form_id: str, at: str, user_id: int | None) -> None:
    db.execute("INSERT OR IGNORE INTO form_retirements VALUES (?, ?, ?)", [form_id, at, user_id])


def reinstate(db, form_id: str) -> None:
    db.execute("DELETE FROM form_retirements WHERE form_id = ?", [form_id])


def visits_per_version(db, form_id: str) -> dict[int, int]:
    return {row["form_version"]: row["n"] for row in db.query(
        "SELECT form_version, count(*) AS n FROM visits WHERE form_id = ? GROUP BY form_version",
        [form_id])}
