"""schemathesis against survey_app/openapi.json, in process (WSGI): every /api/v1
operation with generated input answers no server error, with a documented status,
content type and a body that conforms to its schema. The description is served at
GET /api/v1/openapi.json behind the same bearer token as the rest of the API."""
from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from survey_app.config import PROJECT_ROOT
from survey_app.domain.accounts import operations as accounts

from . import security_world as world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api(tmp_path_factory, demo_instance):
    app, _, _ = world.world_app(tmp_path_factory, demo_instance, "schemathesis")
    token = accounts.create_token(app.extensions["survey_store"], "admin")
    # identity: the WSGI test client does not undo the gzip the app applies to JSON.
    yield app, {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    app.extensions["survey_store"].close()


@pytest.fixture(scope="module")
def api_schema(api):
    app, headers = api
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)


def test_the_description_names_every_api_route(api):
    app, headers = api
    served = app.test_client().get("/api/v1/openapi.json", headers=headers).get_json()
    assert served == json.loads((PROJECT_ROOT / "survey_app" / "openapi.json").read_text(encoding="utf-8"))
    documented = {(method.upper(), "/api/v1" + path) for path, item in served["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
    assert app.test_client().get("/api/v1/openapi.json").status_code == 401


def test_api_conforms_to_its_description(api_schema, api):
    """Each operation in turn (schemathesis' pytest plugin does not run with this pytest;
    its strategies and checks are used directly)."""
    _, headers = api
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
        operations += 1
    described = json.loads((PROJECT_ROOT / "survey_app" / "openapi.json").read_text(encoding="utf-8"))
    # Every operation but the description's own route (schemathesis does not test the schema endpoint).
    expected = sum(len(item) for path, item in described["paths"].items() if path != "/openapi.json")
    assert operations == expected
