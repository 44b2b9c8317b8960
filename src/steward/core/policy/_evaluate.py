"""Judging facts by a pack: the rules that fire, the rules skipped, and the worst severity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import celpy
from celpy import celtypes

from steward.core import cel
from steward.core.policy._model import (
    FACT_ROOTS,
    PACK_THRESHOLDS,
    RESERVED_NAMES,
    RULE_THRESHOLDS,
    PolicyError,
    PolicyPack,
    PolicyRule,
)
from steward.core.risk import Citation

Outcome = Literal["pass", "warn", "block"]
OUTCOME_BY_SEVERITY: dict[str, Outcome] = {"block": "block", "warn": "warn", "info": "pass"}
_RANK: dict[str, int] = {"pass": 0, "warn": 1, "block": 2}

MISSING_FACT = "missing_fact"
EVALUATION_ERROR = "error"


@dataclass(frozen=True)
class FiredRule:
    """A rule whose condition held: what it is, why it matters, where it comes from."""

    id: str
    title: str
    severity: str
    rationale: str
    citation: Citation
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity,
                "rationale": self.rationale, "citation": self.citation.model_dump(mode="json"),
                "message": self.message}


@dataclass(frozen=True)
class SkippedRule:
    """A rule that could not be judged: a fact it reads is missing (or null), or it failed."""

    id: str
    title: str
    severity: str
    reason: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity,
                "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class Decision:
    """The judgement of one set of facts by a pack.

    ``outcome`` is the worst severity among the rules that fired (``block`` > ``warn`` >
    ``pass``; an ``info`` rule never changes it). ``skipped`` lists the rules that could not be
    judged and why; they do not change the outcome, so a caller that must be sure checks it.
    """

    applies_to: str
    outcome: Outcome
    fired: list[FiredRule] = field(default_factory=list)
    skipped: list[SkippedRule] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[FiredRule]:
        return [r for r in self.fired if r.severity == "block"]

    @property
    def warnings(self) -> list[FiredRule]:
        return [r for r in self.fired if r.severity == "warn"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applies_to": self.applies_to,
            "outcome": self.outcome,
            "fired": [r.to_dict() for r in self.fired],
            "skipped": [r.to_dict() for r in self.skipped],
            "checked": list(self.checked),
        }


def worst(outcomes: list[str]) -> Outcome:
    """The worst of some outcomes (``pass`` for none)."""
    best: Outcome = "pass"
    for outcome in outcomes:
        if _RANK[outcome] > _RANK[best]:
            best = outcome  # type: ignore[assignment]
    return best


def base_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's facts as plain JSON values, refusing the names the engine supplies."""
    if not isinstance(facts, Mapping):
        raise PolicyError("facts must be a mapping of names (system, result, ...) to values")
    reserved = sorted(set(facts) & set(RESERVED_NAMES))
    if reserved:
        raise PolicyError(f"facts may not define {', '.join(reserved)}: the pack supplies them")
    try:
        return cel.plain(facts)
    except cel.CelError as exc:
        raise PolicyError(f"facts: {exc}") from None


def evaluate(pack: PolicyPack, *, applies_to: str, facts: Mapping[str, Any]) -> Decision:
    """Judge ``facts`` by the enabled rules of ``pack`` that apply to ``applies_to``.

    A rule fires when its condition is true. A rule whose condition reads a fact that is not
    there (or is null where a value is needed) is skipped, not fired, and reported with the
    reason; so is one whose evaluation fails for another reason (a type mismatch in the facts).
    """
    rules = pack.rules_for(applies_to)
    plain = base_facts(facts)
    plain[PACK_THRESHOLDS] = pack.settings
    converted = {name: celpy.json_to_cel(value) for name, value in plain.items()}
    fired: list[FiredRule] = []
    skipped: list[SkippedRule] = []
    for rule in rules:
        own = celpy.json_to_cel(cel.nest(rule.thresholds))
        activation = {**converted, RULE_THRESHOLDS: own}
        try:
            holds = rule.compiled.evaluate(activation)
        except celpy.CELEvalError as exc:
            reason, detail = explain_failure(exc, plain)
            skipped.append(SkippedRule(rule.id, rule.title, rule.severity, reason, detail))
            continue
        except cel.CelError as exc:
            skipped.append(SkippedRule(rule.id, rule.title, rule.severity, EVALUATION_ERROR,
                                       str(exc)))
            continue
        if holds:
            fired.append(FiredRule(rule.id, rule.title, rule.severity, rule.rationale,
                                   rule.citation, render_message(rule, activation)))
    outcome = worst([OUTCOME_BY_SEVERITY[r.severity] for r in fired])
    return Decision(applies_to=applies_to, outcome=outcome, fired=fired, skipped=skipped,
                    checked=[r.id for r in rules])


def explain_failure(exc: celpy.CELEvalError, facts: Mapping[str, Any]) -> tuple[str, str]:
    """``(reason, detail)`` for a failed evaluation: a missing or null fact, or another error."""
    text = cel.first_line(exc)
    tree = getattr(exc, "tree", None)
    where = cel.path_of(tree) if hasattr(tree, "data") else None
    source = f" (reading {where})" if where else ""
    if text.startswith("undeclared reference to "):
        name = text.removeprefix("undeclared reference to ").strip("'\"")
        expected = ", ".join(sorted({r for roots in FACT_ROOTS.values() for r in roots}))
        return MISSING_FACT, f"fact {name!r} was not given (facts: {expected})"
    if text.startswith("no such member in mapping") or text.startswith("no such key"):
        key = text.split(":", 1)[-1].strip()
        return MISSING_FACT, f"fact {where or key} is missing"
    if "NoneType" in text:
        return MISSING_FACT, f"a fact is null{source}"
    return EVALUATION_ERROR, f"{text}{source}"


def _text(value: Any) -> str:
    if isinstance(value, celtypes.BoolType):
        return "true" if value else "false"
    if isinstance(value, celtypes.DoubleType):
        return f"{float(value):.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items())
    if value is None:
        return "null"
    return str(value)


def render_message(rule: PolicyRule, activation: Any) -> str:
    """The rule's message with each ``{{ expr }}`` replaced by its value (``?`` if it fails)."""
    if not rule.message:
        return rule.title
    out: list[str] = []
    for is_expr, part, expression in rule.compiled_message:
        if not is_expr or expression is None:
            out.append(part)
            continue
        try:
            out.append(_text(expression.evaluate(activation)))
        except (celpy.CELEvalError, cel.CelError, TypeError, ValueError):
            out.append("?")
    return " ".join("".join(out).split())
