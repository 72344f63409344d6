"""Checklist progress on the capture page (issue 16, item 8) in real Chromium at 768×1024
with touch: counts per section and overall change as the member answers, unanswered
required items are marked in words, section chips get their tick, "next unanswered"
moves the focus (and wraps), skip logic that hides an item drops the required count, and
the server's count at finalize agrees with the page's on the same visit.

The visit uses a small form of its own with skip logic (published here by the CLI, a new
form id, so the demo's forms and visits stay as other tests expect)."""
from __future__ import annotations

import json
import urllib.error

import pytest

from survey_app.demo import seed_document

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page
from .test_e2e_capture import wait_saved
from .xlsform_samples import EN, workbook

pytestmark = pytest.mark.browser
SEED = seed_document()
FORM_ID = "tien-do-thu"
YES_PARTLY_NO = [["yes_partly_no", "yes", "Có", "Yes"], ["yes_partly_no", "partly", "Một phần", "Partly"],
                 ["yes_partly_no", "no", "Không", "No"]]
PROGRESS_FORM = dict(
    survey=[["type", "name", "label", EN, "required", "relevant"],
            ["begin group", "portal", "Cổng dịch vụ công", "Portal"],
            ["select_one yes_partly_no", "has_portal", "Có cổng trực tuyến", "Has a portal", "yes"],
            ["select_one speed", "speed", "Tốc độ cổng", "Portal speed", "yes", "${has_portal} = 'yes'"],
            ["text", "portal_note", "Ghi nhận thêm", "More notes"],
            ["end group"],
            ["begin group", "staff", "Cán bộ tiếp nhận", "Reception staff"],
            ["integer", "staff_count", "Số cán bộ tiếp nhận", "Reception staff", "yes"],
            ["text", "respondent", "Người trả lời", "Respondent", "yes"],
            ["end group"],
            ["begin group", "online", "Hồ sơ trực tuyến", "Online dossiers", "", "${has_portal} != 'no'"],
            ["select_one yes_partly_no", "online_ok", "Tiếp nhận hồ sơ trực tuyến", "Online dossiers taken",
             "yes"],
            ["end group"]],
    choices=[["list_name", "name", "label", EN], *YES_PARTLY_NO,
             ["speed", "fast", "Nhanh", "Fast"], ["speed", "slow", "Chậm", "Slow"]],
    settings=[["form_id", "form_title", "version"], [FORM_ID, "Biểu mẫu thử tiến độ", "1"]])


@pytest.fixture(scope="module")
def progress_visit(live_server, tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "tien-do.xlsx"
    path.write_bytes(workbook(**PROGRESS_FORM))
    live_server.cli("form", "import", str(path))
    return live_server


def plan(page, server) -> None:
    page.goto(server.url + "/visits/new")
    page.select_option("#delegation", label=SEED["delegation"]["name"])
    page.fill("#unit", SEED["host"]["unit"])
    page.fill("#place", SEED["host"]["place"])
    page.fill("#locality", SEED["host"]["locality"])
    page.fill("#started_at", "2025-10-14T13:47")
    page.select_option("#form", FORM_ID)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/capture")


def tap(page, item: str, label: str) -> None:
    page.locator(f"#item-{item} label.choice", has_text=label).first.tap()


def overall(page) -> str:
    return page.locator('#checklist-progress [data-progress="overall"]').inner_text()


def chip(page, section: str):
    return page.locator(f'#checklist-progress [data-progress-chip="{section}"]')


def focused_item(page) -> str:
    return page.evaluate("document.activeElement.closest('.check-item')?.id || ''")


def finalize_asks(server, visit_id: int) -> str:
    """The refusal of finalize asking first ({"confirm": false}): its message names the count."""
    token = getattr(server, "_token", None) or server.cli("token", "create", "thuky").strip().split()[-1]
    server._token = token
    with pytest.raises(urllib.error.HTTPError) as refused:
        server.request(f"/api/v1/visits/{visit_id}/minutes/finalize", token, "POST", {"confirm": False})
    assert refused.value.code == 409
    body = json.loads(refused.value.read())
    assert body["field"] == "confirm"
    return body["error"]


def test_progress_counts_ticks_and_next_unanswered(page, progress_visit, tmp_path):
    server = progress_visit
    login_page(page, server, "thuky")
    plan(page, server)
    visit_id = int(page.url.split("/")[-2])
    page.wait_for_selector("#capture[data-restored='1']", state="attached")
    panel = page.locator("#checklist-progress")
    assert panel.is_visible()
    # Nothing answered: the portal question, both staff items and the online section's.
    assert overall(page) == "0/4"
    assert chip(page, "staff").locator('[data-slot="count"]').inner_text() == "0/2"
    assert chip(page, "staff").get_attribute("data-complete") == "0"
    assert chip(page, "staff").locator('[data-slot="state"]').text_content() == ", còn 2 mục"
    note = page.locator("#item-respondent .unanswered-note")
    assert note.is_visible() and note.inner_text() == "Bắt buộc, chưa trả lời"
    assert page.locator("#item-portal_note .unanswered-note").count() == 0, "not required, never marked"
    menu = page.locator('.section-menu [data-progress-chip="checklist"]')
    assert "0/4" in menu.inner_text()

    # "Có" opens the speed question: one answered out of five; "Nhanh" completes the portal.
    tap(page, "has_portal", "Có")
    assert overall(page) == "1/5"
    assert chip(page, "portal").locator('[data-slot="count"]').inner_text() == "1/2"
    tap(page, "speed", "Nhanh")
    assert overall(page) == "2/5"
    portal = chip(page, "portal")
    assert portal.get_attribute("data-complete") == "1" and portal.locator(".tick").is_visible()
    assert portal.locator('[data-slot="state"]').text_content() == ", đã đủ"
    assert not page.locator("#item-speed .unanswered-note").is_visible()

    # Next unanswered after the speed question: the staff count, then (typed) the respondent.
    page.locator("[data-progress-next]").tap()
    assert focused_item(page) == "item-staff_count"
    page.keyboard.type("3")
    assert overall(page) == "3/5"
    assert page.locator("#item-staff_count").get_attribute("data-unanswered") is None
    page.locator("[data-progress-next]").tap()
    assert focused_item(page) == "item-respondent"
    page.locator("[data-progress-next]").tap()
    assert focused_item(page) == "item-online_ok"
    assert page.locator("#item-online_ok").is_visible()
    page.locator("[data-progress-next]").tap()
    assert focused_item(page) == "item-respondent", "after the last one, back to the first"
    page.screenshot(path=str(tmp_path / "progress-portrait.png"))
    page.set_viewport_size(TABLET_LANDSCAPE)
    page.screenshot(path=str(tmp_path / "progress-landscape.png"))
    page.set_viewport_size(TABLET_PORTRAIT)

    # "Không": the speed question and the online section are no longer asked; the required
    # count drops from 5 to 3 (the answered speed no longer counts).
    tap(page, "has_portal", "Không")
    assert page.locator("#item-speed").is_hidden() and page.locator("#section-online").is_hidden()
    assert overall(page) == "2/3"
    assert chip(page, "online").is_hidden()
    assert chip(page, "portal").get_attribute("data-complete") == "1"

    # The server, on the same visit, counts the same one item missing at finalize.
    wait_saved(page)
    assert "Còn 1 mục bắt buộc" in finalize_asks(server, visit_id)

    # The last answer: every chip ticked, "next" disabled with its message, offline too.
    page.context.set_offline(True)
    page.fill("#f-checklist-respondent-value", "Nguyễn Văn A")
    assert overall(page) == "3/3"
    assert page.locator("[data-progress-next]").is_disabled()
    assert page.locator("#progress-done").is_visible()
    assert menu.get_attribute("data-complete") == "1"
    assert menu.locator('[data-slot="state"]').text_content() == ", đã đủ"
    page.context.set_offline(False)
