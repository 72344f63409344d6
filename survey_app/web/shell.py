"""The app shell: home page and health check (and, only for `make bench`, a bare route)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from survey_app.domain.access import USER_ROLE_LABELS
from survey_app.web.context import current_user, get_store

bp = Blueprint("shell", __name__)
bench_bp = Blueprint("bench", __name__)  # registered only with BENCHMARK_ROUTES


@bp.route("/")
def index():
    return render_template("home.html", role_label=USER_ROLE_LABELS[current_user()["role"]])


@bench_bp.route("/hello")
def hello():
    """The bare route the benchmark compares the autosave endpoint with."""
    return "xin chào", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/healthz")
def health():
    get_store().db.execute("SELECT 1")
    return jsonify({"status": "ok"})
