"""Errors that domain operations raise and the web layer turns into 4xx answers."""
from __future__ import annotations

from typing import Callable


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

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language, through the caller's `gettext`."""
        text = gettext(self.template)
        return text % self.params if self.params else text


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429
