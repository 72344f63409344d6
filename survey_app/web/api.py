"""The JSON API under /api/v1: bearer tokens, JSON errors `{"error", "field"}`."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, g, jsonify, request, send_file

from survey_app.domain.accounts import operations as accounts
from survey_app.domain.visits import changes
from survey_app.domain.visits import document as visit_io
from survey_app.domain.visits import annotations, photos as visit_photos
from survey_app.domain.errors import DomainError
from survey_app.domain.visits.operations import load_visit
from survey_app.markers import N_
from survey_app.web.context import get_forms, get_store, photos_dir
from survey_app.web.errors import refusal_text
from survey_app.web.i18n import locale
from survey_app.web.inputs import json_body
from survey_app.web.security import api_unauthorized


def api_blueprint(name: str) -> Blueprint:
    """A blueprint under /api/v1 whose every route needs a bearer token (no cookies,
    so no CSRF); each area of the API makes its own with this."""
    blueprint = Blueprint(name, __name__, url_prefix="/api/v1")
    blueprint.before_request(authenticate)
    return blueprint


def authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(get_store(), token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return api_unauthorized()
    g.user = user
    return None


bp = api_blueprint("api")
OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of /api/v1 (token-protected like the rest of the API)."""
    return send_file(OPENAPI, mimetype="application/json", max_age=0)


@bp.route("/me")
def me():
    user = g.user
    return jsonify({"username": user["username"], "role": user["role"], "full_name": user["full_name"]})


@bp.post("/visits")
def import_visit():
    result = visit_io.import_document(get_store(), get_forms(), g.user, json_body(), photos_dir())
    return jsonify(result), 201 if result["created"] else 200


@bp.get("/visits/<int:visit_id>")
def get_visit(visit_id):
    load_visit(get_store(), visit_id, g.user)
    return jsonify(visit_io.export_document(get_store(), visit_id, photos_dir()))


@bp.post("/visits/<int:visit_id>/photos")
def post_photo(visit_id):
    """One photo a request (multipart `file`, `caption`, `credit`, optional `item` uid and
    `for_item` checklist key), streamed to disk: 201 {sha256, content_type, width, height,
    item}; 200 for a replay. With `annotates` (a photo item's uid) the file is that photo's
    annotated copy: 201 {item, annotation, original_sha256, sha256, ...}."""
    load_visit(get_store(), visit_id, g.user, edit=True)
    upload = request.files.get("file")
    if upload is None:
        raise DomainError(N_("Vui lòng chọn tệp ảnh."), "file")
    if request.form.get("annotates"):  # an annotated copy of that photo item; the original stays
        created, result = annotations.add_annotation(
            get_store(), g.user, visit_id, photos_dir(), upload.stream,
            annotates=request.form["annotates"], uid=request.form.get("item") or None)
        return jsonify(result), 201 if created else 200
    created, result = visit_photos.add_photo(
        get_store(), get_forms(), g.user, visit_id, photos_dir(), upload.stream,
        uid=request.form.get("item") or None, caption=request.form.get("caption", ""),
        credit=request.form.get("credit", ""), for_item=request.form.get("for_item", ""))
    return jsonify({k: result[k] for k in ("sha256", "content_type", "width", "height", "item")}), \
        201 if created else 200


@bp.post("/visits/<int:visit_id>/changes")
def post_changes(visit_id):
    return apply_messages(visit_id, json_body())


def apply_messages(visit_id: int, body):
    """One message, or {"messages": [...]} applied in order (each at most once)."""
    load_visit(get_store(), visit_id, g.user, edit=True)
    if isinstance(body, dict) and "messages" in body:
        if not isinstance(body["messages"], list) or len(body) != 1:
            raise DomainError(N_("Vui lòng gửi danh sách các thay đổi, và chỉ danh sách đó."), "messages")
        results = [_apply_one(visit_id, message) for message in body["messages"]]
        return jsonify({"results": results}), 200
    status, result = changes.apply_change(get_store(), get_forms(), g.user, visit_id, body, locale())
    return jsonify(result), status


def _apply_one(visit_id, message) -> dict:
    try:
        status, result = changes.apply_change(get_store(), get_forms(), g.user, visit_id, message, locale())
    except DomainError as error:
        status, result = error.status, {"ok": False, "error": refusal_text(error), "field": error.field}
    return {"id": message.get("id") if isinstance(message, dict) else None, "status": status, **result}
