"""Content rules as data: what a rule file says, checked when it is read.

A rule fires in one of three ways:

- **on each occurrence** of its ``match`` regexes or ``terms`` (literal words, each with an
  optional neutral replacement), unless an ``unless`` pattern is anywhere in the text or an
  ``unless_near`` pattern is within ``near`` characters;
- **once for the document** when none of its ``require`` patterns (or ``require_terms``, or
  ``require_pii`` entity types) is present — or, with ``within_first``, when they are present but
  not close enough to the start; with ``first_turn``, when they are missing from a chat
  transcript's first turn;
- **on each PII span** of the ``pii`` entity types.

``applies`` limits a rule to channels and metadata (AI-generated, presented as a review,
endorsement, jurisdiction); ``satisfied_by`` names metadata flags that count as compliance (an AI
label the platform shows, say). Patterns use the regex subset Hyperscan and Python share: no
look-around, no back-references.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Severity = Literal["block", "review", "info"]
SEVERITY_RANK = {"info": 0, "review": 1, "block": 2}
CHANNELS = ("email", "sms", "social", "ad", "web", "chat")
CHANNEL_ALIASES = {"ads": "ad", "advert": "ad", "advertising": "ad", "display": "ad",
                   "push": "sms", "app": "web", "landing_page": "web", "chatbot": "chat"}
PRESENTATIONS = ("review", "testimonial", "endorsement")
META_FLAGS = ("ai_generated", "endorsement", "insider", "ai_disclosure", "in_thread",
              "prior_consent", "customer_facing")

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]{1,99}$")]


def normalise_channel(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    channel = str(value).strip().lower()
    channel = CHANNEL_ALIASES.get(channel, channel)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {value!r}: use {', '.join(CHANNELS)}")
    return channel


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str = Field(min_length=1)
    article: str = ""
    url: str = ""

    def label(self) -> str:
        return f"{self.instrument} {self.article}".strip()


class Applies(BaseModel):
    """Conditions on channel and metadata; all given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: tuple[str, ...] = ()
    ai_generated: bool | None = None
    presented_as: tuple[str, ...] = ()
    endorsement: bool | None = None
    insider: bool | None = None
    customer_facing: bool | None = None
    jurisdictions: tuple[str, ...] = ()

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c for c in (normalise_channel(v) for v in value) if c)

    @field_validator("presented_as")
    @classmethod
    def _presented(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v not in PRESENTATIONS]
        if bad:
            raise ValueError(f"presented_as must be among {', '.join(PRESENTATIONS)}")
        return value

    @field_validator("jurisdictions")
    @classmethod
    def _upper(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().upper() for v in value)


class ContentRule(BaseModel):
    """One content rule (see the module docstring for how it fires)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId
    family: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)
    severity: Severity
    citation: Citation
    see_also: tuple[Citation, ...] = ()
    suggestion: str = ""
    enabled: bool = True
    applies: Applies = Applies()
    satisfied_by: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    terms: dict[str, str] = Field(default_factory=dict)
    unless: tuple[str, ...] = ()
    unless_near: tuple[str, ...] = ()
    near: int = Field(default=150, ge=1, le=5000)
    require: tuple[str, ...] = ()
    require_terms: tuple[str, ...] = ()
    require_pii: tuple[str, ...] = ()
    within_first: int | None = Field(default=None, ge=1)
    first_turn: bool = False
    pii: tuple[str, ...] = ()
    case_sensitive: bool = False

    @field_validator("terms", mode="before")
    @classmethod
    def _terms(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return {str(v): "" for v in value}
        return value

    @field_validator("terms")
    @classmethod
    def _ascii_terms(cls, value: dict[str, str]) -> dict[str, str]:
        for term in value:
            if not term.strip() or not term.isascii():
                raise ValueError(f"term {term!r}: must be non-empty ASCII (use match with a "
                                 "character class for other letters)")
        return value

    @field_validator("satisfied_by")
    @classmethod
    def _flags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v not in META_FLAGS]
        if bad:
            raise ValueError(f"satisfied_by flags must be among {', '.join(META_FLAGS)}")
        return value

    @field_validator("match", "unless", "unless_near", "require")
    @classmethod
    def _regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for regex in value:
            check_regex(regex)
        return value

    @model_validator(mode="after")
    def _one_way(self) -> ContentRule:
        ways = [bool(self.match or self.terms), bool(self.require or self.require_terms
                                                     or self.require_pii), bool(self.pii)]
        if sum(ways) > 1:
            raise ValueError("a rule fires on matches, on a missing requirement, or on PII "
                             "spans: give only one of match/terms, require*, pii")
        if (self.within_first or self.first_turn) and not ways[1]:
            raise ValueError("within_first and first_turn need require patterns")
        return self

    @property
    def kind(self) -> str:
        if self.match or self.terms:
            return "match"
        if self.require or self.require_terms or self.require_pii:
            return "require"
        if self.pii:
            return "pii"
        return "document"


class ContentRuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[ContentRule] = Field(default_factory=list)


_FORBIDDEN = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P|\\[pPZAz]")


def check_regex(regex: str) -> None:
    """Refuse syntax one of the two engines lacks, and anything ``re`` cannot compile."""
    if not regex or not regex.isascii():
        raise ValueError(f"pattern {regex!r}: must be non-empty ASCII (write other letters "
                         "with a character class or use terms)")
    if _FORBIDDEN.search(regex):
        raise ValueError(f"pattern {regex!r}: look-around, back-references, named groups and "
                         r"\A \z \Z \p are not supported")
    try:
        re.compile(regex)
    except re.error as exc:
        raise ValueError(f"pattern {regex!r}: {exc}") from None


def term_regex(term: str) -> str:
    """A literal word or phrase as a whole-word, whitespace-tolerant pattern."""
    words = [re.escape(w) for w in term.split()]
    body = r"[ \t\r\n]+".join(words).replace(r"\-", "[- ]?")
    left = r"\b" if term[:1].isalnum() else ""
    right = r"\b" if term[-1:].isalnum() else ""
    return f"{left}{body}{right}"
