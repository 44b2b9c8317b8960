"""Rules and obligations as data: their models, merging rule files, and matching one rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import celpy
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from steward.core.risk._answers import RiskAnswers
from steward.core.risk._conditions import Condition, _first_line, compile_condition
from steward.core.risk._vocabulary import Party, RuleError, Stage, Tier

RuleId = str
AppliesFrom = date | Literal["annex_iii"]
_ID = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"


class Citation(BaseModel):
    """Where an obligation or rule comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str = Field(min_length=1)
    article: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://\S+$")


class Obligation(BaseModel):
    """Something a party must do, once a rule that names it has fired."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId = Field(pattern=_ID)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    party: Party
    stage: Stage
    applies_from: AppliesFrom
    citation: Citation


class RuleResult(BaseModel):
    """What a rule contributes when it fires."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tier: Tier | None = None
    impact: int | None = Field(default=None, ge=1, le=5)
    reason: str = Field(min_length=1)
    obligations: tuple[RuleId, ...] = ()


class Rule(BaseModel):
    """A risk rule: when ``condition`` holds for the answers, ``result`` applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId = Field(pattern=_ID)
    title: str = Field(min_length=1)
    condition: str = Field(min_length=1)
    result: RuleResult
    citation: Citation
    applies_from: AppliesFrom
    enabled: bool = True
    _compiled: Condition = PrivateAttr()

    @field_validator("condition", mode="after")
    @classmethod
    def _compiles(cls, source: str) -> str:
        try:
            compile_condition(source)
        except RuleError as exc:
            raise ValueError(str(exc)) from None
        return source

    def model_post_init(self, context: Any, /) -> None:
        self._compiled = compile_condition(self.condition)  # cached: compiled by _compiles

    def matches(self, activation: Any) -> bool:
        """Whether the rule fires for the CEL activation of some answers' facts."""
        try:
            return self.enabled and self._compiled.evaluate(activation)
        except (RuleError, celpy.CELEvalError) as exc:
            raise RuleError(f"rule {self.id!r}: {_first_line(exc)}", rule_id=self.id) from None


class RuleFile(BaseModel):
    """The contents of one rule file: obligations and rules, each with a unique id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    obligations: tuple[Obligation, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("obligations", "rules", mode="after")
    @classmethod
    def _unique_ids(cls, items: tuple[Any, ...]) -> tuple[Any, ...]:
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate id(s): {', '.join(duplicates)}")
        return items


@dataclass(frozen=True)
class RuleSet:
    """Rules in evaluation order and the obligations they may name, every reference checked."""

    rules: tuple[Rule, ...]
    obligations: Mapping[RuleId, Obligation]

    def __post_init__(self) -> None:
        for rule in self.rules:
            for ref in rule.result.obligations:
                if ref not in self.obligations:
                    raise RuleError(
                        f"rule {rule.id!r} names unknown obligation {ref!r}", rule_id=rule.id
                    )

    @classmethod
    def from_files(cls, files: Iterable[RuleFile]) -> RuleSet:
        """Merge rule files in order: a later rule or obligation replaces an earlier one by id."""
        rules: dict[str, Rule] = {}
        obligations: dict[str, Obligation] = {}
        for file in files:
            rules.update((r.id, r) for r in file.rules)
            obligations.update((o.id, o) for o in file.obligations)
        return cls(rules=tuple(rules.values()), obligations=obligations)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def resolve_date(value: AppliesFrom, *, annex_iii_applies_from: date) -> date:
    """A rule's date, with ``annex_iii`` replaced by the configured Annex III date."""
    return value if isinstance(value, date) else annex_iii_applies_from


def rule_matches(rule: Rule, answers: RiskAnswers) -> bool:
    """Whether one rule fires for (resolved) answers; handy for tests and explanations."""
    resolved, _ = answers.resolved()
    return rule.matches(celpy.json_to_cel(resolved.facts()))
