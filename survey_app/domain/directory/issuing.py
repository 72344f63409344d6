"""How a body's documents are numbered and dated, one rule for the minutes, the survey
plan and the survey report: the symbol's initials (`BB-BPC`) and the place of the
date line (Decree 30/2020/NĐ-CP: the province of a provincial body)."""
from __future__ import annotations

import re
import unicodedata


def symbol_of(body: str) -> str:
    """`Ban Pháp chế` → `BB-BPC`: the initials of the issuing body."""
    words = [w for w in body.replace("-", " ").split() if w[:1].isalpha()]
    initials = "".join(unicodedata.normalize("NFD", w[0])[0].upper() for w in words)
    return f"BB-{initials}" if initials else "BB"


PROVINCE = re.compile(r"\b(?:tỉnh|thành phố)\s+(.+)$", re.IGNORECASE)


def issuing_place(parent_body: str, body: str = "", override: str | None = None, fallback: str = "") -> str:
    """The place of the date line (Decree 30): the province of a provincial body
    ("HĐND tỉnh Gia Lai" → "Gia Lai"), unless the delegation chose its own; the same in
    every document of that body (minutes, survey report)."""
    if override:
        return override
    for name in (parent_body or "", body or ""):
        match = PROVINCE.search(name.strip())
        if match:
            return match.group(1).strip()
    return fallback
