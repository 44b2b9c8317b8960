"""Turning a pydantic validation error into the one line a person reads."""

from __future__ import annotations

from pydantic import ValidationError


def first_problem(exc: ValidationError, *, prefix: str = "") -> str:
    """``field.path: message`` for the first error (and how many more there are)."""
    errors = exc.errors()
    if not errors:
        return "invalid input"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    label = f"{prefix}{where}" if where else prefix.rstrip(".: ") or "input"
    return f"{label}: {message}{more}"
