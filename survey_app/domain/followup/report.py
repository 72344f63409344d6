"""The follow-up report (báo cáo kết quả theo dõi thực hiện kiến nghị) for a period,
a delegation or a unit: plain data → PDF in the minutes' administrative format,
XLSX and CSV (UTF-8 with BOM); and the board's charts as script-free SVG (pygal)."""
from __future__ import annotations

from survey_app.markers import N_
import base64
import csv
import io
import re
import weakref

import pygal
from pygal.style import Style

from survey_app.formatting import format_date, format_long_date
from survey_app.storage import units as units_sql
from survey_app.storage import recommendations as sql
from survey_app.storage import visits as visits_sql
from survey_app.domain import access
from survey_app.domain.followup.operations import STATUS_LABELS, STATUSES
from survey_app.clock import today_vn
from survey_app.domain.minutes.input import symbol_of

CHART_STYLE = Style(background="white", plot_background="white", font_family="Liberation Sans, Arial, sans-serif",
                    colors=("#9aa5b1", "#1565c0", "#1f7a3d", "#b00020", "#5b6675"),
                    label_font_size=12, major_label_font_size=12, legend_font_size=12, title_font_size=15,
                    no_data_font_size=18)
COLUMNS = ("STT", "Kiến nghị", "Đơn vị thực hiện", "Đoàn", "Ngày khảo sát", "Hạn", "Trạng thái",
           "Quá hạn", "Cập nhật gần nhất")


def _no_script(svg: str) -> str:
    """pygal still embeds its config in a <script>; the charts must work without any."""
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)


def _chart(kind, title: str, **options):
    return kind(title=title, style=CHART_STYLE, disable_xml_declaration=True, js=[], width=760,
                height=380, legend_at_bottom=True, print_values=False, truncate_label=-1,
                truncate_legend=-1, **options)


def status_by_unit_svg(rows: list[dict]) -> str:
    """Stacked bars: status per unit (the units with the most active recommendations).
    Full unit names: a cut name ("…công xã…") no longer says which unit a bar is."""
    names = {r["unit_id"]: r["unit_name"] for r in rows}
    units = sorted(names, key=lambda unit_id: names[unit_id])
    chart = _chart(pygal.HorizontalStackedBar, "Trạng thái kiến nghị theo đơn vị")
    chart.x_labels = [names[unit_id] for unit_id in units]
    for status in STATUSES:
        counts = {r["unit_id"]: r["n"] for r in rows if r["status"] == status}
        chart.add(STATUS_LABELS[status], [counts.get(unit_id, 0) for unit_id in units])
    if not units:
        chart.no_data_text = "Chưa có số liệu"
    return _no_script(chart.render(is_unicode=True))


def closed_over_time_svg(rows: list[dict]) -> str:
    chart = _chart(pygal.Bar, "Kiến nghị đã kết thúc theo tháng", show_legend=False)
    chart.x_labels = [f"{r['month'][5:]}/{r['month'][:4]}" for r in rows]
    chart.add("Đã kết thúc", [r["n"] for r in rows])
    chart.no_data_text = "Chưa có số liệu"
    return _no_script(chart.render(is_unicode=True))


def chart_data(store, user: dict, filters: dict, today: str | None = None) -> dict:
    today = today or today_vn()
    filters = {**filters, "scope": access.scope(user)}
    return {"by_unit": store.read(sql.status_by_unit, filters, today),
            "closed": store.read(sql.closed_by_month, filters, today)}


_CHARTS: weakref.WeakKeyDictionary[object, dict[tuple, str]] = weakref.WeakKeyDictionary()
_CHART_RENDERERS = {"by_unit": status_by_unit_svg, "closed": closed_over_time_svg}


def chart_svg(store, user: dict, filters: dict, kind: str, today: str | None = None) -> str:
    """One board chart, rendered once per data revision, day, scope and filters: the
    grouping behind it reads every recommendation, so it is not redone per request."""
    today = today or today_vn()
    scoped = {**filters, "scope": access.scope(user)}
    key = (kind, store.read(sql.revision), today, repr(sorted(scoped.items())))
    cache = _CHARTS.setdefault(store, {})
    if key not in cache:
        if len(cache) > 256:  # old revisions and rare filters: start again
            cache.clear()
        query = sql.status_by_unit if kind == "by_unit" else sql.closed_by_month
        cache[key] = _CHART_RENDERERS[kind](store.read(query, scoped, today))
    return cache[key]


# ----------------------------------------------------------------- report data

def report_data(store, user: dict, filters: dict, today: str | None = None) -> dict:
    """Plain data of the report: title lines, counts and one row per recommendation."""
    today = today or today_vn()
    scoped = {**filters, "scope": access.scope(user)}
    rows = store.read(sql.all_rows, scoped, today)
    last = store.read(sql.last_updates, [r["item_id"] for r in rows], access.history_unit(user))
    counts = store.read(sql.counts, scoped, today)
    table = [_table_row(i + 1, r, last.get(r["item_id"])) for i, r in enumerate(rows)]
    charts = chart_data(store, user, filters, today)
    scope = scoped["scope"]
    return {"subject": _subject(store, filters, scope), "today": today, "rows": table,
            **_issuer(store, filters, rows, scope),
            "counts": [(STATUS_LABELS[s], counts.get(s, 0)) for s in STATUSES],
            "overdue": counts.get("overdue", 0), "total": len(rows),
            "charts": [status_by_unit_svg(charts["by_unit"])] +
            ([closed_over_time_svg(charts["closed"])] if charts["closed"] else [])}


def _table_row(index: int, row: dict, update: dict | None) -> list:
    last = ""
    if update:
        last = f"{format_date(update['at'][:10])} {update['author_name']}: {update['note']}".strip(": ")
    return [index, row["text"], row["unit_name"], row["delegation_name"], format_date(row["visit_date"]),
            format_date(row["due"]), STATUS_LABELS[row["status"]] + (" (chờ xác nhận)" if row["status"] == "done"
                                                                    and row["accepted"] == 0 else ""),
            "Quá hạn" if row["overdue"] else "", last]


def _subject(store, filters: dict, scope) -> str:
    """What the report covers; a delegation or unit outside the user's scope is not
    named (its rows are not in the report either)."""
    parts = []
    if filters.get("visit_from") or filters.get("visit_to"):
        parts.append(f"các chuyến khảo sát từ ngày {format_date(filters.get('visit_from')) or '…'} "
                     f"đến ngày {format_date(filters.get('visit_to')) or '…'}")
    if filters.get("delegation_id"):
        delegation = store.read(visits_sql.delegation_in_scope, scope, filters["delegation_id"])
        parts.append(delegation["name"] if delegation else "")
    if filters.get("unit_id"):
        unit = store.read(units_sql.unit_in_scope, scope, filters["unit_id"])
        parts.append(f"đơn vị {unit['name']}" if unit else "")
    return "; ".join(p for p in parts if p) or "tất cả kiến nghị"


def _issuer(store, filters: dict, rows: list[dict], scope) -> dict:
    """Who issues the report: the delegation's body when the report covers one
    delegation (by filter or because every row is of it), else the committee."""
    ids = {filters["delegation_id"]} if filters.get("delegation_id") else {r["delegation_id"] for r in rows}
    delegation = store.read(visits_sql.delegation_in_scope, scope, ids.pop()) if len(ids) == 1 else None
    body = delegation["body"] if delegation else "Ban Pháp chế"
    parent = (delegation or {}).get("parent_body") or "HĐND tỉnh Gia Lai"
    symbol = symbol_of(body).replace("BB-", "BC-", 1)
    return {"issuing_body": body.upper(), "parent_body": parent.upper(), "number_line": f"Số:      /{symbol}"}


# ----------------------------------------------------------------- documents

def report_pdf(data: dict) -> bytes:
    from survey_app.documents.render import render_pdf, template_environment
    charts = ["data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() for svg in data["charts"]]
    html = template_environment().get_template("followup/report.html").render(
        **data, columns=COLUMNS, chart_uris=charts,
        place_date=f"Gia Lai, {format_long_date(data['today'])}")
    return render_pdf(html)


def report_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    book = Workbook()
    sheet = book.active
    sheet.title = "Kiến nghị"
    sheet.append(["BÁO CÁO KẾT QUẢ THEO DÕI THỰC HIỆN KIẾN NGHỊ"])
    _append_text(sheet, [data["subject"]])
    sheet.append([])
    sheet.append(list(COLUMNS))
    for row in data["rows"]:
        _append_text(sheet, row)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (6, 60, 32, 32, 14, 12, 20, 10, 50)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary = book.create_sheet("Tổng hợp")
    summary.append(["Trạng thái", "Số kiến nghị"])
    for label, count in data["counts"]:
        summary.append([label, count])
    summary.append(["Quá hạn", data["overdue"]])
    summary.append(["Tổng số", data["total"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append_text(sheet, values: list) -> None:
    """Append a row whose strings stay strings: openpyxl reads a leading '=' as a
    formula, and a user's text (a recommendation, a unit's name) must never run as
    one (=HYPERLINK(...), =WEBSERVICE(...))."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


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

def unit_overview(store, forms, user: dict, unit_id: int, today: str | None = None) -> dict:
    """What a delegation reads before a repeat visit: the visits to the unit (oldest
    first), each visit's figures side by side with the change since the previous one,
    and the recommendations made to the unit with their status."""
    from survey_app.domain.errors import NotFound
    today = today or today_vn()
    unit = store.read(units_sql.get_unit, unit_id)
    scope = access.scope(user)
    if unit is None or not access.can_view_unit(user, unit_id):
        raise NotFound(N_("Không tìm thấy đơn vị."))
    visits = list(reversed(store.read(sql.visits_of_unit, unit_id, scope)))
    values = store.read(sql.indicators_of, [v["id"] for v in visits])
    return {"unit": unit, "visits": visits, "figures": _figure_rows(forms, visits, values),
            "recommendations": store.read(sql.of_unit, unit_id, {"scope": scope}, today), "today": today}


def _figure_rows(forms, visits: list[dict], values: dict) -> list[dict]:
    import json
    labels: dict[str, tuple[str, str]] = {}
    for visit in visits:
        form = forms.get(visit["form_id"])
        for indicator in getattr(form, "indicators", ()):
            labels.setdefault(indicator.key, (indicator.label, indicator.unit))
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
