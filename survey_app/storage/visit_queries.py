"""Read-only queries for the visit pages: the full-text search made safe for user
text, and the small lists the pages offer (units, delegations, members)."""
from __future__ import annotations

import re

from survey_app.storage import visits as visits_sql

_TERM = re.compile(r"[^\s\"]+")


def fts_terms(text: str) -> list[str]:
    """User text as FTS5 queries that cannot be a syntax error: each term becomes a
    quoted prefix phrase (`"pháp"*`, `"chế"*`), so `AND`, `*`, `(` or `"` are plain
    text. The index removes diacritics, so `Pháp chế` and `phap che` find the same visits."""
    return [f'"{term}"*' for term in _TERM.findall(text or "")[:12]]


def search(db, *, text: str = "", **filters) -> list[dict]:
    return visits_sql.search_visits(db, terms=fts_terms(text), **filters)


def delegation_options(db) -> list[dict]:
    return list(db.query("SELECT id, name, body, follow_up_days FROM delegations ORDER BY name"))


def unit_options(db) -> list[dict]:
    return list(db.query("SELECT id, name FROM units ORDER BY name"))

