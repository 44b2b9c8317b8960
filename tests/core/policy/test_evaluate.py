"""Evaluating facts by a pack: fired rules, the worst severity, skipped rules and messages."""

from __future__ import annotations

import pytest

from steward.core.policy import (
    EVALUATION_ERROR,
    MISSING_FACT,
    Decision,
    PolicyError,
    evaluate,
    parse_pack,
    worst,
)


@pytest.fixture
def three(make_rule, make_pack):
    """One rule of each severity, each firing on its own flag."""
    return parse_pack(make_pack(
        make_rule("r.block", severity="block", condition="system.b == true"),
        make_rule("r.warn", severity="warn", condition="system.w == true"),
        make_rule("r.info", severity="info", condition="system.i == true"),
    ))


@pytest.mark.parametrize(
    ("flags", "outcome", "fired"),
    [
        ({}, "pass", []),
        ({"i": True}, "pass", ["r.info"]),
        ({"w": True}, "warn", ["r.warn"]),
        ({"w": True, "i": True}, "warn", ["r.warn", "r.info"]),
        ({"b": True}, "block", ["r.block"]),
        ({"b": True, "w": True, "i": True}, "block", ["r.block", "r.warn", "r.info"]),
    ],
)
def test_the_outcome_is_the_worst_severity_and_info_never_counts(
    three, flags: dict[str, bool], outcome: str, fired: list[str]
) -> None:
    system = {"b": False, "w": False, "i": False, **flags}
    decision = evaluate(three, applies_to="system", facts={"system": system})
    assert isinstance(decision, Decision)
    assert decision.outcome == outcome
    assert [r.id for r in decision.fired] == fired
    assert decision.skipped == []
    assert decision.checked == ["r.block", "r.warn", "r.info"]


def test_worst() -> None:
    assert worst([]) == "pass"
    assert worst(["pass", "warn", "pass"]) == "warn"
    assert worst(["warn", "block", "pass"]) == "block"


def test_a_fired_rule_carries_its_title_rationale_citation_and_message(three) -> None:
    decision = evaluate(three, applies_to="system",
                        facts={"system": {"b": True, "w": False, "i": False}})
    fired = decision.fired[0]
    assert (fired.id, fired.title, fired.severity) == ("r.block", "Rule r.block", "block")
    assert fired.rationale == "Because."
    assert fired.citation.url == "https://example.com/law"
    assert fired.message == "Rule r.block"  # no message: the title
    assert decision.blocking == [fired] and decision.warnings == []
    as_dict = decision.to_dict()
    assert as_dict["outcome"] == "block"
    assert as_dict["fired"][0]["citation"] == {"instrument": "Test instrument",
                                               "article": "Art. 1",
                                               "url": "https://example.com/law"}


def test_only_rules_for_the_kind_of_facts_are_checked(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(
        make_rule("r.system", condition="system.x == true"),
        make_rule("r.content", applies_to="content", condition="content.x == true"),
    ))
    facts = {"system": {"x": True}, "content": {"x": True}}
    assert [r.id for r in evaluate(pack, applies_to="content", facts=facts).fired] == ["r.content"]
    assert [r.id for r in evaluate(pack, applies_to="system", facts=facts).fired] == ["r.system"]
    assert evaluate(pack, applies_to="model", facts=facts).checked == []


def test_a_disabled_rule_is_not_checked(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(make_rule("r.off", enabled=False)))
    decision = evaluate(pack, applies_to="system", facts={"system": {"flag": True}})
    assert decision.outcome == "pass" and decision.checked == []


def test_missing_facts_skip_the_rule_and_say_why(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(
        make_rule("r.deep", severity="block", condition="system.vendor.trains == true"),
        make_rule("r.null", severity="block", condition="system.n > 3"),
    ))
    decision = evaluate(pack, applies_to="system", facts={"system": {"vendor": {}, "n": None}})
    assert decision.outcome == "pass"
    assert decision.fired == []
    skipped = decision.to_dict()["skipped"]
    assert [(s["id"], s["reason"]) for s in skipped] == [("r.deep", MISSING_FACT),
                                                         ("r.null", MISSING_FACT)]
    assert skipped[0]["detail"] == "fact system.vendor.trains is missing"
    assert skipped[0]["severity"] == "block"
    no_system = evaluate(pack, applies_to="system", facts={})
    assert no_system.skipped[0].detail.startswith("fact 'system' was not given")


def test_a_missing_fact_that_cannot_change_the_answer_does_not_skip(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(
        make_rule("r", condition="system.kind == 'chatbot' && system.disclosed != true")))
    # Not a chatbot: `disclosed` is not needed (CEL's && and || absorb errors they do not need).
    decision = evaluate(pack, applies_to="system", facts={"system": {"kind": "model"}})
    assert decision.skipped == [] and decision.fired == []
    decision = evaluate(pack, applies_to="system", facts={"system": {"kind": "chatbot"}})
    assert [s.reason for s in decision.skipped] == [MISSING_FACT]
    decision = evaluate(pack, applies_to="system",
                        facts={"system": {"kind": "chatbot", "disclosed": None}})
    assert [r.id for r in decision.fired] == ["r"]


def test_a_condition_that_gives_a_non_boolean_at_run_time_is_skipped(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(make_rule("r", condition="system.flag")))
    decision = evaluate(pack, applies_to="system", facts={"system": {"flag": 3}})
    assert decision.fired == []
    assert decision.skipped[0].reason == EVALUATION_ERROR
    assert "not true or false" in decision.skipped[0].detail
    assert [r.id for r in evaluate(pack, applies_to="system",
                                   facts={"system": {"flag": True}}).fired] == ["r"]


def test_a_type_mismatch_in_the_facts_is_skipped_as_an_error(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(make_rule("r", condition="system.n > 3")))
    decision = evaluate(pack, applies_to="system", facts={"system": {"n": "many"}})
    assert decision.skipped[0].reason == EVALUATION_ERROR


def test_thresholds_are_read_and_numbers_compare_across_int_and_double(make_rule,
                                                                       make_pack) -> None:
    pack = parse_pack(make_pack(
        make_rule("r.rule", condition="system.ratio < thresholds.min", thresholds={"min": 1}),
        make_rule("r.pack", condition="system.size >= settings.groups.min_size"),
        thresholds={"groups.min_size": 30.0},
    ))
    decision = evaluate(pack, applies_to="system", facts={"system": {"ratio": 0.5, "size": 30}})
    assert [r.id for r in decision.fired] == ["r.rule", "r.pack"]
    decision = evaluate(pack, applies_to="system", facts={"system": {"ratio": 1, "size": 29}})
    assert decision.fired == [] and decision.skipped == []


def test_messages_show_values_and_survive_failures(make_rule, make_pack) -> None:
    pack = parse_pack(make_pack(
        make_rule("r", condition="system.ratio < thresholds.min", thresholds={"min": 0.8},
                  message="ratio {{ system.ratio }} below {{ thresholds.min }} for "
                          "{{ system.groups }}; owner {{ system.owner }}"),
    ))
    decision = evaluate(pack, applies_to="system",
                        facts={"system": {"ratio": 0.61234, "groups": ["a", "b"]}})
    assert decision.fired[0].message == "ratio 0.6123 below 0.8 for a, b; owner ?"


def test_facts_may_not_define_the_thresholds(three) -> None:
    with pytest.raises(PolicyError, match="facts may not define settings"):
        evaluate(three, applies_to="system", facts={"system": {}, "settings": {}})


def test_facts_are_converted_to_plain_values(make_rule, make_pack) -> None:
    from datetime import date
    from enum import StrEnum

    class Kind(StrEnum):
        CHATBOT = "chatbot"

    pack = parse_pack(make_pack(make_rule(
        "r", condition="'chatbot' in system.kinds && system.since.startsWith('2025')")))
    facts = {"system": {"kinds": (Kind.CHATBOT,), "since": date(2025, 1, 2)}}
    assert [r.id for r in evaluate(pack, applies_to="system", facts=facts).fired] == ["r"]
    with pytest.raises(PolicyError, match="facts: object is not a JSON-like value"):
        evaluate(pack, applies_to="system", facts={"system": object()})


def test_an_unknown_kind_of_facts_is_refused(three) -> None:
    with pytest.raises(PolicyError, match="applies_to must be one of"):
        evaluate(three, applies_to="campaign", facts={})
