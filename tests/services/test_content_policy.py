"""Content verdicts are judged by the policy in force as well as by the scanner's rules."""

from steward.rules.policy_loader import default_pack_text
from steward.services import content, policy, users
from steward.services.runtime import Actor, Runtime

TEXT = "Meet the new autumn range: warm, light and made to last. Shop now."


def test_policy_blocks_undisclosed_ai_content_and_records_its_version(runtime: Runtime,
                                                                      operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="leo", roles="legal")
        plain = content.scan(unit, TEXT, channel="social", metadata={"ai_generated": False})
        ai = content.scan(unit, TEXT, channel="social", metadata={"ai_generated": True})
    assert plain["policy_decision"]["outcome"] == "pass" and plain["policy_version"] == "0"
    assert ai["verdict"] == "block"
    assert [r["id"] for r in ai["policy_decision"]["fired"]] == ["content.ai_disclosure"]

    relaxed = default_pack_text().replace(
        "    applies_to: content\n    severity: block",
        "    applies_to: content\n    severity: warn")
    assert relaxed != default_pack_text()
    with runtime.unit(operator) as unit:
        policy.publish(unit, policy.create_draft(unit, document=relaxed)["version"])
        judged = content.scan(unit, TEXT + " AI-generated image.", channel="social",
                              metadata={"ai_generated": True, "ai_disclosure": False})
    assert judged["policy_version"] == "1"
