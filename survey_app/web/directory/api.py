"""`GET /api/v1/delegations?page=` (scoped like the pages), `POST /api/v1/delegations`
and `PATCH /api/v1/delegations/ID` (admins and secretaries); `GET /api/v1/visits?
delegation=&unit=&status=&q=&page=` (the visit list page's permissions)."""
from __future__ import annotations

from flask import g, jsonify

from survey_app.domain.directory import delegations
from survey_app.domain.errors import Conflict
from survey_app.domain.visits import queries as visit_queries
from survey_app.web.api import api_blueprint
from survey_app.web.context import get_store
from survey_app.web.errors import refusal_text
from survey_app.web.inputs import int_arg, json_object, text_arg

bp = api_blueprint("api_directory")
MAX_PAGE = 100_000


@bp.get("/delegations")
def list_delegations():
    return jsonify(delegations.list_page(get_store(), g.user, _page()))


@bp.post("/delegations")
def create_delegation():
    try:
        delegation_id = delegations.create(get_store(), g.user, json_object(delegations.FIELDS))
    except Conflict as error:
        return _conflict(error)
    return jsonify({"id": delegation_id}), 201


@bp.patch("/delegations/<int:delegation_id>")
def update_delegation(delegation_id):
    try:
        return jsonify(delegations.update(get_store(), g.user, delegation_id, json_object(delegations.FIELDS)))
    except Conflict as error:
        return _conflict(error)


@bp.get("/visits")
def list_visits():
    filters = {"delegation_id": int_arg("delegation"), "unit_id": int_arg("unit"),
               "status": text_arg("status") or None, "text": text_arg("q")[:200]}
    return jsonify(visit_queries.list_page(get_store(), g.user, filters, _page()))


def _page() -> int:
    return max(int_arg("page", 1, maximum=MAX_PAGE), 1)


def _conflict(error: Conflict):
    """409 naming the existing delegation: `{"error", "field", "id"}`."""
    return jsonify({"error": refusal_text(error), "field": error.field, "id": error.params.get("id")}), 409
