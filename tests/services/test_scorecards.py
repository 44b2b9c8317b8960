"""Scorecards: each measure from its source, "not measured" where there is none, targets from the
policy in force, the portfolio roll-up, and the demo's trends."""

from __future__ import annotations

from datetime import date

import pytest

from steward.rules.policy_loader import default_pack_text
from steward.services import (
    auditors,
    content,
    demo,
    evidence,
    home,
    kpis,
    policy,
    scorecards,
    systems,
    training,
    users,
)
from steward.services.runtime import Actor, Runtime

BOT = {"name": "Support bot", "purpose": "Answer delivery questions", "owner": "maya",
       "stage": "production", "ai_kinds": ["chatbot"], "channels": ["chat", "email"],
       "customer_facing": True, "jurisdictions": ["EU"], "vendor": "Intercom",
       "data_categories": ["user.contact.email"], "consent_purposes": ["support"]}
ANSWERS = {"role": "deployer", "ai_kind": ["chatbot"], "uses": ["customer_service"],
           "interacts_with_people": True, "personal_data": True, "jurisdictions": ["EU"]}
MONTHS = ("2026-01-10", "2026-02-10", "2026-03-10")


def seed(runtime: Runtime, operator: Actor) -> tuple[int, int]:
    """Two systems: the bot with data from every source there is, and a bare one."""
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        users.add_user(unit, username="aud", roles="auditor")
        bot = systems.create_system(unit, BOT)["id"]
        systems.classify_system(unit, bot, ANSWERS)
        bare = systems.create_system(unit, {"name": "Idea", "purpose": "x", "owner": "maya",
                                            "ai_kinds": ["generative_text"]})["id"]
        rows = []
        for day, ctr, complaints in zip(MONTHS, (0.012, 0.018, 0.025), (2, 9, 30), strict=True):
            rows += [{"date": day, "system": bot, "metric": "click_through", "value": ctr},
                     {"date": day, "system": bot, "metric": "complaints", "value": complaints},
                     {"date": day, "system": bot, "metric": "leads_won", "value": 3}]
        kpis.ingest(unit, rows)
        evidence.record_evidence(unit, kind="fairness_audit", title="audit", system_id=bot,
                                 payload={"x": 1}, verdict="warn",
                                 summary={"worst_selection_rate_ratio": {"gender": 0.75,
                                                                         "age": 0.9}})
        evidence.record_evidence(unit, kind="drift_check", title="drift", system_id=bot,
                                 payload={"x": 2}, verdict="drift",
                                 summary={"drift_share": 0.6})
        evidence.record_evidence(unit, kind="audience_filter", title="audience", system_id=bot,
                                 payload={"x": 3},
                                 summary={"rows": 100, "allowed": 97, "by_reason": {}})
        content.submit(unit, "Hello from us. Created with the help of AI.", channel="email",
                       metadata={"ai_generated": True}, system_id=bot)
        content.submit(unit, "Hello again from us, no label here.", channel="email",
                       metadata={"ai_generated": True}, system_id=bot)
        training.add_module(unit, code="ai-literacy", title="AI literacy",
                            audience_roles="marketing")
        training.record_completion(unit, username="maya", module_code="ai-literacy",
                                   completed_on=date.today())
    return bot, bare


def by_key(card: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {m["key"]: m for m in card["measures"]}


def test_each_measure_comes_from_its_source(runtime: Runtime, operator: Actor) -> None:
    bot, _ = seed(runtime, operator)
    with runtime.unit(operator) as unit:
        card = scorecards.system_scorecard(unit, bot)
    m = by_key(card)
    ctr = m["kpi.click_through"]
    assert ctr["value"] == 0.025 and ctr["status"] == "green" and ctr["trend"] == "better"
    assert [p["period"] for p in ctr["history"]] == ["2026-01", "2026-02", "2026-03"]
    assert m["kpi.complaints"]["status"] == "red" and m["kpi.complaints"]["trend"] == "worse"
    assert m["kpi.leads_won"]["status"] == "no_target"      # the organisation's own metric
    assert m["fairness"]["value"] == 0.75 and m["fairness"]["status"] == "amber"
    assert m["drift"]["value"] == 0.6 and m["drift"]["status"] == "red"
    assert m["consent_coverage"]["value"] == 0.97 and m["consent_coverage"]["status"] == "amber"
    assert m["disclosure_compliance"]["value"] == 0.5
    assert m["disclosure_compliance"]["status"] == "red"
    assert m["owner_training"]["value"] == 1.0
    assert m["open_obligations"]["value"] >= 1 and m["open_obligations"]["status"] != \
        "not_measured"
    assert m["open_incidents"]["value"] == 0 and m["open_incidents"]["status"] == "green"
    scores = card["scores"]
    assert 0 <= scores["overall"]["value"] <= 1
    assert scores["responsibility"]["measured"] < scores["responsibility"]["total"]


def test_missing_capabilities_are_not_measured_never_invented(runtime: Runtime,
                                                              operator: Actor) -> None:
    _, bare = seed(runtime, operator)
    with runtime.unit(operator) as unit:
        m = by_key(scorecards.system_scorecard(unit, bare))
    for key in ("fairness", "consent_coverage", "training_data_anonymized", "drift",
                "disclosure_compliance", "open_obligations", "attestation_rate"):
        assert m[key]["status"] == "not_measured", key
        assert m[key]["value"] is None, key
    assert not [k for k in m if k.startswith("kpi.")]


def test_targets_and_weights_come_from_the_policy_in_force(runtime: Runtime,
                                                           operator: Actor) -> None:
    bot, _ = seed(runtime, operator)
    stricter = default_pack_text().replace("scorecard.kpi.click_through_min: [0.02, 0.01]",
                                           "scorecard.kpi.click_through_min: [0.05, 0.03]")
    assert stricter != default_pack_text()
    with runtime.unit(operator) as unit:
        version = policy.create_draft(unit, document=stricter)["version"]
        policy.publish(unit, version)
        card = scorecards.system_scorecard(unit, bot)
    ctr = by_key(card)["kpi.click_through"]
    assert card["policy_version"] == version
    assert ctr["target"]["green"] == 0.05 and ctr["status"] == "red"
    assert by_key(card)["attestation_rate"]["value"] == 0.0  # published, nobody attested yet


def test_portfolio_rolls_systems_up(runtime: Runtime, operator: Actor) -> None:
    bot, bare = seed(runtime, operator)
    with runtime.unit(operator) as unit:
        card = scorecards.portfolio_scorecard(unit)
        overview = home.overview(unit)
    m = by_key(card)
    assert card["systems"] == 2 and card["by_stage"] == {"production": 1, "proposed": 1}
    assert m["fairness"]["value"] == 0.75 and m["fairness"]["detail"]["measured"] == 1
    assert m["consent_coverage"]["status"] == "amber"
    assert m["training_data_anonymized"]["status"] == "not_measured"
    assert {c["system"]["id"] for c in card["system_cards"]} == {bot, bare}
    portfolio = overview.sections["portfolio"]
    assert portfolio["scorecard"]["systems"] == 2
    assert "attention" in overview.sections


def test_auditors_see_only_granted_systems(runtime: Runtime, operator: Actor) -> None:
    bot, bare = seed(runtime, operator)
    with runtime.unit(operator) as unit:
        auditors.grant(unit, username="aud", system_id=bot)
        view = users.get_user(unit, "aud")
    auditor = Actor(name="aud", roles=frozenset(view.roles), user_id=view.id)  # type: ignore[arg-type]
    with runtime.unit(auditor) as unit:
        assert [c["system"]["id"] for c in scorecards.portfolio_scorecard(unit)["system_cards"]
                ] == [bot]
        with pytest.raises(Exception, match=f"no AI system with id {bare}"):
            scorecards.system_scorecard(unit, bare)


@pytest.mark.slow
def test_demo_systems_have_months_of_kpis_with_trends(runtime: Runtime, operator: Actor) -> None:
    demo.load_demo(runtime)
    with runtime.unit(operator) as unit:
        card = scorecards.portfolio_scorecard(unit)
        lookalike = systems.list_systems(unit, search="Lookalike")[0]["id"]
        opt_out = by_key(scorecards.system_scorecard(unit, lookalike))["kpi.opt_out_rate"]
    assert card["by_stage"].get("production", 0) >= 1
    assert len(opt_out["history"]) == 6
    assert opt_out["trend"] == "worse" and opt_out["status"] == "red"
    assert sum(1 for c in card["system_cards"]
               if c["scores"]["performance"]["measured"]) >= 5
