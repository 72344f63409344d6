"""The long lists of the follow-up pages, built row by row in Python.

The board shows 50 recommendations a page and a unit page can list a hundred.
Through Jinja each row costs about a tenth of a millisecond (an attribute lookup,
a filter or a macro call per cell), more than the SQL that found it; issue 5 asks
those pages to stay within three times their SQL. The markup is the same as a
template would give, and every text from the database or the user goes through `html.escape`.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape as _html_escape

from markupsafe import Markup

from survey_app import formatting

_OVERDUE = ' class="overdue"'


def escape(text) -> str:
    """`html.escape`, after a quick look: most texts have nothing to escape."""
    text = str(text)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return _html_escape(text)
    return text


def shorten(text: str, length: int = 160) -> str:
    """Jinja's `truncate(length)`: whole words, `...` at the end, 5 characters of leeway."""
    text = text or ""
    if len(text) <= length + 5:
        return text
    return text[:length - 3].rsplit(" ", 1)[0] + "..."


def status_cell(row: dict, words: dict) -> Markup:
    """The status label, then 'awaiting confirmation' for a done claim not yet
    accepted and 'overdue' when the due date has passed."""
    return Markup(_status(row["status"], row["status"] == "done" and row["accepted"] == 0,
                          bool(row["overdue"]), words))


def _status(status: str, pending: bool, late: bool, words: dict) -> str:
    html = f'<span class="st st-{escape(status)}">{escape(words[status])}</span>'
    if pending:
        html += f' <span class="pending-tag">{escape(words["pending"])}</span>'
    if late:
        html += f' <span class="late-tag">{escape(words["late"])}</span>'
    return html


class _StatusCells(dict):
    """The status cell of each (status, awaiting confirmation, overdue), made once a page."""

    def __init__(self, words: dict):
        super().__init__()
        self.words = words

    def of(self, row: dict) -> str:
        key = (row["status"], row["status"] == "done" and row["accepted"] == 0, bool(row["overdue"]))
        if key not in self:
            self[key] = _status(*key, self.words)
        return self[key]


def board_rows(rows: list[dict], helpers: dict) -> Markup:
    """The board's table body: text, unit, delegation with the visit date, due date, status."""
    day, status = helpers["day"], _StatusCells(helpers["words"])
    detail, unit = escape(helpers["detail_url"]), escape(helpers["unit_url"])
    return Markup("".join(
        f'<tr{_OVERDUE if r["overdue"] else ""}>\n'
        f'      <td class="text"><a href="{detail}{int(r["item_id"])}">{escape(shorten(r["text"]))}</a></td>\n'
        f'      <td><a href="{unit}{int(r["unit_id"])}">{escape(r["unit_name"] or "")}</a></td>\n'
        f'      <td class="hide-sm">{escape(r["delegation_name"] or "")}<br>'
        f'<span class="muted">{day(r["visit_date"])}</span></td>\n'
        f'      <td class="day">{day(r["due"])}</td>\n      <td>{status.of(r)}</td>\n    </tr>\n'
        for r in rows))


def unit_rows(rows: list[dict], unit_id: int, helpers: dict) -> Markup:
    """Recommendations made on visits to the unit; one addressed to another body (the
    commune's People's Committee, say) names that body under its text."""
    day, status = helpers["day"], _StatusCells(helpers["words"])
    detail, other = escape(helpers["detail_url"]), escape(helpers["other_unit_label"])
    return Markup("".join(
        f'<tr{_OVERDUE if r["overdue"] else ""}><td class="text">'
        f'<a href="{detail}{int(r["item_id"])}">{escape(shorten(r["text"]))}</a>'
        + (f'<br><span class="muted">{other}: {escape(r["unit_name"] or "")}</span>' if r["unit_id"] != unit_id else "")
        + f'</td>\n      <td class="hide-sm day">{day(r["visit_date"])}</td>'
        f'<td class="day">{day(r["due"])}</td><td>{status.of(r)}</td></tr>\n'
        for r in rows))


def visit_heads(visits: list[dict], day) -> Markup:
    """A header cell per visit to the unit: its date, and the delegation under it."""
    return Markup("".join(f'<th class="num">{day(v["started_at"])}<br>'
                          f'<span class="muted">{escape(shorten(v["delegation_name"] or "", 40))}</span></th>'
                          for v in visits))


def figure_rows(figures: list[dict], locale: str) -> Markup:
    """A row per indicator: its value at each visit and, in brackets, the change since
    the visit before (`up` or `down`)."""
    def number(value) -> str:
        return escape(formatting.format_number(value, None, locale))

    def cell(value, change) -> str:
        text = number(value) if value is not None else "—"
        if change:
            sign, direction = ("+", "up") if change > 0 else ("", "down")
            text += f' <span class="{direction}">({sign}{number(change)})</span>'
        return f'<td class="num">{text}</td>'

    return Markup("".join(
        f'<tr><td>{escape(f["label"])}{_unit_of(f)}</td>{"".join(cell(c["value"], c["change"]) for c in f["cells"])}</tr>\n'
        for f in figures))


def _unit_of(figure: dict) -> str:
    return f' <span class="muted">({escape(figure["unit"])})</span>' if figure["unit"] else ""


def options(pairs, selected=None) -> Markup:
    """`<option>`s of a filter from (id, name) pairs, the one with id `selected` marked."""
    return Markup("".join(
        f'<option value="{int(i)}"{" selected" if i == selected else ""}>{escape(name or "")}</option>'
        for i, name in pairs))


def day_formatter(locale: str):
    """`2025-10-13` → `13/10/2025` (vi) for ISO dates from the database, by slicing;
    anything else goes through `formatting.format_date`. The result has only digits
    and separators, so it needs no escaping. A list repeats the same days, so each
    is worked out once."""
    @lru_cache(maxsize=4096)
    def day(value) -> str:
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" \
                and value.replace("-", "").isdigit():
            return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if locale == "vi" else value
        return formatting.format_date(value, locale)
    return day
