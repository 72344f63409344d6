"""The forms' own English (issue 19 item 4): `help_en`, `unit_en`, `description_en` read
from a TOML form and from an XLSForm (`hint::English (en)`, `unit::English (en)`,
`description::English (en)`), kept through Excel and back, and shown with `label_en`,
`title_en` and `message_en` on English pages (the capture page, the unit's report, the
overview, the form preview, the autosave's and the report API's rule warnings), while
Vietnamese pages keep the Vietnamese."""
from __future__ import annotations

import re
import uuid

import pytest

from survey_app.checklists import load_forms
from survey_app.checklists.canonical import canonical_hash, to_toml
from survey_app.checklists.loader import parse_form
from survey_app.checklists.spec import FormError
from survey_app.checklists.xlsform import read_xlsform
from survey_app.checklists.xlsform_export import write_xlsform
from survey_app.domain.visits.operations import plan_visit

from .conftest import csrf_token
from .support import seed_visit, user
from .xlsform_samples import EN, workbook

FORMS = "forms"
BROKEN = {"dossiers_received": 10, "dossiers_online": 50, "dossiers_resolved": 10, "dossiers_in_progress": 0}
RULE_VI = "Số hồ sơ tiếp nhận trực tuyến lớn hơn tổng số hồ sơ tiếp nhận."
RULE_EN = "More dossiers received online than dossiers received in total."
HELP_VI = "Xem khu vực chờ, chỗ ngồi, quầy tiếp nhận, lối đi cho người khuyết tật."
HELP_EN = "Look at the waiting area, seats, reception counters and access for people with disabilities."

SURVEY = [["type", "name", "label", EN, "hint", "hint::English (en)", "unit", "unit::English (en)",
           "calculation"],
          ["begin group", "chung", "Thông tin chung", "General"],
          ["note", "luu_y", "Hỏi cán bộ một cửa.", "Ask the one-stop officer."],
          ["integer", "so_quay", "Số quầy", "Counters", "Đếm tại chỗ", "Count on site", "quầy", "counters"],
          ["text", "ghi_chu", "Ghi chú", "Notes", "Tùy ý"],
          ["end group"],
          ["begin group", "indicators", "Chỉ tiêu", "Figures"],
          ["integer", "ho_so", "Số hồ sơ", "Dossiers", "", "", "hồ sơ", "dossiers"],
          ["calculate", "gap_doi", "Gấp đôi", "Twice", "", "", "hồ sơ", "dossiers", "${ho_so} * 2"],
          ["end group"]]
SETTINGS = [["form_id", "form_title", "form_title::English (en)", "version", "description",
             "description::English (en)"],
            ["mau-en", "Biểu mẫu", "A form", "1", "Mô tả", "A description"]]


def test_an_xlsform_gives_help_unit_and_description_in_english_and_keeps_them_through_excel():
    form = read_xlsform(workbook(SURVEY, settings=SETTINGS))
    counters, notes = form.items["so_quay"], form.items["ghi_chu"]
    assert (counters.help, counters.help_en) == ("Hỏi cán bộ một cửa. Đếm tại chỗ", "Ask the one-stop officer. Count on site")
    assert (counters.unit, counters.unit_en) == ("quầy", "counters")
    assert (notes.help, notes.help_en) == ("Tùy ý", "")  # no English given: none made up
    assert [(f.unit, f.unit_en) for f in (*form.indicators, *form.computed)] == [("hồ sơ", "dossiers")] * 2
    assert (form.description, form.description_en) == ("Mô tả", "A description")
    back = read_xlsform(write_xlsform(form))
    assert back.content_hash == form.content_hash == canonical_hash(form)
    assert back.items["so_quay"].help_en == counters.help_en and back.description_en == "A description"


def test_a_form_without_the_new_english_keeps_its_canonical_text():
    """Forms published before `help_en`/`unit_en` existed keep their hash: an empty
    English is not written into the canonical text."""
    form = read_xlsform(workbook([["type", "name", "label", "hint", "unit"],
                                  ["integer", "so", "Số", "Gợi ý", "người"]]))
    text = to_toml(form)
    assert "help = " in text and "unit = " in text
    assert not re.search(r"^(help_en|unit_en|description_en) = ", text, re.M)


def test_the_toml_form_reads_the_english_and_refuses_a_unit_on_a_text_item():
    form = load_forms(FORMS).get("ttpvhcc-xa")
    assert form.items["premises_adequate"].help_en == HELP_EN
    assert form.items["reception_counters"].unit_en == "counters"
    assert form.indicator("dossiers_received").unit_en == "dossiers"
    assert form.description_en.startswith("For survey and oversight delegations")
    text = ('id = "x"\nversion = 1\ntitle = "X"\ntitle_en = "X"\n[[sections]]\nkey = "s"\ntitle = "S"\n'
            'title_en = "S"\n[[sections.items]]\nkey = "t"\ntype = "text"\nlabel = "T"\nlabel_en = "T"\n'
            'unit_en = "people"\n')
    with pytest.raises(FormError, match="unit_en"):
        parse_form(text, "x.toml")


@pytest.fixture
def broken_visit(store, app):
    """A visit of the seed's delegation whose figures break the rule on online dossiers."""
    from survey_app.domain.visits import changes
    forms = app.extensions["survey_forms"]
    delegation_id = seed_visit(store)["delegation_id"]
    visit_id = plan_visit(store, forms, user(store, "thuky"), delegation_id=delegation_id, unit="UBND xã Hra",
                          form_id="ttpvhcc-xa", started_at="2026-12-10T08:00:00+07:00", place="Hội trường")
    for key, value in BROKEN.items():
        changes.apply_change(store, forms, user(store, "thuky"), visit_id,
                             {"id": str(uuid.uuid4()), "target": f"indicators.{key}", "op": "set", "value": value,
                              "base_version": 0})
    return visit_id


def test_the_capture_page_and_the_overview_speak_the_forms_english(login_as, broken_visit):
    client = login_as("thuky")
    capture = client.get(f"/visits/{broken_visit}/capture?lang=en").get_data(as_text=True)
    for text in (RULE_EN, HELP_EN, "Dossiers received (dossiers)", "Quantity (counters)"):
        assert text in capture, text
    assert RULE_VI not in capture and HELP_VI not in capture and "(hồ sơ)" not in capture
    overview = client.get(f"/visits/{broken_visit}").get_data(as_text=True)
    assert RULE_EN in overview and "Survey of a commune public administrative service centre" in overview
    assert re.search(r"<td>Dossiers received\b", overview) and "Số hồ sơ tiếp nhận" not in overview
    vietnamese = client.get(f"/visits/{broken_visit}/capture?lang=vi").get_data(as_text=True)
    assert RULE_VI in vietnamese and HELP_VI in vietnamese and RULE_EN not in vietnamese


def test_the_autosave_answers_the_rule_warnings_in_the_pages_language(login_as, store, broken_visit):
    from .test_visit_pages import field_version
    client = login_as("thuky")
    client.get("/?lang=en")
    headers = {"X-CSRFToken": csrf_token(client, f"/visits/{broken_visit}/capture")}
    path = "indicators.dossiers_overdue"
    message = {"id": str(uuid.uuid4()), "target": path, "op": "set", "value": 1,
               "base_version": field_version(store, broken_visit, path)}
    saved = client.post(f"/visits/{broken_visit}/changes", json=message, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["warnings"] == [RULE_EN]
    client.get("/?lang=vi")
    again = client.post(f"/visits/{broken_visit}/changes", json={**message, "id": str(uuid.uuid4()), "value": 2,
                        "base_version": field_version(store, broken_visit, path)}, headers=headers)
    assert again.get_json()["warnings"] == [RULE_VI]


def test_the_unit_report_page_and_api_warn_in_english(client, token, login_as, broken_visit):
    body = {"summary": "", "period": {"from": "2026-01-01", "to": "2026-06-30"}, "indicators": BROKEN,
            "difficulties": [], "proposals": []}
    saved = client.put(f"/api/v1/visits/{broken_visit}/unit-report?lang=en", json=body,
                       headers={**token("xahra"), "If-Match": '"0"'})
    assert saved.status_code == 200 and saved.get_json()["warnings"] == [RULE_EN]
    login_as("xahra")
    page = client.get(f"/visits/{broken_visit}/unit-report?lang=en").get_data(as_text=True)
    assert RULE_EN in page and RULE_VI not in page
    assert "Dossiers received (dossiers)" in page and "Số hồ sơ tiếp nhận (hồ sơ)" not in page


def test_the_form_list_and_preview_show_the_english(login_as):
    client = login_as("admin")
    listing = client.get("/admin/forms?lang=en").get_data(as_text=True)
    assert "Survey of a commune health station" in listing and "Khảo sát hoạt động của Trạm Y tế xã" not in listing
    preview = client.get("/admin/forms/ttpvhcc-xa/preview").get_data(as_text=True)
    for text in (HELP_EN, RULE_EN, "Dossiers received (dossiers)", "For survey and oversight delegations"):
        assert text in preview, text
    assert HELP_VI not in preview and RULE_VI not in preview


def test_a_refused_workbook_is_explained_in_the_pages_language(login_as):
    """Before: the workbook's problems were Vietnamese f-strings, also on English pages."""
    import html
    import io
    from .conftest import csrf_token
    from .test_messages import english
    client = login_as("admin")
    bad = workbook([["type", "name", "label"], ["integer", "so", "Số"], ["integer", "so", "Số nữa"],
                    ["select_one khong_co", "chon", "Chọn"], ["geopoint", "toa_do", "Tọa độ"]])

    def problems(lang):
        client.get(f"/?lang={lang}")
        page = client.post("/admin/forms/preview", data={"csrf_token": csrf_token(client, "/admin/forms"),
                           "file": (io.BytesIO(bad), "mau.xlsx")}, content_type="multipart/form-data")
        assert page.status_code == 400
        box = re.search(r'id="form-problems".*?</div>', page.get_data(as_text=True), re.S).group(0)
        return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", box)]
    vietnamese = problems("vi")
    assert "survey, dòng 3, cột name: tên 'so' bị trùng với dòng 2" in vietnamese
    assert "survey, dòng 4, cột type: không có danh sách lựa chọn 'khong_co' trong sheet choices" in vietnamese
    found = problems("en")
    assert len(found) == len(vietnamese)
    assert "survey, row 3, column name: the name 'so' is already used in row 2" in found
    assert "survey, row 4, column type: there is no choice list 'khong_co' in the sheet choices" in found
    assert any(p.startswith("survey, row 5, column type: the type 'geopoint' is not supported") for p in found)
    for problem in found:
        english(problem)


def test_the_minutes_page_lists_the_missing_items_in_english(login_as, broken_visit):
    client = login_as("thuky")
    client.post(f"/visits/{broken_visit}/minutes/draft",
                data={"csrf_token": csrf_token(client, f"/visits/{broken_visit}/minutes")})
    page = client.get(f"/visits/{broken_visit}/minutes?lang=en").get_data(as_text=True)
    box = page[page.index('id="missing-items"'):]
    box = box[:box.index("</div>")]
    assert "required checklist items are still unanswered:" in box
    assert "The premises meet the needs of receiving dossiers and returning results" in box
    assert "Trụ sở, diện tích của Trung tâm" not in box and "items missing)" in page
