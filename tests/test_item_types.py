"""The registry of checklist item types (survey_app/checklists/types.py): per type the
check, the display of an answer, the capture macro and the browser's data-type; the
capture page, the overview and the minutes read it, and the yes/partly/no labels are
written once."""
from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from survey_app.checklists import ITEM_TYPES, AnswerError, load_forms, show_answer
from survey_app.domain.minutes.input import _checklist_rows
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token
from .support import seed_visit

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
JS_FIELDS = ROOT / "survey_app" / "static" / "js" / "capture-fields.js"


@pytest.fixture(scope="module")
def hra():
    return load_forms(FORMS).get("ttpvhcc-xa")


def macros_of(template: str) -> set[str]:
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    return {macro.name for macro in jinja2.Environment().parse(source).find_all(nodes.Macro)}


def test_every_type_has_a_check_a_display_a_capture_macro_and_a_data_type():
    macros = macros_of("visits/_capture_macros.html")
    script = JS_FIELDS.read_text(encoding="utf-8")
    assert set(ITEM_TYPES) == {"yes_partly_no", "choice", "number", "text", "date", "photo"}
    for name, kind in ITEM_TYPES.items():
        assert kind.name == name and callable(kind.check) and callable(kind.show)
        assert kind.macro in macros, name
        assert kind.shown_as in ("text", "label", "image"), name
        # the capture page's script reads a data-type it knows, or as plain text
        assert kind.data_type in ("text", "date") or re.search(f'type [!=]== "{kind.data_type}"', script), name


def test_the_loader_accepts_exactly_the_registrys_types(tmp_path):
    source = (FORMS / "ttpvhcc-xa.toml").read_text(encoding="utf-8")
    (tmp_path / "ttpvhcc-xa.toml").write_text(source.replace('type = "text"', 'type = "yesno"', 1), encoding="utf-8")
    errors = load_forms(tmp_path).errors
    assert len(errors) == 1 and "không có loại 'yesno'" in errors[0]
    assert "vui lòng dùng một trong: " + ", ".join(ITEM_TYPES) in errors[0]


def test_checks_come_from_the_registry(hra):
    assert hra.check_answer("premises_adequate", "partly") == "partly"
    with pytest.raises(AnswerError) as refused:
        hra.check_answer("premises_adequate", "maybe")
    assert refused.value.message == "giá trị phải là một trong: yes (Có), partly (Một phần), no (Không)"
    with pytest.raises(AnswerError) as refused:
        hra.check_answer("portal_performance", "fast")
    assert refused.value.message == "giá trị phải là một trong: stable, slow, unreliable"
    assert hra.check_answer("reception_counters", 4) == 4
    assert hra.check_answer("last_outage_date", " 2025-10-01 ") == "2025-10-01"
    assert hra.check_answer("equipment_needs", "  máy in ") == "máy in"
    assert hra.check_answer("equipment_needs", "   ") is None
    for key, bad in (("reception_counters", True), ("last_outage_date", "2025-02-30"), ("equipment_needs", 5)):
        with pytest.raises(AnswerError):
            hra.check_answer(key, bad)


def test_display_of_each_type_in_both_languages(hra):
    items = hra.items
    assert show_answer(items["premises_adequate"], "partly") == "Một phần"  # translated where shown
    assert show_answer(items["portal_performance"], "slow") == "Chậm vào giờ cao điểm"
    counters = items["reception_counters"]
    assert show_answer(counters, 1234.5) == f"1.234,5 {counters.unit}".strip()
    # English pages write the form's own English unit (`unit_en`), the Vietnamese without one.
    assert show_answer(counters, 1234.5, "en") == f"1,234.5 {counters.unit_en}".strip() == "1,234.5 counters"
    assert show_answer(dataclasses.replace(counters, unit_en=""), 1234.5, "en") == f"1,234.5 {counters.unit}"
    assert show_answer(items["portal_performance"], "slow", "en") == "Slow at peak hours"
    assert show_answer(items["last_outage_date"], "2025-10-01") == "01/10/2025"
    assert show_answer(items["last_outage_date"], "2025-10-01", "en") == "2025-10-01"
    assert show_answer(items["equipment_needs"], "Máy in") == "Máy in"
    assert show_answer(items["premises_photo"], "abc") == ""


def test_the_minutes_rows_show_answers_as_the_registry_does(hra):
    checklist = {"premises_adequate": {"value": "partly", "note": "thiếu ghế"},
                 "reception_counters": {"value": 6}, "last_outage_date": {"value": "2025-10-01"},
                 "premises_photo": {"value": "photo-uid"}, "equipment_needs": {"value": ""}}
    rows = {row["label"]: row for row in _checklist_rows(hra, checklist)}
    items = hra.items
    assert rows[items["premises_adequate"].label]["answer"] == "Một phần"
    assert rows[items["premises_adequate"].label]["note"] == "thiếu ghế"
    assert rows[items["reception_counters"].label]["answer"] == show_answer(items["reception_counters"], 6)
    assert rows[items["last_outage_date"].label]["answer"] == "01/10/2025"
    assert items["premises_photo"].label not in rows and items["equipment_needs"].label not in rows


def test_the_yes_partly_no_labels_are_written_once():
    places = []
    for folder, pattern in ((ROOT / "survey_app", "*.py"), (ROOT / "templates", "*.html"),
                            (ROOT / "survey_app" / "static", "*.js")):
        for path in folder.rglob(pattern):
            if "Một phần" in path.read_text(encoding="utf-8"):
                places.append(path.relative_to(ROOT).as_posix())
    assert places == ["survey_app/checklists/types.py"]


# ----------------------------------------------------------------- pages

def seed_id(store) -> int:
    return seed_visit(store)["id"]


def test_the_capture_page_gives_each_item_its_types_input_and_data_type(login_as, store, hra):
    client = login_as("thuky")
    page = client.get(f"/visits/{seed_id(store)}/capture").get_data(as_text=True)
    for key, item in hra.items.items():
        found = re.search(rf'data-field="checklist\.{key}\.value"[^>]*data-type="([a-z]+)"', page)
        assert found and found.group(1) == ITEM_TYPES[item.type].data_type, key
    assert 'data-checklist-photo="premises_photo"' in page and 'id="f-checklist-last_outage_date-value" type="date"' in page
    english = client.get(f"/visits/{seed_id(store)}/capture?lang=en").get_data(as_text=True)
    block = english[english.index('id="item-premises_adequate"'):english.index('id="item-reception_counters"')]
    assert re.findall(r"<span>([^<]+)</span>", block) == ["Yes", "Partly", "No"]
    assert "Slow at peak hours" in english and "Chậm vào giờ cao điểm" not in english  # the form's label_en (issue 16, item 5)


def test_the_overview_shows_answers_as_the_registry_does(login_as, store):
    client = login_as("thuky")
    visit_id = seed_id(store)
    headers = {"X-CSRFToken": csrf_token(client, f"/visits/{visit_id}/capture")}
    answers = {"premises_adequate": "partly", "reception_counters": 1234.5, "last_outage_date": "2025-10-01",
               "portal_performance": "slow", "equipment_needs": "Máy in <b>"}
    for key, value in answers.items():
        path = f"checklist.{key}.value"
        found = visits_sql.get_field(store.db, visit_id, path)
        message = {"id": str(uuid.uuid4()), "target": path, "op": "set", "value": value,
                   "base_version": found["version"] if found else 0}
        assert client.post(f"/visits/{visit_id}/changes", json=message, headers=headers).status_code == 200
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert re.search(r"<dd>\s*Một phần\s*</dd>", page)
    for text in ("1.234,5", "01/10/2025", "Chậm vào giờ cao điểm", "Máy in &lt;b&gt;"):
        assert text in page, text
    english = client.get(f"/visits/{visit_id}?lang=en").get_data(as_text=True)
    # the form's own English (label_en of the choice, unit_en) as on the capture page
    for text in ("Partly", "1,234.5 counters", "2025-10-01", "Slow at peak hours"):
        assert text in english, text
    assert "Một phần" not in english and "Chậm vào giờ cao điểm" not in english
