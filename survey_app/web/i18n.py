"""Vietnamese first, English second: the locale choice for Flask-Babel, and the Jinja
number and date filters (Babel's formats, through `formatting.py`)."""
from __future__ import annotations

from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale

from survey_app import formatting
from survey_app.checklists.spec import own_text
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
    """A form's own text (`label`, `title`, `message`, `help`, `unit`, `description`) in
    the page's language: its `<name>_en` in English when the form gives one."""
    return own_text(thing, name, locale())


def with_unit(label: str, thing) -> str:
    """`label (unit)` of a form's item or figure (or a unit's text); in English its
    `unit_en`, and no unit written only in Vietnamese words ("Quantity (quầy)" mixes
    two languages)."""
    unit = own_language(thing, "unit") if hasattr(thing, "unit") else thing
    english = getattr(thing, "unit_en", "")
    if not unit or (locale() == "en" and not english and any(c.isalpha() for c in unit)):
        return label
    return f"{label} ({unit})"
