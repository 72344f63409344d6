"""The survey plan (issue 12, item 4): the schedule's rules on the page and through the
API (each refusal names the row and the field, nothing is saved), the delegation's
period, the plan and report outline documents (real WeasyPrint PDF read back with
pdftotext, real DOCX read with python-docx), their numbers, and who may read them."""
from __future__ import annotations

import datetime as dt
import html as html_text
import io
import re
import subprocess

import docx
import pytest

from survey_app.checklists import parse_form
from survey_app.demo import HOST_UNIT, OTHER_UNIT
from survey_app.documents import render_html, render_pdf
from survey_app.domain.directory import delegations as directory
from survey_app.domain.plans import documents as plan_docs
from survey_app.domain.plans import operations as plans
from survey_app.domain.plans.context import outline_context
from survey_app.domain.unit_reports import views as unit_report_views
from survey_app.storage import audit as audit_sql
from survey_app.storage import plans as plans_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .live import TABLET_LANDSCAPE, TABLET_PORTRAIT, login_page
from .support import seed_visit, user
from .test_delegation_pages import form_data
from .test_docx_properties import app_properties
from .test_skip_logic import FORM as SKIP_FORM

CENTRE = "Trung tâm Phục vụ hành chính công xã Hra"
DAY = dt.date.today() + dt.timedelta(days=40)


def at(days: int = 0, hour: int = 8) -> str:
    return f"{(DAY + dt.timedelta(days=days)).isoformat()}T{hour:02d}:00:00+07:00"


def local(days: int = 0, hour: int = 8) -> str:
    return f"{(DAY + dt.timedelta(days=days)).isoformat()}T{hour:02d}:00"


def traces(store, delegation_id: int) -> tuple:
    return (store.read(visits_sql.count_visits), store.read(plans_sql.get_plan, delegation_id),
            store.read(audit_sql.head)[0], [(r["id"], r["unit_id"], r["started_at"], r["place"], r["form_hash"])
                                            for r in store.read(plans_sql.schedule, delegation_id)])


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8")


@pytest.fixture
def delegation(store):
    return seed_visit(store)["delegation_id"]


@pytest.fixture
def with_period(client, token, delegation):
    response = client.patch(f"/api/v1/delegations/{delegation}", headers=token("admin"),
                            json={"period": {"from": DAY.isoformat(), "to": (DAY + dt.timedelta(days=20)).isoformat()}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["period"] == {"from": DAY.isoformat(),
                                             "to": (DAY + dt.timedelta(days=20)).isoformat()}
    return delegation


def page_rows(client, delegation_id) -> dict:
    """The plan page's form as posted back unchanged (rows with their ids)."""
    html = client.get(f"/delegations/{delegation_id}/plan").get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1),
            "issued_date": DAY.isoformat(), "report_days": "5"}
    for name, value in re.findall(r'<input[^>]*name="(rows-\d+-(?:id|unit|started_at|place))"[^>]*value="([^"]*)"',
                                  html):
        data[name] = value
    for name, value in re.findall(r'name="(rows-\d+-checklist_form)".*?<option selected value="([^"]*)"', html,
                                  re.S):
        data[name] = value
    return data


def new_rows(data: dict, *rows: dict, start: int = 1) -> dict:
    for index, row in enumerate(rows, start):
        data.update({f"rows-{index}-{key}": value for key, value in row.items()})
    return data


ROW_A = {"unit": "ubnd XÃ ia hrú", "started_at": local(1), "place": "Hội trường UBND xã Ia Hrú",
         "checklist_form": "ttpvhcc-xa"}
ROW_B = {"unit": CENTRE, "started_at": local(2, 14), "place": "", "checklist_form": "tram-y-te-xa"}


# ----------------------------------------------------------------- the schedule's rules

def test_a_secretary_plans_several_units_at_once_matched_by_name(login_as, store, with_period):
    client = login_as("thuky")
    saved = client.post(f"/delegations/{with_period}/plan", data=new_rows(page_rows(client, with_period),
                                                                          ROW_A, ROW_B))
    assert saved.status_code == 302, re.findall(r'role="alert">([^<]*)<', saved.get_data(as_text=True))
    rows = store.read(plans_sql.schedule, with_period)
    assert [(r["unit_name"], r["status"]) for r in rows[1:]] == [(OTHER_UNIT, "planned"), (CENTRE, "planned")]
    assert rows[1]["started_at"] == at(1) and rows[1]["place"] == "Hội trường UBND xã Ia Hrú"
    assert rows[2]["form_id"] == "tram-y-te-xa"
    assert store.read(plans_sql.get_plan, with_period)["number"] >= 1


REFUSALS = [  # (row 1's change or a second row, the row named, the field, words of the message)
    ({"started_at": "2020-01-06T08:00"}, 2, "started_at", "đã qua"),
    ({"started_at": local(30)}, 2, "started_at", "nằm ngoài thời gian khảo sát"),
    ({"unit": "UBND xã Không Có"}, 2, "unit", "Không có đơn vị 'UBND xã Không Có'"),
    ({"unit": ""}, 2, "unit", "Vui lòng chọn đơn vị"),
    ({"checklist_form": "khong-co"}, 2, "checklist_form", "biểu mẫu"),
    ({"started_at": ""}, 2, "started_at", "Vui lòng nhập thời gian"),
]


@pytest.mark.parametrize("change,row,field,words", REFUSALS)
def test_a_refused_row_is_named_and_nothing_is_saved(login_as, store, with_period, change, row, field, words):
    client = login_as("thuky")
    before = traces(store, with_period)
    refused = client.post(f"/delegations/{with_period}/plan",
                          data=new_rows(page_rows(client, with_period), ROW_B, {**ROW_A, **change}))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    message = re.search(rf'id="rows-{row}-{field}".*?role="alert">([^<]*)<', html, re.S)
    assert message, f"no message beside rows-{row}-{field}"
    shown = html_text.unescape(message.group(1))
    assert shown.startswith(f"Dòng {row + 1}:") and words in shown, shown
    assert traces(store, with_period) == before


def test_a_unit_planned_twice_names_both_rows(login_as, store, with_period):
    client = login_as("thuky")
    before = traces(store, with_period)
    refused = client.post(f"/delegations/{with_period}/plan", data=new_rows(
        page_rows(client, with_period), ROW_A, {**ROW_B, "unit": "UBND XÃ IA HRÚ"}))
    assert refused.status_code == 400
    assert f"Dòng 3: {OTHER_UNIT} đã có ở dòng 2 của lịch khảo sát" in refused.get_data(as_text=True)
    assert traces(store, with_period) == before
    # the seed visit's unit, which stays in the plan as it is, counts too
    refused = client.post(f"/delegations/{with_period}/plan", data=new_rows(
        page_rows(client, with_period), {**ROW_A, "unit": HOST_UNIT}))
    assert refused.status_code == 400 and "Dòng 2: UBND xã Hra đã có ở dòng 1" in refused.get_data(as_text=True)
    assert traces(store, with_period) == before


def test_rows_change_and_go_until_the_visit_starts(store, with_period, app):
    forms, secretary = app.extensions["survey_forms"], user(store, "thuky")
    plans.save_plan(store, forms, secretary, with_period, {"rows": [
        {"unit": OTHER_UNIT, "started_at": at(1), "place": "A", "form": "ttpvhcc-xa"},
        {"unit": CENTRE, "started_at": at(2), "place": "B", "form": "ttpvhcc-xa"}]})
    seed, first, second = store.read(plans_sql.schedule, with_period)
    plans.save_plan(store, forms, secretary, with_period, {"rows": [
        {"id": first["id"], "unit": OTHER_UNIT, "started_at": at(3, 9), "place": "Hội trường", "form": "tram-y-te-xa"},
        {"id": second["id"], "remove": True}]})
    rows = store.read(plans_sql.schedule, with_period)
    assert [(r["id"], r["started_at"], r["place"], r["form_id"]) for r in rows[1:]] == \
        [(first["id"], at(3, 9), "Hội trường", "tram-y-te-xa")]
    assert store.read(visits_sql.get_field, first["id"], "started_at")["value"] == at(3, 9)
    # the seed visit has started (in progress): it can be neither changed nor removed
    assert seed["status"] != "planned"
    before = traces(store, with_period)
    for change in ({"id": seed["id"], "remove": True}, {"id": seed["id"], "unit": OTHER_UNIT,
                                                        "started_at": at(4), "form": "ttpvhcc-xa"}):
        with pytest.raises(plans.RowRefusal) as refused:
            plans.save_plan(store, forms, secretary, with_period, {"rows": [change]})
        assert refused.value.status == 409 and refused.value.field == "rows[0].id"
        assert "đã bắt đầu" in refused.value.message
    assert traces(store, with_period) == before


def test_the_period_holds_the_visits_already_planned(client, token, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {"rows": [
        {"unit": OTHER_UNIT, "started_at": at(5), "form": "ttpvhcc-xa"}]})
    narrower = client.patch(f"/api/v1/delegations/{with_period}", headers=token("admin"),
                            json={"period": {"from": (DAY + dt.timedelta(days=6)).isoformat(), "to": ""}})
    assert narrower.status_code == 409 and narrower.get_json()["field"] == "period"
    backwards = client.patch(f"/api/v1/delegations/{with_period}", headers=token("admin"),
                             json={"period": {"from": "2026-12-10", "to": "2026-12-01"}})
    assert backwards.status_code == 400 and backwards.get_json()["field"] == "period.to"


def test_the_delegation_page_edits_the_period_and_names_a_wrong_one(login_as, store, delegation):
    client = login_as("admin")
    token = csrf_token(client, f"/delegations/{delegation}/edit")
    base = form_data(token, name="Đoàn mới có thời gian", period_from="2031-03-01", period_to="2031-03-31")
    created = client.post("/delegations/new", data=base)
    assert created.status_code == 302, created.get_data(as_text=True)
    new_id = int(re.search(r"/delegations/(\d+)/edit", created.headers["Location"]).group(1))
    admin = user(store, "admin")
    assert directory.get(store, admin, new_id)["period"] == {"from": "2031-03-01", "to": "2031-03-31"}
    page = client.get(f"/delegations/{new_id}/edit").get_data(as_text=True)
    assert 'value="2031-03-01"' in page and f'href="/delegations/{new_id}/plan"' in page
    refused = client.post(f"/delegations/{new_id}/edit", data={**base, "period_to": "2031-02-01"})
    assert refused.status_code == 400
    after_field = refused.get_data(as_text=True).split('id="period_to"', 1)[1]
    assert after_field.index("không trước ngày bắt đầu") < after_field.index("<label")
    assert directory.get(store, admin, new_id)["period"]["to"] == "2031-03-31"


def test_a_unit_that_has_reported_keeps_its_row_and_its_deadline_follows_the_plan(client, token, store,
                                                                                   with_period, app):
    forms, secretary = app.extensions["survey_forms"], user(store, "thuky")
    plans.save_plan(store, forms, secretary, with_period, {"fields": {"report_days": 7}, "rows": [
        {"unit": OTHER_UNIT, "started_at": at(10), "form": "ttpvhcc-xa"}]})
    visit = store.read(plans_sql.schedule, with_period)[1]
    due = unit_report_views.deadline_of(store, store.read(visits_sql.get_visit, visit["id"]))
    assert due == (DAY + dt.timedelta(days=10 - 7)).isoformat()
    sent = client.put(f"/api/v1/visits/{visit['id']}/unit-report", headers=token("xaiahru"),
                      json={"summary": "Đơn vị đã tiếp nhận 120 hồ sơ."})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    before = traces(store, with_period)
    for row, field in (({"id": visit["id"], "remove": True}, "rows[0].remove"),
                       ({"id": visit["id"], "unit": CENTRE, "started_at": at(10), "form": "ttpvhcc-xa"},
                        "rows[0].unit"),
                       ({"id": visit["id"], "unit": OTHER_UNIT, "started_at": at(10), "form": "tram-y-te-xa"},
                        "rows[0].form")):
        with pytest.raises(plans.RowRefusal) as refused:
            plans.save_plan(store, forms, secretary, with_period, {"fields": {"report_days": 7}, "rows": [row]})
        assert (refused.value.status, refused.value.field) == (409, field)
        assert "đã gửi báo cáo" in refused.value.message
    assert traces(store, with_period) == before
    plans.save_plan(store, forms, secretary, with_period, {"fields": {"report_days": 7}, "rows": [
        {"id": visit["id"], "unit": OTHER_UNIT, "started_at": at(11, 9), "place": "Hội trường", "form": "ttpvhcc-xa"}]})
    assert store.read(plans_sql.schedule, with_period)[1]["started_at"] == at(11, 9), "its time still moves"


def test_the_hosts_home_page_counts_the_plans_report_days(login_as, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {
        "fields": {"report_days": 9}, "rows": [{"unit": OTHER_UNIT, "started_at": at(10), "form": "ttpvhcc-xa"}]})
    home = html_text.unescape(login_as("xaiahru").get("/").get_data(as_text=True))
    due = (DAY + dt.timedelta(days=10 - 9)).strftime("%d/%m/%Y")
    assert f"Hạn gửi báo cáo {due}" in " ".join(home.split())


def test_the_hosts_report_page_links_to_their_outline(login_as, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {"rows": [
        {"unit": OTHER_UNIT, "started_at": at(10), "form": "ttpvhcc-xa"}]})
    visit = store.read(plans_sql.schedule, with_period)[1]
    host = login_as("xaiahru")
    page = host.get(f"/visits/{visit['id']}/unit-report").get_data(as_text=True)
    link = html_text.unescape(re.search(r'href="([^"]*outline[^"]*)"', page).group(1))
    outline = host.get(link)
    assert outline.status_code == 200 and outline.mimetype == "application/pdf"
    assert f"Đơn vị báo cáo: {OTHER_UNIT}" in " ".join(pdf_text(outline.data).split())


# ----------------------------------------------------------------- the planning API

def test_the_planning_api_follows_the_contract_and_the_rules(client, token, store, with_period, unit_id):
    url, body = f"/api/v1/delegations/{with_period}/visits", {"unit_id": unit_id(OTHER_UNIT),
                                                               "started_at": at(2), "place": "Hội trường",
                                                               "form": "ttpvhcc-xa"}
    assert client.post(url, json=body, headers=token("thanhvien")).status_code == 403  # a member plans nothing
    assert client.post(url, json=body, headers=token("xahra")).status_code == 403
    created = client.post(url, json=body, headers=token("truongdoan"))
    assert created.status_code == 201, created.get_data(as_text=True)
    visit = store.read(visits_sql.get_visit, created.get_json()["id"])
    assert (visit["unit_name"], visit["status"], visit["started_at"]) == (OTHER_UNIT, "planned", at(2))
    secretary = token("thuky")
    before = traces(store, with_period)
    for change, status, field in [({}, 409, "unit_id"), ({"unit_id": unit_id(CENTRE), "started_at": at(-60)}, 400,
                                                          "started_at"),
                                  ({"unit_id": unit_id(CENTRE), "started_at": at(40)}, 400, "started_at"),
                                  ({"unit_id": 99999}, 400, "unit_id"), ({"unit_id": "3"}, 400, "unit_id"),
                                  ({"unit_id": unit_id(CENTRE), "form": "x"}, 400, "form"),
                                  ({"unit_id": unit_id(CENTRE), "colour": 1}, 400, "colour")]:
        refused = client.post(url, json={**body, **change}, headers=secretary)
        assert (refused.status_code, refused.get_json()["field"]) == (status, field), refused.get_json()
    assert traces(store, with_period) == before


# ----------------------------------------------------------------- the documents

def test_the_plan_pdf_carries_the_schedule_with_diacritics(login_as, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {
        "fields": {"issued_date": DAY.isoformat(), "report_days": 7}, "rows": [
            {"unit": OTHER_UNIT, "started_at": at(3, 14), "place": "Hội trường UBND xã Ia Hrú",
             "form": "ttpvhcc-xa"}]})
    response = login_as("thuky").get(f"/delegations/{with_period}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    number = store.read(plans_sql.get_plan, with_period)["number"]
    for words in (f"Số: {number:02d}/KH-", "KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG",
                  "III. THÀNH PHẦN ĐOÀN", "IV. THỜI GIAN, ĐỊA ĐIỂM", "V. TỔ CHỨC THỰC HIỆN", "Nơi nhận:",
                  "TRƯỞNG ĐOÀN", "Đinh Ly An, Trưởng Ban Pháp chế HĐND tỉnh - Trưởng đoàn", OTHER_UNIT,
                  "Hội trường UBND xã Ia Hrú",
                  f"14 giờ 00 phút, ngày {(DAY + dt.timedelta(days=3)).strftime('%d/%m/%Y')}",
                  (DAY + dt.timedelta(days=3 - 7)).strftime("%d/%m/%Y"), "chậm nhất 7 ngày trước"):
        assert words in text, words


def test_plan_numbers_count_per_year_and_body(client, token, store, app):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    made = []
    for name, body in (("Đoàn A", "Ban Kinh tế - Ngân sách"), ("Đoàn B", "Ban Kinh tế - Ngân sách"),
                       ("Đoàn C", "Ban Văn hóa - Xã hội")):
        response = client.post("/api/v1/delegations", headers=token("admin"), json={
            "name": name, "body": body, "symbol": "KTNS" if "Kinh" in body else "VHXH",
            "members": [{"name": "Người Một", "role": "head"}]})
        made.append(response.get_json()["id"])
    numbers = [plans.save_plan(store, forms, admin, d, {"fields": {"issued_date": "2031-03-02"}})["number"]
               for d in made]
    assert numbers == [1, 2, 1]
    audited = store.read(audit_sql.head)[0]
    unchanged = plans.save_plan(store, forms, admin, made[0], {"fields": {"issued_date": "2031-03-02"}})
    assert unchanged["number"] == 1 and store.read(audit_sql.head)[0] == audited, "nothing changed, nothing audited"
    again = plans.save_plan(store, forms, admin, made[0], {"fields": {"issued_date": "2031-05-02"}})
    assert again["number"] == 1, "the same year keeps the number"
    assert store.read(audit_sql.head)[0] == audited + 1
    next_year = plans.save_plan(store, forms, admin, made[1], {"fields": {"issued_date": "2032-01-05"}})
    assert (next_year["number"], next_year["year"]) == (1, 2032)
    text = pdf_text(render_pdf(render_html(plan_docs.plan_document(store, forms, admin, made[1]),
                                           plan_docs.PLAN_TEMPLATE)))
    assert "Số: 01/KH-KTNS" in text and "ngày 05 tháng 01 năm 2032" in text


def test_the_docx_uses_real_styles_fonts_and_margins(login_as, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {"rows": [
        {"unit": OTHER_UNIT, "started_at": at(1), "place": "Hội trường", "form": "ttpvhcc-xa"}]})
    client = login_as("thuky")
    for path, title, headings in ((f"/delegations/{with_period}/plan.docx", "KẾ HOẠCH",
                                   ["I. MỤC ĐÍCH, YÊU CẦU", "IV. THỜI GIAN, ĐỊA ĐIỂM", "V. TỔ CHỨC THỰC HIỆN"]),
                                  (f"/delegations/{with_period}/outline.docx?form=ttpvhcc-xa", "ĐỀ CƯƠNG BÁO CÁO",
                                   ["I. KẾT QUẢ THỰC HIỆN", "II. SỐ LIỆU", "IV. ĐỀ XUẤT, KIẾN NGHỊ"])):
        response = client.get(path)
        assert response.status_code == 200, path
        document = docx.Document(io.BytesIO(response.data))
        styled = {p.text: p.style.name for p in document.paragraphs}
        assert styled[title] == "Title"
        assert all(styled[h] == "Heading 1" for h in headings), styled
        assert any(name == "Heading 2" for name in styled.values())
        normal = document.styles["Normal"]
        assert (normal.font.name, normal.font.size.pt) == ("Times New Roman", 13)
        assert normal.element.rPr.find(docx.oxml.ns.qn("w:lang")).get(docx.oxml.ns.qn("w:val")) == "vi-VN"
        for name in ("Title", "Heading 1", "Heading 2"):
            fonts = document.styles[name].element.rPr.rFonts
            assert fonts.get(docx.oxml.ns.qn("w:ascii")) == "Times New Roman"
            assert fonts.get(docx.oxml.ns.qn("w:asciiTheme")) is None, "a theme font would override it"
        section = document.sections[0]
        assert [round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin,
                                      section.left_margin, section.page_width)] == [20, 15, 22, 30, 210]
        assert section.different_first_page_header_footer
        grids = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
        assert grids and grids[0].rows[0].cells[0].text == "STT"
        assert document.core_properties.author == "Ban Pháp chế"
        assert document.core_properties.created.year >= 2026
        app_properties(response.data, "Ban Pháp chế")
    outline = docx.Document(io.BytesIO(client.get(f"/delegations/{with_period}/outline.docx?form=ttpvhcc-xa").data))
    figures = next(t for t in outline.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    assert [figures.rows[1].cells[i].text for i in range(3)] == ["1", "Số hồ sơ tiếp nhận", "hồ sơ"]


def test_the_outline_writes_skip_logic_in_words():
    form = parse_form(SKIP_FORM, "skip.toml")
    plan = {"number": 3, "issued_date": "2026-12-01", "report_days": 5, "figures_from": "2026-01-01",
            "figures_to": "2026-09-30"}
    delegation = {"parent_body": "HĐND tỉnh Gia Lai", "body": "Ban Pháp chế", "symbol": "BPC"}
    text = " ".join(pdf_text(render_pdf(render_html(outline_context(delegation, plan, form),
                                                    "plans/de_cuong.html"))).split())
    assert "(Kèm theo Kế hoạch số 03/KH-BPC ngày 01/12/2026 của Ban Pháp chế)" in text
    assert "1.2. Tốc độ (chọn một: Nhanh; Chậm)" in text
    assert "Chỉ trả lời nếu «Có cổng trực tuyến» là «Có»." in text
    assert "Chỉ trả lời nếu «Có cổng trực tuyến» không phải là «Không»." in text  # a section's condition
    assert "Chỉ trả lời nếu «Tốc độ» là «Chậm» và «Số cán bộ» nhỏ hơn 3." in text


# ----------------------------------------------------------------- who reads what

def test_the_host_of_a_planned_unit_reads_the_plan_and_their_outline(client, login_as, store, with_period, app):
    plans.save_plan(store, app.extensions["survey_forms"], user(store, "thuky"), with_period, {
        "fields": {"report_days": 5}, "rows": [{"unit": OTHER_UNIT, "started_at": at(4), "form": "ttpvhcc-xa"}]})
    host = login_as("xaiahru")
    assert host.get(f"/delegations/{with_period}/plan.pdf").status_code == 200
    outline = host.get(f"/delegations/{with_period}/outline.pdf")
    assert outline.status_code == 200
    text = " ".join(pdf_text(outline.data).split())
    assert f"Đơn vị báo cáo: {OTHER_UNIT}" in text
    assert f"chậm nhất ngày {(DAY + dt.timedelta(days=4 - 5)).strftime('%d/%m/%Y')}" in text
    assert host.get(f"/delegations/{with_period}/outline.pdf?form=tram-y-te-xa").status_code == 404
    assert host.post(f"/delegations/{with_period}/plan", data={}).status_code in (400, 403)
    assert host.get(f"/delegations/{with_period}/plan").status_code == 403


def test_a_host_outside_the_plan_reads_nothing_and_a_member_reads_but_does_not_plan(client, login_as, with_period):
    other = login_as("xaiahru")
    assert other.get(f"/delegations/{with_period}/plan.pdf").status_code == 404
    assert other.get(f"/delegations/{with_period}/outline.docx?form=ttpvhcc-xa").status_code == 404
    member = login_as("thanhvien")
    assert member.get(f"/delegations/{with_period}/plan.docx").status_code == 200
    assert member.get(f"/delegations/{with_period}/plan").status_code == 403


@pytest.mark.browser
def test_the_plan_page_in_chromium_at_both_tablet_sizes(page, live_server, tmp_path):
    """The head opens the plan from the visit list, fills a row with a past time: the
    refusal is shown in that row, and nothing is saved (the shared demo server keeps
    its plan as it was)."""
    login_page(page, live_server, "truongdoan")
    page.click("nav a[href='/visits']")
    page.click(".page-head a[href='/delegations/plans']")
    page.click("main a[href$='/plan']")
    rows = page.locator("ol.plan-rows > li").count()
    page.click("button[name=add_row]")
    assert page.locator("ol.plan-rows > li").count() == rows + 1
    new = f"#rows-{rows}"  # the added row (the demo's started visits come first)
    page.fill(f"{new}-unit", "UBND xã Ia Hrú")
    page.fill(f"{new}-started_at", "2020-01-06T08:00")
    page.select_option(f"{new}-checklist_form", "ttpvhcc-xa")
    page.click("form.plan-form button.primary")
    alert = page.locator(f"{new}-started_at ~ .error-text")
    assert re.match(r"Dòng \d+: ", alert.inner_text()) and "đã qua" in alert.inner_text()  # shown in that row
    for size, name in ((TABLET_PORTRAIT, "portrait"), (TABLET_LANDSCAPE, "landscape")):
        page.set_viewport_size(size)
        page.screenshot(path=str(tmp_path / f"plan-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        for selector in (f"{new}-unit", f"{new}-checklist_form", "form.plan-form button.primary", "#purpose"):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (selector, name)
    page.goto(page.url)
    assert page.locator("ol.plan-rows > li").count() == rows, "the refused row was not saved"
