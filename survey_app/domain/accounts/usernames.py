"""Usernames that cannot look like another: a safe ASCII set, checked after NFKC.

A name is accepted only when it is already what normalisation makes of it, so
fullwidth letters (`ａｄｍｉｎ`), Cyrillic look-alikes (`аdmin`), zero-width spaces,
decomposed (NFD) accents and right-to-left overrides are refused with one message
instead of becoming a second account that reads like the first.
"""
from __future__ import annotations

import re
import unicodedata

from survey_app.domain.errors import DomainError
from survey_app.markers import N_

PATTERN = re.compile(r"[a-z0-9._-]{2,64}")  # 2: existing accounts such as "h2"
REFUSED = N_("Tên đăng nhập không hợp lệ. Vui lòng chỉ dùng chữ cái không dấu (a–z), "
             "chữ số và các dấu chấm, gạch dưới, gạch ngang; dài từ 2 đến 64 ký tự.")


def normalise(text: str) -> str:
    """The canonical form of a typed username: NFKC, trimmed, lower case. Sign-in
    looks users up and counts failures under this form."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def check(text: str) -> str:
    """The username to store, or a DomainError naming the field."""
    name = normalise(text)
    if not PATTERN.fullmatch(name) or name != (text or "").strip().lower():
        raise DomainError(REFUSED, "username")
    return name
