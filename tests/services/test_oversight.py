"""Training, incidents, feedback and auditors' grants."""

from datetime import date, timedelta

import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import audit_log, auditors, feedback, incidents, systems, training, users
from steward.services.runtime import Actor, Runtime


def _actor(runtime: Runtime, username: str) -> Actor:
    with runtime.unit(Actor.system()) as unit:
        return users.actor_named(unit, username)


@pytest.fixture
def org(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        for name, roles in (("maya", "marketing"), ("leo", "legal"), ("aud", "auditor"),
                            ("chloe", "committee")):
            users.add_user(unit, username=name, roles=roles)
        return systems.create_system(unit, {"name": "Bot", "purpose": "p", "owner": "maya",
                                            "ai_kinds": ["chatbot"], "stage": "production"})["id"]


def test_training_status_and_expiry(runtime: Runtime, operator: Actor, org: int) -> None:
    with runtime.unit(operator) as unit:
        training.add_module(unit, code="ai-basics", title="AI literacy (EU AI Act Art. 4)",
                            audience_roles="marketing,legal", validity_months=12)
        from sqlalchemy import select

        from steward.storage.orm import User

        user = unit.session.scalar(select(User).where(User.username == "maya"))
        assert training.is_trained(unit, user) == (False, ["ai-basics (missing)"])
    with runtime.unit(_actor(runtime, "maya")) as unit:
        record = training.record_completion(unit, username="maya", module_code="ai-basics",
                                            completed_on=date(2026, 1, 31))
    assert record["expires_on"] == "2027-01-31"
    with runtime.unit(operator) as unit:
        statuses = {(s["username"], s["status"]) for s in training.overdue(unit)}
    assert ("leo", "missing") in statuses and ("maya", "missing") not in statuses
    with pytest.raises(Forbidden), runtime.unit(_actor(runtime, "maya")) as unit:
        training.record_completion(unit, username="leo", module_code="ai-basics")
    with pytest.raises(InvalidInput, match="future"), runtime.unit(operator) as unit:
        training.record_completion(unit, username="leo", module_code="ai-basics",
                                   completed_on=date.today() + timedelta(days=1))
    with pytest.raises(Conflict), runtime.unit(operator) as unit:
        training.add_module(unit, code="ai-basics", title="x", audience_roles="legal")


def test_add_months_clamps_to_month_end() -> None:
    assert training.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert training.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_incident_lifecycle(runtime: Runtime, operator: Actor, org: int) -> None:
    with runtime.unit(_actor(runtime, "maya")) as unit:
        opened = incidents.open_incident(unit, title="Bot promised a refund it can't give",
                                         severity="high", system_id=org)
    assert opened["owner"] == "maya" and opened["status"] == "open"
    leo = _actor(runtime, "leo")
    with runtime.unit(leo) as unit:
        incidents.update_incident(unit, opened["id"], status="mitigating",
                                  remediation="Refund answers disabled")
        incidents.update_incident(unit, opened["id"], status="resolved")
        with pytest.raises(InvalidInput, match="post-incident review"):
            incidents.update_incident(unit, opened["id"], status="closed")
    with runtime.unit(leo) as unit:
        closed = incidents.update_incident(unit, opened["id"], status="closed",
                                           post_incident_review="Prompt guard added")
    assert closed["closed_at"]
    with pytest.raises(Conflict, match="closed"), runtime.unit(leo) as unit:
        incidents.update_incident(unit, opened["id"], status="open")
    with pytest.raises(InvalidInput, match="severity"), runtime.unit(leo) as unit:
        incidents.open_incident(unit, title="x", severity="apocalyptic")


def test_severe_incident_suspends_under_policy(runtime: Runtime, operator: Actor, org: int) -> None:
    calls = []
    with runtime.unit(operator) as unit:
        incidents.open_incident(unit, title="minor", severity="low", system_id=org,
                                suspend_on="critical", suspend=lambda u, s, r: calls.append(s))
        incidents.open_incident(unit, title="major", severity="critical", system_id=org,
                                suspend_on="critical", suspend=lambda u, s, r: calls.append(s))
    assert calls == [org]


def test_feedback_triage(runtime: Runtime, operator: Actor, org: int) -> None:
    with runtime.unit(operator) as unit:
        item = feedback.submit(unit, message="The bot called me by the wrong name", system_id=org)
        other = feedback.submit(unit, message="Please add a human option", source="staff")
    leo = _actor(runtime, "leo")
    with runtime.unit(leo) as unit:
        triaged = feedback.triage(unit, item["id"], action="incident", severity="low")
        changed = feedback.triage(unit, other["id"], action="policy_change",
                                  proposed_change="Require a human hand-off on every chatbot")
    assert triaged["status"] == "incident" and triaged["incident_id"]
    assert changed["proposed_change"].startswith("Require")
    with pytest.raises(Conflict, match="already triaged"), runtime.unit(leo) as unit:
        feedback.triage(unit, item["id"], action="dismiss")
    with pytest.raises(InvalidInput), runtime.unit(operator) as unit:
        feedback.submit(unit, message="   ")


def test_auditors_see_only_granted_systems_and_views_are_logged(runtime: Runtime,
                                                                operator: Actor, org: int) -> None:
    with runtime.unit(operator) as unit:
        other = systems.create_system(unit, {"name": "Other", "purpose": "p", "owner": "maya",
                                             "ai_kinds": ["recommender"]})["id"]
    aud = _actor(runtime, "aud")
    with runtime.unit(aud) as unit:
        assert systems.list_systems(unit) == []
        with pytest.raises(NotFound):
            systems.get_system(unit, org)
    with runtime.unit(operator) as unit:
        grant = auditors.grant(unit, username="aud", system_id=org, days=10)
        with pytest.raises(InvalidInput, match="not an auditor"):
            auditors.grant(unit, username="leo", system_id=org)
    with runtime.unit(aud) as unit:
        assert [s["id"] for s in systems.list_systems(unit)] == [org]
        assert systems.get_system(unit, org)["name"] == "Bot"
        with pytest.raises(NotFound):
            systems.get_system(unit, other)
    with runtime.unit(operator) as unit:
        views = [e for e in audit_log.export(unit) if e["action"] == "auditor.view"]
        assert views[-1]["after"] == {"auditor": "aud", "viewed": "system record"}
        auditors.revoke(unit, grant["id"])
    with runtime.unit(aud) as unit:
        assert systems.list_systems(unit) == []
