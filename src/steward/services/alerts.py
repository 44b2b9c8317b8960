"""Alerts: a monitor's threshold crossed (or its check failed), open until someone acknowledges it.

Raising an alert appends to the audit log and calls every ``on_alert`` hook of the runtime
(:func:`alert_hooks`) inside the same unit of work: the incident hook
(:func:`steward.services.escalation.alert_to_incident`) opens an incident when the monitor asks
for one or when the policy in force says alerts of that severity become incidents, and
:func:`notify` e-mails the system's owner and the people who run monitoring (data science, IT)
once the alert is committed, when SMTP is configured. Open alerts also show in the owner's
notifications on the dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER, Role, write_access
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services import auditors, mail
from steward.services.escalation import alert_to_incident
from steward.services.runtime import Runtime, Unit
from steward.storage.orm import AISystem, Alert, Monitor

ACKNOWLEDGE_ALERTS = write_access(Role.DATA_SCIENCE, Role.IT, Role.PRIVACY, Role.LEGAL,
                                  Role.COMMITTEE, Role.MARKETING)
ALERT_STATUSES = ("open", "acknowledged")
SEVERITIES = ("warning", "critical")
NOTIFY_ROLES = ("data_science", "it")

AlertHook = Callable[[Unit, dict[str, Any]], None]
log = logging.getLogger("steward.monitor")


def alert_hooks(runtime: Runtime | None) -> list[AlertHook]:
    """The ``on_alert`` callbacks of a runtime: append ``fn(unit, alert_record)`` to subscribe.

    Callbacks run inside the unit that raised the alert, after it is stored; the record carries
    ``open_incident`` (the monitor's own wish) for the incident hook.
    """
    if runtime is None:
        return []
    return runtime.cached("monitor.on_alert", lambda: [alert_to_incident, notify])


def notify(unit: Unit, alert: dict[str, Any]) -> None:
    """E-mail the alert to its system's owner and to data science and IT, after commit."""
    system = unit.session.get(AISystem, alert["system_id"]) if alert.get("system_id") else None
    owner = system.owner.email if system is not None and system.owner is not None else None
    mail.email_after_commit(
        unit, roles=NOTIFY_ROLES, also=[owner] if owner else [],
        subject=f"[Steward] {alert['severity'].capitalize()} alert {alert['id']}: "
                f"{alert['message']}"[:200],
        body=f"{alert['message']}\n\nSystem: {alert.get('system') or '—'}\nKind: "
             f"{alert['kind']}\nMonitor: {alert.get('monitor_id')}\n\nAcknowledge it on the "
             f"Monitoring page (/monitor).")


def alert_record(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id, "system_id": a.system_id, "system": a.system.name if a.system else None,
        "monitor_id": a.monitor_id, "evidence_id": a.evidence_id, "kind": a.kind,
        "severity": a.severity, "message": a.message, "details": dict(a.details or {}),
        "status": a.status, "created_at": a.created_at.isoformat(),
        "acknowledged_by": a.acknowledged_by,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }


def raise_alert(unit: Unit, monitor: Monitor, *, kind: str, severity: str, message: str,
                details: dict[str, Any], evidence_id: int | None) -> dict[str, Any]:
    """Store an alert from ``monitor``, log it, and call the ``on_alert`` hooks."""
    if severity not in SEVERITIES:
        raise InvalidInput(f"unknown alert severity {severity!r}")
    alert = Alert(system_id=monitor.system_id, monitor_id=monitor.id, evidence_id=evidence_id,
                  kind=kind, severity=severity, message=message[:4000], details=details,
                  status="open", created_at=datetime.now(UTC))
    unit.session.add(alert)
    unit.session.flush()
    record = alert_record(alert)
    unit.audit("alert.raise", "alert", alert.id, after=record)
    record["open_incident"] = monitor.open_incident
    log.warning("alert %s [%s] %s", alert.id, severity, message)
    for hook in alert_hooks(unit.runtime):
        hook(unit, record)
    return record


def list_alerts(unit: Unit, *, status: str | None = None, system_id: int | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read alerts")
    query = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(Alert.system_id.in_(visible or {-1}))
    if status:
        if status not in ALERT_STATUSES:
            raise InvalidInput(f"unknown alert status {status!r}: use open or acknowledged")
        query = query.where(Alert.status == status)
    if system_id is not None:
        query = query.where(Alert.system_id == system_id)
    return [alert_record(a) for a in unit.session.scalars(query).all()]


def acknowledge_alert(unit: Unit, alert_id: int) -> dict[str, Any]:
    unit.require(ACKNOWLEDGE_ALERTS, "acknowledge alerts")
    alert = unit.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}")
    if alert.status != "open":
        raise Conflict(f"alert {alert_id} is already {alert.status}")
    before = alert_record(alert)
    alert.status = "acknowledged"
    alert.acknowledged_by = unit.actor.label
    alert.acknowledged_at = datetime.now(UTC)
    unit.session.flush()
    after = alert_record(alert)
    unit.audit("alert.acknowledge", "alert", alert_id, before=before, after=after)
    return after
