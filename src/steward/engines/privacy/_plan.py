"""The anonymization plan: per column, one transformation; written as editable YAML.

A plan names each column of the table once. Columns it does not name are kept as they are (a
generated plan names every column, so a column added to the table later is noticed: the check
of a plan against a table reports columns the plan does not name). A plan never holds a key:
the pseudonym key comes from ``STEWARD_PSEUDONYM_KEY`` or a key file, the vault key of
``tokenize`` from ``STEWARD_VAULT_KEY`` or its own key file, and a plan with a ``key`` or
``secret`` anywhere is refused.

``pseudonym`` and ``tokenize`` both give a keyed, deterministic, one-to-one token; a pseudonym
cannot be turned back into the value by anyone, while a token can, by an authorised person,
through the vault (see :mod:`._vault`).

The YAML, with every transformation::

    version: 1
    k: 5                                   # risk target: every class of quasi-identifiers >= k
    quasi_identifiers: [birth_date, zip, gender]
    sensitive: [income]                    # l-diversity is reported for these
    suppress_small_classes: true           # drop rows in classes smaller than k
    columns:
      customer_id: {transform: pseudonym}             # HMAC-SHA256 with the key, keeps the name
      email: {transform: pseudonym, normalize: lower}
      account_no: {transform: tokenize}                # tok_<32 hex>; original kept in the vault
      phone: {transform: pseudonym, normalize: digits}
      first_name: {transform: drop}
      card: {transform: mask, keep_last: 4}
      birth_date: {transform: generalize, to: year}   # or month, decade
      age: {transform: generalize, width: 10}         # or bands: [18, 25, 35, 50, 65]
      zip: {transform: generalize, digits: 3}
      state: {transform: generalize, regions: us_census}   # or map: {CA: West, ...}
      income: {transform: top_bottom, low: 12000, high: 250000}
      spend: {transform: noise, scale: 0.05}           # relative Gaussian noise
      notes: {transform: redact, also: [first_name, last_name, email, phone]}
      segment: {transform: keep}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from steward.errors import InvalidInput

PLAN_VERSION = 1
TRANSFORMS = ("keep", "drop", "pseudonym", "tokenize", "mask", "generalize", "top_bottom",
              "noise", "redact")
KEY_IN_PLAN = ("{where}: a plan must not hold a key or secret; set STEWARD_PSEUDONYM_KEY (or "
               "STEWARD_VAULT_KEY) or keep the key file in the data directory")
UNKNOWN_TRANSFORM = "column {column!r}: unknown transform {name!r} (use {known})"
UNKNOWN_COLUMN = "the plan names column {column!r}, which {source} does not have"
_SECRET_WORDS = ("key", "secret", "password", "salt", "pepper")
_SECRET_ALLOWED = ("keep", "keep_first", "keep_last")


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    note: str | None = Field(default=None, max_length=500)


class Keep(_Step):
    transform: Literal["keep"] = "keep"


class Drop(_Step):
    transform: Literal["drop"]


class Pseudonym(_Step):
    """HMAC-SHA256 of the (normalized) value with the pseudonym key, as 32 hex characters."""

    transform: Literal["pseudonym"]
    normalize: Literal["none", "trim", "lower", "digits"] = "trim"


class Tokenize(_Step):
    """A reversible token: ``tok_`` and 32 hex characters of HMAC-SHA256 of the (normalized)
    value under the vault's token key; the value itself is kept, encrypted, in the vault.

    ``normalize`` defaults to ``none`` so that a reveal gives back the value exactly as it was;
    with another normalization the vault keeps the normalized value (what the token stands for).
    """

    transform: Literal["tokenize"]
    normalize: Literal["none", "trim", "lower", "digits"] = "none"


class Mask(_Step):
    """Letters and digits replaced by ``char`` except the first and last few characters."""

    transform: Literal["mask"]
    keep_first: int = Field(default=0, ge=0, le=8)
    keep_last: int = Field(default=4, ge=0, le=8)
    char: str = Field(default="*", min_length=1, max_length=1)


class Generalize(_Step):
    """Dates to month, year or decade; numbers to bands; ZIP codes to leading digits; places to
    regions."""

    transform: Literal["generalize"]
    to: Literal["month", "year", "decade"] | None = None
    width: int | None = Field(default=None, ge=1)
    bands: list[float] | None = None
    digits: int | None = Field(default=None, ge=1, le=9)
    regions: Literal["us_census"] | None = None
    map: dict[str, str] | None = None
    other: str = "Other"

    @field_validator("bands")
    @classmethod
    def _increasing(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (not value or any(b <= a for a, b in zip(value, value[1:],
                                                                              strict=False))):
            raise ValueError("bands must be a non-empty list of increasing numbers")
        return value

    @model_validator(mode="after")
    def _one_rule(self) -> Generalize:
        chosen = [n for n in ("to", "width", "bands", "digits", "regions", "map")
                  if getattr(self, n) is not None]
        if len(chosen) != 1:
            raise ValueError("generalize needs exactly one of to, width, bands, digits, "
                             f"regions, map (got {', '.join(chosen) or 'none'})")
        return self


class TopBottom(_Step):
    """Values above ``high`` become ``high``, below ``low`` become ``low``."""

    transform: Literal["top_bottom"]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> TopBottom:
        if self.low is None and self.high is None:
            raise ValueError("top_bottom needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("top_bottom: low must not exceed high")
        return self


class Noise(_Step):
    """Gaussian noise: relative (``value * (1 + scale * N(0,1))``) or absolute."""

    transform: Literal["noise"]
    scale: float = Field(gt=0)
    relative: bool = True
    round: int | None = Field(default=None, ge=0, le=10)


class Redact(_Step):
    """PII the shared detectors find in the text, and the row's values of ``also`` columns
    (and, for name columns among them, every name in those columns), become ``<TYPE>``."""

    transform: Literal["redact"]
    also: list[str] = Field(default_factory=list)
    entities: list[str] | None = None


Step = Annotated[Keep | Drop | Pseudonym | Tokenize | Mask | Generalize | TopBottom | Noise |
                 Redact, Field(discriminator="transform")]


class ColumnPlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    step: Step


class Plan(BaseModel):
    """A whole plan: risk targets and one step per column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = PLAN_VERSION
    source: str | None = None
    k: int = Field(default=5, ge=1)
    l: int | None = Field(default=None, ge=1)  # noqa: E741 - the l of l-diversity
    quasi_identifiers: list[str] = Field(default_factory=list)
    sensitive: list[str] = Field(default_factory=list)
    suppress_small_classes: bool = True
    columns: dict[str, Step] = Field(default_factory=dict)
    discovery: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def transformed(self) -> list[str]:
        """Columns whose values the plan changes (all but ``keep``)."""
        return [c for c, s in self.columns.items() if s.transform != "keep"]

    def using(self, transform: str) -> list[str]:
        """Columns the plan transforms with ``transform``."""
        return [c for c, s in self.columns.items() if s.transform == transform]

    def output_columns(self, table_columns: list[str]) -> list[str]:
        return [c for c in table_columns
                if c not in self.columns or self.columns[c].transform != "drop"]

    def check(self, table_columns: list[str], source: str) -> None:
        """Refuse a plan naming columns the table lacks (one line, the first problem)."""
        known = set(table_columns)
        for name, step in self.columns.items():
            if name not in known:
                raise InvalidInput(UNKNOWN_COLUMN.format(column=name, source=source))
            if isinstance(step, Redact):
                for other in step.also:
                    if other not in known:
                        raise InvalidInput(f"column {name!r}: redact.also names {other!r}, which "
                                           f"{source} does not have")
        for group, names in (("quasi_identifiers", self.quasi_identifiers),
                             ("sensitive", self.sensitive)):
            for name in names:
                if name not in known:
                    raise InvalidInput(f"{group} names {name!r}, which {source} does not have")
                if name in self.columns and self.columns[name].transform == "drop":
                    raise InvalidInput(f"{group} names {name!r}, which the plan drops")

    def to_yaml(self) -> str:
        """The plan as YAML: one flow mapping per column, its discovery as a comment."""
        head = self.model_dump(mode="json", exclude={"columns", "discovery"}, exclude_none=True)
        lines = ["# Steward anonymization plan: edit the transform of any column, then run",
                 "#   steward privacy anonymize DATA --plan THIS_FILE --out OUT",
                 "# No key is ever written here (STEWARD_PSEUDONYM_KEY, STEWARD_VAULT_KEY or "
                 "their key files).",
                 yaml.safe_dump(head, sort_keys=False, default_flow_style=None).rstrip(),
                 "columns:"]
        for name, step in self.columns.items():
            body = step.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            body = {"transform": step.transform, **body}
            label = yaml.safe_dump(name, default_style=None).strip().removesuffix("...").strip()
            rendered = f"{label}: " + yaml.safe_dump(body, default_flow_style=True,
                                                       sort_keys=False, width=10_000).strip()
            found = self.discovery.get(name)
            comment = ""
            if found:
                comment = (f"  # {found.get('class')}"
                           f"{' ' + found['pii_type'] if found.get('pii_type') else ''}"
                           f" ({found.get('confidence', 0):.2f})")
            lines.append(f"  {rendered}{comment}")
        if self.discovery:
            lines.append("discovery:")
            lines.append("  " + yaml.safe_dump(self.discovery, sort_keys=False,
                                               default_flow_style=None, width=1000)
                         .rstrip().replace("\n", "\n  "))
        return "\n".join(lines) + "\n"


def _find_secret(document: Any, where: str = "plan") -> str | None:
    if isinstance(document, dict):
        for key, value in document.items():
            text = str(key).lower()
            if text not in _SECRET_ALLOWED and any(w in text.split("_") for w in _SECRET_WORDS):
                return f"{where}.{key}"
            found = _find_secret(value, f"{where}.{key}")
            if found:
                return found
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found = _find_secret(value, f"{where}[{i}]")
            if found:
                return found
    return None


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "union_tag_invalid":
        column = error["loc"][1] if len(error["loc"]) > 1 else "?"
        name = (error.get("ctx") or {}).get("tag", "?")
        return UNKNOWN_TRANSFORM.format(column=column, name=name, known=", ".join(TRANSFORMS))
    if error["type"] == "union_tag_not_found":
        return f"{where}: each column needs a transform ({', '.join(TRANSFORMS)})"
    return f"{where}: {message}" if where else message


def parse_plan(document: Any) -> Plan:
    """A plan from its parsed YAML/JSON document; one-line :class:`InvalidInput` otherwise."""
    if isinstance(document, str):
        try:
            document = yaml.safe_load(document)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise InvalidInput(f"the plan is not valid YAML{where}") from None
    if not isinstance(document, dict):
        raise InvalidInput("the plan must be a mapping with a 'columns' section")
    secret = _find_secret({k: v for k, v in document.items()
                           if k not in ("discovery", "columns")})
    columns = document.get("columns")
    if columns is not None and not isinstance(columns, dict):
        raise InvalidInput("plan.columns must map column names to a transform")
    for name, step in (columns or {}).items():
        secret = secret or _find_secret(step, f"plan.columns.{name}")
    if secret:
        raise InvalidInput(KEY_IN_PLAN.format(where=secret))
    for name, step in (columns or {}).items():
        if isinstance(step, str):  # shorthand: `email: pseudonym`
            columns[name] = {"transform": step}
        elif step is None:
            columns[name] = {"transform": "keep"}
        elif isinstance(step, dict) and "transform" in step and \
                step["transform"] not in TRANSFORMS:
            raise InvalidInput(UNKNOWN_TRANSFORM.format(column=name, name=step["transform"],
                                                        known=", ".join(TRANSFORMS)))
    try:
        return Plan.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(f"plan: {_first_problem(exc)}") from None
