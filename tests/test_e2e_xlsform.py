"""The issue's "done when", in real Chromium at tablet size: an administrator downloads
the shipped Trạm Y tế form as an XLSForm, adds a section with skip logic in it (as
Excel would, here with openpyxl), uploads it, previews it (the section shows and hides
as the sample answers change), publishes it as version 2; the secretary plans a visit
with it, answers on the tablet partly offline (the section appears and disappears
without network), and the visit goes through to signed minutes that print the answer
of the section."""
from __future__ import annotations

import io
import subprocess

import openpyxl
import pytest

from survey_app.demo import seed_document

from .live import CHROMIUM, CHROMIUM_ARGS, TABLET_PORTRAIT, LiveServer, login_page
from .test_e2e_capture import wait_saved
from .test_e2e_minutes import draw_with_mouse, draw_with_touch, sign

pytestmark = pytest.mark.browser
FORM = "tram-y-te-xa"
CONTEXT = {"viewport": TABLET_PORTRAIT, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "has_touch": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own server: publishing version 2 must not change the other modules' forms."""
    server = LiveServer(tmp_path_factory.mktemp("xlsform-live"))
    server.cli("init", "--demo")
    with server:
        yield server


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def tablet(chromium):
    context = chromium.new_context(**CONTEXT)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def add_cold_chain_section(workbook: bytes) -> tuple[bytes, str]:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    control = next(row[1].value for row in survey.iter_rows(min_row=2)
                   if row[0].value == "select_one yes_partly_no")
    rows = [{"type": "begin group", "name": "cold_chain", "label": "Dây chuyền lạnh",
             "label::English (en)": "Cold chain", "relevant": f"${{{control}}} = 'yes'"},
            {"type": "select_one yes_partly_no", "name": "fridge_ok",
             "label": "Tủ lạnh bảo quản vắc xin hoạt động tốt",
             "label::English (en)": "The vaccine fridge works well", "required": "yes"},
            {"type": "end group"}]
    indicators = next(row[0].row for row in survey.iter_rows(min_row=2) if row[1].value == "indicators")
    survey.insert_rows(indicators, len(rows))  # before the unit's figures, as an admin would
    for offset, values in enumerate(rows):
        for column, name in enumerate(header, start=1):
            survey.cell(indicators + offset, column, values.get(name))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), control


def choose(page, item: str, label: str) -> None:
    page.locator(f"#item-{item} label.choice", has_text=label).first.click()


def test_an_office_form_from_excel_to_signed_minutes(server, chromium, tmp_path):
    # The administrator: download, edit, upload, preview, publish.
    admin, page = tablet(chromium)
    login_page(page, server, "admin")
    page.goto(server.url + "/admin/forms")
    with page.expect_download() as download:
        page.locator(f'tr[data-form="{FORM}"] a', has_text="Tải XLSForm").click()
    edited, control = add_cold_chain_section(open(download.value.path(), "rb").read())
    page.set_input_files("#xlsform-file", files=[{
        "name": "tram-y-te-xa-v2.xlsx", "buffer": edited,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("form[enctype] button[type=submit]")
    preview = page.locator("#form-preview")
    preview.wait_for()
    assert preview.bounding_box()["width"] <= 800
    section = page.locator('#form-preview [data-relevance-key="section:cold_chain"]')
    assert section.is_visible(), "the sample answer of the condition is yes"
    choose(page, control, "Không")
    assert section.is_hidden()
    choose(page, control, "Có")
    assert section.is_visible()
    assert "khi" in page.locator("#outline").inner_text()
    page.screenshot(path=str(tmp_path / "preview.png"))
    page.click("#publish-form button[type=submit]")
    page.wait_for_url(server.url + "/admin/forms")
    row = page.locator(f'tr[data-form="{FORM}"]').inner_text()
    assert "\t2\t" in row or " 2 " in row
    admin.close()

    # The secretary: plan the visit with version 2, answer on the tablet, partly offline.
    context, page = tablet(chromium)
    login_page(page, server, "thuky")
    page.goto(server.url + "/visits/new")
    page.select_option("#delegation", label=seed_document()["delegation"]["name"])
    page.fill("#unit", "Trạm Y tế xã Ia Hrú")
    page.fill("#place", "Trạm Y tế xã Ia Hrú")
    page.fill("#locality", "xã Ia Hrú")
    page.fill("#started_at", "2026-11-20T08:00")
    page.select_option("#form", FORM)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/capture")
    section = page.locator('[data-relevance-key="section:cold_chain"]')
    assert section.is_hidden(), "not asked until the condition holds"
    page.evaluate("async () => { await navigator.serviceWorker.ready; await window.surveyOffline.snapshot; }")
    context.set_offline(True)
    choose(page, control, "Có")
    assert section.is_visible(), "shown at once, without network"
    choose(page, "fridge_ok", "Một phần")
    choose(page, control, "Không")
    assert section.is_hidden()
    choose(page, control, "Có")
    assert section.is_visible()
    context.set_offline(False)
    page.click('button[data-action="add"][data-kind="attendee"]')
    attendee = page.locator('ol[data-kind="attendee"] > li.item').last
    attendee.locator('[data-key="side"]').select_option("host")
    attendee.locator('[data-key="name"]').fill("Nguyễn Thị Lan")
    attendee.locator('[data-key="title"]').fill("Trạm trưởng")
    page.fill('[data-field="ended_at"]', "2026-11-20T11:00")
    wait_saved(page)
    visit_url = page.url.rsplit("/", 1)[0]
    overview = page.goto(visit_url) and page.locator("main").inner_text()
    assert "Tủ lạnh bảo quản vắc xin hoạt động tốt" in overview

    # Minutes: draft, finalize, three signatures, the sealed PDF prints the answer.
    page.goto(visit_url + "/minutes")
    page.click("#generate-draft")
    page.wait_for_selector("#finalize")
    page.click("#finalize")
    page.wait_for_url(visit_url + "/minutes/sign")
    sign(page, "head", None, draw_with_mouse)
    sign(page, "secretary", None, draw_with_touch)
    sign(page, "host", "Nguyễn Thị Lan", draw_with_touch)
    assert page.locator("#sealed").is_visible()
    with page.expect_download() as download:
        page.click("#signed-pdf")
    pdf = tmp_path / "bien-ban.pdf"
    download.value.save_as(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   check=True).stdout.decode().split())
    assert "Tủ lạnh bảo quản vắc xin hoạt động tốt" in text and "Nguyễn Thị Lan" in text
    context.close()
