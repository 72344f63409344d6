"""Errors that domain operations raise and the web layer turns into 4xx answers."""
from __future__ import annotations

from typing import Callable

from survey_app.formatting import Number
from survey_app.markers import Plural


class DomainError(Exception):
    """A refused request: `message` says why (Vietnamese), `field` names the input.

    The text is a catalogue entry (marked with `N_`); what varies goes in `params` and
    fills its `%(name)s` places only after translation, so a user's text (a `%`, say)
    is never read as a format."""

    status = 400

    def __init__(self, message: str, field: str | None = None, /, **params):
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)
        self.field = field

    def translated(self, gettext: Callable[[str], str], codes: bool = False, locale: str = "vi",
                   npgettext: Callable[[str, str, str, int], str] | None = None) -> str:
        """The message in the reader's language, through the caller's `gettext`; a
        `Label` or `Labels` param (a status, a role) is translated too, followed by its
        code only for a program's reader (`codes`: the API, whose words the codes are);
        a `Number` param is written as `locale` writes numbers (`0,5` or `0.5`). A
        `Plural` message takes its form for its `count` param from `npgettext`
        (context, singular, plural, n: the unformatted entry)."""
        template = self.template
        if isinstance(template, Plural) and npgettext is not None:
            text = npgettext(template.context, str(template), template.plural, self.params["count"])
        else:
            text = gettext(template)
        if not self.params:
            return text
        return text % {key: _param(value, gettext, codes, locale) for key, value in self.params.items()}


def _param(value, gettext: Callable[[str], str], codes: bool, locale: str):
    if isinstance(value, (Label, Labels)):
        return value.translated(gettext, codes)
    return value.formatted(locale) if isinstance(value, Number) else value


class Label(str):
    """The label of a code given as a message's param ("Đang thực hiện" for
    `in_progress`): a page shows the label, the API the label and the code."""

    def __new__(cls, text: str, code: str | None = None):
        label = super().__new__(cls, text)
        label.code = code
        return label

    def __str__(self) -> str:
        return self.translated(str, codes=True)

    def translated(self, gettext: Callable[[str], str], codes: bool = False) -> str:
        text = gettext(str.__str__(self))
        return f"{text} ('{self.code}')" if codes and self.code else text


class Labels(tuple):
    """Several labels as a param, listed as "a, b, c" once translated."""

    def __str__(self) -> str:
        return self.translated(str, codes=True)

    def translated(self, gettext: Callable[[str], str], codes: bool = False) -> str:
        return ", ".join(label.translated(gettext, codes) for label in self)


def labels(mapping: dict[str, str], codes=None) -> Labels:
    """The labels of `codes` (all of `mapping` by default, in its order)."""
    return Labels(Label(mapping[code], code) for code in (mapping if codes is None else codes))


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429
