"""What the home page shows: the portfolio dashboard and what needs attention.

Besides the person's own notifications ("Needs your attention"), the overview carries the
portfolio (``sections["portfolio"]``): the portfolio scorecard with every system's scores,
systems by stage and tier, and what needs attention now across the organisation — gate reviews
waiting, stale evidence, overdue or missing training, open incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from steward.core.roles import ANY_READER
from steward.services import gates, incidents, notifications, scorecards, training
from steward.services.audit_log import READ_AUDIT
from steward.services.runtime import Unit
from steward.storage import audit_log
from steward.storage.orm import User, UserRole


@dataclass(frozen=True)
class Overview:
    people: int
    people_by_role: dict[str, int]
    audit_entries: int
    recent_activity: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)


def overview(unit: Unit) -> Overview:
    unit.require(ANY_READER, "see the overview")
    session = unit.session
    people = int(session.scalar(select(func.count()).select_from(User)) or 0)
    by_role = dict(session.execute(
        select(UserRole.role, func.count()).group_by(UserRole.role).order_by(UserRole.role)
    ).all())
    activity = audit_log.recent(session, limit=10) if READ_AUDIT.allows(unit.actor.roles) else []
    return Overview(people=people, people_by_role=by_role,
                    audit_entries=audit_log.count(session), recent_activity=activity,
                    sections={"attention": [n.to_dict() for n in notifications.for_actor(unit)],
                              "portfolio": portfolio(unit)})


def portfolio(unit: Unit) -> dict[str, Any]:
    """The portfolio dashboard: scorecard, systems by stage and tier, and what needs attention."""
    card = scorecards.portfolio_scorecard(unit)
    visible = {c["system"]["id"] for c in card["system_cards"]}
    return {
        "scorecard": card,
        "gates_waiting": [r for r in gates.queue(unit) if r["system_id"] in visible],
        "stale_evidence": scorecards.stale_evidence(unit),
        "training_due": [t for t in training.overdue(unit)
                         if t["status"] in ("missing", "overdue")],
        "open_incidents": incidents.list_incidents(unit, open_only=True),
    }
