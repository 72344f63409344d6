"""Issue 12 end to end in real Chromium: from an EMPTY instance (no demo, only an
administrator made by `survey-app create-user`) to a delegation on site with three
units' figures. One test function per phase, sharing one server, one browser and the
`SEEN` record of what earlier phases made: the administrator builds the units,
accounts and delegation through the pages (1024×768), the secretary plans three
visits and downloads the plan and the report outline (768×1024), each host reports,
the secretary sees three units reported, a member finds a unit's figures prefilled in
capture. Every wait is bounded (15 s). The API twin runs the same flow through
/api/v1 on a second empty instance (accounts through the CLI: there is no account API). A screenshot of each step goes to the
session's temporary folder (`shots`)."""
from __future__ import annotations

import subprocess

import requests

import pytest

from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer

BROWSER = pytest.mark.browser
WAIT = 15000
PASSWORD = "mat-khau-rat-dai-2026"
ADMIN = "quantri"
UNITS = ["UBND xã Ia Tiêm", "UBND xã Chư Pưh", "Trung tâm Phục vụ hành chính công xã Ia Le"]
HOSTS = ["donvi1", "donvi2", "donvi3"]
STAFF = [("thuky", "Nguyễn Thị Thư", "secretary"), ("truongdoan", "Rơ Châm Hùng", "head"),
         ("thanhvien", "Lê Văn Thành", "member")]
SETTLED = "() => ['saved', 'error', 'stale'].includes(document.getElementById('report-status').dataset.state)"
FORM_TITLE = "Khảo sát hoạt động của Trung tâm Phục vụ hành chính công cấp xã (v1)"
SEEN: dict = {}


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """A server on an instance made by `init` without the demo: no unit, no delegation,
    one administrator created by the CLI."""
    server = LiveServer(tmp_path_factory.mktemp("empty"))
    server.cli("init")
    server.cli("create-user", "--username", ADMIN, "--password", PASSWORD, "--role", "admin",
               "--full-name", "Quản trị hệ thống")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("shots")


def open_as(browser, server, username: str, viewport: dict):
    """A fresh tablet (its own cookies and storage) signed in as `username`."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(server.url + "/login", wait_until="networkidle")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def shot(page, shots, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def fits(page) -> None:
    """No sideways scrolling at tablet width."""
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def pdf_text(data: bytes, folder, name: str) -> str:
    path = folder / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout


@BROWSER
def admin_menu(page, link: str) -> None:
    """An administrator's page, from the top bar's menu "Quản trị" (a tap opens it)."""
    page.click(".nav-more summary")
    page.click(link)


def test_1_admin_creates_units(empty_server, browser, shots, tmp_path):
    page = open_as(browser, empty_server, ADMIN, TABLET_LANDSCAPE)
    admin_menu(page, "nav a[href^='/units']")
    assert "Chưa có đơn vị nào" in page.locator("main").inner_text()
    # One unit typed in the form ...
    page.click("main a[href='/units/new']")
    page.fill("#name", UNITS[0])
    page.select_option("#kind", "ubnd_xa")
    page.fill("#locality", "Gia Lai")
    shot(page, shots, "01-unit-new")
    page.click("form.unit-form button[type=submit]")
    page.wait_for_url("**/units/**")
    # ... two from a small CSV: a dry run shows what would be created, then the import.
    csv = tmp_path / "don_vi.csv"
    csv.write_text("ten_don_vi,loai,dia_ban,don_vi_cap_tren\n"
                   f"{UNITS[1]},,Gia Lai,\n{UNITS[2]},,Gia Lai,\n{UNITS[0].upper()},,Gia Lai,\n", encoding="utf-8")
    page.goto(empty_server.url + "/units/")
    page.click("main a[href='/units/import']")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button[name=dry_run]")
    plan = page.locator(".import-plan")
    assert "2 đơn vị sẽ được tạo, 1 đơn vị đã có, 0 dòng bị từ chối" in plan.inner_text()
    shot(page, shots, "02-unit-import-dry-run")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button[name=apply]")
    page.goto(empty_server.url + "/units/")
    listed = page.locator("table.units").inner_text()
    assert all(name in listed for name in UNITS)
    fits(page)
    shot(page, shots, "03-units")
    page.context.close()


@BROWSER
def test_2_admin_creates_accounts(empty_server, browser, shots):
    page = open_as(browser, empty_server, ADMIN, TABLET_LANDSCAPE)
    admin_menu(page, "nav a[href='/admin/users']")
    accounts = [(u, name, role, "") for u, name, role in STAFF] + \
        [(u, f"Đại diện {unit}", "host", unit) for u, unit in zip(HOSTS, UNITS)]
    for username, full_name, role, unit in accounts:
        page.fill("#username", username)
        page.fill("#full_name", full_name)
        page.fill("#password", PASSWORD)
        page.select_option("#role", role)
        page.fill("#unit", unit)
        page.click("button:text-is('Tạo người dùng')")
        page.wait_for_load_state("networkidle")
        assert page.locator(".flash.error, .error-text").count() == 0, page.locator("main").inner_text()[:500]
        row = page.locator("tr", has=page.locator(f"a:text-is('{username}')"))
        assert full_name in row.inner_text() and unit in row.inner_text()
    fits(page)
    shot(page, shots, "04-accounts")
    page.context.close()


@BROWSER
def test_3_admin_creates_the_delegation(empty_server, browser, shots):
    page = open_as(browser, empty_server, ADMIN, TABLET_LANDSCAPE)
    admin_menu(page, "nav a[href^='/delegations']")
    page.click("main a[href='/delegations/new']")
    page.fill("#name", "Đoàn khảo sát cải cách hành chính cấp xã")
    page.select_option("#kind", "khao_sat")
    page.fill("#body", "Ban Pháp chế HĐND tỉnh Gia Lai")
    page.fill("#parent_body", "HĐND tỉnh Gia Lai")
    page.fill("#topic", "Việc giải quyết thủ tục hành chính tại cấp xã")
    page.fill("#decision_number", "45/QĐ-BPC")
    page.fill("#decision_date", "2026-11-20")
    page.fill("#symbol", "BPC")
    page.fill("#period_from", "2026-12-01")
    page.fill("#period_to", "2026-12-31")
    titles = {"secretary": "Chuyên viên Văn phòng HĐND tỉnh", "head": "Trưởng Ban Pháp chế HĐND tỉnh",
              "member": "Ủy viên Ban Pháp chế HĐND tỉnh"}
    while page.locator("[id$='-name'][id^='members-']").count() < len(STAFF):
        page.click("button[name=add_row]")
    for i, (username, full_name, role) in enumerate(STAFF):
        page.fill(f"#members-{i}-name", full_name)
        page.fill(f"#members-{i}-title", titles[role])
        page.select_option(f"#members-{i}-role", role)
        page.fill(f"#members-{i}-username", username)
    shot(page, shots, "05-delegation-new")
    page.click("button:text-is('Lưu đoàn')")
    page.wait_for_url("**/delegations/*/edit")
    assert page.locator(".flash.error, .error-text").count() == 0, page.locator("main").inner_text()[:500]
    SEEN["delegation"] = int(page.url.rstrip("/").split("/")[-2])
    admin_menu(page, "nav a[href^='/delegations']")
    assert "Đoàn khảo sát cải cách hành chính cấp xã" in page.locator("main").inner_text()
    fits(page)
    shot(page, shots, "06-delegations")
    page.context.close()


@BROWSER
def test_4_secretary_plans_three_visits(empty_server, browser, shots, tmp_path):
    page = open_as(browser, empty_server, "thuky", TABLET_PORTRAIT)
    page.click("nav a[href='/visits']")
    page.click(".page-head a[href='/delegations/plans']")
    page.click(f"main a[href='/delegations/{SEEN['delegation']}/plan']")
    while page.locator("[id^='rows-'][id$='-place']").count() < len(UNITS):
        page.click("button[name=add_row]")
    # The unit box's suggestions come from the directory's search, without diacritics
    # (typed once the page's scripts have loaded: a loaded machine can be slow to start them).
    page.wait_for_load_state("networkidle")
    page.locator("#rows-0-unit").press_sequentially("ia tiem")
    page.wait_for_selector(f"#plan-units option[value='{UNITS[0]}']", state="attached", timeout=WAIT)
    for i, unit in enumerate(UNITS):
        page.fill(f"#rows-{i}-unit", unit)
        page.fill(f"#rows-{i}-started_at", f"2026-12-{15 + i}T08:00")
        page.fill(f"#rows-{i}-place", f"Hội trường {unit}")
        page.select_option(f"#rows-{i}-checklist_form", label=FORM_TITLE)
    page.fill("#issued_place", "Gia Lai")
    shot(page, shots, "07-plan-filled")
    page.click("form.plan-form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash.error, .error-text").count() == 0, page.locator("main").inner_text()[:800]
    assert all(page.input_value(f"#rows-{i}-unit") == unit for i, unit in enumerate(UNITS))
    fits(page)
    shot(page, shots, "08-plan-saved")
    for name, link in (("plan", "a:has-text('Kế hoạch (PDF)')"),
                       ("outline", "a:has-text('Đề cương báo cáo'):has-text('(PDF)')")):
        href = page.locator(link).first.get_attribute("href")
        answer = page.context.request.get(empty_server.url + href)
        assert answer.ok and answer.headers["content-type"].startswith("application/pdf")
        body = answer.body()
        assert body.startswith(b"%PDF")
        text = " ".join(pdf_text(body, tmp_path, f"{name}.pdf").split())
        if name == "plan":
            assert "KẾ HOẠCH" in text and all(unit in text for unit in UNITS), text[:1500]
        else:
            assert "ĐỀ CƯƠNG BÁO CÁO" in text.upper(), text[:1500]
    page.context.close()


@BROWSER
def test_5_each_host_reports(empty_server, browser, shots):
    SEEN["figures"] = {}
    for n, (username, unit) in enumerate(zip(HOSTS, UNITS)):
        page = open_as(browser, empty_server, username, TABLET_PORTRAIT if n % 2 else TABLET_LANDSCAPE)
        upcoming = page.locator("#home-visits")
        assert unit in upcoming.inner_text() and "Đoàn khảo sát" in upcoming.inner_text()
        due = page.locator("[data-list=unit_report_due] a")
        assert due.count() == 1
        shot(page, shots, f"09-host{n + 1}-home")
        due.click()
        page.wait_for_url("**/visits/*/unit-report")
        visit_id = int(page.url.split("/")[-2])
        page.wait_for_function("() => document.getElementById('unit-report').dataset.ready === '1'", timeout=WAIT)
        figures = {"dossiers_received": 500 + n, "dossiers_online": 200, "dossiers_resolved": 450,
                   "dossiers_in_progress": 50 + n, "dossiers_overdue": 5, "on_time_rate_pct": 95}
        offered = {box.get_attribute("data-indicator") for box in page.locator("input[data-indicator]").all()}
        assert offered == set(figures)  # the plan's form: the figures its outline asks for
        for key, value in figures.items():
            page.fill(f'[data-indicator="{key}"]', str(value))
        assert figures, "the report page offers no figures"
        page.fill('[data-report="summary"]', f"{unit}: tình hình giải quyết thủ tục ổn định.")
        page.click('button[data-action="add"][data-kind="difficulties"]')
        page.locator('[data-entries="difficulties"] textarea').last.fill("Thiếu máy quét tài liệu.")
        page.click('button[data-action="add"][data-kind="proposals"]')
        page.locator('[data-entries="proposals"] textarea').last.fill("Cấp thêm máy quét cho bộ phận một cửa.")
        page.locator('[data-entries="proposals"] [data-key="addressee"]').last.fill("UBND tỉnh Gia Lai")
        page.wait_for_timeout(800)
        page.wait_for_function(SETTLED, timeout=WAIT)
        status = page.locator("#report-status")
        assert status.get_attribute("data-state") == "saved", status.inner_text()
        assert page.locator("[data-warnings]").is_hidden()  # consistent figures: no warning
        assert page.locator("output[data-computed=online_rate_pct]").inner_text() == \
            f"{200 / (500 + n) * 100:.1f}%".replace(".", ",")
        fits(page)
        shot(page, shots, f"10-host{n + 1}-report")
        SEEN["figures"][unit] = (visit_id, figures)
        page.context.close()


@BROWSER
def test_6_secretary_sees_three_units_reported(empty_server, browser, shots):
    page = open_as(browser, empty_server, "thuky", TABLET_PORTRAIT)
    page.goto(empty_server.url + "/unit-reports/")
    rows = page.locator("#unit-report-visits tbody tr")
    assert rows.count() == 3
    for unit in UNITS:
        row = rows.filter(has_text=unit)
        assert "Đã gửi" in row.inner_text() and "Chưa gửi" not in row.inner_text()
    fits(page)
    shot(page, shots, "11-secretary-reported")
    page.context.close()


@BROWSER
def test_7_member_finds_the_figures_prefilled(empty_server, browser, shots):
    page = open_as(browser, empty_server, "thanhvien", TABLET_LANDSCAPE)
    unit = UNITS[1]
    visit_id, figures = SEEN["figures"][unit]
    page.click("nav a[href='/visits']")
    row = page.locator("main tr", has_text=unit)
    assert "Đã gửi báo cáo" in row.inner_text()  # the visit list marks the unit as reported
    row.locator(f"a[href='/visits/{visit_id}']").first.click()
    page.click(f"main a[href='/visits/{visit_id}/capture']")
    page.wait_for_url(f"**/visits/{visit_id}/capture")
    # At 1024 px the sections sit beside the section menu, not squeezed into its column.
    sections, menu = page.locator(".sections").bounding_box(), page.locator(".section-menu").bounding_box()
    assert sections["x"] >= menu["x"] + menu["width"] and sections["width"] > 600, (sections, menu)
    for key, value in figures.items():
        assert page.locator(f'[data-field="indicators.{key}"]').input_value() == str(value)
        assert f"Đơn vị báo cáo: {value}" in page.locator(f'[data-sources="{key}"]').inner_text()
    assert page.locator('[data-field="report.summary"]').input_value().startswith(unit)
    difficulty = page.locator('ol[data-kind="difficulty"] > li.item').first
    assert "Đơn vị báo cáo" in difficulty.inner_text()
    fits(page)
    page.locator('[data-sources="dossiers_received"]').locator("xpath=ancestor::section[1]").screenshot(
        path=str(shots / "12-member-capture-figures.png"))
    page.context.close()


# ------------------------------------------------------------------ the API twin

@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("empty-api"))
    server.cli("init")
    server.cli("create-user", "--username", ADMIN, "--password", PASSWORD, "--role", "admin")
    server.start()
    yield server
    server.stop()


def api(server, token: str):
    """A requests session for one account's bearer token, its calls bounded in time."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(method: str, path: str, **kwargs):
        return session.request(method, server.url + "/api/v1" + path, timeout=60, **kwargs)
    return call


def token_of(server, username: str) -> str:
    return server.cli("token", "create", username).strip().split()[-1]


def page_shape(body: dict, things: str) -> list:
    assert set(body) == {things, "page", "has_next"} and body["page"] == 1 and body["has_next"] is False
    return body[things]


def test_the_same_flow_through_the_api(api_server):
    admin = api(api_server, token_of(api_server, ADMIN))
    unit_ids = []
    for name in UNITS:
        answer = admin("POST", "/units", json={"name": name, "kind": "ubnd_xa" if name.startswith("UBND") else "trung_tam",
                                               "locality": "Gia Lai"})
        assert answer.status_code == 201, answer.text
        unit_ids.append(answer.json()["id"])
    twin = admin("POST", "/units", json={"name": "ubnd XÃ ia tiêm", "kind": "ubnd_xa", "locality": "Gia Lai"})
    assert twin.status_code == 409 and twin.json()["field"] == "name" and twin.json()["id"] == unit_ids[0]
    found = page_shape(admin("GET", "/units", params={"q": "ia tiem"}).json(), "units")
    assert [u["id"] for u in found] == [unit_ids[0]]
    assert len(page_shape(admin("GET", "/units").json(), "units")) == 3

    for username, full_name, role in STAFF:
        api_server.cli("create-user", "--username", username, "--password", PASSWORD, "--role", role,
                       "--full-name", full_name)
    for username, unit in zip(HOSTS, UNITS):
        api_server.cli("create-user", "--username", username, "--password", PASSWORD, "--role", "host",
                       "--unit", unit)
    secretary, member = (api(api_server, token_of(api_server, u)) for u in ("thuky", "thanhvien"))
    hosts = [api(api_server, token_of(api_server, u)) for u in HOSTS]

    delegation = {"name": "Đoàn khảo sát cải cách hành chính cấp xã", "body": "Ban Pháp chế HĐND tỉnh Gia Lai",
                  "parent_body": "HĐND tỉnh Gia Lai", "kind": "khao_sat", "topic": "Thủ tục hành chính cấp xã",
                  "symbol": "BPC", "followup_days": 60, "decision": {"number": "45/QĐ-BPC", "date": "2026-11-20"},
                  "period": {"from": "2026-12-01", "to": "2026-12-31"},
                  "members": [{"name": n, "title": "Ủy viên", "role": r, "username": u} for u, n, r in STAFF]}
    assert member("POST", "/delegations", json=delegation).status_code == 403
    answer = admin("POST", "/delegations", json=delegation)
    assert answer.status_code == 201, answer.text
    delegation_id = answer.json()["id"]
    again = admin("POST", "/delegations", json=delegation)
    assert again.status_code == 409 and again.json()["id"] == delegation_id
    listed = page_shape(secretary("GET", "/delegations").json(), "delegations")
    assert [d["id"] for d in listed] == [delegation_id]
    assert {(m["username"], m["role"]) for m in listed[0]["members"]} == {(u, r) for u, _, r in STAFF}
    assert listed[0]["decision"] == {"number": "45/QĐ-BPC", "date": "2026-11-20"}

    row = {"unit_id": unit_ids[0], "started_at": "2026-12-15T08:00:00+07:00", "place": "Hội trường",
           "form": "ttpvhcc-xa"}
    assert member("POST", f"/delegations/{delegation_id}/visits", json=row).status_code == 403
    outside = secretary("POST", f"/delegations/{delegation_id}/visits",
                        json={**row, "started_at": "2027-02-01T08:00:00+07:00"})
    assert outside.status_code in (400, 422) and outside.json()["field"] == "started_at"
    visit_ids = []
    for n, unit_id in enumerate(unit_ids):
        answer = secretary("POST", f"/delegations/{delegation_id}/visits",
                           json={**row, "unit_id": unit_id, "started_at": f"2026-12-{15 + n}T08:00:00+07:00"})
        assert answer.status_code == 201, answer.text
        visit_ids.append(answer.json()["id"])
    assert secretary("POST", f"/delegations/{delegation_id}/visits", json=row).status_code == 409  # planned twice

    visits = page_shape(secretary("GET", "/visits", params={"delegation": delegation_id}).json(), "visits")
    assert sorted(v["id"] for v in visits) == sorted(visit_ids)
    assert {v["unit_name"] for v in visits} == set(UNITS) and {v["status"] for v in visits} == {"planned"}
    one = page_shape(member("GET", "/visits", params={"unit": unit_ids[1]}).json(), "visits")
    assert [v["id"] for v in one] == [visit_ids[1]]
    assert page_shape(member("GET", "/visits", params={"status": "minutes_final"}).json(), "visits") == []
    planned = page_shape(member("GET", "/visits", params={"status": "planned", "q": "Chư Pưh"}).json(), "visits")
    assert [v["id"] for v in planned] == [visit_ids[1]]
    # A host sees only the visits of the unit: its own one.
    assert [v["id"] for v in page_shape(hosts[0]("GET", "/visits").json(), "visits")] == [visit_ids[0]]

    for n, (host, visit_id) in enumerate(zip(hosts, visit_ids)):
        report = {"summary": f"{UNITS[n]}: ổn định.", "period": {"from": "2026-01-01", "to": "2026-11-30"},
                  "indicators": {"dossiers_received": 500 + n, "dossiers_online": 200, "dossiers_resolved": 450,
                                 "dossiers_in_progress": 50},
                  "difficulties": [{"text": "Thiếu máy quét."}],
                  "proposals": [{"text": "Cấp thêm máy quét.", "addressee": "UBND tỉnh Gia Lai"}]}
        other = visit_ids[(n + 1) % 3]
        assert host("PUT", f"/visits/{other}/unit-report", json=report).status_code == 404  # another unit's
        assert host("GET", f"/visits/{other}/unit-report").status_code == 404
        answer = host("PUT", f"/visits/{visit_id}/unit-report", json=report)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["indicators"]["dossiers_received"] == 500 + n and body["submitted_at"] and body["by"]
    assert secretary("GET", f"/visits/{visit_ids[1]}/unit-report").json()["indicators"]["dossiers_received"] == 501
    # Nobody wrote over another unit's report by the refused calls.
    for n, visit_id in enumerate(visit_ids):
        assert hosts[n]("GET", f"/visits/{visit_id}/unit-report").json()["summary"] == f"{UNITS[n]}: ổn định."

    document = member("GET", f"/visits/{visit_ids[1]}").json()
    assert document["report"]["indicators"]["dossiers_received"] == 501
    assert document["host"]["unit"] == UNITS[1]
