"""Vietnamese first, English second: locale choice and the Jinja number/date filters."""
from __future__ import annotations

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from survey_app import formatting


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
    """The request's language code, chosen once per request (the number and date
    filters ask for it per cell); the same choice Flask-Babel makes, without its
    per-call lookups."""
    if not has_request_context():
        return str(get_locale() or "vi") if has_app_context() else "vi"
    try:
        return g._survey_locale
    except AttributeError:
        g._survey_locale = select_locale()
        return g._survey_locale


# The catalogue of each language, as Flask-Babel loaded it the first time.
_CATALOGUES: dict[str, object] = {}


def _translations():
    """The request's catalogue: Flask-Babel finds it again on every call, and a list
    page calls the template's `_` dozens of times."""
    code = locale()
    if code not in _CATALOGUES:
        _CATALOGUES[code] = get_translations()
    return _CATALOGUES[code]


def gettext(text: str) -> str:
    """`flask_babel.gettext` without %-formatting, on the request's cached catalogue."""
    return _translations().ugettext(text)


def _bound_gettext(translations) -> dict:
    """The template's `_` and `ngettext` bound to one catalogue, given to each render
    (Jinja's i18n extension finds them in the context before the globals): no lookup
    of the request's language on each call. Same rules as Jinja's "newstyle" gettext:
    the text is escaped as markup when autoescaping, then %-formatted with the keywords."""
    @pass_context
    def gettext(context, text, **variables):
        result = translations.ugettext(text)
        if context.eval_ctx.autoescape:
            result = Markup(result)
        return result % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        result = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            result = Markup(result)
        variables.setdefault("num", num)
        return result % variables

    return {"gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n), newstyle=True)
    app.context_processor(lambda: _bound_gettext(_translations()))
    app.jinja_env.filters["number"] = lambda v, d=None: formatting.format_number(v, d, locale())
    app.jinja_env.filters["percent"] = lambda v, d=1: formatting.format_percent(v, d, locale())
    app.jinja_env.filters["date"] = lambda v: formatting.format_date(v, locale())
    app.jinja_env.filters["datetime"] = lambda v: formatting.format_datetime(v, locale())
    app.jinja_env.globals["current_locale"] = locale
