"""Parsing a policy pack: the schema, one-line errors naming the rule and field, canonical form."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from steward.core.policy import PolicyError, PolicyPack, parse_pack


def _error(data: Any) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_pack(data)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_pack_parses_from_yaml_text_and_from_a_mapping(make_rule, make_pack) -> None:
    data = make_pack(make_rule("a.one"), thresholds={"x.limit": 3})
    from_mapping = parse_pack(data)
    from_text = parse_pack(yaml.safe_dump(data))
    assert from_mapping == from_text
    assert isinstance(from_text, PolicyPack)
    assert from_text.rule("a.one").severity == "warn"
    assert from_text.settings == {"x": {"limit": 3}}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("applies_to", "campaign", "rule 'r.bad': applies_to: Input should be"),
        ("severity", "fatal", "rule 'r.bad': severity: Input should be 'block', 'warn' or 'info'"),
        ("condition", "system.flag ==", "rule 'r.bad': condition: is not valid CEL"),
        ("condition", "system.flag &&& true", "rule 'r.bad': condition: is not valid CEL"),
        ("condition", "1 + 2", "rule 'r.bad': condition: gives a value that is not true or false"),
        ("condition", "size(system.kinds)", "rule 'r.bad': condition: gives a value that is not"),
        ("condition", "'text'", "rule 'r.bad': condition: gives a value that is not true"),
        ("condition", "audience.size > 1",
         "rule 'r.bad': condition: uses unknown name(s) audience"),
        ("condition", "launch(system)",
         "rule 'r.bad': condition: calls unknown function(s) launch"),
        ("condition", "system.n > thresholds.max",
         "rule 'r.bad': condition: uses unknown thresholds entry 'thresholds.max'"),
        ("condition", "system.n > settings.nope.max",
         "rule 'r.bad': condition: uses unknown settings entry 'settings.nope.max'"),
        ("message", "{{ nope }}", "rule 'r.bad': message: {{ nope }} uses unknown name(s) nope"),
        ("message", "{{ system.n", "rule 'r.bad': message: has an unclosed '{{'"),
        ("thresholds", {"limit": None}, "rule 'r.bad': thresholds.limit: must be a number"),
        ("citation", {"instrument": "X", "article": "1", "url": "ftp://x"},
         "rule 'r.bad': citation.url: String should match pattern"),
        ("colour", "red", "rule 'r.bad': colour: unknown field"),
    ],
)
def test_a_bad_rule_is_refused_in_one_line_naming_rule_and_field(
    make_rule, make_pack, field: str, value: Any, expected: str
) -> None:
    message = _error(make_pack(make_rule("r.good"), make_rule("r.bad", **{field: value})))
    assert message.startswith(expected), message


def test_a_missing_field_is_named(make_rule, make_pack) -> None:
    bad = make_rule("r.bad")
    del bad["title"]
    assert _error(make_pack(bad)) == "rule 'r.bad': title: missing"


def test_duplicate_rule_ids_are_refused(make_rule, make_pack) -> None:
    message = _error(make_pack(make_rule("r.twice"), make_rule("r.other"), make_rule("r.twice")))
    assert message == "rule 'r.twice': id: duplicate rule id"


def test_a_bad_id_is_named(make_rule, make_pack) -> None:
    assert _error(make_pack(make_rule("Not An Id"))).startswith("rule 'Not An Id': id:")


def test_a_rule_without_an_id_is_named_by_position(make_rule, make_pack) -> None:
    bad = make_rule("x")
    del bad["id"]
    assert _error(make_pack(make_rule("a"), bad)) == "rules[1]: id: missing"


def test_not_yaml_and_not_a_mapping_are_refused() -> None:
    assert _error("title: [").startswith("not valid YAML (line 1:")
    assert _error("- a list") == "a policy pack must be a mapping with a title and rules"
    assert _error("") == "a policy pack must be a mapping with a title and rules"


def test_the_condition_may_read_only_its_own_kind_of_facts(make_rule, make_pack) -> None:
    ok = make_rule("a.audit", applies_to="audit", condition="result.n > 1 && system.x == true")
    parse_pack(make_pack(ok))
    bad = make_rule("a.content", applies_to="content", condition="result.n > 1")
    assert "uses unknown name(s) result (known: content, settings, system, thresholds)" in _error(
        make_pack(bad))


def test_macro_variables_are_not_facts(make_rule, make_pack) -> None:
    parse_pack(make_pack(make_rule("r", condition="system.kinds.exists(k, k == 'chatbot')")))


def test_thresholds_of_the_rule_and_the_pack_can_be_read(make_rule, make_pack) -> None:
    data = make_pack(
        make_rule("r", condition="system.n > thresholds.max && system.n < settings.a.b.c",
                  thresholds={"max": 3}),
        thresholds={"a.b.c": 10, "a.d": [1, 2]},
    )
    pack = parse_pack(data)
    assert pack.settings == {"a": {"b": {"c": 10}, "d": [1, 2]}}
    # A prefix of a threshold name is a map and may be read whole.
    parse_pack(make_pack(make_rule("r", condition="'c' in settings.a.b"), thresholds={"a.b.c": 1}))


def test_pack_thresholds_must_be_values_and_not_prefixes_of_each_other(make_pack) -> None:
    assert _error(make_pack(thresholds={"a": 1, "a.b": 2})).startswith("thresholds: 'a.b'")
    assert _error(make_pack(thresholds={"a": {"b": 1}})) == (
        "thresholds.a: must be a number, text, true/false or a list of them")


def test_gates_name_known_roles_and_stages(make_pack) -> None:
    assert _error(make_pack(gates={"pilot": {"approvals": ["boss"]}})).startswith(
        "gates.pilot.approvals: unknown role 'boss'")
    assert _error(make_pack(gates={"pilot": {"approvals": ["auditor"]}})) == (
        "gates.pilot.approvals: the auditor role is read-only and cannot approve")
    assert _error(make_pack(gates={"staging": {}})).startswith("gates.staging: Input should be")
    assert _error(make_pack(attestation={"roles": ["nobody"]})).startswith(
        "attestation.roles: unknown role 'nobody'")


def test_gate_conditions_are_checked(make_pack) -> None:
    evidence = {"kind": "fairness_audit", "title": "Audit", "when": "content.x == true"}
    assert _error(make_pack(gates={"production": {"evidence": [evidence]}})).startswith(
        "gates.production.evidence[0].when: uses unknown name(s) content")
    evidence["when"] = "settings.nope == 1"
    assert _error(make_pack(gates={"production": {"evidence": [evidence]}})).startswith(
        "gates.production.evidence[0] 'fairness_audit'.when: uses unknown settings entry")
    extra = {"roles": ["data_science"], "when": "system.kinds + 1"}
    assert _error(make_pack(gates={"production": {"extra_approvals": [extra]}})).startswith(
        "gates.production.extra_approvals[0].when: gives a value that is not true or false")
    twice = [{"kind": "audit", "title": "A"}, {"kind": "audit", "title": "B"}]
    assert _error(make_pack(gates={"pilot": {"evidence": twice}})) == (
        "gates.pilot.evidence: duplicate evidence kind(s): audit")


def test_canonical_form_round_trips(default_pack) -> None:
    text = default_pack.to_yaml()
    again = parse_pack(text)
    assert again == default_pack
    assert again.to_dict() == default_pack.to_dict()
    assert again.to_yaml() == text


def test_canonical_form_leaves_out_defaults_and_sorts_thresholds(make_rule, make_pack) -> None:
    explicit = make_pack(make_rule("r", enabled=True, thresholds={}), thresholds={"b": 1, "a": 2})
    implicit = make_pack(make_rule("r"), thresholds={"a": 2, "b": 1})
    assert parse_pack(explicit).to_dict() == parse_pack(implicit).to_dict()
    assert list(parse_pack(explicit).to_dict()["thresholds"]) == ["a", "b"]
    assert "enabled" not in parse_pack(explicit).to_dict()["rules"][0]


def test_views_the_services_use(default_pack) -> None:
    assert default_pack.attestation_roles == ["marketing", "data_science", "legal", "privacy",
                                              "committee"]
    assert default_pack.incidents.suspend_system_on_severity == "critical"
    assert default_pack.thresholds["fairness.selection_rate_ratio_min"] == 0.8
    assert default_pack.thresholds["fairness.min_group_size"] == 30
    assert default_pack.thresholds["fairness.equalized_odds_max"] == 0.1
    assert default_pack.thresholds["drift.psi"] == 0.2
    assert default_pack.thresholds["drift.dataset_share"] == 0.5
    with pytest.raises(KeyError):
        default_pack.rule("no.such.rule")


def test_a_pack_is_immutable(default_pack) -> None:
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        default_pack.title = "changed"  # type: ignore[misc]
    data = copy.deepcopy(default_pack.to_dict())
    data["title"] = "changed"
    assert parse_pack(data).title == "changed"
    assert default_pack.title != "changed"
