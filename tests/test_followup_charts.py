"""The follow-up charts (issue 17, item 2): whole-number axes (pygal's own ticks went
0.1 … 0.9 when every count was 1), a distinct colour per status named in the legend,
text that stays readable printed 160 mm wide."""
from __future__ import annotations

import re

from survey_app.domain.followup import charts
from survey_app.domain.followup import operations as followup
from survey_app.domain.followup.report import status_by_unit_svg


def test_chart_axes_are_whole_numbers_and_every_status_has_its_colour():
    rows = [{"unit_id": 1, "unit_name": "UBND xã Hra", "status": "open", "n": 1},
            {"unit_id": 2, "unit_name": "UBND xã Ia Hrú", "status": "done", "n": 1}]
    for data, top in ((rows, 1), ([{**rows[0], "n": 37}], 37)):
        svg = status_by_unit_svg(data)
        ticks = re.findall(r'<text[^>]*>([0-9.,]+)</text>', svg)
        assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
        assert int(ticks[-1]) >= top and len(ticks) <= 11
        for label in ("Chưa thực hiện", "Đang thực hiện", "Đã hoàn thành", "Không hoàn thành",
                      "Không tiếp tục theo dõi"):
            assert f">{label}<" in svg  # the legend names every status
    colours = [charts.STATUS_COLOURS[s] for s in followup.STATUSES]
    assert len(set(colours)) == len(colours) and list(charts.CHART_STYLE.colors) == colours
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
    assert min(sum(abs(a - b) for a, b in zip(x, y)) for i, x in enumerate(rgb) for y in rgb[i + 1:]) > 60
    assert charts.CHART_STYLE.label_font_size * 160 / charts.WIDTH * 72 / 25.4 >= 9  # pt, printed 160 mm wide
    assert charts.whole_ticks(1) == [0, 1] and charts.whole_ticks(7) == list(range(8))
    assert charts.whole_ticks(37) == [0, 5, 10, 15, 20, 25, 30, 35, 40]
    assert charts.whole_ticks(1234)[-1] >= 1234 and len(charts.whole_ticks(1234)) <= 11


def test_the_boards_charts_speak_the_pages_language(client, login_as):
    """Issue 19 item 4: title, legend and 'no data' in English on an English page; the
    Vietnamese chart is not served from the cache to an English reader (and back)."""
    login_as("thuky")
    vietnamese = client.get("/followup/charts/status-by-unit.svg").get_data(as_text=True)
    assert "Trạng thái kiến nghị theo đơn vị" in vietnamese and ">Chưa thực hiện<" in vietnamese
    english = client.get("/followup/charts/status-by-unit.svg?lang=en").get_data(as_text=True)
    assert "Recommendation status by unit" in english
    assert ">Not started<" in english and ">In progress<" in english
    assert not re.search(r">[^<]*(Trạng thái|Chưa thực hiện|Đang thực hiện)[^<]*<", english)
    closed = client.get("/followup/charts/closed.svg?lang=en").get_data(as_text=True)
    assert "by month" in closed.lower() and "Kiến nghị" not in closed
    assert "Trạng thái kiến nghị theo đơn vị" in client.get("/followup/charts/status-by-unit.svg?lang=vi") \
        .get_data(as_text=True)
