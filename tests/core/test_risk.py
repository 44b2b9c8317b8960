"""Risk classification: answers, questions, conditions, every built-in rule branch, and the tiers
a compliance lawyer would give realistic marketing systems."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from steward.core.risk import (
    Citation,
    Classification,
    InvalidAnswers,
    Obligation,
    Party,
    RiskAnswers,
    Rule,
    RuleError,
    RuleFile,
    RuleResult,
    RuleSet,
    Stage,
    Tier,
    answers_from_mapping,
    applicable_questions,
    classify,
    compile_condition,
    questions,
    rule_matches,
)
from steward.rules.loader import load_risk_rules

TODAY = date(2026, 9, 1)
ANNEX_III = date(2027, 12, 2)
CITE = Citation(instrument="Test Act", article="Art. 1", url="https://example.org/act")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_risk_rules(plugins=False)


def answers(**values: Any) -> RiskAnswers:
    return RiskAnswers.model_validate({"name": "system", **values})


def run(rules: RuleSet, **values: Any) -> Classification:
    return classify(answers(**values), rules, annex_iii_applies_from=ANNEX_III, today=TODAY)


# --- answers ------------------------------------------------------------------------------------


def test_defaults_need_only_a_name() -> None:
    a = answers_from_mapping({"name": "Email copy"})
    assert a.role is Party.DEPLOYER
    assert a.jurisdictions == ("EU",)
    assert a.uses == () and a.personal_data is False


def test_jurisdictions_are_normalised_and_deduplicated() -> None:
    a = answers(jurisdictions=["eu", " us-ca ", "EU", "de", "GB"])
    assert a.jurisdictions == ("EU", "US-CA", "DE", "GB")
    facts = a.facts()
    assert facts["in_eu"] and facts["in_eea"] and facts["in_uk"] and facts["in_us"]


def test_norway_survives_yaml() -> None:
    data = yaml.safe_load("name: x\njurisdictions: [NO, EU]\n")
    assert answers_from_mapping(data).jurisdictions == ("NO", "EU")


@pytest.mark.parametrize(
    ("codes", "in_eu", "in_eea", "in_uk", "in_us"),
    [
        (["FR"], True, True, False, False),
        (["NO"], False, True, False, False),
        (["UK"], False, False, True, False),
        (["US"], False, False, False, True),
        (["US-TX"], False, False, False, True),
    ],
)
def test_derived_jurisdiction_facts(
    codes: list[str], in_eu: bool, in_eea: bool, in_uk: bool, in_us: bool
) -> None:
    facts = answers(jurisdictions=codes).facts()
    assert (facts["in_eu"], facts["in_eea"], facts["in_uk"], facts["in_us"]) == (
        in_eu,
        in_eea,
        in_uk,
        in_us,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "missing answer 'name'"),
        ({"name": "x", "colour": "red"}, "unknown question 'colour'"),
        ({"name": "x", "uses": ["telepathy"]}, "invalid answer 'uses.0'"),
        ({"name": "x", "role": "owner"}, "invalid answer 'role'"),
        ({"name": "x", "jurisdictions": ["US-XX"]}, "'US-XX' is not a jurisdiction"),
        ({"name": "x", "jurisdictions": ["Europe"]}, "'Europe' is not a jurisdiction"),
        ({"name": "x", "jurisdictions": []}, "invalid answer 'jurisdictions'"),
        ({"name": "x", "profiling": "perhaps"}, "invalid answer 'profiling'"),
        (["name"], "must be a mapping"),
    ],
)
def test_answers_from_mapping_names_the_bad_field_in_one_line(data: Any, message: str) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        answers_from_mapping(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_model_validate_raises_pydantic_errors() -> None:
    with pytest.raises(ValidationError):
        RiskAnswers.model_validate({"name": "x", "ai_kind": ["oracle"]})


def test_resolved_fills_in_implied_answers() -> None:
    resolved, ignored = answers(ai_kind=["chatbot", "generative_image"], profiling=True).resolved()
    assert resolved.personal_data and resolved.interacts_with_people
    assert resolved.generates_synthetic_media
    assert ignored == ()


def test_resolved_ignores_answers_to_questions_that_do_not_apply() -> None:
    resolved, ignored = answers(
        depicts_real_people_or_places=True,
        human_editorial_review=True,
        solely_automated_decision_with_significant_effect=True,
        narrow_procedural_task=True,
        biometric_infers_sensitive_traits=True,
    ).resolved()
    assert set(ignored) == {
        "depicts_real_people_or_places",
        "human_editorial_review",
        "solely_automated_decision_with_significant_effect",
        "narrow_procedural_task",
        "biometric_infers_sensitive_traits",
    }
    assert not resolved.solely_automated_decision_with_significant_effect


# --- questions ----------------------------------------------------------------------------------


def test_every_answer_field_is_a_question_with_text() -> None:
    keys = [q.key for q in questions()]
    assert keys == list(RiskAnswers.model_fields)
    assert all(q.text and q.text != q.key for q in questions())


def test_question_descriptions_are_json_ready() -> None:
    described = {q["key"]: q for q in (q.to_dict() for q in questions())}
    json.dumps(described)
    assert described["role"]["type"] == "choice"
    assert described["role"]["choices"] == ["provider", "deployer", "both"]
    assert described["uses"]["type"] == "multi_choice"
    assert "targeted_job_ads" in described["uses"]["choices"]
    assert described["profiling"]["type"] == "boolean"
    assert described["jurisdictions"]["type"] == "jurisdictions"
    assert described["name"]["type"] == "text"
    assert described["solely_automated_decision_with_significant_effect"]["show_if"] == "profiling"
    assert described["human_editorial_review"]["depends_on"] == [
        {"key": "public_interest_text", "any_of": [True]}
    ]
    assert described["profiling"]["show_if"] is None


def test_show_if_conditions_compile_as_cel() -> None:
    for question in questions():
        for show_if in question.show_if:
            compile_condition(show_if.cel())


def test_dependencies_come_before_the_questions_that_use_them() -> None:
    order = [q.key for q in questions()]
    for question in questions():
        for show_if in question.show_if:
            assert order.index(show_if.key) < order.index(question.key)


@pytest.mark.parametrize(
    ("partial", "shown", "hidden"),
    [
        ({}, [], ["depicts_real_people_or_places", "public_interest_text"]),
        ({"generates_synthetic_media": True}, ["depicts_real_people_or_places"], []),
        ({"ai_kind": ["generative_video"]}, ["depicts_real_people_or_places"], []),
        ({"ai_kind": ["generative_text"]}, ["public_interest_text"], ["human_editorial_review"]),
        (
            {"ai_kind": ["generative_text"], "public_interest_text": True},
            ["human_editorial_review"],
            [],
        ),
        ({"public_interest_text": True}, [], ["human_editorial_review"]),
        ({"profiling": True}, ["solely_automated_decision_with_significant_effect"], []),
        ({"uses": ["credit_offers_creditworthiness"]}, ["narrow_procedural_task"], []),
        ({"uses": ["lead_scoring"]}, [], ["narrow_procedural_task"]),
        ({"uses": ["biometric_categorisation"]}, ["biometric_infers_sensitive_traits"], []),
    ],
)
def test_applicable_questions_follow_the_answers(
    partial: dict[str, Any], shown: list[str], hidden: list[str]
) -> None:
    keys = {q.key for q in applicable_questions(partial)}
    assert {"name", "role", "ai_kind", "uses", "profiling"} <= keys
    assert set(shown) <= keys
    assert not set(hidden) & keys


# --- conditions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("in_eu &&", "not valid CEL"),
        ("in_eu && colour", "unknown answer(s): colour"),
        ("uses", "not true or false"),
        ('__import__("os")', "unknown function(s): __import__"),
        ("uses.exists(u, u.launch())", "unknown function(s): launch"),
        ("name + 1 == 2", "fails to evaluate"),
    ],
)
def test_bad_conditions_are_refused(source: str, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        compile_condition(source)
    assert message in str(caught.value)


def test_macro_variables_are_not_unknown_answers() -> None:
    compile_condition('uses.exists(u, u in ["lead_scoring"]) && ai_kind.all(k, k != "chatbot")')


def _rule(rule_id: str, condition: str, **result: Any) -> Rule:
    applies_from = result.pop("applies_from", date(2020, 1, 1))
    return Rule(
        id=rule_id,
        title=rule_id,
        condition=condition,
        result=RuleResult(reason=result.pop("reason", f"{rule_id} fired"), **result),
        citation=CITE,
        applies_from=applies_from,
    )


def _obligation(ob_id: str, party: Party, applies_from: Any = date(2020, 1, 1)) -> Obligation:
    return Obligation(
        id=ob_id,
        title=ob_id,
        description="do it",
        party=party,
        stage=Stage.PILOT,
        applies_from=applies_from,
        citation=CITE,
    )


def test_a_rule_with_a_bad_condition_does_not_validate() -> None:
    with pytest.raises(ValidationError, match="unknown answer"):
        _rule("bad", "nonsense_answer")


def test_rule_set_refuses_unknown_obligations() -> None:
    with pytest.raises(RuleError) as caught:
        RuleSet(rules=(_rule("r", "true", obligations=("nope",)),), obligations={})
    assert caught.value.rule_id == "r"


def test_rule_file_refuses_duplicate_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate id"):
        RuleFile(rules=(_rule("r", "true"), _rule("r", "false")))


def test_later_files_override_earlier_ones_by_id() -> None:
    first = RuleFile(rules=(_rule("a", "true"), _rule("b", "true")))
    second = RuleFile(rules=(_rule("a", "false"),))
    merged = RuleSet.from_files([first, second])
    assert [r.id for r in merged.rules] == ["a", "b"]
    assert merged.rule("a").condition == "false"
    with pytest.raises(KeyError):
        merged.rule("zzz")


# --- classification mechanics -------------------------------------------------------------------


def _toy_rules() -> RuleSet:
    obligations = {
        "p": _obligation("p", Party.PROVIDER),
        "d": _obligation("d", Party.DEPLOYER, "annex_iii"),
        "b": _obligation("b", Party.BOTH, date(2030, 1, 1)),
    }
    return RuleSet(
        rules=(
            _rule(
                "limited", "interacts_with_people", tier=Tier.LIMITED, impact=2, obligations=("p",)
            ),
            _rule(
                "high",
                "profiling",
                tier=Tier.HIGH,
                impact=4,
                obligations=("d", "b"),
                reason="high from {applies_from}",
                applies_from="annex_iii",
            ),
            _rule("off", "true", tier=Tier.PROHIBITED).model_copy(update={"enabled": False}),
        ),
        obligations=obligations,
    )


def test_tier_is_the_highest_fired_and_minimal_by_default() -> None:
    toy = _toy_rules()
    assert run(toy).tier is Tier.MINIMAL
    assert run(toy, interacts_with_people=True).tier is Tier.LIMITED
    both = run(toy, interacts_with_people=True, profiling=True)
    assert both.tier is Tier.HIGH
    assert both.rules_fired == ["high", "limited"]  # most severe first
    assert "off" not in both.rules_fired


def test_annex_iii_date_is_a_parameter() -> None:
    toy = _toy_rules()
    later = classify(
        answers(profiling=True), toy, annex_iii_applies_from=date(2028, 6, 1), today=TODAY
    )
    assert later.reasons == ["high from 2028-06-01"]
    due = {o.obligation.id: o for o in later.obligations}
    assert due["d"].applies_from == date(2028, 6, 1) and not due["d"].in_force
    sooner = classify(
        answers(profiling=True), toy, annex_iii_applies_from=date(2026, 8, 2), today=TODAY
    )
    assert {o.obligation.id: o for o in sooner.obligations}["d"].in_force


def test_obligations_are_split_by_the_answering_party() -> None:
    toy = _toy_rules()
    values = {"interacts_with_people": True, "profiling": True}
    deployer = run(toy, role="deployer", **values)
    assert [o.obligation.id for o in deployer.obligations] == ["d", "b"]
    assert [o.obligation.id for o in deployer.other_party_obligations] == ["p"]
    provider = run(toy, role="provider", **values)
    assert [o.obligation.id for o in provider.obligations] == ["b", "p"]
    both = run(toy, role="both", **values)
    assert {o.obligation.id for o in both.obligations} == {"p", "d", "b"}
    assert both.other_party_obligations == ()


def test_risk_score_is_impact_times_likelihood() -> None:
    toy = _toy_rules()
    quiet = run(toy)
    assert (quiet.impact, quiet.likelihood, quiet.risk_score) == (1, 1, 1)
    busy = run(
        toy,
        profiling=True,
        solely_automated_decision_with_significant_effect=True,
        interacts_with_people=True,
        large_scale=True,
        sells_or_shares_personal_data=True,
        minors_targeted=True,
    )
    assert busy.impact == 4
    assert busy.likelihood == 5  # five factors, capped at 5
    assert busy.risk_score == 20
    assert len(busy.likelihood_factors) == 5


def test_unreviewed_public_interest_text_counts_as_no_human_in_the_loop() -> None:
    toy = _toy_rules()
    unreviewed = run(toy, ai_kind=["generative_text"], public_interest_text=True)
    assert unreviewed.likelihood_factors == ("no human in the loop",)
    reviewed = run(
        toy, ai_kind=["generative_text"], public_interest_text=True, human_editorial_review=True
    )
    assert reviewed.likelihood == 1


def test_to_dict_is_json_ready_with_the_documented_keys(rules: RuleSet) -> None:
    result = run(
        rules,
        ai_kind=["chatbot"],
        uses=["customer_service"],
        personal_data=True,
        jurisdictions=["EU", "US-CA"],
    ).to_dict()
    json.dumps(result)
    assert {"tier", "reasons", "obligations", "risk_score", "rules_fired"} <= set(result)
    assert result["tier"] == "limited"
    for ob in result["obligations"] + result["other_party_obligations"]:
        assert set(ob) >= {
            "id",
            "title",
            "citation",
            "applies_from",
            "party",
            "in_force",
            "stage",
            "description",
        }
        assert set(ob["citation"]) == {"instrument", "article", "url"}
        assert ob["party"] in {"provider", "deployer", "both"}
        assert ob["stage"] in {"pilot", "production"}
        date.fromisoformat(ob["applies_from"])
    assert result["as_of"] == "2026-09-01"


def test_in_force_follows_today(rules: RuleSet) -> None:
    def in_force(today: date) -> bool:
        result = classify(answers(ai_kind=["chatbot"], role="provider"), rules, today=today)
        due = {o.obligation.id: o for o in result.obligations}
        return due["eu_ai_act.art50_1.disclose_ai_interaction"].in_force

    assert not in_force(date(2026, 8, 1))
    assert in_force(date(2026, 8, 2))


# --- every built-in rule branch -----------------------------------------------------------------

EU_JOB = {"uses": ["targeted_job_ads"]}
BRANCHES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    # rule id: (answers on which it fires, answers on which it does not)
    "eu_ai_act.art5_1_a.manipulation": (
        [{"uses": ["subliminal_techniques"]}],
        [
            {"uses": ["subliminal_techniques"], "jurisdictions": ["US-CA"]},
            {"uses": ["audience_targeting"]},
        ],
    ),
    "eu_ai_act.art5_1_b.exploiting_vulnerabilities": (
        [{"uses": ["exploits_vulnerabilities"], "jurisdictions": ["IT"]}],
        [
            {"uses": ["exploits_vulnerabilities"], "jurisdictions": ["UK"]},
            {"minors_targeted": True},
        ],
    ),
    "eu_ai_act.art5_1_c.social_scoring": (
        [{"uses": ["social_scoring"]}],
        [{"uses": ["social_scoring"], "jurisdictions": ["US"]}, {"uses": ["lead_scoring"]}],
    ),
    "eu_ai_act.art5_1_g.biometric_categorisation_sensitive": (
        [{"uses": ["biometric_categorisation"], "biometric_infers_sensitive_traits": True}],
        [
            {"uses": ["biometric_categorisation"]},
            {"uses": ["emotion_recognition"], "biometric_infers_sensitive_traits": True},
        ],
    ),
    "eu_ai_act.annex_iii_1b.biometric_categorisation": (
        [
            {"uses": ["biometric_categorisation"]},
            {
                "uses": ["biometric_categorisation"],
                "narrow_procedural_task": True,
                "profiling": True,
            },
        ],
        [
            {"uses": ["biometric_categorisation"], "biometric_infers_sensitive_traits": True},
            {"uses": ["biometric_categorisation"], "narrow_procedural_task": True},
            {"uses": ["biometric_categorisation"], "jurisdictions": ["US-CA"]},
        ],
    ),
    "eu_ai_act.annex_iii_1c.emotion_recognition": (
        [
            {"uses": ["emotion_recognition"]},
            {"uses": ["emotion_recognition"], "narrow_procedural_task": True, "profiling": True},
        ],
        [
            {"uses": ["emotion_recognition"], "narrow_procedural_task": True},
            {"uses": ["emotion_recognition"], "jurisdictions": ["UK"]},
        ],
    ),
    "eu_ai_act.annex_iii_4a.targeted_job_ads": (
        [EU_JOB, {**EU_JOB, "narrow_procedural_task": True, "profiling": True}],
        [
            {**EU_JOB, "narrow_procedural_task": True},
            {**EU_JOB, "jurisdictions": ["US-CA"]},
            {"uses": ["audience_targeting"]},
        ],
    ),
    "eu_ai_act.annex_iii_5b.creditworthiness": (
        [
            {"uses": ["credit_offers_creditworthiness"]},
            {
                "uses": ["credit_offers_creditworthiness"],
                "narrow_procedural_task": True,
                "profiling": True,
            },
        ],
        [
            {"uses": ["credit_offers_creditworthiness"], "narrow_procedural_task": True},
            {"uses": ["credit_offers_creditworthiness"], "jurisdictions": ["US-CO"]},
        ],
    ),
    "eu_ai_act.annex_iii_5c.life_health_insurance": (
        [
            {"uses": ["insurance_pricing_life_health"]},
            {
                "uses": ["insurance_pricing_life_health"],
                "narrow_procedural_task": True,
                "profiling": True,
            },
        ],
        [
            {"uses": ["insurance_pricing_life_health"], "narrow_procedural_task": True},
            {"uses": ["insurance_pricing_life_health"], "jurisdictions": ["US-CA"]},
        ],
    ),
    "eu_ai_act.art6_3.not_high_risk": (
        [
            {**EU_JOB, "narrow_procedural_task": True},
            {"uses": ["biometric_categorisation"], "narrow_procedural_task": True},
        ],
        [
            {**EU_JOB, "narrow_procedural_task": True, "profiling": True},
            EU_JOB,
            {"uses": ["lead_scoring"], "narrow_procedural_task": True},
            {
                "uses": ["biometric_categorisation"],
                "narrow_procedural_task": True,
                "biometric_infers_sensitive_traits": True,
            },
            {**EU_JOB, "narrow_procedural_task": True, "jurisdictions": ["US-CA"]},
        ],
    ),
    "eu_ai_act.art50_1.interaction": (
        [{"interacts_with_people": True}, {"ai_kind": ["chatbot"]}],
        [{"ai_kind": ["recommender"]}, {"ai_kind": ["chatbot"], "jurisdictions": ["US-CA"]}],
    ),
    "eu_ai_act.art50_2.synthetic_content": (
        [
            {"ai_kind": ["generative_text"]},
            {"ai_kind": ["generative_audio"]},
            {"generates_synthetic_media": True},
        ],
        [
            {"ai_kind": ["predictive_model", "chatbot"]},
            {"ai_kind": ["generative_image"], "jurisdictions": ["UK"]},
        ],
    ),
    "eu_ai_act.art50_3.emotion_biometric_notice": (
        [{"uses": ["emotion_recognition"]}, {"uses": ["biometric_categorisation"]}],
        [
            {"uses": ["audience_targeting"]},
            {"uses": ["emotion_recognition"], "jurisdictions": ["US-CA"]},
        ],
    ),
    "eu_ai_act.art50_4.deepfake": (
        [
            {"generates_synthetic_media": True, "depicts_real_people_or_places": True},
            {"ai_kind": ["generative_video"], "depicts_real_people_or_places": True},
        ],
        [
            {"generates_synthetic_media": True},
            {"depicts_real_people_or_places": True},
            {
                "ai_kind": ["generative_video"],
                "depicts_real_people_or_places": True,
                "jurisdictions": ["US-NY"],
            },
        ],
    ),
    "eu_ai_act.art50_4.public_interest_text": (
        [{"ai_kind": ["generative_text"], "public_interest_text": True}],
        [
            {
                "ai_kind": ["generative_text"],
                "public_interest_text": True,
                "human_editorial_review": True,
            },
            {"ai_kind": ["generative_image"], "public_interest_text": True},
            {"ai_kind": ["generative_text"]},
        ],
    ),
    "eu_ai_act.art4.ai_literacy": (
        [{}, {"jurisdictions": ["DE"]}],
        [{"jurisdictions": ["US-CA"]}, {"jurisdictions": ["NO"]}],
    ),
    "eu_ai_act.out_of_scope": (
        [{"jurisdictions": ["US-CA"]}, {"jurisdictions": ["UK", "CH"]}],
        [{}, {"jurisdictions": ["FR", "US"]}],
    ),
    "gdpr.art6.personal_data": (
        [
            {"personal_data": True},
            {"profiling": True},
            {"personal_data": True, "jurisdictions": ["NO"]},
        ],
        [{}, {"personal_data": True, "jurisdictions": ["UK"]}],
    ),
    "gdpr.art21.direct_marketing_profiling": (
        [{"profiling": True}],
        [{"personal_data": True}, {"profiling": True, "jurisdictions": ["US-CA"]}],
    ),
    "gdpr.art22.automated_decision": (
        [{"profiling": True, "solely_automated_decision_with_significant_effect": True}],
        [
            {"profiling": True},
            {"solely_automated_decision_with_significant_effect": True},
            {
                "profiling": True,
                "solely_automated_decision_with_significant_effect": True,
                "jurisdictions": ["US-CA"],
            },
        ],
    ),
    "gdpr.art9.sensitive_data": (
        [{"sensitive_data": True}],
        [{"personal_data": True}, {"sensitive_data": True, "jurisdictions": ["UK"]}],
    ),
    "gdpr.art8.children": (
        [{"personal_data": True, "minors_targeted": True}],
        [{"minors_targeted": True}, {"personal_data": True}],
    ),
    "gdpr.art35.profiling_large_scale": (
        [{"profiling": True, "large_scale": True}],
        [{"profiling": True}, {"personal_data": True, "large_scale": True}],
    ),
    "gdpr.art35.sensitive_large_scale": (
        [{"sensitive_data": True, "large_scale": True}],
        [{"sensitive_data": True}, {"personal_data": True, "large_scale": True}],
    ),
    "gdpr.art35.systematic_monitoring": (
        [{"personal_data": True, "systematic_monitoring": True}],
        [{"systematic_monitoring": True}, {"personal_data": True}],
    ),
    "gdpr.art35.new_technology": (
        [
            {"profiling": True},
            {"sensitive_data": True},
            {"personal_data": True, "minors_targeted": True},
        ],
        [
            {"personal_data": True},
            {"minors_targeted": True},
            {"profiling": True, "jurisdictions": ["UK"]},
        ],
    ),
    "uk_gdpr.art6.personal_data": (
        [
            {"personal_data": True, "jurisdictions": ["UK"]},
            {"personal_data": True, "jurisdictions": ["GB"]},
        ],
        [{"personal_data": True}, {"jurisdictions": ["UK"]}],
    ),
    "uk_gdpr.art21.direct_marketing_profiling": (
        [{"profiling": True, "jurisdictions": ["UK"]}],
        [{"personal_data": True, "jurisdictions": ["UK"]}, {"profiling": True}],
    ),
    "uk_gdpr.art22.automated_decision": (
        [
            {
                "profiling": True,
                "solely_automated_decision_with_significant_effect": True,
                "jurisdictions": ["UK"],
            }
        ],
        [
            {"profiling": True, "jurisdictions": ["UK"]},
            {"profiling": True, "solely_automated_decision_with_significant_effect": True},
        ],
    ),
    "uk_gdpr.art9.sensitive_data": (
        [{"sensitive_data": True, "jurisdictions": ["UK"]}],
        [{"personal_data": True, "jurisdictions": ["UK"]}, {"sensitive_data": True}],
    ),
    "uk_gdpr.art8.children": (
        [{"personal_data": True, "minors_targeted": True, "jurisdictions": ["UK"]}],
        [
            {"minors_targeted": True, "jurisdictions": ["UK"]},
            {"personal_data": True, "minors_targeted": True},
        ],
    ),
    "uk_gdpr.art35.dpia_trigger": (
        [
            {"profiling": True, "jurisdictions": ["UK"]},
            {"sensitive_data": True, "jurisdictions": ["UK"]},
            {"personal_data": True, "minors_targeted": True, "jurisdictions": ["UK"]},
            {"personal_data": True, "systematic_monitoring": True, "jurisdictions": ["UK"]},
            {"personal_data": True, "large_scale": True, "jurisdictions": ["UK"]},
        ],
        [
            {"personal_data": True, "jurisdictions": ["UK"]},
            {"large_scale": True, "jurisdictions": ["UK"]},
            {"profiling": True},
        ],
    ),
    "ccpa.sale_or_sharing": (
        [{"sells_or_shares_personal_data": True, "jurisdictions": ["US-CA"]}],
        [
            {"sells_or_shares_personal_data": True, "jurisdictions": ["US-CO", "EU"]},
            {"personal_data": True, "jurisdictions": ["US-CA"]},
        ],
    ),
    "ccpa.minors_sale_or_sharing": (
        [
            {
                "sells_or_shares_personal_data": True,
                "minors_targeted": True,
                "jurisdictions": ["US-CA"],
            }
        ],
        [
            {"sells_or_shares_personal_data": True, "jurisdictions": ["US-CA"]},
            {"personal_data": True, "minors_targeted": True, "jurisdictions": ["US-CA"]},
        ],
    ),
    "ccpa.sensitive_personal_information": (
        [{"sensitive_data": True, "jurisdictions": ["US-CA"]}],
        [{"personal_data": True, "jurisdictions": ["US-CA"]}, {"sensitive_data": True}],
    ),
    "ccpa.admt.significant_decision": (
        [
            {
                "profiling": True,
                "solely_automated_decision_with_significant_effect": True,
                "jurisdictions": ["US-CA"],
            }
        ],
        [
            {"profiling": True, "jurisdictions": ["US-CA"]},
            {
                "profiling": True,
                "solely_automated_decision_with_significant_effect": True,
                "jurisdictions": ["US"],
            },
        ],
    ),
    "ca.bpc17941.bot": (
        [
            {"ai_kind": ["chatbot"], "jurisdictions": ["US-CA"]},
            {"interacts_with_people": True, "jurisdictions": ["EU", "US-CA"]},
        ],
        [{"ai_kind": ["chatbot"]}, {"ai_kind": ["generative_text"], "jurisdictions": ["US-CA"]}],
    ),
    "cpa.targeted_advertising_or_sale": (
        [
            {"personal_data": True, "uses": ["audience_targeting"], "jurisdictions": ["US-CO"]},
            {"sells_or_shares_personal_data": True, "jurisdictions": ["US-CO"]},
        ],
        [
            {"personal_data": True, "jurisdictions": ["US-CO"]},
            {"uses": ["audience_targeting"], "jurisdictions": ["US-CO"]},
            {"personal_data": True, "uses": ["audience_targeting"], "jurisdictions": ["US-CA"]},
        ],
    ),
    "cpa.profiling_significant_decisions": (
        [
            {
                "profiling": True,
                "uses": ["credit_offers_creditworthiness"],
                "jurisdictions": ["US-CO"],
            },
            {
                "profiling": True,
                "solely_automated_decision_with_significant_effect": True,
                "jurisdictions": ["US-CO"],
            },
        ],
        [
            {"profiling": True, "uses": ["lead_scoring"], "jurisdictions": ["US-CO"]},
            {"uses": ["targeted_job_ads"], "jurisdictions": ["US-CO"]},
            {
                "profiling": True,
                "uses": ["insurance_pricing_life_health"],
                "jurisdictions": ["US-CA"],
            },
        ],
    ),
    "ftc.part465.ai_generated_reviews": (
        [
            {
                "ai_kind": ["generative_text"],
                "uses": ["content_generation"],
                "jurisdictions": ["US"],
            },
            {
                "ai_kind": ["generative_text"],
                "uses": ["content_generation"],
                "jurisdictions": ["US-NY"],
            },
        ],
        [
            {
                "ai_kind": ["generative_image"],
                "uses": ["content_generation"],
                "jurisdictions": ["US"],
            },
            {"ai_kind": ["generative_text"], "uses": ["customer_service"], "jurisdictions": ["US"]},
            {"ai_kind": ["generative_text"], "uses": ["content_generation"]},
        ],
    ),
    "ftc.part255.endorsements": (
        [
            {
                "ai_kind": ["generative_image"],
                "uses": ["content_generation"],
                "jurisdictions": ["US-CA"],
            },
            {
                "ai_kind": ["generative_text"],
                "uses": ["content_generation"],
                "jurisdictions": ["US"],
            },
        ],
        [
            {"ai_kind": ["generative_text"], "jurisdictions": ["US"]},
            {
                "ai_kind": ["predictive_model"],
                "uses": ["content_generation"],
                "jurisdictions": ["US"],
            },
            {"ai_kind": ["generative_video"], "uses": ["content_generation"]},
        ],
    ),
}

CASES = [
    pytest.param(rule_id, values, expected, id=f"{rule_id}-{'fires' if expected else 'not'}{n}")
    for rule_id, (fires, not_fires) in BRANCHES.items()
    for expected, cases in ((True, fires), (False, not_fires))
    for n, values in enumerate(cases)
]


def test_every_built_in_rule_has_branch_tests(rules: RuleSet) -> None:
    assert {r.id for r in rules.rules} == set(BRANCHES)
    assert all(fires and not_fires for fires, not_fires in BRANCHES.values())


@pytest.mark.parametrize(("rule_id", "values", "expected"), CASES)
def test_rule_branch(rules: RuleSet, rule_id: str, values: dict[str, Any], expected: bool) -> None:
    assert rule_matches(rules.rule(rule_id), answers(**values)) is expected


def test_every_built_in_reason_names_its_article(rules: RuleSet) -> None:
    for rule in rules.rules:
        assert any(word in rule.result.reason for word in ("Art.", "Arts", "§", "CFR", "C.R.S.")), (
            rule.id
        )


# --- realistic marketing systems, classified as a compliance lawyer would -----------------------


def _ids(items: Any) -> set[str]:
    return {o.obligation.id for o in items}


def test_genai_email_copy_from_a_vendor_is_limited_risk(rules: RuleSet) -> None:
    result = run(
        rules,
        name="GenAI email copy via vendor",
        role="deployer",
        ai_kind=["generative_text"],
        uses=["content_generation"],
        jurisdictions=["EU", "US-CA"],
        personal_data=True,
    )
    assert result.tier is Tier.LIMITED
    assert "eu_ai_act.art50_2.machine_readable_marking" in _ids(result.other_party_obligations)
    assert {
        "gdpr.art6.lawful_basis",
        "ftc.part465.no_fake_reviews",
        "eu_ai_act.art4.ai_literacy",
    } <= _ids(result.obligations)
    assert "gdpr.art35.dpia" not in _ids(result.obligations)


def test_customer_service_chatbot_is_limited_risk_with_disclosure_duties(rules: RuleSet) -> None:
    result = run(
        rules,
        role="both",
        ai_kind=["chatbot", "generative_text"],
        uses=["customer_service"],
        jurisdictions=["EU", "US-CA"],
        personal_data=True,
    )
    assert result.tier is Tier.LIMITED
    assert {
        "eu_ai_act.art50_1.disclose_ai_interaction",
        "ca.bpc17941.bot_disclosure",
        "eu_ai_act.art50_2.machine_readable_marking",
    } <= _ids(result.obligations)


def test_credit_card_offer_propensity_model_is_high_risk_with_fria(rules: RuleSet) -> None:
    result = run(
        rules,
        role="both",
        ai_kind=["predictive_model"],
        uses=["credit_offers_creditworthiness", "lead_scoring"],
        personal_data=True,
        profiling=True,
        solely_automated_decision_with_significant_effect=True,
        large_scale=True,
        jurisdictions=["EU", "US-CA"],
    )
    assert result.tier is Tier.HIGH
    assert {
        "eu_ai_act.high_risk.fria",
        "eu_ai_act.high_risk.conformity_assessment",
        "eu_ai_act.high_risk.deployer_duties",
        "eu_ai_act.high_risk.right_to_explanation",
        "gdpr.art22.automated_decision_safeguards",
        "gdpr.art35.dpia",
        "ccpa.admt.notice_opt_out_access",
    } <= _ids(result.obligations)
    assert result.impact == 5 and result.risk_score == 15
    due = {o.obligation.id: o for o in result.obligations}
    assert due["eu_ai_act.high_risk.fria"].applies_from == ANNEX_III
    assert not due["eu_ai_act.high_risk.fria"].in_force
    assert due["gdpr.art35.dpia"].in_force


def test_targeted_job_ads_are_high_risk_without_fria(rules: RuleSet) -> None:
    result = run(
        rules,
        role="deployer",
        ai_kind=["recommender"],
        uses=["targeted_job_ads"],
        personal_data=True,
        profiling=True,
    )
    assert result.tier is Tier.HIGH
    mine = _ids(result.obligations)
    assert {
        "eu_ai_act.high_risk.deployer_duties",
        "eu_ai_act.high_risk.right_to_explanation",
    } <= mine
    assert "eu_ai_act.high_risk.fria" not in mine
    assert "eu_ai_act.high_risk.conformity_assessment" in _ids(result.other_party_obligations)
    assert any("Annex III point 4(a)" in r and "2027-12-02" in r for r in result.reasons)


def test_job_ad_copy_formatter_is_not_high_risk_under_art_6_3(rules: RuleSet) -> None:
    result = run(
        rules,
        role="provider",
        ai_kind=["generative_text"],
        uses=["targeted_job_ads"],
        narrow_procedural_task=True,
    )
    assert result.tier is Tier.LIMITED  # still generative: Art. 50(2)
    assert "eu_ai_act.art6.document_not_high_risk" in _ids(result.obligations)
    profiled = run(
        rules,
        role="provider",
        ai_kind=["generative_text"],
        uses=["targeted_job_ads"],
        narrow_procedural_task=True,
        profiling=True,
    )
    assert profiled.tier is Tier.HIGH  # profiling always makes an Annex III system high-risk


def test_lookalike_audience_segmentation_is_minimal_but_gdpr_heavy(rules: RuleSet) -> None:
    result = run(
        rules,
        ai_kind=["segmentation"],
        uses=["audience_targeting"],
        personal_data=True,
        profiling=True,
        large_scale=True,
        sells_or_shares_personal_data=True,
        jurisdictions=["EU", "US-CA", "US-CO"],
    )
    assert result.tier is Tier.MINIMAL
    assert {
        "gdpr.art35.dpia",
        "gdpr.art21.object_to_direct_marketing",
        "ccpa.opt_out_of_sale_sharing",
        "cpa.opt_out_targeted_advertising_sale",
    } <= _ids(result.obligations)
    assert result.likelihood == 3


def test_in_store_emotion_analysis_is_high_risk_and_must_be_notified(rules: RuleSet) -> None:
    result = run(
        rules,
        ai_kind=["predictive_model"],
        uses=["emotion_recognition"],
        personal_data=True,
        sensitive_data=True,
        systematic_monitoring=True,
    )
    assert result.tier is Tier.HIGH
    assert {
        "eu_ai_act.art50_3.notify_emotion_biometric",
        "gdpr.art9.special_category_condition",
        "gdpr.art35.dpia",
    } <= _ids(result.obligations)


def test_ad_screen_inferring_religion_from_faces_is_prohibited(rules: RuleSet) -> None:
    result = run(
        rules,
        uses=["biometric_categorisation"],
        biometric_infers_sensitive_traits=True,
        personal_data=True,
        sensitive_data=True,
        jurisdictions=["FR"],
    )
    assert result.tier is Tier.PROHIBITED
    assert result.reasons[0].endswith("Art. 5(1)(g).")
    assert "eu_ai_act.annex_iii_1b.biometric_categorisation" not in result.rules_fired
    assert "eu_ai_act.art5.stop_prohibited_practice" in _ids(result.obligations)


def test_upselling_payday_loans_to_people_in_debt_is_prohibited(rules: RuleSet) -> None:
    result = run(
        rules,
        ai_kind=["recommender"],
        uses=["exploits_vulnerabilities", "personalised_pricing"],
        personal_data=True,
        profiling=True,
    )
    assert result.tier is Tier.PROHIBITED
    assert result.impact == 5


def test_deepfake_celebrity_video_ad_is_limited_with_deployer_label(rules: RuleSet) -> None:
    result = run(
        rules,
        role="deployer",
        ai_kind=["generative_video"],
        uses=["content_generation"],
        depicts_real_people_or_places=True,
        jurisdictions=["EU", "US"],
    )
    assert result.tier is Tier.LIMITED
    assert {"eu_ai_act.art50_4.disclose_deepfake", "ftc.part255.truthful_endorsements"} <= _ids(
        result.obligations
    )


def test_unreviewed_ai_news_on_public_interest_must_be_disclosed(rules: RuleSet) -> None:
    result = run(
        rules, ai_kind=["generative_text"], uses=["content_generation"], public_interest_text=True
    )
    assert "eu_ai_act.art50_4.disclose_public_interest_text" in _ids(result.obligations)
    reviewed = run(
        rules,
        ai_kind=["generative_text"],
        uses=["content_generation"],
        public_interest_text=True,
        human_editorial_review=True,
    )
    assert "eu_ai_act.art50_4.disclose_public_interest_text" not in _ids(reviewed.obligations)


def test_life_insurance_pricing_with_health_data_is_high_risk(rules: RuleSet) -> None:
    result = run(
        rules,
        role="deployer",
        ai_kind=["predictive_model"],
        uses=["insurance_pricing_life_health", "personalised_pricing"],
        personal_data=True,
        sensitive_data=True,
        profiling=True,
        large_scale=True,
        jurisdictions=["EU", "UK"],
    )
    assert result.tier is Tier.HIGH
    assert {
        "eu_ai_act.high_risk.fria",
        "gdpr.art9.special_category_condition",
        "uk_gdpr.art9.special_category_condition",
        "uk_gdpr.art35.dpia",
    } <= _ids(result.obligations)


def test_b2b_lead_scoring_is_minimal_with_gdpr_duties(rules: RuleSet) -> None:
    result = run(
        rules,
        ai_kind=["predictive_model"],
        uses=["lead_scoring"],
        personal_data=True,
        profiling=True,
    )
    assert result.tier is Tier.MINIMAL
    assert {"gdpr.art21.object_to_direct_marketing", "gdpr.art35.dpia"} <= _ids(result.obligations)


def test_product_recommender_without_personal_data_is_minimal(rules: RuleSet) -> None:
    result = run(rules, ai_kind=["recommender"], uses=["content_generation"])
    assert result.tier is Tier.MINIMAL
    assert result.rules_fired == ["eu_ai_act.art4.ai_literacy"]
    assert result.risk_score == 1


def test_us_only_chatbot_is_outside_the_ai_act_but_must_disclose_in_california(
    rules: RuleSet,
) -> None:
    result = run(rules, ai_kind=["chatbot"], jurisdictions=["US-CA"])
    assert result.tier is Tier.MINIMAL
    assert "eu_ai_act.out_of_scope" in result.rules_fired
    assert "ca.bpc17941.bot_disclosure" in _ids(result.obligations)
