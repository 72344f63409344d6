"""The follow-up charts as script-free SVG (pygal): on the board and in the report.

Counts are whole numbers, so the value axis shows whole numbers only (pygal's own
ticks go 0.1 … 0.9 when every count is 1); every status has its own colour (the
Okabe–Ito palette, told apart also with a colour vision deficiency) and the legend
names them; the text stays readable when the chart is printed 160 mm wide. Titles,
legends and "no data" go through the reader's `gettext` (Vietnamese by default, as the
printed report has them; the board passes the page's)."""
from __future__ import annotations

import re
import weakref
from typing import Callable

import pygal
from pygal.style import Style

from survey_app.clock import today_vn
from survey_app.domain import access
from survey_app.domain.followup.operations import STATUS_LABELS, STATUSES
from survey_app.markers import N_
from survey_app.storage import recommendations as sql

STATUS_COLOURS = {"open": "#E69F00", "in_progress": "#0072B2", "done": "#009E73",
                  "not_done": "#D55E00", "dropped": "#6F6F6F"}
WIDTH = 640  # px; printed 160 mm wide, a 15 px label is about 10.5 pt
CHART_STYLE = Style(background="white", plot_background="white", font_family="Liberation Sans, Arial, sans-serif",
                    colors=tuple(STATUS_COLOURS[s] for s in STATUSES),
                    label_font_size=15, major_label_font_size=15, legend_font_size=15, title_font_size=18,
                    value_font_size=14, no_data_font_size=18)
CLOSED_STYLE = Style(**{**CHART_STYLE.to_dict(), "colors": (STATUS_COLOURS["done"],)})


def whole_ticks(top: int, most: int = 10) -> list[int]:
    """0 … at least `top` in whole steps of 1, 2 or 5 × 10ⁿ, at most `most` + 1 ticks."""
    top = max(int(top), 1)
    step, scale = 1, 1
    while True:
        for factor in (1, 2, 5):
            step = factor * scale
            if -(-top // step) <= most:
                last = -(-top // step) * step
                return list(range(0, last + 1, step))
        scale *= 10


def _no_script(svg: str) -> str:
    """pygal still embeds its config in a <script>; the charts must work without any."""
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)


def _chart(kind, title: str, top: int, style: Style = CHART_STYLE, **options):
    ticks = whole_ticks(top)
    return kind(title=title, style=style, disable_xml_declaration=True, js=[], width=WIDTH,
                legend_at_bottom=True, legend_at_bottom_columns=1, print_values=False, truncate_label=-1,
                truncate_legend=-1, y_labels=ticks, range=(0, ticks[-1]), **options)


NO_DATA = N_("Chưa có số liệu")


def status_by_unit_svg(rows: list[dict], gettext: Callable[[str], str] = str) -> str:
    """Stacked bars: status per unit (the units with the most active recommendations).
    Full unit names: a cut name ("…công xã…") no longer says which unit a bar is."""
    names = {r["unit_id"]: r["unit_name"] for r in rows}
    units = sorted(names, key=lambda unit_id: names[unit_id])
    totals = {unit_id: sum(r["n"] for r in rows if r["unit_id"] == unit_id) for unit_id in units}
    chart = _chart(pygal.HorizontalStackedBar, gettext(N_("Trạng thái kiến nghị theo đơn vị")),
                   max(totals.values(), default=1), height=max(380, 260 + 44 * len(units)))
    chart.x_labels = [names[unit_id] for unit_id in units]
    for status in STATUSES:
        counts = {r["unit_id"]: r["n"] for r in rows if r["status"] == status}
        chart.add(gettext(STATUS_LABELS[status]), [counts.get(unit_id, 0) for unit_id in units])
    if not units:
        chart.no_data_text = gettext(NO_DATA)
    return _no_script(chart.render(is_unicode=True))


def closed_over_time_svg(rows: list[dict], gettext: Callable[[str], str] = str) -> str:
    chart = _chart(pygal.Bar, gettext(N_("Kiến nghị đã kết thúc theo tháng")), max((r["n"] for r in rows), default=1),
                   style=CLOSED_STYLE, height=340, show_legend=False)
    chart.x_labels = [f"{r['month'][5:]}/{r['month'][:4]}" for r in rows]
    chart.add(gettext(N_("Đã kết thúc")), [r["n"] for r in rows])
    chart.no_data_text = gettext(NO_DATA)
    return _no_script(chart.render(is_unicode=True))


def chart_data(store, user: dict, filters: dict, today: str | None = None) -> dict:
    today = today or today_vn()
    filters = {**filters, "scope": access.scope(user)}
    return {"by_unit": store.read(sql.status_by_unit, filters, today),
            "closed": store.read(sql.closed_by_month, filters, today)}


_CHARTS: weakref.WeakKeyDictionary[object, dict[tuple, str]] = weakref.WeakKeyDictionary()
_CHART_RENDERERS = {"by_unit": status_by_unit_svg, "closed": closed_over_time_svg}


def chart_svg(store, user: dict, filters: dict, kind: str, today: str | None = None,
              gettext: Callable[[str], str] = str, locale: str = "vi") -> str:
    """One board chart in the reader's language (`gettext`, named by `locale`), rendered
    once per data revision, day, scope, filters and language: the grouping behind it
    reads every recommendation, so it is not redone per request."""
    today = today or today_vn()
    scoped = {**filters, "scope": access.scope(user)}
    key = (kind, store.read(sql.revision), today, repr(sorted(scoped.items())), locale)
    cache = _CHARTS.setdefault(store, {})
    if key not in cache:
        if len(cache) > 256:  # old revisions and rare filters: start again
            cache.clear()
        query = sql.status_by_unit if kind == "by_unit" else sql.closed_by_month
        cache[key] = _CHART_RENDERERS[kind](store.read(query, scoped, today), gettext)
    return cache[key]
