"""Errors that domain operations raise and the web layer turns into 4xx answers."""
from __future__ import annotations


class DomainError(Exception):
    """A refused request: `message` says why (Vietnamese), `field` names the input."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429
