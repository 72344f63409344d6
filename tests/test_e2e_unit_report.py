"""The unit's own report in real Chromium at 768×1024 (issue 12, item 5): the host of
UBND xã Hra fills the figures, summary, a difficulty and a proposal of an upcoming
visit (autosaved, kept on the tablet while offline, a rule warned live), then a delegation member opens the capture page
and finds them prefilled, marked as reported by the unit, and changing one keeps both
values in view."""
from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from survey_app.demo import seed_document

from .live import TABLET_PORTRAIT, login_page

pytestmark = pytest.mark.browser
SAVED = "() => document.getElementById('report-status').dataset.state === 'saved'"


def upcoming_visit(server) -> int:
    """A visit of the demo delegation to UBND xã Hra with nothing recorded yet."""
    seed = seed_document()
    doc = {"format": seed["format"], "uuid": str(uuid.uuid4()), "form": seed["form"],
           "delegation": seed["delegation"], "host": {"unit": seed["host"]["unit"], "place": "Hội trường"},
           "started_at": "2026-12-15T08:00:00+07:00"}
    token = server.cli("token", "create", "thuky").strip().split()[-1]
    request = urllib.request.Request(server.url + "/api/v1/visits", data=json.dumps(doc).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())["id"]


def test_the_host_reports_and_a_member_finds_it_prefilled(live_server, page, context):
    visit_id = upcoming_visit(live_server)
    page.set_viewport_size(TABLET_PORTRAIT)
    login_page(page, live_server, "xahra")
    page.goto(live_server.url + "/unit-reports/")
    row = page.locator("#unit-report-visits tr", has=page.locator(f'a[href="/visits/{visit_id}/unit-report"]'))
    assert "10/12/2026" in row.inner_text()  # the deadline: 5 days before the visit
    row.locator("a").click()
    page.wait_for_url(f"**/visits/{visit_id}/unit-report")
    page.wait_for_function("() => document.getElementById('unit-report').dataset.ready === '1'")
    for key, value in {"dossiers_received": 500, "dossiers_online": 600, "dossiers_resolved": 450,
                       "dossiers_in_progress": 50}.items():
        page.fill(f'[data-indicator="{key}"]', str(value))
    page.wait_for_function(SAVED, timeout=20000)
    warnings = page.locator("[data-warnings]")
    assert warnings.is_visible() and "trực tuyến lớn hơn" in warnings.inner_text()  # warned, not blocked
    page.fill('[data-indicator="dossiers_online"]', "200")
    page.fill('[data-report="summary"]', "Trung tâm vận hành ổn định.")
    page.click('button[data-action="add"][data-kind="difficulties"]')
    page.locator('[data-entries="difficulties"] textarea').last.fill("Thiếu máy quét.")
    page.click('button[data-action="add"][data-kind="proposals"]')
    page.locator('[data-entries="proposals"] textarea').last.fill("Cấp thêm máy quét.")
    page.locator('[data-entries="proposals"] [data-key="addressee"]').last.fill("UBND tỉnh Gia Lai")
    page.wait_for_timeout(800)
    page.wait_for_function(SAVED, timeout=20000)
    assert warnings.is_hidden()
    assert page.locator("output[data-computed=online_rate_pct]").inner_text() == "40,0%"
    # Without network the report is kept on the tablet and sent once the network is back.
    context.set_offline(True)
    page.fill('[data-report="summary"]', "Trung tâm vận hành ổn định, đường truyền chập chờn.")
    page.wait_for_function("() => document.getElementById('report-status').dataset.state === 'offline'",
                           timeout=20000)
    assert "chập chờn" in page.evaluate(f"() => localStorage.getItem('unit-report:{visit_id}')")
    context.set_offline(False)
    page.wait_for_function(SAVED, timeout=20000)
    assert page.evaluate(f"() => localStorage.getItem('unit-report:{visit_id}')") is None
    box = page.locator("#figures").bounding_box()
    assert box["width"] <= TABLET_PORTRAIT["width"]  # no sideways scrolling on the tablet

    page.context.clear_cookies()
    login_page(page, live_server, "thanhvien")
    page.goto(f"{live_server.url}/visits/{visit_id}/capture")
    received = page.locator('[data-field="indicators.dossiers_received"]')
    assert received.input_value() == "500"
    assert page.locator('[data-field="indicators.dossiers_online"]').input_value() == "200"
    assert page.locator('[data-field="report.summary"]').input_value() == \
        "Trung tâm vận hành ổn định, đường truyền chập chờn."
    sources = page.locator('[data-sources="dossiers_received"]')
    assert "Đơn vị báo cáo: 500" in sources.inner_text()
    difficulty = page.locator('ol[data-kind="difficulty"] > li.item').first
    assert "Đơn vị báo cáo" in difficulty.inner_text()
    assert difficulty.locator('[data-key="text"]').input_value() == "Thiếu máy quét."
    proposal = page.locator('ol[data-kind="proposal"] > li.item').first
    assert proposal.locator('[data-key="addressee"]').input_value() == "UBND tỉnh Gia Lai"
    received.fill("498")
    verified = sources.locator("[data-verified]")
    assert verified.is_visible() and "498" in verified.inner_text()
    assert "Đơn vị báo cáo: 500" in sources.inner_text()  # both values stay in view
