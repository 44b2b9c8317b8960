"""The demo organisation: "Northwind Outfitters", a retailer whose marketing team uses AI.

``load_demo`` fills an empty database through the same services a person would use, so every demo
record also lands in the audit log. Each capability adds its own step to ``DEMO_STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from steward.services import tokens, users
from steward.services.audits_demo import load_demo_audits
from steward.services.consent_demo import load_demo_consent
from steward.services.content_demo import load_demo_content
from steward.services.demo_governance import load_demo_governance
from steward.services.demo_systems import load_demo_systems
from steward.services.explain_demo import load_demo_explanations
from steward.services.monitor_demo import load_demo_monitoring
from steward.services.privacy_demo import load_demo_privacy
from steward.services.runtime import Actor, Runtime, Unit
from steward.services.scorecards_demo import load_demo_kpis
from steward.storage.orm import User

DEMO_PASSWORD = "steward-demo"  # noqa: S105 - printed to the person running the demo on purpose

DEMO_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("admin", "Ada Admin", "admin"),
    ("maya", "Maya Marketing", "marketing"),
    ("leo", "Leo Legal", "legal"),
    ("priya", "Priya Privacy", "privacy"),
    ("dan", "Dan Data", "data_science"),
    ("ian", "Ian IT", "it"),
    ("chloe", "Chloe Chair", "committee"),
    ("carlos", "Carlos Committee", "committee,marketing"),
)
DEMO_AUDITOR = ("audrey", "Audrey External Auditor")


@dataclass
class DemoReport:
    loaded: bool
    people: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


DemoStep = Callable[[Unit, DemoReport], None]


def _people(unit: Unit, report: DemoReport) -> None:
    for username, name, roles in DEMO_PEOPLE:
        users.add_user(unit, username=username, display_name=name, roles=roles,
                       password=DEMO_PASSWORD, email=f"{username}@northwind.example")
        report.people.append((username, roles))
    username, name = DEMO_AUDITOR
    users.add_user(unit, username=username, display_name=name, roles="auditor",
                   password=DEMO_PASSWORD, external=True, email="audrey@audit-firm.example",
                   expires_at=datetime.now(UTC) + timedelta(days=90))
    report.people.append((username, "auditor (external, 90 days)"))
    tokens.create_token(unit, username="ian", name="marketing-automation pipeline", days=90)


def _systems(unit: Unit, report: DemoReport) -> None:
    loaded = load_demo_systems(unit)
    tiers = sorted({s["tier"] for s in loaded})
    report.notes.append(f"{len(loaded)} AI systems registered and classified "
                        f"(tiers: {', '.join(tiers)})")


def _governance(unit: Unit, report: DemoReport) -> None:
    report.notes.extend(load_demo_governance(unit))
    unit.actor = Actor.system("demo")


def _auditor_grant(unit: Unit, report: DemoReport) -> None:
    from steward.services import auditors, systems

    card = systems.list_systems(unit, search="Card offer")[0]["id"]
    auditors.grant(unit, username="audrey", system_id=card, days=60)
    report.notes.append("audrey (external auditor) may read the card offer model for 60 days")


DEMO_STEPS: list[DemoStep] = [_people, _systems, _governance, _auditor_grant, load_demo_content,
                              load_demo_audits, load_demo_kpis, load_demo_explanations,
                              load_demo_consent, load_demo_privacy, load_demo_monitoring]


def load_demo(runtime: Runtime) -> DemoReport:
    """Load the demo organisation unless the database already holds it."""
    actor = Actor.system("demo")
    with runtime.unit(actor) as unit:
        if unit.session.scalar(select(User.id).where(User.username == "admin")) is not None:
            return DemoReport(loaded=False, people=[(u, r) for u, _, r in DEMO_PEOPLE],
                              notes=["the demo organisation is already loaded"])
        report = DemoReport(loaded=True)
        for step in DEMO_STEPS:
            step(unit, report)
    return report
