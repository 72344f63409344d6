"""Request-scoped access to the app's store and the signed-in user."""
from __future__ import annotations

from flask import current_app, g


def get_store():
    return current_app.extensions["survey_store"]


def current_user() -> dict | None:
    return g.get("user")


def get_forms():
    return current_app.extensions["survey_forms"]


def photos_dir():
    return current_app.extensions["survey_files"] / "photos"
