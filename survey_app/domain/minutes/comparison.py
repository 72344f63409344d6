"""What a correction (đính chính) changed: the frozen contents of two versions compared
section by section, as text, so the signatories read what changed before signing.

A section is a heading of the minutes' body and the blocks under it; each block
gives lines (a paragraph, a bullet, a numbered recommendation with its deadline, a
figure, a checklist row). Lines are compared with difflib: kept, added or removed."""
from __future__ import annotations

import difflib

from survey_app.domain.minutes.context import build_context
from survey_app.domain.minutes.input import thaw
from survey_app.storage import minutes as sql

SUBJECT = "Trích yếu"


def _cell(value) -> str:
    if isinstance(value, dict):
        return " — ".join(_cell(v) for v in value.values() if isinstance(v, (str, int, float)) and str(v).strip())
    if isinstance(value, (list, tuple)):
        return " — ".join(_cell(v) for v in value)
    return str(value)


def _lines(block: dict) -> list[str]:
    if "text" in block:
        return [block["text"]]
    rows = block.get("items") or block.get("rows") or []
    return [_cell(row) for row in rows]


def sections(frozen: dict) -> dict[str, list[str]]:
    """{section heading: its lines} of a version's frozen input, in document order."""
    context = build_context(thaw(frozen))
    result, current = {SUBJECT: [context.get("subject", "")]}, SUBJECT
    for block in context["body"]:
        if block["type"] == "heading":
            current = block["text"]
            result.setdefault(current, [])
        else:
            result.setdefault(current, []).extend(line for line in _lines(block) if line.strip())
    return result


def compare(old: dict, new: dict) -> list[dict]:
    """The sections whose text changed between two frozen inputs: [{"heading", "lines":
    [{"change": "added" | "removed" | "same", "text"}]}]; a section only in one of them
    is wholly added or removed."""
    before, after = sections(old), sections(new)
    headings = list(after) + [h for h in before if h not in after]
    changed = []
    for heading in headings:
        a, b = before.get(heading, []), after.get(heading, [])
        if a == b:
            continue
        lines = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                lines += [{"change": "same", "text": t} for t in a[i1:i2]]
                continue
            lines += [{"change": "removed", "text": t} for t in a[i1:i2]]
            lines += [{"change": "added", "text": t} for t in b[j1:j2]]
        changed.append({"heading": heading, "lines": lines})
    return changed


def changes_of_correction(store, minutes: dict) -> dict | None:
    """For a frozen version that corrects an earlier one: {"corrects": that version's
    number, "sections": compare(...)}; None for any other version."""
    if not minutes.get("corrects") or not minutes.get("input_json"):
        return None
    previous = store.read(sql.get_version_by_id, minutes["corrects"])
    if previous is None or not previous.get("input_json"):
        return None
    return {"corrects": previous["version"], "sections": compare(previous["input_json"], minutes["input_json"])}
