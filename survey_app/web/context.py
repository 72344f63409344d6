"""Request-scoped access to the signed-in user, and the app's services (`services.py`)
under the names the views use."""
from __future__ import annotations

from flask import g

from survey_app import services

get_store = services.store
get_forms = services.forms
photos_dir = services.photos_dir
evidence_dir = services.evidence_dir
minutes_env = services.minutes_env
done_rule = services.done_rule


def current_user() -> dict | None:
    return g.get("user")
