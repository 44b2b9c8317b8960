"""Subject keys: the HMAC-SHA256 of a normalised identifier, in Python and inside SQL.

A consent subject (an e-mail address, a customer id) is keyed as
``HMAC-SHA256(key, lower(trim(identifier)))`` in lowercase hex. The same value is computed
inside DuckDB or Spark SQL for whole audience files, with the standard HMAC construction
spelled out in SQL: ``sha256((K ^ opad) || sha256((K ^ ipad) || message))``. Neither engine has
an HMAC function, but both have SHA-256 over binary and binary concatenation, so the SQL
result is bit for bit the HMAC (the tests hold it to :mod:`hmac`), vectorised and parallel,
with no per-row Python.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

BLOCK = 64
Dialect = Literal["duckdb", "spark"]


def normalise(identifier: str) -> str:
    """Trimmed and lower-cased, as keyed."""
    return identifier.strip().lower()


def subject_hash(key: bytes, identifier: str) -> str:
    """The subject key of ``identifier`` (64 hex characters)."""
    return hmac.new(key, normalise(identifier).encode("utf-8"), hashlib.sha256).hexdigest()


def _pads(key: bytes) -> tuple[str, str]:
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return (bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex())


def hmac_sql(key: bytes, expression: str, *, dialect: Dialect = "duckdb",
             normalised: bool = False) -> str:
    """SQL computing the subject key of the text ``expression`` (lowercase hex).

    ``normalised`` says the expression is already trimmed and lower-cased.
    """
    ipad, opad = _pads(key)
    kind = "VARCHAR" if dialect == "duckdb" else "STRING"
    text = expression if normalised else f"lower(trim(CAST({expression} AS {kind})))"
    if dialect == "duckdb":
        inner = f"unhex(sha256(unhex('{ipad}') || encode({text})))"
        return f"sha256(unhex('{opad}') || {inner})"
    inner = f"unhex(sha2(concat(unhex('{ipad}'), encode({text}, 'UTF-8')), 256))"
    return f"sha2(concat(unhex('{opad}'), {inner}), 256)"
