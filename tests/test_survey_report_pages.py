"""The survey report's pages (issue 13): the secretary rewords a section, finalizes,
the head publishes and withdraws with a reason, all through forms with CSRF; a page of
a delegation whose visits are not final says what is missing."""
from __future__ import annotations

import re

from .conftest import csrf_token, login
from .report_world import DELEGATION

PAGE = f"/delegations/{DELEGATION}/report"


def _token(client) -> str:
    return csrf_token(client, PAGE)


def test_secretary_rewords_finalizes_and_head_publishes_then_withdraws(rclient):
    login(rclient, "thuky")
    page = rclient.get(PAGE).get_data(as_text=True)
    assert "Thông qua báo cáo" in page and "UBND tỉnh Gia Lai: Tiếp tục được quan tâm" in page  # prefilled
    bad = rclient.post(PAGE, data={"csrf_token": _token(rclient), "recommendations": "không hợp lệ"})
    assert bad.status_code == 400 and "Kiến nghị dòng 1" in bad.get_data(as_text=True)
    saved = rclient.post(PAGE, data={"csrf_token": _token(rclient), "assessment": "Đánh giá của Đoàn: tốt.",
                                     "recommendations": "Sở Nội vụ: Bổ sung biên chế"})
    assert saved.status_code == 302
    assert rclient.post(f"{PAGE}/finalize", data={"csrf_token": _token(rclient)}).status_code == 302
    assert "Số 01/BC-BPC" in rclient.get(PAGE).get_data(as_text=True)
    pdf = rclient.get(f"/delegations/{DELEGATION}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    rclient.post("/logout", data={"csrf_token": _token(rclient)})
    login(rclient, "truongdoan")
    assert rclient.post(f"{PAGE}/publish", data={"csrf_token": _token(rclient)}).status_code == 302
    report_id = int(re.search(r"/public/reports/(\d+)", rclient.get(PAGE).get_data(as_text=True)).group(1))
    assert rclient.get(f"/public/reports/{report_id}").status_code == 200
    rclient.post(f"{PAGE}/unpublish", data={"csrf_token": _token(rclient), "reason": ""})
    assert rclient.get(f"/public/reports/{report_id}").status_code == 200  # no reason: refused
    rclient.post(f"{PAGE}/unpublish", data={"csrf_token": _token(rclient), "reason": "Sai sót số liệu"})
    assert rclient.get(f"/public/reports/{report_id}").status_code == 404
    assert "Sai sót số liệu" in rclient.get(PAGE).get_data(as_text=True)


def test_page_of_a_delegation_with_open_visits_says_what_is_missing(client):
    login(client, "thuky")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="report-problem"' in page and "UBND xã Hra" in page and 'id="finalize"' not in page


def test_csrf_is_required_and_a_member_cannot_prepare(rclient):
    login(rclient, "thuky")
    assert rclient.post(f"{PAGE}/finalize", data={}).status_code in (302, 400)
    assert "Số 01/BC-BPC" not in rclient.get(PAGE).get_data(as_text=True)
    rclient.post("/logout", data={"csrf_token": _token(rclient)})
    login(rclient, "thanhvien")
    page = rclient.get(PAGE).get_data(as_text=True)
    assert 'id="finalize"' not in page and 'id="save-wording"' not in page
    refused = rclient.post(f"{PAGE}/finalize", data={"csrf_token": _token(rclient)})
    assert refused.status_code == 403
