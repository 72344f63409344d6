"""Vietnamese first, English second: locale choice and the Jinja number/date filters."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

from .. import formatting


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    return str(get_locale() or "vi")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["number"] = lambda v, d=None: formatting.format_number(v, d, _locale())
    app.jinja_env.filters["percent"] = lambda v, d=1: formatting.format_percent(v, d, _locale())
    app.jinja_env.filters["date"] = lambda v: formatting.format_date(v, _locale())
    app.jinja_env.filters["datetime"] = lambda v: formatting.format_datetime(v, _locale())
    app.jinja_env.globals["current_locale"] = _locale
