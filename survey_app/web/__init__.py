"""The web layer: blueprints with thin views, wired by `init_app`."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from . import admin, api, auth, chrome, compression, errors, i18n, nav, offline, security, shell, vendor, visits
from . import api_minutes, minutes, verify
from . import api_followup, followup, followup_docs

csrf = CSRFProtect()

# Each area adds its blueprints here: pages (session + CSRF) and API (bearer token).
PAGE_BLUEPRINTS = [auth.bp, shell.bp, admin.bp, vendor.bp, offline.bp, visits.bp, followup.bp, followup_docs.bp,
                   minutes.bp, verify.bp]
API_BLUEPRINTS = [api.bp, api_followup.bp, api_minutes.bp]


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    nav.init_app(app)
    chrome.init_app(app)
    errors.init_app(app)
    compression.init_app(app)
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS:
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # the API authenticates with bearer tokens, not cookies
