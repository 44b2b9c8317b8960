"""Consent: decoding the strings consent-management platforms send (TCF, GPP).

The ledger of consent events and audience enforcement build on these decoders; decoding itself
stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from steward.engines.consent import ConsentStringError, decode_consent_string

MAX_STRING_LENGTH = 100_000


@dataclass(frozen=True)
class Decoded:
    """One input string's outcome: its decoded fields, or the one-line reason it was refused."""

    index: int
    fields: dict[str, Any] | None
    error: str | None


def decode_strings(strings: Iterable[str]) -> Iterator[Decoded]:
    """Decode each TC or GPP string, in input order; a malformed one gives its error, not a stop."""
    for index, raw in enumerate(strings, start=1):
        text = raw.strip()
        try:
            if not text:
                raise ConsentStringError("empty consent string")
            if len(text) > MAX_STRING_LENGTH:
                raise ConsentStringError(f"consent string longer than {MAX_STRING_LENGTH} "
                                         "characters")
            yield Decoded(index=index, fields=decode_consent_string(text), error=None)
        except ConsentStringError as exc:
            yield Decoded(index=index, fields=None, error=exc.message)
