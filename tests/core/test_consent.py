"""Consent domain rules: jurisdiction rules by prefix, reasons, GPC precedence."""

import pytest

from steward.core.consent import DEFAULT_PURPOSES, Purpose, State, reason, rule_for, worst

ADS = next(p for p in DEFAULT_PURPOSES if p.key == "personalised_advertising")
GRANT = State(status="granted", lawful_basis="consent", source="web_form", jurisdiction="EU")


def test_rules_match_the_longest_prefix() -> None:
    rules = {"*": "opt_in", "US": "opt_out", "US-TX": "prohibited"}
    assert rule_for(rules, "us-ca") == "opt_out"
    assert rule_for(rules, "US-TX") == "prohibited"
    assert rule_for(rules, "EU") == "opt_in"
    assert rule_for(rules, None) == "opt_in"


@pytest.mark.parametrize(("state", "where", "expected"), [
    (None, "EU", "no_record"),
    (None, "US-CA", "allowed"),  # opt-out regime: no record, not refused
    (GRANT, None, "allowed"),
    (State("granted", "notice_opt_out", "cmp", "US-CA"), "EU", "jurisdiction"),
    (State("granted", "notice_opt_out", "cmp", "US-CA"), None, "allowed"),
    (State("denied", "consent", "web_form", "EU"), None, "denied"),
    (State("withdrawn", "consent", "web_form", "EU"), None, "withdrawn"),
    (State("denied", "notice_opt_out", "gpc", "US-CA"), None, "gpc"),
])
def test_reasons(state, where, expected) -> None:  # type: ignore[no-untyped-def]
    assert reason(ADS, state, jurisdiction=where) == expected


def test_gpc_precedence_is_configurable() -> None:
    later_grant = State("granted", "consent", "web_form", "US-CA", gpc_on_record=True)
    assert reason(ADS, later_grant, precedence="latest") == "allowed"
    assert reason(ADS, later_grant, precedence="gpc") == "gpc"
    email = Purpose("email", "E-mail")  # GPC does not cover it
    assert reason(email, later_grant, precedence="gpc") == "allowed"


def test_prohibited_and_worst() -> None:
    banned = Purpose("x", "X", rules={"*": "prohibited"})
    assert reason(banned, GRANT) == "jurisdiction"
    assert worst(["allowed", "no_record", "gpc", "denied"]) == "gpc"
    assert worst([]) == "allowed"
