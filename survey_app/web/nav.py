"""The navigation: each area declares its entries once, with the roles that see them."""
from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext

from survey_app.web.context import current_user

# (endpoint, label, roles that see it); areas append to this at import time.
ENTRIES: list[tuple[str, str, frozenset]] = []


def add_entry(endpoint: str, label: str, roles) -> None:
    ENTRIES.append((endpoint, label, frozenset(roles)))


ADMIN_ONLY = frozenset({"admin"})


def nav_items() -> list[dict]:
    """The entries the signed-in user's role sees, in the request's language; `admin` marks
    the administrator's own ones, which the top bar groups under one menu."""
    user = current_user()
    if user is None:
        return []
    return [{"url": url_for(endpoint), "label": gettext(label), "admin": roles == ADMIN_ONLY}
            for endpoint, label, roles in ENTRIES if user["role"] in roles]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
