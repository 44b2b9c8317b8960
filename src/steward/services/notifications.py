"""What needs a person's attention now, in the dashboard, and by e-mail when SMTP is configured.

Notifications are derived from the records (nothing to mark as read): gate reviews waiting for one
of your roles, content waiting for review, your training missing or expiring, evidence on your
systems going stale, open monitoring alerts on your systems, open incidents you own, and the
policy version you have not attested.
E-mails go out after the change that caused them is committed, and only when
``STEWARD_SMTP_HOST`` is set; a failed send is logged, never undoes the change.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.policy import gate_requirement
from steward.services import content, gates, incidents, policy, training
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Alert, Evidence, Review, User

STALE_SOON_DAYS = 14
log = logging.getLogger("steward.notifications")


@dataclass(frozen=True)
class Notification:
    kind: str
    message: str
    href: str
    due: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def for_actor(unit: Unit) -> list[Notification]:
    """Everything that waits for the acting person, most urgent kinds first."""
    actor = unit.actor
    if actor.user_id is None:
        return []
    held = {str(r) for r in actor.roles}
    out: list[Notification] = []
    force = policy.in_force(unit)
    for review in unit.session.scalars(select(Review).where(Review.status == "open",
                                                            Review.kind == "gate")).all():
        if review.system.owner_id == actor.user_id:
            continue
        needed = gate_requirement(force.pack, target_stage=review.target_stage,
                                  system=gates.system_facts(review.system)).approvals
        decided = {d.role for d in review.decisions if d.user_id == actor.user_id}
        mine = sorted(set(needed) & held - decided)
        if mine:
            out.append(Notification("review", f"{review.system.name} → {review.target_stage} "
                                    f"waits for your approval as {', '.join(mine)}",
                                    f"/systems/{review.system_id}#lifecycle",
                                    review.due_on.isoformat() if review.due_on else None))
    if content.DECIDE_CONTENT.allows(actor.roles):
        waiting = content.queue_size(unit)
        if waiting:
            out.append(Notification("content", f"{waiting} content item(s) wait for review",
                                    "/reviews#content-reviews"))
    me = unit.session.get(User, actor.user_id)
    if me is not None:
        for status in training.statuses_for(unit, me):
            if status.status != "current":
                out.append(Notification("training", f"training {status.title}: {status.status}",
                                        "/training", status.expires_on.isoformat()
                                        if status.expires_on else None))
    soon = datetime.now(UTC) + timedelta(days=STALE_SOON_DAYS)
    stale = unit.session.scalars(select(Evidence).join(AISystem).where(
        AISystem.owner_id == actor.user_id, Evidence.stale_at.is_not(None),
        Evidence.stale_at <= soon)).all()
    latest: dict[tuple[int | None, str], Evidence] = {}
    for item in stale:
        latest.setdefault((item.system_id, item.kind), item)
    now = datetime.now(UTC)
    for item in latest.values():
        name = item.system.name if item.system else "?"
        state = "is stale" if item.stale_at and item.stale_at <= now else "goes stale"
        when = item.stale_at.date().isoformat() if item.stale_at else None
        out.append(Notification("evidence", f"{item.kind} on {name} {state}",
                                f"/systems/{item.system_id}#evidence", when))
    for alert in unit.session.scalars(select(Alert).join(AISystem).where(
            AISystem.owner_id == actor.user_id, Alert.status == "open")
            .order_by(Alert.created_at.desc()).limit(20)).all():
        out.append(Notification("alert", f"{alert.severity} alert: {alert.message}",
                                "/monitor#alerts", alert.created_at.date().isoformat()))
    for incident in incidents.list_incidents(unit, open_only=True):
        if incident["owner"] == actor.name:
            out.append(Notification(
                "incident", f"incident {incident['id']} ({incident['severity']}): "
                            f"{incident['title']}", f"/incidents/{incident['id']}"))
    status = policy.attestation_status(unit)
    if any(m["username"] == actor.name for m in status["missing"]):
        out.append(Notification("policy", f"attest that you read policy version "
                                f"{status['version']}", "/policy"))
    return out


def due_label(value: str | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value[:10])
    delta = (day - date.today()).days
    return "overdue" if delta < 0 else ("today" if delta == 0 else f"in {delta} days")
