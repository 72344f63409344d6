"""`GET /api/v1/audit?action=&actor=&object_type=&object_id=&page=` (administrators)."""
from __future__ import annotations

from flask import g, jsonify

from survey_app.domain import audit
from survey_app.web.api import api_blueprint
from survey_app.web.audit.pages import audit_filters, page_number
from survey_app.web.context import get_store

bp = api_blueprint("api_audit")


@bp.get("/audit")
def list_entries():
    return jsonify(audit.list_entries(get_store(), g.user, audit_filters(), page_number()))
