"""Incidents and feedback under the policy in force: a severe enough incident suspends its system.

The policy pack's ``incidents.suspend_system_on_severity`` names the severity from which a live
system is suspended the moment the incident is opened (by a person, the API, triaged feedback or a
monitoring alert).
"""

from __future__ import annotations

from typing import Any

from steward.services import feedback, gates, incidents, policy
from steward.services.runtime import Unit


def _suspend_on(unit: Unit) -> str | None:
    value = policy.in_force(unit).pack.incidents.suspend_system_on_severity
    return str(value) if value else None


def report_incident(unit: Unit, **fields: Any) -> dict[str, Any]:
    """Open an incident; the policy decides whether its system is suspended."""
    return incidents.open_incident(unit, suspend_on=_suspend_on(unit), suspend=gates.suspend_hook,
                                   **fields)


def triage_feedback(unit: Unit, feedback_id: int, **fields: Any) -> dict[str, Any]:
    """Triage feedback; an incident it opens follows the same suspension rule."""
    return feedback.triage(unit, feedback_id, suspend_on=_suspend_on(unit),
                           suspend=gates.suspend_hook, **fields)
