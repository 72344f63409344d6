"""The app shell: home page and health check (and, only for `make bench`, a bare route)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from survey_app.domain import home
from survey_app.domain.access import USER_ROLE_LABELS
from survey_app.domain.followup.operations import STATUS_LABELS as RECOMMENDATION_STATUS
from survey_app.domain.visits.operations import STATUS_LABELS as VISIT_STATUS
from survey_app.domain.survey_report import deadlines
from survey_app.web.context import current_user, get_store

bp = Blueprint("shell", __name__)
bench_bp = Blueprint("bench", __name__)  # registered only with BENCHMARK_ROUTES


@bp.route("/")
def index():
    """The home page of the signed-in user's role (domain/home.py decides what it lists)."""
    user = current_user()
    return render_template("home.html", role_label=USER_ROLE_LABELS[user["role"]],
                           home=home.home_for(get_store(), user), visit_status=VISIT_STATUS,
                           recommendation_status=RECOMMENDATION_STATUS,
                           due_reports=deadlines.reports_due(get_store(), user, current_app.config["REPORT_DUE_DAYS"]))


@bench_bp.route("/hello")
def hello():
    """The bare route the benchmark compares the autosave endpoint with."""
    return "xin chào", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/healthz")
def health():
    get_store().db.execute("SELECT 1")
    return jsonify({"status": "ok"})
