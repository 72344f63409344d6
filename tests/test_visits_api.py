"""The visit document through the API and CLI, and autosave messages with versions."""
from __future__ import annotations

import datetime as dt

import json
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.storage import visits as visits_sql


def fresh_seed(**changes) -> dict:
    """The seed visit under a new uuid and a delegation of its own (so members match)."""
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["delegation"]["name"] = "Đoàn khảo sát thử nghiệm " + doc["uuid"][:8]
    doc.update(changes)
    return doc


def test_import_is_idempotent_and_export_gives_equal_content(client, token, store):
    headers = token("admin")
    doc = fresh_seed()
    first = client.post("/api/v1/visits", json=doc, headers=headers)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["warnings"] == [] and body["created"] is True
    again = client.post("/api/v1/visits", json=doc, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    count = store.read(visits_sql.count_visits, doc["uuid"])
    assert count == 1
    exported = client.get(f"/api/v1/visits/{body['id']}", headers=headers).get_json()
    assert exported == doc


def test_broken_figures_are_kept_and_flagged(client, token):
    doc = fresh_seed()
    doc["report"]["indicators"]["dossiers_resolved"] = 400
    response = client.post("/api/v1/visits", json=doc, headers=token("admin"))
    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert len(warnings) == 1 and "509" not in warnings[0] or warnings
    exported = client.get(f"/api/v1/visits/{response.get_json()['id']}", headers=token("admin")).get_json()
    assert exported["report"]["indicators"]["dossiers_resolved"] == 400


def _mutate(doc, path, value):
    target = doc
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value


BAD = [
    ("colour", "đỏ", "colour"),
    ("host.colour", "đỏ", "host.colour"),
    ("report.indicators.dossiers_received", "509", "report.indicators.dossiers_received"),
    ("report.indicators.dossiers_unknown", 3, "report.indicators.dossiers_unknown"),
    ("form", "khong-co", "form"),
    ("started_at", "2025-10-13T08:00:00", "started_at"),
    ("recommendations.3.due", "2025-01-01", "recommendations[3].due"),
    ("host.unit", KeyError, "host.unit"),
]


@pytest.mark.parametrize("path,value,field", BAD)
def test_bad_documents_are_refused_naming_the_field(client, token, store, path, value, field):
    doc = fresh_seed()
    _mutate(doc, path, value)
    before = store.read(visits_sql.count_visits)
    response = client.post("/api/v1/visits", json=doc, headers=token("admin"))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert store.read(visits_sql.count_visits) == before


def test_not_json_and_anonymous(client, token):
    assert client.post("/api/v1/visits", data="x", headers=token("admin")).status_code == 400
    assert client.post("/api/v1/visits", json=fresh_seed()).status_code == 401


def test_viewer_and_host_cannot_import_or_see_other_units(client, token):
    assert client.post("/api/v1/visits", json=fresh_seed(), headers=token("xem")).status_code == 403
    created = client.post("/api/v1/visits", json=fresh_seed(), headers=token("admin")).get_json()["id"]
    assert client.get(f"/api/v1/visits/{created}", headers=token("xem")).status_code == 200
    assert client.get(f"/api/v1/visits/{created}", headers=token("xahra")).status_code == 200
    assert client.get(f"/api/v1/visits/{created}", headers=token("xaiahru")).status_code == 404


def test_cli_import_and_export(runner, tmp_path, store):
    doc = fresh_seed()
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    visit_id = int(result.output.strip())
    assert runner.invoke(args=["import", str(path)]).output.strip() == str(visit_id)
    exported = runner.invoke(args=["export-visit", str(visit_id)])
    assert json.loads(exported.output) == doc
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "survey-visit/1"}')
    failed = runner.invoke(args=["import", str(bad)])
    assert failed.exit_code == 2 and "Thiếu trường bắt buộc" in failed.output


# ----------------------------------------------------------------- autosave


def message(target, value=None, base=0, **extra):
    return {"id": str(uuid.uuid4()), "target": target, "value": value, "base_version": base, **extra}


def test_autosave_applies_once_and_returns_computed_values(client, token, store, seed_visit_id):
    headers, visit = token("thanhvien"), seed_visit_id
    url = f"/api/v1/visits/{visit}/changes"
    msg = message("indicators.dossiers_online", 450, base=1)
    first = client.post(url, json=msg, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["version"] == 2
    assert first.get_json()["computed"]["online_rate_pct"] == pytest.approx(88.4)
    repeat = client.post(url, json=msg, headers=headers)
    assert repeat.status_code == 200 and repeat.get_json()["repeated"] is True
    assert repeat.get_json()["version"] == 2
    assert store.read(visits_sql.get_field, visit, "indicators.dossiers_online") == {"value": 450, "version": 2}


def test_stale_edit_is_a_conflict_with_both_values(client, token, store, seed_visit_id):
    visit = seed_visit_id
    url = f"/api/v1/visits/{visit}/changes"
    a, b = token("thanhvien"), token("truongdoan")
    assert client.post(url, json=message("report.summary", "Bản của A", base=1), headers=a).status_code == 200
    stale = client.post(url, json=message("report.summary", "Bản của B", base=1), headers=b)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["server_value"] == "Bản của A" and body["your_value"] == "Bản của B"
    assert body["server_version"] == 2
    assert body["server_changed_by"] == "Rơ Mah Khuê"  # thanhvien wrote the server's value, just now
    changed_at = dt.datetime.fromisoformat(body["server_changed_at"])
    assert abs((dt.datetime.now(dt.timezone.utc) - changed_at).total_seconds()) < 60
    assert store.read(visits_sql.get_field, visit, "report.summary")["value"] == "Bản của A"
    chosen = client.post(url, json=message("report.summary", "Bản của B", base=2), headers=b)
    assert chosen.status_code == 200 and chosen.get_json()["version"] == 3


def test_different_sections_never_lose_each_other(client, token, store, seed_visit_id):
    visit = seed_visit_id
    url = f"/api/v1/visits/{visit}/changes"
    client.post(url, json=message("conclusion.text", "Kết luận mới", base=1), headers=token("truongdoan"))
    client.post(url, json=message("checklist.premises_adequate.value", "partly", base=0), headers=token("thanhvien"))
    doc = client.get(f"/api/v1/visits/{visit}", headers=token("admin")).get_json()
    assert doc["conclusion"]["text"] == "Kết luận mới"
    assert doc["checklist"]["premises_adequate"]["value"] == "partly"


def test_items_add_edit_reorder_delete(client, token, store, seed_visit_id):
    visit, headers = seed_visit_id, token("thuky")
    url = f"/api/v1/visits/{visit}/changes"
    uid = str(uuid.uuid4())
    added = client.post(url, json=message("difficulty", {"text": "Thiếu máy scan"}, op="add", item=uid), headers=headers)
    assert added.status_code == 200
    edited = client.post(url, json=message("difficulty", {"text": "Thiếu máy quét"}, op="set", item=uid, base=1), headers=headers)
    assert edited.get_json()["version"] == 2
    moved = client.post(url, json=message("difficulty", op="move", item=uid, position=0.5), headers=headers)
    assert moved.status_code == 200
    doc = client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()
    assert doc["difficulties"][0] == {"text": "Thiếu máy quét"} and len(doc["difficulties"]) == 4
    client.post(url, json=message("difficulty", op="delete", item=uid, base=3), headers=headers)
    doc = client.get(f"/api/v1/visits/{visit}", headers=headers).get_json()
    assert len(doc["difficulties"]) == 3


BAD_MESSAGES = [
    ({"target": "report.summary", "value": "x", "base_version": 1}, "id"),
    (message("report.colour", "x"), "report.colour"),
    (message("indicators.dossiers_received", "nhiều", base=1), "indicators.dossiers_received"),
    (message("started_at", "2025-10-13T08:00", base=1), "started_at"),
    (message("report.summary", "x", base=None), "base_version"),
    (message("recommendation", {"text": "x", "due": "2024-01-01"}, op="add", item=str(uuid.uuid4())), "recommendation.due"),
    (message("difficulty", {"text": "x", "colour": 1}, op="add", item=str(uuid.uuid4())), "difficulty.colour"),
    ({**message("report.summary", "x", base=1), "extra": 1}, "extra"),
]


@pytest.mark.parametrize("bad,field", BAD_MESSAGES)
def test_bad_messages_name_the_field_and_change_nothing(client, token, store, bad, field, seed_visit_id):
    visit = seed_visit_id
    before = store.read(visits_sql.get_visit, visit)["revision"]
    response = client.post(f"/api/v1/visits/{visit}/changes", json=bad, headers=token("thuky"))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert store.read(visits_sql.get_visit, visit)["revision"] == before


def test_host_and_viewer_cannot_autosave(client, token, store, seed_visit_id):
    visit = seed_visit_id
    for user in ("xahra", "xem"):
        response = client.post(f"/api/v1/visits/{visit}/changes", json=message("report.summary", "x", base=1),
                               headers=token(user))
        assert response.status_code == 403
