"""Hostile input at the edges (issue 15, finding 9): deeply nested JSON (990 levels in
2 kB) and 4,000-digit integers at every JSON endpoint, and a `%` in a filter that used
to reach a translation call's formatting, answer 400 with a message naming the problem,
change nothing, and cost bounded memory. Parsing limits live in `web/inputs.py`."""
from __future__ import annotations

import json
import tracemalloc

import pytest

from survey_app.web.inputs import MAX_DEPTH, MAX_INT_DIGITS

from . import security_world as world
from .conftest import PASSWORDS

DEEP = "[" * 990 + "]" * 990                      # 1,980 bytes
DEEP_OBJECT = '{"a":' * 400 + "1" + "}" * 400
HUGE = "9" * 4000
BODIES = {
    "deep list": (DEEP, "lồng nhau quá sâu"),
    "deep object": ('{"messages": [' + DEEP_OBJECT + "]}", "lồng nhau quá sâu"),
    "just too deep": ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "lồng nhau quá sâu"),
    "huge integer": ('{"id": "0123456789abcdef", "target": "report.summary", "op": "set", "value": '
                     + HUGE + ', "base_version": 0}', "quá dài"),
    "huge negative": ('{"messages": [{"id": "0123456789abcdef", "base_version": -' + HUGE + "}]}", "quá dài"),
    "just too long": ('{"role": "host", "name": ' + "1" * (MAX_INT_DIGITS + 1) + "}", "quá dài"),
}
ENDPOINTS = {  # (who, path): every route that reads a JSON body
    "import": ("api", "/api/v1/visits"),
    "changes": ("api", "/api/v1/visits/{own}/changes"),
    "wording": ("api", "/api/v1/visits/{own}/minutes/wording"),
    "signatures": ("api", "/api/v1/visits/{frozen}/minutes/signatures"),
    "recommendation update": ("api", "/api/v1/recommendations/{own_rec}/updates"),
    "page changes": ("page", "/visits/{own}/changes"),
    "from device": ("page", "/visits/from-device"),
}


@pytest.fixture(scope="module")
def world_app(tmp_path_factory, demo_instance):
    app, ids, _ = world.world_app(tmp_path_factory, demo_instance, "limits", WTF_CSRF_ENABLED=False)
    yield app, ids
    app.extensions["survey_store"].close()


@pytest.fixture(scope="module")
def clients(world_app):
    app, ids = world_app
    store = app.extensions["survey_store"]
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = world.bearer(world.tokens(store)["admin"])["Authorization"]
    page = app.test_client()
    page.environ_base["wsgi.url_scheme"] = "https"
    assert page.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 302
    return {"api": api, "page": page}


def state(store) -> tuple:
    """What a refused request must leave as it was."""
    one = lambda sql: store.db.execute(sql).fetchone()[0]  # noqa: E731
    return (one("SELECT revision FROM visits WHERE id = 1"), one("SELECT count(*) FROM visits"),
            one("SELECT count(*) FROM recommendation_updates"), one("SELECT count(*) FROM minutes_signatures"),
            one("SELECT count(*) FROM applied_changes"))


@pytest.mark.parametrize("body", BODIES, ids=list(BODIES))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=list(ENDPOINTS))
def test_hostile_json_is_refused_naming_the_problem(world_app, clients, endpoint, body):
    app, ids = world_app
    store = app.extensions["survey_store"]
    who, path = ENDPOINTS[endpoint]
    text, words = BODIES[body]
    before = state(store)
    response = clients[who].post(path.format(**ids), data=text, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert words in answer["error"] and answer["field"] == "body", answer
    assert state(store) == before


def test_the_limits_leave_real_documents_alone(world_app, clients):
    """The seed document nests well within MAX_DEPTH and its figures are short: accepted."""
    document = world.document("Đoàn giới hạn", "UBND xã Giới Hạn")
    response = clients["api"].post("/api/v1/visits", json=document)
    assert response.status_code == 201, response.get_json()


def test_a_4000_digit_figure_in_a_visit_document_is_a_400(world_app, clients):
    """It used to reach the form's rules (float of a 4,000-digit number: 500)."""
    app, _ = world_app
    store = app.extensions["survey_store"]
    document = world.document("Đoàn số lớn", "UBND xã Số Lớn")
    key = next(iter(document["report"]["indicators"]))
    document["report"]["indicators"][key] = 7
    text = json.dumps(document).replace(f'"{key}": 7', f'"{key}": {HUGE}')
    before = state(store)
    response = clients["api"].post("/api/v1/visits", data=text, content_type="application/json")
    assert response.status_code == 400 and "quá dài" in response.get_json()["error"]
    assert state(store) == before


def test_hostile_json_costs_bounded_memory(world_app, clients):
    """A megabyte of '[' and a 4,000-digit integer are refused without building anything big."""
    _, ids = world_app
    for text in ("[" * 1_000_000, '{"value": ' + HUGE + "}"):
        tracemalloc.start()
        response = clients["api"].post(f"/api/v1/visits/{ids['own']}/changes", data=text, content_type="application/json")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert response.status_code == 400
        assert peak < 12 * 1024 * 1024, peak  # the body itself is 1 MB


@pytest.mark.parametrize("status", ["%", "%s", "%(x)s", "100%", "%%d"])
def test_a_percent_in_the_status_filter_is_a_400_naming_it(clients, status):
    page = clients["page"].get("/followup/", query_string={"status": status})
    assert page.status_code == 400
    assert f"Trạng thái không tồn tại: &#39;{status}&#39;" in page.get_data(as_text=True)
    english = clients["page"].get("/followup/", query_string={"status": status, "lang": "en"})
    assert english.status_code == 400
    assert f"No such status: &#39;{status}&#39;" in english.get_data(as_text=True)
    clients["page"].get("/followup/", query_string={"lang": "vi"})
    api = clients["api"].get("/api/v1/recommendations", query_string={"status": status})
    assert api.status_code == 400 and api.get_json()["field"] == "status"
    assert f"'{status}'" in api.get_json()["error"]


@pytest.mark.parametrize("query, field", [({"month": "%"}, "month"), ({"unit": "%s"}, "unit"),
                                          ({"delegation": "²"}, "delegation"), ({"page": "1e3"}, "page")])
def test_other_board_arguments_are_refused_naming_them(clients, query, field):
    api = clients["api"].get("/api/v1/recommendations", query_string=query)
    assert api.status_code == 400 and api.get_json()["field"] == field, api.get_json()
    assert clients["page"].get("/followup/", query_string=query).status_code == 400
