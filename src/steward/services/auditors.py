"""External auditors' access: time-limited, read-only grants on chosen systems, every view logged.

A user whose only role is ``auditor`` sees the systems granted to them and nothing else of the
inventory; each system page or record such a user views is written to the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.roles import ADMIN_ONLY, Role
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services.runtime import Actor, Unit
from steward.storage.orm import AISystem, AuditorGrant, User


def is_restricted(actor: Actor) -> bool:
    """An auditor without any other role: object-level access applies."""
    return Role.AUDITOR in actor.roles and not (actor.roles - {Role.AUDITOR})


def grant_record(grant: AuditorGrant) -> dict[str, Any]:
    now = datetime.now(UTC)
    active = grant.revoked_at is None and grant.expires_at > now
    return {"id": grant.id, "auditor": grant.user.username, "system_id": grant.system_id,
            "system": grant.system.name, "granted_by": grant.granted_by,
            "granted_at": grant.granted_at.isoformat(), "expires_at": grant.expires_at.isoformat(),
            "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
            "active": active}


def grant(unit: Unit, *, username: str, system_id: int, days: int = 30) -> dict[str, Any]:
    """Give an auditor read access to one system for ``days`` days."""
    unit.require(ADMIN_ONLY, "grant auditor access")
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    if "auditor" not in user.role_names:
        raise InvalidInput(f"{username} is not an auditor")
    if unit.session.get(AISystem, system_id) is None:
        raise NotFound(f"no AI system with id {system_id}")
    if not 1 <= days <= 366:
        raise InvalidInput("access lasts 1-366 days")
    expires = datetime.now(UTC) + timedelta(days=days)
    if user.expires_at is not None:
        expires = min(expires, user.expires_at)
    record = AuditorGrant(user_id=user.id, system_id=system_id, granted_by=unit.actor.label,
                          expires_at=expires)
    unit.session.add(record)
    unit.session.flush()
    view = grant_record(record)
    unit.audit("auditor.grant", "ai_system", system_id, after=view)
    return view


def revoke(unit: Unit, grant_id: int) -> dict[str, Any]:
    unit.require(ADMIN_ONLY, "revoke auditor access")
    record = unit.session.get(AuditorGrant, grant_id)
    if record is None:
        raise NotFound(f"no auditor grant with id {grant_id}")
    if record.revoked_at is not None:
        raise Conflict(f"auditor grant {grant_id} is already revoked")
    before = grant_record(record)
    record.revoked_at = datetime.now(UTC)
    unit.session.flush()
    after = grant_record(record)
    unit.audit("auditor.revoke", "ai_system", record.system_id, before=before, after=after)
    return after


def list_grants(unit: Unit) -> list[dict[str, Any]]:
    unit.require(ADMIN_ONLY, "list auditor grants")
    grants = unit.session.scalars(select(AuditorGrant).order_by(AuditorGrant.id.desc())).all()
    return [grant_record(g) for g in grants]


def visible_system_ids(unit: Unit) -> set[int] | None:
    """The systems the actor may see: None means all of them."""
    if not is_restricted(unit.actor):
        return None
    now = datetime.now(UTC)
    rows = unit.session.scalars(select(AuditorGrant.system_id).where(
        AuditorGrant.user_id == unit.actor.user_id, AuditorGrant.revoked_at.is_(None),
        AuditorGrant.expires_at > now)).all()
    return set(rows)


def check_visible(unit: Unit, system_id: int, *, log_view: str | None = None) -> None:
    """Raise NotFound for a system the actor may not see; log what an auditor viewed."""
    visible = visible_system_ids(unit)
    if visible is None:
        return
    if system_id not in visible:
        raise NotFound(f"no AI system with id {system_id}")
    if log_view:
        unit.audit("auditor.view", "ai_system", system_id,
                   after={"auditor": unit.actor.name, "viewed": log_view})


def log_page_view(unit: Unit, path: str) -> None:
    """Record a page an external auditor looked at (every page they view is logged)."""
    if is_restricted(unit.actor):
        unit.audit("auditor.page_view", "user", unit.actor.user_id or unit.actor.name,
                   after={"auditor": unit.actor.name, "path": path[:500]})
