"""The default pack: every rule fires on facts built to violate it, and none on compliant facts."""

from __future__ import annotations

import copy
import doctest
from typing import Any

import pytest

import steward.core.policy
from steward.core.policy import APPLIES_TO, evaluate

SYSTEM: dict[str, Any] = {
    "name": "Support assistant",
    "stage": "pilot",
    "ai_kinds": ["chatbot", "generative_text"],
    "uses": ["customer_service"],
    "channels": ["chat"],
    "customer_facing": True,
    "jurisdictions": ["EU", "US-CA"],
    "tier": "limited",
    "human_oversight": True,
    "bot_disclosure": True,
    "human_handoff": True,
    "vendor_trains_on_our_data": False,
    "training_opt_out": None,
    "data_categories": ["user.contact.email", "user.behavior.purchase_history"],
    "data_uses": ["marketing.communications.email"],
    "consent_purposes": ["marketing_email"],
}


def _group(scope: str, value: str, n: int, ratio: float | None) -> dict[str, Any]:
    return {"scope": scope, "group": {scope: value}, "n": n, "selection_rate_ratio": ratio}


COMPLIANT: dict[str, dict[str, Any]] = {
    "system": {"system": SYSTEM},
    "content": {
        "system": SYSTEM,
        "content": {"channel": "email", "customer_facing": True, "ai_generated": True,
                    "ai_disclosure": True},
    },
    "audience": {
        "system": SYSTEM,
        "audience": {"name": "Lapsed buyers", "purpose": "personalised_advertising",
                     "size": 1200, "consented_count": 1200, "unconsented_count": 0,
                     "criteria_categories": ["user.behavior.purchase_history"]},
    },
    "dataset": {
        "system": SYSTEM,
        "dataset": {"name": "propensity_train", "purpose": "model_training", "rows": 50_000,
                    "direct_identifiers": [], "quasi_identifiers": ["age_band", "region"],
                    "k_anonymity": 12, "l_diversity": 3},
    },
    "model": {
        "system": SYSTEM,
        "model": {"name": "propensity", "drift": {"drifted_share": 0.1,
                                                  "drifted_columns": ["tenure"]}},
    },
    "audit": {
        "system": SYSTEM,
        "result": {
            "engine": "fairness",
            "groups": [_group("sex", "female", 400, 1.0), _group("sex", "male", 380, 0.92),
                       _group("age", "18-34", 300, 0.85), _group("age", "65+", 120, None)],
            "disparities": {"equalized_odds_difference": {"sex": 0.04, "age": None}},
        },
    },
}


def _set(path: str, value: Any) -> Any:
    def change(facts: dict[str, Any]) -> None:
        *heads, last = path.split(".")
        node = facts
        for head in heads:
            node = node[head]
        node[last] = value
    return change


def _groups(*groups: dict[str, Any]) -> Any:
    return _set("result.groups", list(groups))


VIOLATIONS: dict[str, tuple[str, list[Any]]] = {
    "fairness.four_fifths": ("audit", [_groups(_group("sex", "female", 400, 1.0),
                                               _group("sex", "male", 380, 0.62))]),
    "fairness.equalized_odds": ("audit", [_set("result.disparities.equalized_odds_difference",
                                               {"sex": 0.04, "age": 0.23})]),
    "fairness.small_groups": ("audit", [_groups(_group("sex", "female", 400, 1.0),
                                                _group("sex", "other", 12, 0.5))]),
    "content.ai_disclosure": ("content", [_set("content.ai_disclosure", False)]),
    "chatbot.bot_disclosure": ("system", [_set("system.bot_disclosure", None)]),
    "chatbot.human_handoff": ("system", [_set("system.human_handoff", False)]),
    "prohibited.practices": ("system", [_set("system.tier", "prohibited")]),
    "oversight.high_risk_human_review": ("system", [_set("system.tier", "high"),
                                                    _set("system.human_oversight", False)]),
    "privacy.sensitive_targeting": ("system", [
        _set("system.uses", ["audience_targeting"]),
        _set("system.data_categories", ["user.contact.email", "user.health_and_medical"]),
    ]),
    "vendor.trains_on_our_data": ("system", [_set("system.vendor_trains_on_our_data", True)]),
    "consent.profiling": ("audience", [_set("audience.unconsented_count", 35)]),
    "privacy.sensitive_audience": ("audience", [
        _set("audience.criteria_categories", ["user.demographic.religious_belief"])]),
    "privacy.training_data_anonymised": ("dataset", [_set("dataset.k_anonymity", 2)]),
    "drift.alert": ("model", [_set("model.drift.drifted_share", 0.5)]),
}


def test_every_rule_has_a_violation_case(default_pack) -> None:
    assert sorted(VIOLATIONS) == sorted(r.id for r in default_pack.rules)
    assert {r.applies_to for r in default_pack.rules} == set(APPLIES_TO)


@pytest.mark.parametrize("applies_to", APPLIES_TO)
def test_compliant_facts_pass_with_nothing_fired_or_skipped(default_pack, applies_to) -> None:
    decision = evaluate(default_pack, applies_to=applies_to, facts=COMPLIANT[applies_to])
    assert decision.outcome == "pass"
    assert decision.fired == []
    assert decision.skipped == []
    assert decision.checked


@pytest.mark.parametrize("rule_id", sorted(VIOLATIONS))
def test_each_rule_fires_on_facts_that_violate_it(default_pack, rule_id: str) -> None:
    applies_to, changes = VIOLATIONS[rule_id]
    facts = copy.deepcopy(COMPLIANT[applies_to])
    for change in changes:
        change(facts)
    decision = evaluate(default_pack, applies_to=applies_to, facts=facts)
    assert [r.id for r in decision.fired] == [rule_id]
    assert decision.skipped == []
    rule = default_pack.rule(rule_id)
    expected = {"block": "block", "warn": "warn", "info": "pass"}[rule.severity]
    assert decision.outcome == expected
    assert "?" not in decision.fired[0].message


def test_severities_are_sensible(default_pack) -> None:
    severity = {r.id: r.severity for r in default_pack.rules}
    for rule_id in ("fairness.four_fifths", "content.ai_disclosure", "chatbot.bot_disclosure",
                    "prohibited.practices", "oversight.high_risk_human_review",
                    "consent.profiling", "privacy.sensitive_targeting",
                    "privacy.sensitive_audience", "privacy.training_data_anonymised"):
        assert severity[rule_id] == "block", rule_id
    for rule_id in ("fairness.equalized_odds", "drift.alert", "vendor.trains_on_our_data",
                    "chatbot.human_handoff"):
        assert severity[rule_id] == "warn", rule_id
    assert severity["fairness.small_groups"] == "info"


def test_fired_messages_name_what_is_wrong(default_pack) -> None:
    facts = copy.deepcopy(COMPLIANT["audit"])
    VIOLATIONS["fairness.four_fifths"][1][0](facts)
    fired = evaluate(default_pack, applies_to="audit", facts=facts).fired[0]
    assert fired.message == "Selection-rate ratio below 0.8 for sex = male (0.62)"
    facts = copy.deepcopy(COMPLIANT["audience"])
    VIOLATIONS["consent.profiling"][1][0](facts)
    fired = evaluate(default_pack, applies_to="audience", facts=facts).fired[0]
    assert fired.message == ("35 people in the audience have no consent for "
                             "personalised_advertising")


def test_small_groups_are_not_judged_by_the_four_fifths_rule(default_pack) -> None:
    facts = copy.deepcopy(COMPLIANT["audit"])
    _groups(_group("sex", "female", 400, 1.0), _group("sex", "other", 29, 0.3))(facts)
    decision = evaluate(default_pack, applies_to="audit", facts=facts)
    assert [r.id for r in decision.fired] == ["fairness.small_groups"]
    assert decision.outcome == "pass"


def test_other_engines_results_are_not_judged_by_the_fairness_rules(default_pack) -> None:
    decision = evaluate(default_pack, applies_to="audit",
                        facts={"result": {"engine": "privacy", "k_anonymity": 3}})
    assert decision.fired == [] and decision.skipped == []


def test_an_unassessed_system_is_not_called_prohibited(default_pack) -> None:
    facts = copy.deepcopy(COMPLIANT["system"])
    facts["system"]["tier"] = None
    decision = evaluate(default_pack, applies_to="system", facts=facts)
    assert decision.fired == [] and decision.skipped == []


def test_a_non_chatbot_needs_no_chatbot_facts(default_pack) -> None:
    system = {k: v for k, v in SYSTEM.items() if k not in ("bot_disclosure", "human_handoff")}
    system["ai_kinds"] = ["predictive_model"]
    decision = evaluate(default_pack, applies_to="system", facts={"system": system})
    assert decision.fired == [] and decision.skipped == []


def test_every_rule_cites_an_official_source(default_pack) -> None:
    hosts = ("https://eur-lex.europa.eu/", "https://www.ecfr.gov/",
             "https://leginfo.legislature.ca.gov/")
    for rule in default_pack.rules:
        assert rule.citation.url.startswith(hosts), rule.id
        assert rule.rationale.strip(), rule.id


def test_the_package_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(steward.core.policy, verbose=False)
    assert tried and not failures
