"""Stage gates: what moving one system into pilot or production needs under a pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import celpy

from steward.core import cel
from steward.core.policy._evaluate import base_facts, explain_failure
from steward.core.policy._model import GATE_STAGES, PACK_THRESHOLDS, PolicyError, PolicyPack
from steward.core.risk import Citation


@dataclass(frozen=True)
class EvidenceRequirement:
    """Evidence a gate needs for this system: its kind, freshness and accepted verdicts.

    ``max_age_days`` is ``None`` when any age will do; ``accepted_verdicts`` is empty when any
    verdict will do.
    """

    kind: str
    max_age_days: int | None
    accepted_verdicts: list[str]
    title: str
    citation: Citation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "max_age_days": self.max_age_days,
                "accepted_verdicts": list(self.accepted_verdicts), "title": self.title,
                "citation": self.citation.model_dump(mode="json") if self.citation else None}


@dataclass(frozen=True)
class GateRequirement:
    """What a move into ``stage`` needs for one system.

    ``undetermined`` lists the ``when`` conditions that could not be judged for lack of a fact;
    each of them is counted as holding (the gate fails closed), so what they guard is required.
    """

    stage: str
    approvals: list[str]
    evidence: list[EvidenceRequirement]
    obligations_met: bool
    training_required: bool
    undetermined: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "approvals": list(self.approvals),
                "evidence": [e.to_dict() for e in self.evidence],
                "obligations_met": self.obligations_met,
                "training_required": self.training_required,
                "undetermined": list(self.undetermined)}


@cache
def _condition(source: str) -> cel.Condition:
    return cel.compile_condition(source)  # checked when the pack was parsed


def gate_requirement(
    pack: PolicyPack, *, target_stage: str, system: Mapping[str, Any]
) -> GateRequirement:
    """The approvals, evidence, obligations and training a move into ``target_stage`` needs.

    ``system`` holds the facts about the system (see the package docstring); a stage the pack
    has no gate for needs nothing.
    """
    if target_stage not in GATE_STAGES:
        raise PolicyError(
            f"target_stage must be one of {', '.join(GATE_STAGES)}, not {target_stage!r}")
    gate = pack.gates.get(target_stage)  # type: ignore[call-overload]
    if gate is None:
        return GateRequirement(target_stage, [], [], False, False)
    facts = base_facts({"system": system})
    facts[PACK_THRESHOLDS] = pack.settings
    activation = celpy.json_to_cel(facts)
    undetermined: list[str] = []

    def holds(where: str, source: str | None) -> bool:
        if source is None:
            return True
        try:
            return _condition(source).evaluate(activation)
        except celpy.CELEvalError as exc:
            undetermined.append(f"{where}: {explain_failure(exc, facts)[1]}")
        except cel.CelError as exc:
            undetermined.append(f"{where}: {exc}")
        return True

    approvals = list(gate.approvals)
    for i, extra in enumerate(gate.extra_approvals):
        if holds(f"gates.{target_stage}.extra_approvals[{i}]", extra.when):
            approvals += [r for r in extra.roles if r not in approvals]
    evidence = [
        EvidenceRequirement(spec.kind, spec.max_age_days, list(spec.accepted_verdicts),
                            spec.title, spec.citation)
        for spec in gate.evidence
        if holds(f"gates.{target_stage}.evidence {spec.kind!r}", spec.when)
    ]
    return GateRequirement(target_stage, approvals, evidence, gate.obligations_met,
                           gate.training_required, undetermined)
