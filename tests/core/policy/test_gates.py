"""Stage gates: approvals, evidence, obligations and training a move into a stage needs."""

from __future__ import annotations

import pytest

from steward.core.policy import (
    EvidenceRequirement,
    GateRequirement,
    PolicyError,
    gate_requirement,
    parse_pack,
)

PREDICTIVE = {"ai_kinds": ["predictive_model"], "uses": ["lead_scoring"], "customer_facing": False}
GENERATIVE = {"ai_kinds": ["generative_text"], "uses": ["content_generation"],
              "customer_facing": True}


def test_a_predictive_production_move_needs_data_science_and_a_fairness_audit(
    default_pack,
) -> None:
    req = gate_requirement(default_pack, target_stage="production", system=PREDICTIVE)
    assert isinstance(req, GateRequirement)
    assert req.approvals == ["committee", "legal", "privacy", "data_science"]
    assert [e.kind for e in req.evidence] == ["fairness_audit"]
    audit = req.evidence[0]
    assert isinstance(audit, EvidenceRequirement)
    assert (audit.max_age_days, audit.accepted_verdicts) == (90, ["pass", "warn"])
    assert audit.citation is not None and "1607.4" in audit.citation.article
    assert req.obligations_met and req.training_required
    assert req.undetermined == []


def test_a_generative_pilot_move_needs_neither(default_pack) -> None:
    req = gate_requirement(default_pack, target_stage="pilot", system=GENERATIVE)
    assert req.approvals == ["committee", "legal", "privacy"]
    assert req.evidence == []
    assert req.obligations_met and req.training_required


def test_a_generative_production_move_needs_no_fairness_audit(default_pack) -> None:
    req = gate_requirement(default_pack, target_stage="production", system=GENERATIVE)
    assert req.approvals == ["committee", "legal", "privacy"]
    assert req.evidence == []


def test_audience_targeting_needs_a_fairness_audit_whatever_the_kind(default_pack) -> None:
    system = {**GENERATIVE, "uses": ["audience_targeting"]}
    req = gate_requirement(default_pack, target_stage="production", system=system)
    assert [e.kind for e in req.evidence] == ["fairness_audit"]
    assert "data_science" not in req.approvals


def test_a_when_that_cannot_be_judged_fails_closed(default_pack) -> None:
    req = gate_requirement(default_pack, target_stage="production",
                           system={"ai_kinds": ["generative_text"]})
    assert [e.kind for e in req.evidence] == ["fairness_audit"]
    assert req.undetermined == [
        "gates.production.evidence 'fairness_audit': fact system.uses is missing"]
    assert req.to_dict()["undetermined"] == req.undetermined


def test_to_dict(default_pack) -> None:
    data = gate_requirement(default_pack, target_stage="production", system=PREDICTIVE).to_dict()
    assert data["stage"] == "production"
    assert data["evidence"][0]["kind"] == "fairness_audit"
    assert data["evidence"][0]["citation"]["url"].startswith("https://")


def test_a_stage_without_a_gate_needs_nothing(make_pack) -> None:
    pack = parse_pack(make_pack(gates={"production": {"approvals": ["committee"]}}))
    req = gate_requirement(pack, target_stage="pilot", system={})
    assert (req.approvals, req.evidence, req.obligations_met, req.training_required) == (
        [], [], False, False)


def test_gates_may_read_pack_thresholds(make_pack) -> None:
    pack = parse_pack(make_pack(
        thresholds={"gates.large": 10_000},
        gates={"pilot": {"approvals": ["committee"], "obligations_met": False,
                         "training_required": False,
                         "extra_approvals": [{"roles": ["privacy", "committee"],
                                              "when": "system.reach >= settings.gates.large"}],
                         "evidence": [{"kind": "dpia", "title": "A DPIA",
                                       "when": "system.reach >= settings.gates.large"}]}},
    ))
    small = gate_requirement(pack, target_stage="pilot", system={"reach": 10})
    large = gate_requirement(pack, target_stage="pilot", system={"reach": 20_000})
    assert (small.approvals, small.evidence) == (["committee"], [])
    assert large.approvals == ["committee", "privacy"]
    assert [e.kind for e in large.evidence] == ["dpia"]
    assert large.evidence[0].max_age_days is None and large.evidence[0].accepted_verdicts == []
    assert not large.obligations_met and not large.training_required


def test_an_unknown_stage_is_refused(default_pack) -> None:
    with pytest.raises(PolicyError, match="target_stage must be one of pilot, production"):
        gate_requirement(default_pack, target_stage="retired", system={})
