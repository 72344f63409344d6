"""Names as compared and searched: one rule for every directory (units, delegations).

`fold` is the key of a duplicate: NFC, Vietnamese case folding ("XÃ" and "xã" are one
letter), spaces collapsed; "UBND xã Hra" and "ubnd  XÃ hra" fold alike.
`search_key` also drops the diacritics (and đ → d), so a search typed without the
Vietnamese keyboard ("ia hru") finds "Ia Hrú"."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """A name as compared for duplicates: NFC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def search_key(text: str) -> str:
    """A name as searched: folded, without diacritics, đ written d."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
