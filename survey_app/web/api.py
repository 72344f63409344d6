"""The JSON API under /api/v1: bearer tokens, JSON errors `{"error", "field"}`."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from ..domain import accounts
from .context import get_store
from .security import api_unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(get_store(), token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return api_unauthorized()
    g.user = user
    return None


@bp.route("/me")
def me():
    user = g.user
    return jsonify({"username": user["username"], "role": user["role"], "full_name": user["full_name"]})
