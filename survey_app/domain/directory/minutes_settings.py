"""A delegation's own wording of its minutes: the place of the date line, the copies
and who keeps them, Nơi nhận (the distribution block). Each is optional: NULL until
chosen, and the API shows a field only then; the minutes print the default
(`domain/minutes/input.py`) otherwise. `HOST` in a holder or a recipient line stands
for the unit of each visit ("UBND xã Hra")."""
from __future__ import annotations

import json

from survey_app.markers import N_
from survey_app.domain.errors import DomainError

FIELDS = ("minutes_place", "minutes_copies", "minutes_recipients")
HOST = "[Đơn vị được khảo sát]"
MAX_LINES, MAX_COPIES = 15, 20


MESSAGES = {"minutes_place": N_("Vui lòng nhập địa danh ở dòng ngày tháng của biên bản (tối đa %(limit)s ký tự)."),
            "minutes_copies": N_("Vui lòng nhập tên nơi giữ biên bản (tối đa %(limit)s ký tự)."),
            "minutes_recipients": N_("Vui lòng nhập mỗi nơi được gửi biên bản trên một dòng (tối đa %(limit)s ký tự).")}


def _line(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise DomainError(MESSAGES[field.split("[")[0]], field, limit=limit)
    return " ".join(value.split())


def _copies(value) -> list[dict]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LINES:
        raise DomainError(N_("Vui lòng nhập danh sách nơi giữ biên bản, mỗi nơi một số bản."), "minutes_copies")
    rows = []
    for index, row in enumerate(value):
        field = f"minutes_copies[{index}]"
        if not isinstance(row, dict) or set(row) != {"holder", "copies"}:
            raise DomainError(N_("Vui lòng ghi mỗi nơi giữ biên bản kèm số bản."), field)
        copies = row["copies"]
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
            raise DomainError(N_("Vui lòng nhập số bản từ 1 đến %(maximum)s."), f"{field}.copies",
                              maximum=MAX_COPIES)
        rows.append({"holder": _line(row["holder"], f"{field}.holder", 200), "copies": copies})
    return rows


def _recipients(value) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LINES:
        raise DomainError(N_("Vui lòng nhập các nơi được gửi biên bản, mỗi nơi một dòng (tối đa %(maximum)s dòng)."),
                          "minutes_recipients", maximum=MAX_LINES)
    return [_line(line, "minutes_recipients", 300).lstrip("- ").rstrip(";.") for line in value]


def parse(data: dict) -> dict:
    """The checked settings among `data`'s keys; null clears one (back to the default)."""
    values: dict = {}
    checks = {"minutes_place": lambda v: _line(v, "minutes_place", 100),
              "minutes_copies": _copies, "minutes_recipients": _recipients}
    for key, check in checks.items():
        if key in data:
            values[key] = None if data[key] is None else check(data[key])
    return values


def columns(values: dict) -> dict:
    return {key: value if key == "minutes_place" or value is None else json.dumps(value, ensure_ascii=False)
            for key, value in values.items() if key in FIELDS}


def public(row: dict) -> dict:
    """The chosen settings as the API shows them (none chosen: none shown)."""
    shown = {}
    for key in FIELDS:
        value = row.get(key)
        if value is not None:
            shown[key] = value if key == "minutes_place" else json.loads(value)
    return shown


def copies_lines(rows: list[dict]) -> str:
    """The edit page's text: one `holder: copies` a line."""
    return "\n".join(f"{row['holder']}: {row['copies']}" for row in rows)


def copies_from_lines(text: str) -> list[dict] | None:
    """`Đoàn khảo sát: 2` a line → [{holder, copies}]; a line without a number is refused
    by `parse` (copies stays text)."""
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            holder, _, copies = line.rpartition(":")
            copies = copies.strip()
            rows.append({"holder": holder.strip() if holder else line.strip(),
                         "copies": int(copies) if copies.isdigit() else copies})
    return rows or None
