"""`GET /api/v1/units?q=&page=` (everyone with a token; a host sees only their own
unit) and `POST /api/v1/units` (admins): 201 `{"id"}`, a duplicate 409 naming it."""
from __future__ import annotations

from flask import g, jsonify

from survey_app.domain.directory import units
from survey_app.domain.errors import Conflict
from survey_app.web.api import api_blueprint
from survey_app.web.context import get_store
from survey_app.web.errors import refusal_text
from survey_app.web.inputs import int_arg, json_object, text_arg

bp = api_blueprint("api_units")


@bp.get("/units")
def list_units():
    result = units.search(get_store(), g.user, text_arg("q")[:units.MAX_QUERY],
                          max(int_arg("page", 1, maximum=100_000), 1))
    result["units"] = [units.public(row) for row in result["units"]]
    return jsonify(result)


@bp.post("/units")
def create_unit():
    try:
        unit_id = units.create(get_store(), g.user, json_object(units.FIELDS))
    except Conflict as error:
        return jsonify({"error": refusal_text(error), "field": error.field, "id": error.params.get("id")}), 409
    return jsonify({"id": unit_id}), 201
