"""Discovery: which columns of a table hold personal data, of what type, and of what class.

Two signals, combined per column:

- the **column name** (``email``, ``dob``, ``zip_code``, ``customer_notes``…) against a table of
  name rules, each giving a PII type and a class;
- a **sample of values** (read with the backend's own sampling, never the whole table) run
  through the shared PII detectors of :mod:`steward.engines.pii` in one engine call: the share of
  cells that *are* an e-mail, phone number, card… and the share of longer cells that *contain*
  one (free text).

Classes: ``direct_identifier`` (singles out a person on its own), ``quasi_identifier`` (does so
in combination: birth date, ZIP code, gender, location), ``sensitive`` (an attribute to protect
with l-diversity), ``free_text`` (text containing PII) and ``non_personal``. The result holds
counts and shares only, never a sampled value, so it can be stored as evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from steward.engines.backends import Table
from steward.engines.pii import PiiDetector

DIRECT = "direct_identifier"
QUASI = "quasi_identifier"
SENSITIVE = "sensitive"
FREE_TEXT = "free_text"
NON_PERSONAL = "non_personal"
CLASSES = (DIRECT, QUASI, SENSITIVE, FREE_TEXT, NON_PERSONAL)

# PII types beyond the detector's entity types (which are named as Presidio names them)
CUSTOMER_ID = "CUSTOMER_ID"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
AGE = "AGE"
ZIP_CODE = "ZIP_CODE"
GENDER = "GENDER"
REGION = "REGION"
SENSITIVE_ATTRIBUTE = "SENSITIVE_ATTRIBUTE"
FINANCIAL = "FINANCIAL"
TEXT_WITH_PII = "FREE_TEXT"

_NAME_RULES: tuple[tuple[str, str, str], ...] = (
    # (regex over the normalised column name, PII type, class); first match wins
    (r"(^|_)(e_?mail|email_address|mail)($|_)", "EMAIL_ADDRESS", DIRECT),
    (r"(^|_)(phone|mobile|telephone|tel|cell|msisdn|fax)($|_)", "PHONE_NUMBER", DIRECT),
    (r"(^|_)(ssn|social_security)($|_)", "US_SSN", DIRECT),
    (r"(^|_)(card_number|cc_number|credit_card|pan)($|_)", "CREDIT_CARD", DIRECT),
    (r"(^|_)iban($|_)", "IBAN_CODE", DIRECT),
    (r"(^|_)(ip|ip_address|ipv4|ipv6)($|_)", "IP_ADDRESS", DIRECT),
    (r"(^|_)(first_?name|last_?name|surname|full_?name|given_name|family_name|fname|lname|"
     r"middle_name|customer_name|contact_name|name)($|_)", "PERSON", DIRECT),
    (r"(^|_)(address|street|addr|address_line\d?)($|_)", "STREET_ADDRESS", DIRECT),
    (r"(^|_)(customer|client|user|member|account|loyalty|person|contact)_?(id|number|no)($|_)",
     CUSTOMER_ID, DIRECT),
    (r"^id$", CUSTOMER_ID, DIRECT),
    (r"(^|_)(dob|birth_?date|date_of_birth|birthday|born)($|_)", DATE_OF_BIRTH, QUASI),
    (r"(^|_)age($|_)", AGE, QUASI),
    (r"(^|_)(zip|zip_?code|post_?code|postal_?code|zipcode)($|_)", ZIP_CODE, QUASI),
    (r"(^|_)(gender|sex)($|_)", GENDER, QUASI),
    (r"(^|_)(city|town|state|region|county|province|country|location|geo)($|_)", "LOCATION",
     QUASI),
    (r"(^|_)(health|medical|diagnosis|religion|ethnicity|race|sexual_orientation|political|"
     r"disability|union_member(ship)?|biometric)($|_)", SENSITIVE_ATTRIBUTE, SENSITIVE),
    (r"(^|_)(income|salary|credit_score|net_worth)($|_)", FINANCIAL, SENSITIVE),
    (r"(^|_)(notes?|comments?|description|message|remarks|free_?text|feedback|body|memo|"
     r"transcript)($|_)", TEXT_WITH_PII, FREE_TEXT),
)
_COMPILED = tuple((re.compile(rx), pii, cls) for rx, pii, cls in _NAME_RULES)
_WHOLE_TYPES = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
                "IP_ADDRESS", "STREET_ADDRESS"}
_NAME_CONFIDENCE = 0.7
WHOLE_SHARE = 0.5
"""A column is of a structured type when at least this share of sampled cells is one value."""
EMBEDDED_SHARE = 0.05
"""A text column is free text with PII when at least this share of cells contains some."""
DEFAULT_SAMPLE = 1000


def normalise_name(name: str) -> str:
    """``CustomerEmail`` and ``customer-email`` both become ``customer_email``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def match_name(name: str) -> tuple[str, str] | None:
    """The (PII type, class) a column name suggests, or ``None``."""
    normal = normalise_name(name)
    for rx, pii, cls in _COMPILED:
        if rx.search(normal):
            return pii, cls
    return None


@dataclass(frozen=True)
class ColumnFinding:
    """What discovery concluded about one column (no sampled value is kept)."""

    name: str
    type: str
    kind: str
    pii_type: str | None
    pii_class: str
    confidence: float
    name_match: str | None = None
    value_match: str | None = None
    value_share: float = 0.0
    embedded_share: float = 0.0
    embedded_types: dict[str, int] = field(default_factory=dict)
    sampled: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type, "kind": self.kind, "pii_type": self.pii_type,
            "class": self.pii_class, "confidence": round(self.confidence, 3),
            "signals": {"name": self.name_match, "values": self.value_match,
                        "value_share": round(self.value_share, 4),
                        "embedded_share": round(self.embedded_share, 4),
                        "embedded_types": dict(self.embedded_types), "sampled": self.sampled},
        }


@dataclass(frozen=True)
class Discovery:
    """Every column's finding, in table order, with the table's row count and source."""

    source: str
    rows: int
    columns: tuple[ColumnFinding, ...]
    sample_size: int

    def by_class(self, cls: str) -> list[str]:
        return [c.name for c in self.columns if c.pii_class == cls]

    def column(self, name: str) -> ColumnFinding:
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "rows": self.rows, "sample_size": self.sample_size,
            "columns": [c.to_dict() for c in self.columns],
            "summary": {cls: self.by_class(cls) for cls in CLASSES},
        }


def _sample(table: Table, columns: list[str], size: int) -> dict[str, list[str | None]]:
    if not columns:
        return {}
    q = table.quote
    select = ", ".join(f"CAST({q(c)} AS STRING)" for c in columns)
    if table.backend == "duckdb":
        sql = (f"SELECT {select} FROM {table.relation} "
               f"USING SAMPLE reservoir({int(size)} ROWS) REPEATABLE (42)")
    else:  # Spark: the first rows after a seeded shuffle would read everything; take a limit
        sql = f"SELECT {select} FROM {table.relation} LIMIT {int(size)}"
    rows = table.query(sql)
    return {c: [row[i] for row in rows] for i, c in enumerate(columns)}


def _values(detector: PiiDetector, cells: list[str | None]
            ) -> tuple[str | None, float, float, Counter[str], int]:
    """(whole-cell type, its share, share of cells with embedded PII, embedded types, n)."""
    present = [c.strip() for c in cells if c is not None and c.strip()]
    if not present:
        return None, 0.0, 0.0, Counter(), 0
    whole: Counter[str] = Counter()
    embedded: Counter[str] = Counter()
    with_pii = 0
    for text, spans in zip(present, detector.detect_many(present), strict=True):
        if not spans:
            continue
        if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text) and \
                spans[0].entity_type in _WHOLE_TYPES:
            whole[spans[0].entity_type] += 1
            continue
        with_pii += 1
        for span in spans:
            embedded[span.entity_type] += 1
    n = len(present)
    best, count = whole.most_common(1)[0] if whole else (None, 0)
    return best, count / n, with_pii / n, embedded, n


def discover(table: Table, *, sample: int = DEFAULT_SAMPLE,
             detector: PiiDetector | None = None) -> Discovery:
    """Classify every column of ``table`` by its name and a sample of its values.

    >>> import pyarrow as pa
    >>> from steward.engines.backends import open_table
    >>> with open_table(pa.table({"email": ["ada@example.com"], "spend": [3.5]})) as t:
    ...     [(c.name, c.pii_class) for c in discover(t).columns]
    [('email', 'direct_identifier'), ('spend', 'non_personal')]
    """
    detector = detector or PiiDetector()
    rows = int(table.query(f"SELECT COUNT(*) FROM {table.relation}")[0][0])
    text_columns = [c for c, k in table.kinds.items() if k == "string"]
    samples = _sample(table, text_columns, sample)
    findings = []
    for name, sql_type in table.columns.items():
        kind = table.kinds[name]
        by_name = match_name(name)
        value_type, share, embedded_share, embedded, n = (
            _values(detector, samples[name]) if name in samples else (None, 0.0, 0.0,
                                                                       Counter(), 0))
        pii_type, cls, confidence = None, NON_PERSONAL, 0.0
        if value_type is not None and share >= WHOLE_SHARE:
            pii_type, cls = value_type, DIRECT
            confidence = share
            if by_name and by_name[0] == value_type:
                confidence = 1 - (1 - share) * (1 - _NAME_CONFIDENCE)
        elif by_name is not None:
            pii_type, cls = by_name
            confidence = _NAME_CONFIDENCE
            if cls == FREE_TEXT and embedded_share > 0:
                confidence = 1 - (1 - _NAME_CONFIDENCE) * (1 - min(1.0, embedded_share * 4))
        elif embedded_share >= EMBEDDED_SHARE:
            pii_type, cls = TEXT_WITH_PII, FREE_TEXT
            confidence = min(1.0, embedded_share * 4)
        if cls == DIRECT and pii_type in ("PERSON", "STREET_ADDRESS") and \
                embedded_share >= EMBEDDED_SHARE and by_name is None:
            cls = FREE_TEXT
        findings.append(ColumnFinding(
            name=name, type=str(sql_type), kind=kind, pii_type=pii_type, pii_class=cls,
            confidence=round(confidence, 3),
            name_match=f"{by_name[0]} ({by_name[1]})" if by_name else None,
            value_match=value_type, value_share=share, embedded_share=embedded_share,
            embedded_types=dict(embedded), sampled=n))
    return Discovery(source=table.source, rows=rows, columns=tuple(findings),
                     sample_size=sample)
