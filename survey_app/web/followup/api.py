"""The follow-up API: `GET /api/v1/recommendations?status=&unit=&overdue=1&page=` and
`POST /api/v1/recommendations/ID/updates` ({status, note} or {decision: accept|reject,
note}), with the same permissions as the pages."""
from __future__ import annotations

from flask import g, jsonify, request, url_for

from survey_app.domain.followup import operations as followup
from survey_app.domain.errors import DomainError, labels
from survey_app.markers import N_
from survey_app.web.api import api_blueprint
from survey_app.web.context import done_rule, evidence_dir, get_store
from survey_app.web.followup.pages import board_filters
from survey_app.web.inputs import int_arg, json_object

bp = api_blueprint("api_followup")
# A host's claim that a recommendation is done: what the committee decides, in words.
DECISION_LABELS = {"accept": N_("Chấp nhận hoàn thành"), "reject": N_("Không chấp nhận kết quả")}
# A survey report's own recommendation has `report_id` and no visit (`visit_id`, `visit_date` null).
FIELDS = ("item_id", "visit_id", "report_id", "delegation_id", "delegation_name", "unit_id", "unit_name", "text",
          "due", "status", "accepted", "reason", "visit_date", "updated_at")


def as_json(row: dict) -> dict:
    return {"id": row["item_id"], **{k: row[k] for k in FIELDS if k != "item_id"},
            "overdue": bool(row["overdue"])}


@bp.get("/recommendations")
def list_recommendations():
    result = followup.board(get_store(), g.user, board_filters(), int_arg("page", 1), page_size=200)
    return jsonify({"recommendations": [as_json(r) for r in result["rows"]], "counts": result["counts"],
                    "page": result["page"], "has_next": result["has_next"], "today": result["today"]})


@bp.get("/recommendations/<int:item_id>")
def get_recommendation(item_id):
    store = get_store()
    row = followup.load(store, item_id, g.user)
    updates = followup.history(store, item_id, g.user)
    return jsonify({**as_json(row), "updates": [
        {k: u[k] for k in ("id", "action", "from_status", "to_status", "note", "author_name", "at")}
        for u in updates],
        "evidence": [{**{k: e[k] for k in ("id", "filename", "content_type", "size", "sha256")},
                      "update_id": u["id"], "url": url_for("followup.evidence", evidence_id=e["id"], _external=True)}
                     for u in updates for e in u["evidence"]]})


@bp.post("/recommendations/<int:item_id>/evidence")
def post_evidence(item_id):
    """Evidence files (multipart `file`, repeatable) with an optional `note`: 201.
    The files are read only once the token's user may report on this recommendation."""
    uploads = [(f.filename or "", f.stream) for f in request.files.getlist("file") if f]
    result = followup.report_progress(get_store(), g.user, item_id, note=request.form.get("note", ""),
                                      uploads=uploads, folder=evidence_dir(), upload_field="file",
                                      done_rule=done_rule())
    return jsonify(result), 201


@bp.post("/recommendations/<int:item_id>/updates")
def post_update(item_id):
    body = json_object({"status", "note", "decision"})
    note = body.get("note") or ""
    if not isinstance(note, str):
        raise DomainError(N_("Vui lòng nhập ghi chú bằng chữ."), "note")
    store = get_store()
    if "decision" in body:
        if body["decision"] not in ("accept", "reject"):
            raise DomainError(N_("Vui lòng chọn một trong: %(choices)s."), "decision",
                              choices=labels(DECISION_LABELS))
        result = followup.decide_claim(store, g.user, item_id, body["decision"] == "accept", note)
    else:
        result = followup.report_progress(store, g.user, item_id, status=body.get("status"), note=note,
                                          done_rule=done_rule())
    return jsonify({**result, "recommendation": as_json(followup.load(store, item_id, g.user))}), 201
