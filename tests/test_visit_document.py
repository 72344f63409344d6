"""The visit document survey-visit/1: schema, validation against the real forms, warnings."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from survey_app.checklists import load_forms
from survey_app.visit_document import SCHEMA, DocumentError, schema_path, validate_document

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "survey_app" / "demo" / "hra-visit.json").read_text(encoding="utf-8"))
FORMS = load_forms(ROOT / "forms")
DELETE = object()


def mutated(*changes: tuple[str, object]) -> dict:
    """A copy of the seed with each dotted path ("report.indicators.x", "photos.0.data")
    set to a value, or removed with DELETE."""
    doc = copy.deepcopy(SEED)
    for path, value in changes:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        target = doc
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return doc


def test_forms_and_schema_load():
    assert FORMS.errors == [] and FORMS.get("ttpvhcc-xa") is not None
    Draft202012Validator.check_schema(SCHEMA)
    assert json.loads(schema_path().read_text(encoding="utf-8")) == SCHEMA


def test_seed_validates_without_warnings():
    assert validate_document(copy.deepcopy(SEED), FORMS) == []


def test_broken_figures_are_kept_and_flagged():
    doc = mutated(("report.indicators.dossiers_resolved", 400))
    rule = next(r for r in FORMS.get("ttpvhcc-xa").rules if r.key == "received_balance")
    assert validate_document(doc, FORMS) == [rule.message]
    assert doc["report"]["indicators"]["dossiers_resolved"] == 400


def test_optional_fields_accepted():
    doc = mutated(("ended_at", "2025-10-13T11:30:00+07:00"),
                  ("checklist", {"network_stable": {"value": "partly", "note": "Mạng nghẽn"},
                                 "reception_counters": {"value": 4},
                                 "equipment_needs": {"value": None}}),
                  ("photos.0.data", "iVBORw0KGgo="),
                  ("recommendations.0.due", "2025-10-13"))
    assert validate_document(doc, FORMS) == []


@pytest.mark.parametrize("changes, field, words", [
    ([("colour", "đỏ")], "colour", "Trường không được phép: 'colour'"),
    ([("host.colour", "đỏ")], "host.colour", "Trường không được phép: 'colour' trong 'host'"),
    ([("report.indicators.dossiers_received", "509")],
     "report.indicators.dossiers_received", "phải là số"),
    ([("report.indicators.dossiers_received", True)],
     "report.indicators.dossiers_received", "phải là số"),
    ([("report.indicators.visitors", 3)], "report.indicators.visitors", "visitors"),
    ([("report.indicators.dossiers_received", 509.5)],
     "report.indicators.dossiers_received", "số nguyên"),
    ([("checklist", {"wifi_speed": {"value": "yes"}})], "checklist.wifi_speed", "wifi_speed"),
    ([("checklist", {"network_stable": {"value": "maybe"}})],
     "checklist.network_stable.value", "yes"),
    ([("checklist", {"network_stable": {"value": True}})],
     "checklist.network_stable.value", "phải là"),
    ([("form", "khong-co")], "form", "khong-co"),
    ([("started_at", "2025-10-13T08:00:00")], "started_at", "múi giờ"),
    ([("started_at", "2025-02-30T08:00:00+07:00")], "started_at", "có thật"),
    ([("ended_at", "2025-10-13T07:00:00+07:00")], "ended_at", "trước"),
    ([("recommendations.3.due", "30/06/2026")], "recommendations[3].due", "YYYY-MM-DD"),
    ([("recommendations.3.due", "2026-02-30")], "recommendations[3].due", "có thật"),
    ([("recommendations.2.due", "2025-10-12")], "recommendations[2].due", "2025-10-13"),
    ([("report.period.from", "2025-09-18")], "report.period.from", "from"),
    ([("photos.0.data", "không phải base64")], "photos[0].data", "base64"),
    ([("photos.1.data", "iVBORw0KGgo")], "photos[1].data", "base64"),
    ([("host.unit", DELETE)], "host.unit", "Thiếu trường bắt buộc: 'unit'"),
    ([("started_at", DELETE)], "started_at", "Thiếu trường bắt buộc: 'started_at'"),
    ([("format", "survey-visit/2")], "format", "survey-visit/1"),
    ([("uuid", "not-a-uuid")], "uuid", "UUID"),
    ([("delegation.members.0.role", "boss")], "delegation.members[0].role", "head"),
    ([("delegation.name", "")], "delegation.name", "trống"),
    ([("difficulties.0.text", "x" * 20001)], "difficulties[0].text", "quá dài"),
])
def test_bad_document_is_refused_naming_the_field(changes, field, words):
    with pytest.raises(DocumentError) as caught:
        validate_document(mutated(*changes), FORMS)
    assert caught.value.field == field
    assert words in caught.value.message


def test_first_problem_is_deterministic():
    doc = mutated(("host.colour", 1), ("delegation.members.0.role", "boss"), ("zeta", 1))
    with pytest.raises(DocumentError) as caught:
        validate_document(doc, FORMS)
    assert caught.value.field == "delegation.members[0].role"


def test_not_an_object_is_refused():
    with pytest.raises(DocumentError) as caught:
        validate_document(["survey-visit/1"], FORMS)
    assert caught.value.field == "" and "đối tượng" in caught.value.message
