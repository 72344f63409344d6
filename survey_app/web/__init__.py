"""The web layer: blueprints with thin views, wired by `init_app`."""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

from survey_app.web.accounts import admin
from survey_app.web import api
from survey_app.web.accounts import auth
from survey_app.web import errors
from survey_app.web import i18n
from survey_app.web import limits
from survey_app.web import nav
from survey_app.web import offline
from survey_app.web import security
from survey_app.web import shell
from survey_app.web import vendor
from survey_app.web.visits import pages as visits
from survey_app.web.minutes import api as api_minutes
from survey_app.web.minutes import pages as minutes
from survey_app.web.minutes import verify
from survey_app.web.followup import api as api_followup
from survey_app.web.followup import pages as followup
from survey_app.web.followup import documents as followup_docs
from survey_app.web.audit import api as api_audit
from survey_app.web.audit import pages as audit
from survey_app.web.forms import pages as forms_admin
from survey_app.web.directory import api as api_directory
from survey_app.web.directory import pages as directory
from survey_app.web.unit_reports import api as api_unit_reports
from survey_app.web.unit_reports import pages as unit_reports
from survey_app.web.plans import api as api_plans
from survey_app.web.plans import pages as plans
from survey_app.web.directory import units as directory_units
from survey_app.web.directory import units_api as api_units
from survey_app.web.public import pages as public
from survey_app.web.survey_report import api as api_survey_report
from survey_app.web.survey_report import pages as survey_report

csrf = CSRFProtect()

# Gzip (Flask-Compress) for text answers of 500 bytes or more when the client accepts
# it: the tablet's first load over a congested commune network is mostly text that
# shrinks five- to tenfold. Files sent from disk are compressed as they stream; photos
# and PDFs, compressed already, are left alone.
COMPRESSION = {
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                           "application/json", "application/manifest+json", "image/svg+xml"],
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
    "COMPRESS_MIN_SIZE": 500,
}

# Each area adds its blueprints here: pages (session + CSRF) and API (bearer token).
PAGE_BLUEPRINTS = [auth.bp, shell.bp, admin.bp, vendor.bp, offline.bp, visits.bp, followup.bp, followup_docs.bp,
                   minutes.bp, verify.bp, audit.bp, forms_admin.bp, directory.bp, unit_reports.bp, plans.bp,
                   directory_units.bp, public.bp, survey_report.bp]
API_BLUEPRINTS = [api.bp, api_followup.bp, api_minutes.bp, api_audit.bp, api_directory.bp,
                 api_unit_reports.bp, api_plans.bp, api_units.bp, api_survey_report.bp]


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    Compress(app)
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS:
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # the API authenticates with bearer tokens, not cookies
    if app.config.get("BENCHMARK_ROUTES"):
        app.register_blueprint(shell.bench_bp)
    limits.init_app(app)
