"""A survey report's own recommendations have no visit (m028): the follow-up report's
"Ngày khảo sát" names the report and its date instead of staying empty, the period
filter takes the report's date for them, and the board shows the report's date
(issue 13, polish item 1)."""
from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from survey_app.domain.followup.spreadsheet import REPORT_DATE_FORMAT
from survey_app.formatting import format_date

from .conftest import login
from .report_world import DELEGATION
from .support import api_headers

WORDING = {"recommendations": "UBND tỉnh Gia Lai: Nâng cấp đường truyền cho các xã (thời hạn: 30/06/2026)\n"
                              "Sở Nội vụ: Bổ sung biên chế cho Trung tâm"}
OWN = {"Nâng cấp đường truyền cho các xã", "Bổ sung biên chế cho Trung tâm"}


def _finalize(rclient, rstore) -> dt.date:
    secretary = api_headers(rclient.application.test_cli_runner(), "thuky")
    base = f"/api/v1/delegations/{DELEGATION}/report"
    assert rclient.post(f"{base}/wording", json=WORDING, headers=secretary).status_code == 200
    final = rclient.post(f"{base}/finalize", headers=secretary)
    assert final.status_code == 200, final.get_json()
    issued = rstore.db.execute("SELECT json_extract(input_json, '$.issued_date') FROM survey_reports "
                               "WHERE id = ?", [final.get_json()["id"]]).fetchone()[0]
    return dt.date.fromisoformat(issued)


def _csv(rclient, start: dt.date, end: dt.date) -> list[dict]:
    answer = rclient.get(f"/followup/report.csv?from={start}&to={end}")
    assert answer.status_code == 200
    return list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))


def test_report_recommendations_carry_the_report_and_its_date(rclient, rstore):
    issued = _finalize(rclient, rstore)
    reference = f"Báo cáo số 01/BC-BPC ngày {format_date(issued.isoformat())}"
    login(rclient, "thuky")
    # the period filter takes the report's date for the report's own recommendations
    rows = _csv(rclient, issued, issued)
    assert {r["Kiến nghị"] for r in rows} == OWN
    assert all(r["Ngày khảo sát"] == reference for r in rows)
    assert not {r["Kiến nghị"] for r in _csv(rclient, issued + dt.timedelta(days=1), issued + dt.timedelta(days=30))} & OWN
    assert not {r["Kiến nghị"] for r in _csv(rclient, dt.date(2000, 1, 1), issued - dt.timedelta(days=1))} & OWN
    # a wide period: the visits' recommendations keep their visit's date
    wide = _csv(rclient, dt.date(2000, 1, 1), issued)
    visits = [r for r in wide if r["Kiến nghị"] not in OWN]
    assert visits and all(r["Ngày khảo sát"] and "Báo cáo" not in r["Ngày khảo sát"] for r in visits)
    assert {r["Kiến nghị"] for r in wide} >= OWN

    # the spreadsheet: the same columns; the cell is the report's date, still a date, named as the report's
    answer = rclient.get(f"/followup/report.xlsx?from=2000-01-01&to={issued}")
    sheet = load_workbook(io.BytesIO(answer.data))["Kiến nghị"]
    header = [c.value for c in sheet[4]]
    assert header[:7] == ["STT", "Kiến nghị", "Đơn vị thực hiện", "Đoàn", "Ngày khảo sát", "Hạn", "Trạng thái"]
    cells = {row[1].value: row[4] for row in sheet.iter_rows(min_row=5)}
    assert set(cells) >= OWN and len(cells) == len(wide)
    for text, cell in cells.items():
        assert isinstance(cell.value, dt.datetime)
        if text in OWN:
            assert cell.value.date() == issued and cell.number_format == REPORT_DATE_FORMAT
            assert cell.comment is not None and cell.comment.text == reference
        else:
            assert cell.value.date() < issued and cell.number_format == "dd/mm/yyyy" and cell.comment is None

    # the board names the report with its date
    board = rclient.get(f"/followup/?delegation={DELEGATION}").get_data(as_text=True)
    assert reference in board
