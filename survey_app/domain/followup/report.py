"""The follow-up report (báo cáo kết quả theo dõi thực hiện kiến nghị) for a period,
a delegation or a unit: plain data → PDF in the minutes' administrative format (its
number, signer and seal: `reports.py`) and CSV (UTF-8 with BOM); the spreadsheet is
`spreadsheet.py`, the charts `charts.py`."""
from __future__ import annotations

from survey_app.checklists.spec import own_text
from survey_app.markers import N_
import base64
import csv
import io
from survey_app.formatting import format_date, format_long_date
from survey_app.storage import units as units_sql
from survey_app.storage import recommendations as sql
from survey_app.storage import visits as visits_sql
from survey_app.storage import delegations as delegations_sql
from survey_app.domain import access
from survey_app.domain.followup.operations import STATUS_LABELS, STATUSES
from survey_app.clock import today_vn
from survey_app.domain.directory.issuing import issuing_place, symbol_of
from survey_app.domain.followup.charts import (  # noqa: F401  (the board's charts)
    chart_data, chart_svg, closed_over_time_svg, status_by_unit_svg,
)

DEFAULT_BODY, DEFAULT_PARENT = "Ban Pháp chế", "HĐND tỉnh Gia Lai"
DEFAULT_PLACE = "Gia Lai"  # reports issued before the place followed the body's province
DEFAULT_SIGNER_TITLE = "Trưởng ban"
COLUMNS = ("STT", "Kiến nghị", "Đơn vị thực hiện", "Đoàn", "Ngày khảo sát", "Hạn", "Trạng thái",
           "Quá hạn", "Cập nhật gần nhất")


# ----------------------------------------------------------------- report data

def report_data(store, user: dict, filters: dict, today: str | None = None) -> dict:
    """Plain data of the report: title lines, counts and one row per recommendation."""
    today = today or today_vn()
    scoped = {**filters, "scope": access.scope(user)}
    rows = store.read(sql.all_rows, scoped, today)
    last = store.read(sql.last_updates, [r["item_id"] for r in rows], access.history_unit(user))
    counts = store.read(sql.counts, scoped, today)
    table = [_table_row(i + 1, r, last.get(r["item_id"])) for i, r in enumerate(rows)]
    records = [_record(i + 1, r, last.get(r["item_id"])) for i, r in enumerate(rows)]
    charts = chart_data(store, user, filters, today)
    scope = scoped["scope"]
    issuer = _issuer(store, filters, rows, scope)
    return {"subject": _subject(store, filters, scope), "today": today, "rows": table, "records": records,
            "by_unit": _grouped(records, "unit"), "by_delegation": _grouped(records, "delegation"),
            **issuer, "signer": {"name": issuer["default_signer"], "title": DEFAULT_SIGNER_TITLE},
            "counts": [(STATUS_LABELS[s], counts.get(s, 0)) for s in STATUSES],
            "overdue": counts.get("overdue", 0), "total": len(rows),
            "charts": [status_by_unit_svg(charts["by_unit"])] +
            ([closed_over_time_svg(charts["closed"])] if charts["closed"] else [])}


def _table_row(index: int, row: dict, update: dict | None) -> list:
    last = ""
    if update:
        last = f"{format_date(update['at'][:10])} {update['author_name']}: {update['note']}".strip(": ")
    return [index, row["text"], row["unit_name"], row["delegation_name"], origin_text(row),
            format_date(row["due"]), STATUS_LABELS[row["status"]] + (" (chờ xác nhận)" if row["status"] == "done"
                                                                    and row["accepted"] == 0 else ""),
            "Quá hạn" if row["overdue"] else "", last]


def report_reference(row: dict) -> str:
    """"Báo cáo số 01/BC-BPC" of a survey report's own recommendation."""
    return f"Báo cáo số {row['report_number'] or 0:02d}/{row['report_symbol'] or ''}"


def _origin_date(row: dict) -> str | None:
    """The date a recommendation was made: its visit's, or its survey report's."""
    return (row["visit_date"] or row.get("report_date") or "")[:10] or None


def origin_text(row: dict) -> str:
    """The "Ngày khảo sát" cell: the visit's date, or for a survey report's own
    recommendation (no visit) the report that made it, with its date."""
    if row.get("report_id") and not row["visit_date"]:
        date = format_date(row.get("report_date"))
        return report_reference(row) + (f" ngày {date}" if date else "")
    return format_date(row["visit_date"])


def _record(index: int, row: dict, update: dict | None) -> dict:
    """One recommendation with typed values (ISO dates, booleans), for the spreadsheet."""
    return {"index": index, "text": row["text"], "unit": row["unit_name"], "delegation": row["delegation_name"],
            "visit_date": _origin_date(row), "report": origin_text(row) if row.get("report_id") and not row["visit_date"] else None, "due": row["due"] or None,
            "status": row["status"], "status_label": STATUS_LABELS[row["status"]],
            "awaiting_acceptance": row["status"] == "done" and row["accepted"] == 0,
            "overdue": bool(row["overdue"]), "last_update_at": update["at"][:10] if update else None,
            "last_update": f"{update['author_name']}: {update['note']}".strip(": ") if update else ""}


def _grouped(records: list[dict], key: str) -> list[dict]:
    """Counts per unit or per delegation: {name, status: n…, overdue, total}, by name."""
    groups: dict[str, dict] = {}
    for record in records:
        group = groups.setdefault(record[key], {"name": record[key], **{s: 0 for s in STATUSES},
                                                "overdue": 0, "total": 0})
        group[record["status"]] += 1
        group["overdue"] += record["overdue"]
        group["total"] += 1
    return [groups[name] for name in sorted(groups)]


def _subject(store, filters: dict, scope) -> str:
    """What the report covers, in words, to follow "Kết quả theo dõi thực hiện": whose
    recommendations, to which unit, made on the visits of which period. A delegation or
    unit outside the user's scope is not named (its rows are not in the report either)."""
    delegation = unit = None
    if filters.get("delegation_id"):
        delegation = store.read(visits_sql.delegation_in_scope, scope, filters["delegation_id"])
    if filters.get("unit_id"):
        unit = store.read(units_sql.unit_in_scope, scope, filters["unit_id"])
    text = f"các kiến nghị của {delegation['name']}" if delegation else "các kiến nghị của các đoàn khảo sát"
    text += f" đối với {unit['name']}" if unit else " đối với các đơn vị được khảo sát"
    start, end = format_date(filters.get("visit_from")), format_date(filters.get("visit_to"))
    if start and end:
        text += f", qua các buổi khảo sát từ ngày {start} đến ngày {end}"
    elif start:
        text += f", qua các buổi khảo sát từ ngày {start}"
    elif end:
        text += f", qua các buổi khảo sát đến ngày {end}"
    return text


def _issuer(store, filters: dict, rows: list[dict], scope) -> dict:
    """Who issues and signs the report: the delegation's body when the report covers one
    delegation (by filter or because every row is of it), else the committee; signed
    on behalf of the body (TM.) by its head, by default the delegation's head."""
    ids = {filters["delegation_id"]} if filters.get("delegation_id") else {r["delegation_id"] for r in rows}
    delegation = store.read(visits_sql.delegation_in_scope, scope, ids.pop()) if len(ids) == 1 else None
    body = delegation["body"] if delegation else DEFAULT_BODY
    parent = (delegation or {}).get("parent_body") or DEFAULT_PARENT
    symbol = f"BC-{delegation['symbol']}" if delegation and delegation.get("symbol") else \
        symbol_of(body).replace("BB-", "BC-", 1)
    head = next((m["name"] for m in store.read(delegations_sql.list_members, delegation["id"])
                 if m["role"] == "head"), "") if delegation else ""
    place = issuing_place(parent, body, (delegation or {}).get("minutes_place"), DEFAULT_PLACE)
    return {"body": body, "symbol": symbol, "issuing_body": body.upper(), "parent_body": parent.upper(), "place": place,
            "number_line": f"Số:      /{symbol}", "default_signer": head}


def signer_lines(body: str, title: str) -> list[str]:
    """The title lines above a signature on behalf of a body (Decree 30: "TM. …")."""
    return [f"TM. {body.upper()}", (title or DEFAULT_SIGNER_TITLE).upper()]


# ----------------------------------------------------------------- documents

SEAL_ELEMENT = "dau-ky-so"  # the minutes' id of the visible seal, which the sealing places over


def report_pdf(data: dict, *, seal: dict | None = None, placed: bool = False):
    """The report's PDF (PDF/A-3b); with `placed`, also where the visible seal is
    (`(page, box)` or None), for the signature field laid over it."""
    from survey_app.documents.render import render_pdf, render_pdf_placed, template_environment
    charts = ["data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() for svg in data["charts"]]
    signer = data.get("signer") or {}
    html = template_environment().get_template("followup/report.html").render(
        **data, columns=COLUMNS, chart_uris=charts, seal=seal,
        signer_lines=signer_lines(data.get("body") or DEFAULT_BODY, signer.get("title", "")),
        signer_name=signer.get("name", ""), today_text=format_date(data["today"]),
        place_date=f"{data.get('place') or DEFAULT_PLACE}, {format_long_date(data.get('issued') or data['today'])}")
    return render_pdf_placed(html, SEAL_ELEMENT) if placed else render_pdf(html)


# What a spreadsheet opening a CSV reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell for the CSV: a text starting like a formula gets a leading apostrophe,
    which spreadsheets show as text and do not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def report_csv(data: dict) -> bytes:
    """UTF-8 with BOM, so Excel shows Vietnamese correctly; no cell runs as a formula."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows([csv_safe(value) for value in row] for row in data["rows"])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


# ----------------------------------------------------------------- unit page

def unit_overview(store, forms, user: dict, unit_id: int, today: str | None = None,
                  locale: str = "vi") -> dict:
    """What a delegation reads before a repeat visit: the visits to the unit (oldest
    first), each visit's figures side by side with the change since the previous one
    (the forms' labels in `locale`), and the recommendations made to the unit with
    their status."""
    from survey_app.domain.errors import NotFound
    today = today or today_vn()
    unit = store.read(units_sql.get_unit, unit_id)
    scope = access.scope(user)
    if unit is None or not access.can_view_unit(user, unit_id):
        raise NotFound(N_("Không tìm thấy đơn vị."))
    visits = list(reversed(store.read(sql.visits_of_unit, unit_id, scope)))
    values = store.read(sql.indicators_of, [v["id"] for v in visits])
    return {"unit": unit, "visits": visits, "figures": _figure_rows(forms, visits, values, locale),
            "recommendations": store.read(sql.of_unit, unit_id, {"scope": scope}, today), "today": today}


def _figure_rows(forms, visits: list[dict], values: dict, locale: str = "vi") -> list[dict]:
    import json
    labels: dict[str, tuple[str, str]] = {}
    for visit in visits:
        form = forms.get(visit["form_id"])
        for indicator in getattr(form, "indicators", ()):
            labels.setdefault(indicator.key, (own_text(indicator, "label", locale),
                                              own_text(indicator, "unit", locale)))
    keys = sorted({k for v in values.values() for k in v}, key=lambda k: (k not in labels, k))
    rows = []
    for key in keys:
        cells, previous = [], None
        for visit in visits:
            raw = values.get(visit["id"], {}).get(key)
            value = None if raw is None else int(raw) if raw.isdigit() else json.loads(raw)
            change = value - previous if isinstance(value, (int, float)) and isinstance(previous, (int, float)) else None
            cells.append({"value": value, "change": change})
            previous = value if value is not None else previous
        label, unit = labels.get(key, (key, ""))
        rows.append({"key": key, "label": label, "unit": unit, "cells": cells})
    return rows
