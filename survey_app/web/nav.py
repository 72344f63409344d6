"""The navigation: each area declares its entries once, with the roles that see them."""
from __future__ import annotations

from html import escape

from flask import Flask, request, url_for
from markupsafe import Markup

from survey_app.markers import N_
from survey_app.web import i18n
from survey_app.web.context import current_user

# (endpoint, label, roles that see it); areas append to this at import time.
ENTRIES: list[tuple[str, str, frozenset]] = []
# The entries of a role in a language, made once: every page shows them.
_MADE: dict[tuple, object] = {}


def add_entry(endpoint: str, label: str, roles) -> None:
    ENTRIES.append((endpoint, label, frozenset(roles)))


def nav_items() -> list[dict]:
    user = current_user()
    if user is None:
        return []
    key = (user["role"], i18n.locale(), request.script_root)
    if key not in _MADE:
        _MADE[key] = [{"url": url_for(endpoint), "label": i18n.gettext(label)}
                      for endpoint, label, roles in ENTRIES if user["role"] in roles]
    return _MADE[key]


def nav_links() -> Markup:
    """The top bar's links (home first), made once per role and language like the entries."""
    user = current_user()
    if user is None:
        return Markup("")
    key = ("links", user["role"], i18n.locale(), request.script_root)
    if key not in _MADE:
        items = [{"url": url_for("shell.index"), "label": i18n.gettext(N_("Trang chủ"))}, *nav_items()]
        _MADE[key] = Markup("".join(f'<a href="{escape(item["url"])}">{escape(item["label"])}</a>'
                                    for item in items))
    return _MADE[key]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["nav_links"] = nav_links
