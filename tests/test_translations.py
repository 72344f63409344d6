"""English second: every text the code and templates mark for translation has an
English entry, so an English page never falls back to Vietnamese in places (the
catalogue is refreshed with `make i18n-update`)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None, "_l": None,
            "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "NP_": ((1, "c"), 2, 3)}


def _marked() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_marked_text_has_an_english_translation():
    with open(ROOT / "survey_app/translations/en/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(po) if m.id}
    marked = _marked()
    assert len(marked) > 300  # the extraction did find the texts
    missing = sorted(text for text in marked if text not in catalogue or not catalogue[text].string
                     or catalogue[text].fuzzy)
    assert not missing, f"no English translation (run make i18n-update, then translate): {missing[:10]}"
