"""Stage gates and reviews: refusals list what is missing; approvals, evidence, training, moves."""

from datetime import date, timedelta

import pytest

from steward.errors import Conflict, Forbidden, InvalidInput
from steward.services import (
    audit_log,
    escalation,
    evidence,
    gates,
    policy,
    systems,
    training,
    users,
)
from steward.services.runtime import Actor, Runtime

MODEL = {"name": "Offer model", "purpose": "Decide who gets the loan offer", "owner": "dan",
         "ai_kinds": ["predictive_model"], "jurisdictions": ["US"]}
ANSWERS = {"ai_kind": ["predictive_model"], "uses": ["lead_scoring"], "jurisdictions": ["US"]}


def _actor(runtime: Runtime, username: str) -> Actor:
    with runtime.unit(Actor.system()) as unit:
        return users.actor_named(unit, username)


@pytest.fixture
def model(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        for name, roles in (("dan", "data_science"), ("dana", "data_science"),
                            ("leo", "legal"), ("priya", "privacy"), ("chloe", "committee"),
                            ("aud", "auditor")):
            users.add_user(unit, username=name, roles=roles)
        sid = systems.create_system(unit, MODEL)["id"]
        systems.classify_system(unit, sid, ANSWERS)
        training.add_module(unit, code="ai-literacy", title="AI literacy",
                            audience_roles="data_science")
        for ob in systems.get_system(unit, sid)["obligations"]:
            systems.decide_obligation(unit, sid, ob["id"], status="met",
                                      evidence_link="https://wiki/evidence")
    return sid


def _approve_all(runtime: Runtime, review_id: int, roles: dict[str, str]) -> None:
    for username, role in roles.items():
        with runtime.unit(_actor(runtime, username)) as unit:
            gates.decide(unit, review_id, decision="approve", role=role)


def test_refused_gate_lists_everything_missing(runtime: Runtime, operator: Actor,
                                               model: int) -> None:
    with runtime.unit(operator) as unit:
        result = gates.check(unit, model, to="pilot")
    kinds = [m["kind"] for m in result.missing]
    assert not result.allowed
    assert kinds.count("approval") == 3 and "review" in kinds and "training" in kinds
    assert any("owner dan must complete: ai-literacy (missing)" in m["detail"]
               for m in result.missing)


def test_skipping_pilot_is_refused_with_the_whole_list(runtime: Runtime, operator: Actor,
                                                       model: int) -> None:
    with runtime.unit(operator) as unit:
        result = gates.check(unit, model, to="production")
    details = [m["detail"] for m in result.missing]
    assert details[0] == "a proposed system must pass through pilot first"
    assert "approval by data_science" in details
    assert any("fairness_audit" in d for d in details)


def test_owner_cannot_approve_and_auditor_cannot_decide(runtime: Runtime, operator: Actor,
                                                        model: int) -> None:
    with runtime.unit(_actor(runtime, "dan")) as unit:
        review = gates.request_review(unit, model, to="pilot")
    with pytest.raises(Forbidden, match="owner"), runtime.unit(_actor(runtime, "dan")) as unit:
        gates.decide(unit, review["id"], decision="approve")
    with pytest.raises(Forbidden), runtime.unit(_actor(runtime, "aud")) as unit:
        gates.decide(unit, review["id"], decision="approve")
    with pytest.raises(Forbidden, match="does not hold"), \
            runtime.unit(_actor(runtime, "leo")) as unit:
        gates.decide(unit, review["id"], decision="approve", role="privacy")
    with pytest.raises(InvalidInput, match="comment"), \
            runtime.unit(_actor(runtime, "leo")) as unit:
        gates.decide(unit, review["id"], decision="request_changes")
    with pytest.raises(Conflict, match="already has an open"), runtime.unit(operator) as unit:
        gates.request_review(unit, model, to="pilot")


def test_walk_from_proposed_to_production(runtime: Runtime, operator: Actor, model: int) -> None:
    with runtime.unit(_actor(runtime, "dan")) as unit:
        review = gates.request_review(unit, model, to="pilot")
        training.record_completion(unit, username="dan", module_code="ai-literacy")
    _approve_all(runtime, review["id"], {"chloe": "committee", "leo": "legal",
                                         "priya": "privacy"})
    with runtime.unit(_actor(runtime, "dan")) as unit:
        moved = gates.move(unit, model, to="pilot")
    assert moved["stage"] == "pilot" and moved["gate"]["allowed"]

    with runtime.unit(_actor(runtime, "dan")) as unit:
        review = gates.request_review(unit, model, to="production")
    _approve_all(runtime, review["id"], {"chloe": "committee", "leo": "legal",
                                         "priya": "privacy", "dana": "data_science"})
    with pytest.raises(gates.GateRefused) as refused, \
            runtime.unit(_actor(runtime, "dan")) as unit:
        gates.move(unit, model, to="production")
    assert [m["kind"] for m in refused.value.extra["missing"]] == ["evidence"]
    with runtime.unit(_actor(runtime, "dan")) as unit:
        evidence.record_evidence(unit, kind="fairness_audit", title="Q3 audit",
                                 payload={"verdict": "fail"}, system_id=model, verdict="fail")
        assert "verdict is fail" in gates.check(unit, model, to="production").missing[0]["detail"]
        evidence.record_evidence(unit, kind="fairness_audit", title="Q3 audit, fixed",
                                 payload={"verdict": "pass"}, system_id=model, verdict="pass")
        moved = gates.move(unit, model, to="production")
    assert moved["stage"] == "production"
    with runtime.unit(operator) as unit:
        actions = [e["action"] for e in audit_log.export(unit, object_type="ai_system")]
        assert actions.count("system.move") == 2 and actions.count("review.approve") == 7
        assert gates.queue(unit) == []


def test_a_rejection_blocks_until_a_new_review(runtime: Runtime, operator: Actor,
                                               model: int) -> None:
    with runtime.unit(_actor(runtime, "dan")) as unit:
        review = gates.request_review(unit, model, to="pilot")
    with runtime.unit(_actor(runtime, "leo")) as unit:
        rejected = gates.decide(unit, review["id"], decision="reject",
                                comment="No lawful basis recorded")
    assert rejected["status"] == "rejected"
    with runtime.unit(operator) as unit:
        assert gates.open_review(unit, model) is None


def test_critical_incident_suspends_a_live_system(runtime: Runtime, operator: Actor,
                                                  model: int) -> None:
    with runtime.unit(operator) as unit:
        systems.update_system(unit, model, {"purpose": "x"})
        from steward.storage.orm import AISystem

        unit.session.get(AISystem, model).stage = "production"
    with runtime.unit(_actor(runtime, "leo")) as unit:
        escalation.report_incident(unit, title="Offers sent to minors", severity="critical",
                                   system_id=model)
    with runtime.unit(operator) as unit:
        assert systems.get_system(unit, model)["stage"] == "suspended"
        result = gates.check(unit, model, to="pilot")
    assert any(m["kind"] == "incident" for m in result.missing)


def test_policy_versions_publish_diff_and_attest(runtime: Runtime, operator: Actor,
                                                 model: int) -> None:
    with runtime.unit(_actor(runtime, "leo")) as unit:
        assert policy.in_force(unit).version == 0
        first = policy.create_draft(unit)
        published = policy.publish(unit, first["version"])
        assert published["status"] == "published" and published["changelog"]
        text = policy.get_version(unit, 1)["document"]
        second = policy.create_draft(unit, document=text.replace(
            "fairness.min_group_size: 30", "fairness.min_group_size: 50"))
        policy.publish(unit, second["version"])
        assert [(v["version"], v["status"]) for v in policy.list_versions(unit)] == [
            (1, "superseded"), (2, "published")]
        assert policy.in_force(unit).version == 2
        diff = policy.diff_versions(unit, 1, 2)
        assert "fairness.min_group_size" in diff["changelog"]
        with pytest.raises(Conflict, match="can no longer change"):
            policy.update_draft(unit, 1, document=text)
        with pytest.raises(InvalidInput, match="policy:"):
            policy.create_draft(unit, document="title: x\nrules: [{id: a}]\n")
        policy.attest(unit)
        status = policy.attestation_status(unit)
    assert status["version"] == 2 and [a["username"] for a in status["attested"]] == ["leo"]
    assert {"dan", "priya", "chloe"} <= {m["username"] for m in status["missing"]}


def test_published_document_tampering_is_detected(runtime: Runtime, operator: Actor,
                                                  model: int) -> None:
    with runtime.unit(_actor(runtime, "leo")) as unit:
        policy.publish(unit, policy.create_draft(unit)["version"])
    with runtime.unit(operator) as unit:
        from steward.storage.orm import PolicyVersion

        unit.session.query(PolicyVersion).first().document += "\n# sneaky"
    with pytest.raises(Conflict, match="altered"), runtime.unit(operator) as unit:
        policy.get_version(unit, 1)


def test_stale_evidence_is_missing(runtime: Runtime, operator: Actor, model: int) -> None:
    from steward.storage.orm import AISystem, Evidence

    with runtime.unit(operator) as unit:
        unit.session.get(AISystem, model).stage = "pilot"
        evidence.record_evidence(unit, kind="fairness_audit", title="old", payload={},
                                 system_id=model, verdict="pass")
        from datetime import UTC, datetime

        item = unit.session.query(Evidence).one()
        item.created_at = datetime.now(UTC) - timedelta(days=120)
    with runtime.unit(operator) as unit:
        details = [m["detail"] for m in gates.check(unit, model, to="production").missing]
    assert any("older than 90 days" in d for d in details)
    assert date.today()
