"""The demo organisation's governance: two policy versions, attestations, training, gate reviews
with approvals, an incident and customer feedback — all through the services, so all audited."""

from __future__ import annotations

from datetime import date, timedelta

from steward.rules.policy_loader import default_pack_text
from steward.services import escalation, feedback, gates, policy, systems, training, users
from steward.services.runtime import Unit

MODULES = (
    ("ai-literacy", "AI literacy for marketing (EU AI Act Art. 4)",
     "marketing,data_science,legal,privacy,committee,it", 12),
    ("fair-targeting", "Fair targeting and the four-fifths rule", "marketing,data_science", 12),
    ("privacy-by-design", "Consent, anonymisation and privacy by design",
     "data_science,privacy", 24),
)
COMPLETED = {"maya": ("ai-literacy", "fair-targeting"), "dan": ("ai-literacy", "fair-targeting",
                                                               "privacy-by-design"),
             "leo": ("ai-literacy",), "priya": ("ai-literacy", "privacy-by-design"),
             "chloe": ("ai-literacy",)}


def _become(unit: Unit, username: str) -> None:
    unit.actor = users.actor_named(unit, username, via="web")


def _system_id(unit: Unit, name: str) -> int:
    return systems.list_systems(unit, search=name)[0]["id"]


def load_demo_governance(unit: Unit) -> list[str]:
    """Policy history, attestations, training, reviews, an incident and feedback."""
    demo_actor = unit.actor
    _become(unit, "leo")
    first = policy.create_draft(unit, document=default_pack_text())
    policy.publish(unit, first["version"])
    stricter = (default_pack_text()
                .replace("fairness.min_group_size: 30", "fairness.min_group_size: 50"))
    second = policy.create_draft(unit, document=stricter)
    policy.publish(unit, second["version"])
    for person in ("leo", "priya", "dan", "chloe"):
        _become(unit, person)
        policy.attest(unit)

    unit.actor = demo_actor
    for code, title, roles, months in MODULES:
        training.add_module(unit, code=code, title=title, audience_roles=roles,
                            content_link=f"https://learning.northwind.example/{code}",
                            validity_months=months)
    for person, codes in COMPLETED.items():
        for code in codes:
            training.record_completion(unit, username=person, module_code=code,
                                       completed_on=date.today() - timedelta(days=40))

    imagery = _system_id(unit, "AI product imagery")
    _become(unit, "maya")
    gates.request_review(unit, imagery, to="production",
                         note="Pilot on social ran 6 weeks; all images carry C2PA credentials.")
    review = gates.open_review(unit, imagery)
    assert review is not None
    _become(unit, "chloe")
    gates.decide(unit, review.id, decision="approve", role="committee",
                 comment="Pilot results reviewed at the March committee.")
    _become(unit, "leo")
    gates.decide(unit, review.id, decision="approve", role="legal",
                 comment="Adobe indemnity covers outputs.")

    job_ads = _system_id(unit, "Job-ad audience targeting")
    _become(unit, "carlos")
    gates.request_review(unit, job_ads, to="pilot", note="Proposed for the summer hiring drive.")

    chatbot = _system_id(unit, "Customer-service chatbot")
    _become(unit, "maya")
    incident = escalation.report_incident(
        unit, title="Chatbot quoted a discount that does not exist", severity="medium",
        system_id=chatbot, description="Three customers were told of a 30% loyalty discount.")
    _become(unit, "carlos")
    from steward.services import incidents

    incidents.update_incident(unit, incident["id"], status="mitigating",
                              remediation="Discount answers routed to a person; prompt fixed.")
    unit.actor = demo_actor
    feedback.submit(unit, message="The product suggestions in my email were for baby clothes "
                    "after I told you my pregnancy ended. Please stop.", system_id=_system_id(
                        unit, "Product recommender"), channel="email reply")
    feedback.submit(unit, message="I could not find how to talk to a real person in the chat.",
                    system_id=chatbot, channel="web", rating=2)
    return [f"policy versions 1 and 2 (in force), {len(MODULES)} training modules, "
            "gate reviews waiting, an incident and customer feedback"]
