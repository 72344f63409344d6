"""`POST /api/v1/delegations/ID/visits` (the head or secretary of that delegation,
admins): one more visit in the delegation's plan, under the plan page's rules."""
from __future__ import annotations

from flask import g, jsonify

from survey_app.domain.plans import operations as plans
from survey_app.web.api import api_blueprint
from survey_app.web.context import get_forms, get_store
from survey_app.web.inputs import json_body

bp = api_blueprint("api_plans")


@bp.post("/delegations/<int:delegation_id>/visits")
def plan_visit(delegation_id):
    visit_id = plans.plan_one_visit(get_store(), get_forms(), g.user, delegation_id, json_body())
    return jsonify({"id": visit_id}), 201
