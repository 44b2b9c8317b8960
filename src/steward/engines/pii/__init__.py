"""PII detection shared by the content guard (text) and the privacy engine (table cells).

Finding personal data quickly and without false alarms takes two steps:

1. **one pass** of a multi-pattern engine (Hyperscan, or Python ``re`` where Hyperscan is
   missing, with the same results) finds every *candidate*: anything shaped like an e-mail
   address, a card number, an IBAN, an SSN, an IP address, a phone number, or the words that
   introduce a name or an address;
2. **validators** keep the candidates that check out: Luhn plus the card networks' IIN ranges and
   lengths, the IBAN country length and mod 97, the SSA's never-issued SSN areas, ``ipaddress``,
   and ``phonenumbers`` (or a phone shape where the text says it is a phone). Order numbers,
   tracking numbers, SKUs and version strings fail their checksum or sit after words that say
   what they are, and are not reported.

Entity types are named as Presidio names them (``EMAIL_ADDRESS``, ``PHONE_NUMBER``,
``CREDIT_CARD``, ``IBAN_CODE``, ``US_SSN``, ``IP_ADDRESS``, ``PERSON``, ``LOCATION``, and
``STREET_ADDRESS`` as presidio-research labels postal addresses). Names have no checksum: without
an NER callable they are found only after words that introduce them ("Mr.", "Name:", "Dear").

>>> [s.entity_type for s in detect("Mail ada@example.com or call +44 20 7946 0958.")]
['EMAIL_ADDRESS', 'PHONE_NUMBER']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from steward.engines.pii._detect import (
    CANDIDATE_PATTERNS,
    CREDIT_CARD,
    EMAIL_ADDRESS,
    ENTITY_TYPES,
    IBAN_CODE,
    IP_ADDRESS,
    LOCATION,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    STRUCTURED_TYPES,
    US_SSN,
    NerFunction,
    PiiDetector,
    PiiSpan,
)
from steward.engines.pii._matcher import Hit, MultiPattern, Pattern
from steward.engines.pii._validators import (
    card_network,
    luhn_ok,
    valid_card,
    valid_iban,
    valid_ip,
    valid_phone,
    valid_ssn,
)

__all__ = [
    # entity types
    "CREDIT_CARD", "EMAIL_ADDRESS", "ENTITY_TYPES", "IBAN_CODE", "IP_ADDRESS", "LOCATION",
    "PERSON", "PHONE_NUMBER", "STREET_ADDRESS", "STRUCTURED_TYPES", "US_SSN",
    # detection
    "CANDIDATE_PATTERNS", "NerFunction", "PiiDetector", "PiiSpan", "detect", "detect_cells",
    # one-pass matching
    "Hit", "MultiPattern", "Pattern",
    # validators
    "card_network", "luhn_ok", "valid_card", "valid_iban", "valid_ip", "valid_phone", "valid_ssn",
]


@lru_cache(maxsize=1)
def _default_detector() -> PiiDetector:
    return PiiDetector()


def detect(text: str) -> list[PiiSpan]:
    """PII spans in ``text`` with the default settings (compiled once per process)."""
    return _default_detector().detect(text)


def detect_cells(cells: Sequence[str | None]) -> list[list[PiiSpan]]:
    """PII spans in each table cell (one engine call for all of them); ``None`` gives ``[]``.

    >>> [[s.entity_type for s in spans] for spans in detect_cells(["ada@example.com", None])]
    [['EMAIL_ADDRESS'], []]
    """
    return _default_detector().detect_many(cells)
