"""The demo organisation: people of every role, and systems a compliance lawyer would recognise."""

from steward.services import audit_log, demo, systems
from steward.services.runtime import Actor, Runtime

EXPECTED_TIERS = {
    "GenAI email copy": "limited",           # generative content (Art. 50)
    "Customer-service chatbot": "limited",   # people interact with it (Art. 50(1))
    "Card offer propensity model": "high",   # creditworthiness (Annex III 5(b))
    "Lookalike audience builder": "minimal", # not an AI Act use; heavy GDPR/CCPA duties instead
    "Product recommender": "minimal",
    "Job-ad audience targeting": "high",     # targeted job ads (Annex III 4(a))
    "AI product imagery": "limited",         # synthetic images (Art. 50(2), (4))
    "In-store emotion analytics": "high",    # emotion recognition (Annex III 1(c))
    "Debt-stress upsell nudges": "prohibited",  # exploiting vulnerabilities (Art. 5(1)(b))
    "B2B lead scoring": "minimal",           # US only: outside the AI Act
}


def test_demo_systems_are_classified_as_a_lawyer_would(runtime: Runtime, operator: Actor) -> None:
    report = demo.load_demo(runtime)
    assert report.loaded
    with runtime.unit(operator) as unit:
        listed = systems.list_systems(unit)
        tiers = {s["name"]: s["tier"] for s in listed}
        assert audit_log.verify(unit).ok
    assert tiers == EXPECTED_TIERS
    stages = {s["stage"] for s in listed}
    assert {"proposed", "pilot", "production"} <= stages


def test_demo_obligations_cite_their_sources(runtime: Runtime, operator: Actor) -> None:
    demo.load_demo(runtime)
    with runtime.unit(operator) as unit:
        card = systems.list_systems(unit, search="Card offer")[0]
        record = systems.get_system(unit, card["id"])
    ids = {o["id"] for o in record["obligations"]}
    assert {"gdpr.art22.automated_decisions", "gdpr.art35.dpia"} <= ids or any(
        i.startswith("gdpr.art22") for i in ids)
    for ob in record["obligations"]:
        assert ob["citation"]["instrument"] and ob["citation"]["article"]
        assert ob["citation"]["url"].startswith("https://")
