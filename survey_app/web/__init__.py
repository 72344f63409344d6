"""The web layer: blueprints with thin views, wired by `init_app`."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from . import admin, api, auth, errors, i18n, nav, security, shell

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(shell.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies
