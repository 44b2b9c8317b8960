"""What the home page shows: a short overview of the organisation's governance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from steward.core.roles import ANY_READER
from steward.services import notifications
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
                    sections={"attention": [n.to_dict() for n in notifications.for_actor(unit)]})
