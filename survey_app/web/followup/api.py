"""The follow-up API: `GET /api/v1/recommendations?status=&unit=&overdue=1&page=` and
`POST /api/v1/recommendations/ID/updates` ({status, note} or {decision: accept|reject,
note}), with the same permissions as the pages."""
from __future__ import annotations

from flask import g, jsonify

from survey_app.domain.followup import operations as followup
from survey_app.domain.errors import DomainError
from survey_app.web.api import api_blueprint, json_body
from survey_app.web.context import get_store
from survey_app.web.followup.pages import board_filters, done_rule, _int

bp = api_blueprint("api_followup")
FIELDS = ("item_id", "visit_id", "delegation_id", "delegation_name", "unit_id", "unit_name", "text",
          "due", "status", "accepted", "reason", "visit_date", "updated_at")


def as_json(row: dict) -> dict:
    return {"id": row["item_id"], **{k: row[k] for k in FIELDS if k != "item_id"},
            "overdue": bool(row["overdue"])}


@bp.get("/recommendations")
def list_recommendations():
    result = followup.board(get_store(), g.user, board_filters(), _int("page") or 1, page_size=200)
    return jsonify({"recommendations": [as_json(r) for r in result["rows"]], "counts": result["counts"],
                    "page": result["page"], "has_next": result["has_next"], "today": result["today"]})


@bp.get("/recommendations/<int:item_id>")
def get_recommendation(item_id):
    store = get_store()
    row = followup.load(store, item_id, g.user)
    return jsonify({**as_json(row), "updates": [
        {k: u[k] for k in ("id", "action", "from_status", "to_status", "note", "author_name", "at")}
        for u in followup.history(store, item_id)]})


@bp.post("/recommendations/<int:item_id>/updates")
def post_update(item_id):
    body = json_body()
    if not isinstance(body, dict):
        raise DomainError("Nội dung phải là một đối tượng JSON", "body")
    for key in body:
        if key not in ("status", "note", "decision"):
            raise DomainError(f"Trường không được phép: '{key}'", key)
    note = body.get("note") or ""
    if not isinstance(note, str):
        raise DomainError("'note' phải là chuỗi văn bản", "note")
    store = get_store()
    if "decision" in body:
        if body["decision"] not in ("accept", "reject"):
            raise DomainError(f"'decision' không hợp lệ: '{body['decision']}' (accept | reject)", "decision")
        result = followup.decide_claim(store, g.user, item_id, body["decision"] == "accept", note)
    else:
        result = followup.report_progress(store, g.user, item_id, status=body.get("status"), note=note,
                                          done_rule=done_rule())
    return jsonify({**result, "recommendation": as_json(followup.load(store, item_id, g.user))}), 201
