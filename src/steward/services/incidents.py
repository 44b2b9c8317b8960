"""Incidents: what went wrong with an AI system, who owns it, how it was fixed and learned from.

Incidents are opened by a person, through the API, from triaged feedback, or automatically from a
monitoring alert. Status moves ``open → mitigating → resolved → closed`` (reopening is allowed
until closed); closing a high or critical incident needs its post-incident review. When the policy
in force says so, a severe incident suspends its live system at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from steward.core.lifecycle import Stage, is_live
from steward.core.roles import ANY_READER, STAFF_ROLES, Access, Role, write_access
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services import auditors
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Incident, User

REPORT_INCIDENTS = Access(roles=STAFF_ROLES, write=True)
MANAGE_INCIDENTS = write_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.IT,
                                Role.DATA_SCIENCE, Role.MARKETING)
SEVERITIES = ("low", "medium", "high", "critical")
SOURCES = ("person", "api", "alert", "feedback")
STATUSES = ("open", "mitigating", "resolved", "closed")
MOVES = {
    "open": {"mitigating", "resolved"},
    "mitigating": {"open", "resolved"},
    "resolved": {"open", "mitigating", "closed"},
    "closed": set(),
}

SuspendHook = Callable[[Unit, int, str], None]


def incident_record(incident: Incident) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": incident.id, "system_id": incident.system_id,
        "system": incident.system.name if incident.system else None,
        "title": incident.title, "description": incident.description,
        "severity": incident.severity, "status": incident.status, "source": incident.source,
        "owner": incident.owner.username if incident.owner else None,
        "remediation": incident.remediation,
        "post_incident_review": incident.post_incident_review,
        "created_by": incident.created_by, "created_at": iso(incident.created_at),
        "updated_at": iso(incident.updated_at), "resolved_at": iso(incident.resolved_at),
        "closed_at": iso(incident.closed_at),
    }


def _owner(unit: Unit, username: str | None) -> User | None:
    if not username:
        return None
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise InvalidInput(f"owner {username!r} is not a user of Steward")
    return user


def open_incident(
    unit: Unit,
    *,
    title: str,
    severity: str,
    system_id: int | None = None,
    description: str = "",
    source: str = "person",
    owner: str | None = None,
    suspend_on: str | None = None,
    suspend: SuspendHook | None = None,
) -> dict[str, Any]:
    """Open an incident; with ``suspend_on`` (from the policy) a severe one suspends its system."""
    unit.require(REPORT_INCIDENTS, "report incidents")
    if not title.strip():
        raise InvalidInput("an incident needs a title")
    if severity not in SEVERITIES:
        raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    if source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}")
    system = None
    if system_id is not None:
        system = unit.session.get(AISystem, system_id)
        if system is None:
            raise NotFound(f"no AI system with id {system_id}")
    incident = Incident(title=title.strip()[:500], description=description.strip(),
                        severity=severity, status="open", source=source,
                        owner=_owner(unit, owner) or (system.owner if system else None),
                        system_id=system_id, created_by=unit.actor.label)
    unit.session.add(incident)
    unit.session.flush()
    record = incident_record(incident)
    unit.audit("incident.open", "incident", incident.id, after=record)
    if (system is not None and suspend is not None and suspend_on in SEVERITIES
            and SEVERITIES.index(severity) >= SEVERITIES.index(suspend_on)
            and is_live(Stage(system.stage))):
        suspend(unit, system.id, f"incident {incident.id} ({severity}): {incident.title}")
    return record


def update_incident(unit: Unit, incident_id: int, *, status: str | None = None,
                    remediation: str | None = None, post_incident_review: str | None = None,
                    owner: str | None = None, severity: str | None = None) -> dict[str, Any]:
    unit.require(MANAGE_INCIDENTS, "manage incidents")
    incident = unit.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident with id {incident_id}")
    if incident.status == "closed":
        raise Conflict(f"incident {incident_id} is closed")
    before = incident_record(incident)
    if remediation is not None:
        incident.remediation = remediation.strip()
    if post_incident_review is not None:
        incident.post_incident_review = post_incident_review.strip()
    if owner is not None:
        incident.owner = _owner(unit, owner)
    if severity is not None:
        if severity not in SEVERITIES:
            raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}")
        incident.severity = severity
    now = datetime.now(UTC)
    if status is not None and status != incident.status:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if status not in MOVES[incident.status]:
            raise Conflict(f"an incident cannot go from {incident.status} to {status}")
        if status == "closed" and incident.severity in ("high", "critical") \
                and not incident.post_incident_review:
            raise InvalidInput("a high or critical incident needs its post-incident review "
                               "before it is closed")
        incident.status = status
        if status == "resolved":
            incident.resolved_at = now
        if status == "closed":
            incident.closed_at = now
    incident.updated_at = now
    unit.session.flush()
    after = incident_record(incident)
    unit.audit("incident.update", "incident", incident.id, before=before, after=after)
    return after


def list_incidents(unit: Unit, *, status: str | None = None, system_id: int | None = None,
                   open_only: bool = False) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read incidents")
    query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc())
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(Incident.status == status)
    if open_only:
        query = query.where(Incident.status.in_(("open", "mitigating")))
    if system_id is not None:
        query = query.where(Incident.system_id == system_id)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(Incident.system_id.in_(visible or {-1}))
    return [incident_record(i) for i in unit.session.scalars(query).all()]


def get_incident(unit: Unit, incident_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read incidents")
    incident = unit.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident with id {incident_id}")
    if auditors.is_restricted(unit.actor):
        if incident.system_id is None:
            raise NotFound(f"no incident with id {incident_id}")
        auditors.check_visible(unit, incident.system_id, log_view=f"incident {incident_id}")
    return incident_record(incident)


def open_severe(unit: Unit, system_id: int, *, at_least: str) -> list[dict[str, Any]]:
    """Open incidents on a system at or above a severity (gates refuse moves while any exist)."""
    floor = SEVERITIES.index(at_least)
    rows = unit.session.scalars(select(Incident).where(
        Incident.system_id == system_id, Incident.status.in_(("open", "mitigating")),
        Incident.severity.in_(SEVERITIES[floor:]))).all()
    return [incident_record(i) for i in rows]
