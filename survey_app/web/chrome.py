"""The parts of every page around its content (stylesheet links, the top bar with
its navigation, language switch and sign-out form, the sign-out dialog and the
scripts), rendered once per user and language instead of on every page.

They hold some twenty translations and URLs; on a list page whose SQL takes two
milliseconds, building them each time was a sizeable share of the answer. The
per-request part, the sign-out form's CSRF token, fills a slot.
"""
from __future__ import annotations

from flask import Flask, get_template_attribute, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from survey_app.web import i18n
from survey_app.web.context import current_user

_SLOT = "\x00csrf\x00"
_MADE: dict[tuple, tuple[str, str, str]] = {}
_LIMIT = 1000  # users × languages; past this the cache starts again


def _parts(user: dict | None) -> tuple[str, str, str]:
    who = (user["id"], user["role"], user["full_name"]) if user else None
    key = (who, i18n.locale(), request.script_root)
    parts = _MADE.get(key)
    if parts is None:
        made = [str(get_template_attribute("_chrome.html", name)(*args))
                for name, args in (("head", (user,)), ("top", (user, _SLOT)), ("tail", (user,)))]
        parts = (made[0], made[1], made[2])
        if len(_MADE) >= _LIMIT:
            _MADE.clear()
        _MADE[key] = parts
    return parts


def chrome() -> dict[str, Markup]:
    """{'head', 'top', 'tail'} of the current page."""
    user = current_user()
    head, top, tail = _parts(user)
    if user:
        top = top.replace(_SLOT, generate_csrf())
    return {"head": Markup(head), "top": Markup(top), "tail": Markup(tail)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["chrome"] = chrome
