"""Classification: the rules that fire for a system, its tier, obligations and risk score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import celpy

from steward.core.risk._answers import RiskAnswers
from steward.core.risk._rules import AppliesFrom, Citation, Obligation, RuleSet, resolve_date
from steward.core.risk._vocabulary import DEFAULT_ANNEX_III_APPLIES_FROM, Party, Tier


def _exposure(answers: RiskAnswers) -> list[str]:
    """The likelihood factors present in resolved answers (see :mod:`steward.core.risk`)."""
    factors = {
        "large scale": answers.large_scale,
        "direct interaction with people": answers.interacts_with_people,
        "no human in the loop": answers.solely_automated_decision_with_significant_effect
        or (answers.public_interest_text and not answers.human_editorial_review),
        "personal data sold or shared": answers.sells_or_shares_personal_data,
        "children targeted": answers.minors_targeted,
    }
    return [name for name, present in factors.items() if present]


@dataclass(frozen=True)
class Finding:
    """A rule that fired, with its reason and dates resolved."""

    rule_id: str
    title: str
    tier: Tier | None
    impact: int | None
    reason: str
    citation: Citation
    applies_from: date
    in_force: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "tier": self.tier.value if self.tier else None,
            "impact": self.impact,
            "reason": self.reason,
            "citation": self.citation.model_dump(),
            "applies_from": self.applies_from.isoformat(),
            "in_force": self.in_force,
        }


@dataclass(frozen=True)
class ObligationDue:
    """An obligation that applies to this system, with its date resolved and the rules behind it."""

    obligation: Obligation
    applies_from: date
    in_force: bool
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        ob = self.obligation
        return {
            "id": ob.id,
            "title": ob.title,
            "description": ob.description,
            "citation": ob.citation.model_dump(),
            "applies_from": self.applies_from.isoformat(),
            "party": ob.party.value,
            "stage": ob.stage.value,
            "in_force": self.in_force,
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class Classification:
    """The outcome of :func:`classify`, computed once; :meth:`to_dict` gives JSON-ready data."""

    name: str
    role: Party
    tier: Tier
    findings: tuple[Finding, ...]
    obligations: tuple[ObligationDue, ...]
    other_party_obligations: tuple[ObligationDue, ...]
    impact: int
    likelihood: int
    likelihood_factors: tuple[str, ...]
    ignored_answers: tuple[str, ...]
    as_of: date
    annex_iii_applies_from: date

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.findings]

    @property
    def rules_fired(self) -> list[str]:
        return [f.rule_id for f in self.findings]

    @property
    def risk_score(self) -> int:
        return self.impact * self.likelihood

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "tier": self.tier.value,
            "reasons": self.reasons,
            "obligations": [o.to_dict() for o in self.obligations],
            "other_party_obligations": [o.to_dict() for o in self.other_party_obligations],
            "risk_score": self.risk_score,
            "impact": self.impact,
            "likelihood": self.likelihood,
            "likelihood_factors": list(self.likelihood_factors),
            "rules_fired": self.rules_fired,
            "findings": [f.to_dict() for f in self.findings],
            "ignored_answers": list(self.ignored_answers),
            "as_of": self.as_of.isoformat(),
            "annex_iii_applies_from": self.annex_iii_applies_from.isoformat(),
        }


def classify(
    answers: RiskAnswers,
    rules: RuleSet,
    *,
    annex_iii_applies_from: date = DEFAULT_ANNEX_III_APPLIES_FROM,
    today: date | None = None,
) -> Classification:
    """Classify a system: evaluate every enabled rule on its resolved answers.

    ``annex_iii_applies_from`` replaces ``annex_iii`` in rule and obligation dates; ``today``
    (default: the current date) decides which obligations are already ``in_force``.
    """
    as_of = today or date.today()
    resolved, ignored = answers.resolved()
    activation = celpy.json_to_cel(resolved.facts())

    def when(value: AppliesFrom) -> date:
        return resolve_date(value, annex_iii_applies_from=annex_iii_applies_from)

    findings = []
    for rule in rules.rules:
        if rule.matches(activation):
            start = when(rule.applies_from)
            reason = rule.result.reason.replace("{applies_from}", start.isoformat())
            findings.append(
                Finding(
                    rule.id,
                    rule.title,
                    rule.result.tier,
                    rule.result.impact,
                    reason,
                    rule.citation,
                    start,
                    start <= as_of,
                )
            )
    findings.sort(key=lambda f: -(f.tier.rank if f.tier else -1))

    due: dict[str, list[str]] = {}
    for finding in findings:
        for ref in rules.rule(finding.rule_id).result.obligations:
            due.setdefault(ref, []).append(finding.rule_id)
    mine, theirs = [], []
    for ref, rule_ids in due.items():
        ob = rules.obligations[ref]
        start = when(ob.applies_from)
        item = ObligationDue(ob, start, start <= as_of, tuple(rule_ids))
        bears = Party.BOTH in (ob.party, resolved.role) or ob.party == resolved.role
        (mine if bears else theirs).append(item)

    factors = _exposure(resolved)
    return Classification(
        name=resolved.name,
        role=resolved.role,
        tier=max((f.tier for f in findings if f.tier), key=lambda t: t.rank, default=Tier.MINIMAL),
        findings=tuple(findings),
        obligations=tuple(mine),
        other_party_obligations=tuple(theirs),
        impact=max((f.impact for f in findings if f.impact), default=1),
        likelihood=min(5, 1 + len(factors)),
        likelihood_factors=tuple(factors),
        ignored_answers=ignored,
        as_of=as_of,
        annex_iii_applies_from=annex_iii_applies_from,
    )
