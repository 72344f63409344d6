"""Vietnamese first, English second: the locale choice for Flask-Babel, and the Jinja
number and date filters (Babel's formats, through `formatting.py`)."""
from __future__ import annotations

from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale

from survey_app import formatting
from survey_app.web import form_messages


def select_locale() -> str:
    """`?lang=en` switches the language for the rest of the session; Vietnamese first."""
    if not has_request_context():  # a CLI command rendering a document
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def locale() -> str:
    """The current language code, as Flask-Babel chose it (once per request)."""
    if not has_app_context():
        return "vi"
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)  # also gives templates `_`, `gettext`, `ngettext`
    form_messages.init_app(app)  # WTForms' own messages in the page's language
    app.jinja_env.filters["number"] = lambda v, d=None: formatting.format_number(v, d, locale())
    app.jinja_env.filters["percent"] = lambda v, d=1: formatting.format_percent(v, d, locale())
    app.jinja_env.filters["date"] = lambda v: formatting.format_date(v, locale())
    app.jinja_env.filters["datetime"] = lambda v: formatting.format_datetime(v, locale())
    app.jinja_env.globals["current_locale"] = locale
    app.jinja_env.filters["own"] = own_language
    app.jinja_env.filters["with_unit"] = with_unit


def own_language(thing, name: str = "label") -> str:
    """A form's own text (`label`, `title`, `message`) in the page's language: its
    `<name>_en` in English when the form gives one, else the Vietnamese."""
    english = getattr(thing, f"{name}_en", "") if locale() == "en" else ""
    return english or getattr(thing, name)


def with_unit(label: str, unit: str) -> str:
    """`label (unit)`; in English without a unit written in Vietnamese words (the
    forms give units only in Vietnamese: "Quantity (quầy)" mixes two languages)."""
    if not unit or (locale() == "en" and any(c.isalpha() for c in unit)):
        return label
    return f"{label} ({unit})"
