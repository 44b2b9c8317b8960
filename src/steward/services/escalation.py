"""Incidents and feedback under the policy in force: a severe enough incident suspends its system.

The policy pack's ``incidents.suspend_system_on_severity`` names the severity from which a live
system is suspended the moment the incident is opened (by a person, the API, triaged feedback or a
monitoring alert).
"""

from __future__ import annotations

from typing import Any

from steward.services import feedback, gates, incidents, mail, policy
from steward.services.runtime import Unit


def _suspend_on(unit: Unit) -> str | None:
    value = policy.in_force(unit).pack.incidents.suspend_system_on_severity
    return str(value) if value else None


def report_incident(unit: Unit, **fields: Any) -> dict[str, Any]:
    """Open an incident; the policy decides whether its system is suspended and who is told."""
    record = incidents.open_incident(unit, suspend_on=_suspend_on(unit),
                                     suspend=gates.suspend_hook, **fields)
    mail.email_after_commit(
        unit, roles=policy.in_force(unit).pack.incidents.notify_roles,
        subject=f"[Steward] Incident {record['id']} ({record['severity']}): {record['title']}",
        body=f"{record['title']}\n\nSystem: {record['system'] or '—'}\nSeverity: "
             f"{record['severity']}\nOpened by: {record['created_by']}\n\n"
             f"{record['description']}")
    return record


def triage_feedback(unit: Unit, feedback_id: int, **fields: Any) -> dict[str, Any]:
    """Triage feedback; an incident it opens follows the same suspension rule."""
    return feedback.triage(unit, feedback_id, suspend_on=_suspend_on(unit),
                           suspend=gates.suspend_hook, **fields)


ALERT_SEVERITY = {"critical": "high", "warning": "medium"}


ALERT_RANK = {"warning": 1, "critical": 2}


def alert_to_incident(unit: Unit, alert: dict[str, Any]) -> None:
    """The monitoring ``on_alert`` hook: open an incident when the monitor asks for one, or when
    the policy's ``incidents.open_on_alert_severity`` covers the alert's severity."""
    floor = policy.in_force(unit).pack.incidents.open_on_alert_severity
    by_policy = floor is not None and \
        ALERT_RANK.get(str(alert.get("severity")), 0) >= ALERT_RANK[floor]
    if not (alert.get("open_incident") or by_policy):
        return
    report_incident(unit, title=f"Monitoring alert: {alert['message']}"[:500],
                    severity=ALERT_SEVERITY.get(str(alert.get("severity")), "medium"),
                    system_id=alert.get("system_id"), source="alert",
                    description=f"Alert {alert['id']} ({alert['kind']}) raised by monitor "
                                f"{alert.get('monitor_id')}.")
