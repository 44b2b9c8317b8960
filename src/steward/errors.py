"""One error family for the whole of Steward.

Every error a user can cause is a :class:`StewardError`. The API turns it into an RFC 9457
``application/problem+json`` response with its ``status`` and ``title``; the CLI prints its
message on one line and exits non-zero. Domain errors subclass one of the four kinds below,
next to the service that raises them.
"""

from __future__ import annotations

from typing import Any


def one_line(text: object) -> str:
    """Collapse any text (a driver's multi-line message, say) into one line."""
    return " ".join(str(text).split())


class StewardError(Exception):
    """Base of every error Steward raises on purpose."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, message: str, **extra: Any) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.extra = extra

    def __str__(self) -> str:
        return self.message


class InvalidInput(StewardError):
    """The input is malformed or breaks a rule (a bad file, column, string or value)."""

    status = 422
    title = "Invalid input"


class NotFound(StewardError):
    """The object asked for does not exist (or the caller may not know it exists)."""

    status = 404
    title = "Not found"


class Unauthenticated(StewardError):
    """No valid credentials: missing, unknown, revoked or expired token or session."""

    status = 401
    title = "Unauthorized"


class Forbidden(StewardError):
    """The caller is known but their roles do not allow this."""

    status = 403
    title = "Forbidden"


class Conflict(StewardError):
    """The change clashes with the current state (a duplicate, a stale version, a closed item)."""

    status = 409
    title = "Conflict"


class ConfigurationError(StewardError):
    """The settings are unusable (e.g. a placeholder secret outside development)."""

    status = 500
    title = "Configuration error"
