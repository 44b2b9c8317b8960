"""Feedback about AI systems from customers and staff, and its triage.

A website or app posts feedback through the API (with a token); a person triages it into an
incident, a proposed policy change, or dismisses it, with a note. Feedback text may contain
personal data: it is shown only to staff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from steward.core.roles import STAFF_ROLES, Access, Role, write_access
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services import incidents
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Feedback

SUBMIT_FEEDBACK = Access(roles=STAFF_ROLES, write=True)
READ_FEEDBACK = Access(roles=STAFF_ROLES)
TRIAGE_FEEDBACK = write_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.MARKETING)
SOURCES = ("customer", "staff")
ACTIONS = ("incident", "policy_change", "dismiss")
MAX_MESSAGE = 10_000


def feedback_record(item: Feedback) -> dict[str, Any]:
    return {
        "id": item.id, "system_id": item.system_id,
        "system": item.system.name if item.system else None, "source": item.source,
        "channel": item.channel, "message": item.message, "rating": item.rating,
        "status": item.status, "triage_note": item.triage_note, "incident_id": item.incident_id,
        "proposed_change": item.proposed_change, "received_at": item.received_at.isoformat(),
        "triaged_by": item.triaged_by,
        "triaged_at": item.triaged_at.isoformat() if item.triaged_at else None,
    }


def submit(unit: Unit, *, message: str, source: str = "customer", system_id: int | None = None,
           channel: str = "", rating: int | None = None) -> dict[str, Any]:
    unit.require(SUBMIT_FEEDBACK, "submit feedback")
    text = message.strip()
    if not text:
        raise InvalidInput("feedback needs a message")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(f"feedback is limited to {MAX_MESSAGE} characters")
    if source not in SOURCES:
        raise InvalidInput(f"source must be customer or staff, not {source!r}")
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput("rating must be 1-5")
    if system_id is not None and unit.session.get(AISystem, system_id) is None:
        raise NotFound(f"no AI system with id {system_id}")
    item = Feedback(message=text, source=source, system_id=system_id, channel=channel[:64],
                    rating=rating, status="new")
    unit.session.add(item)
    unit.session.flush()
    record = feedback_record(item)
    unit.audit("feedback.receive", "feedback", item.id, after=record)
    return record


def list_feedback(unit: Unit, *, status: str | None = None) -> list[dict[str, Any]]:
    unit.require(READ_FEEDBACK, "read feedback")
    query = select(Feedback).order_by(Feedback.received_at.desc(), Feedback.id.desc())
    if status:
        query = query.where(Feedback.status == status)
    return [feedback_record(f) for f in unit.session.scalars(query).all()]


def triage(unit: Unit, feedback_id: int, *, action: str, note: str = "",
           severity: str = "medium", proposed_change: str = "",
           suspend_on: str | None = None, suspend: incidents.SuspendHook | None = None
           ) -> dict[str, Any]:
    """Turn feedback into an incident or a proposed policy change, or dismiss it."""
    unit.require(TRIAGE_FEEDBACK, "triage feedback")
    item = unit.session.get(Feedback, feedback_id)
    if item is None:
        raise NotFound(f"no feedback with id {feedback_id}")
    if item.status != "new":
        raise Conflict(f"feedback {feedback_id} was already triaged ({item.status})")
    if action not in ACTIONS:
        raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}")
    before = feedback_record(item)
    if action == "incident":
        incident = incidents.open_incident(
            unit, title=f"Feedback {item.id}: {item.message[:120]}", severity=severity,
            system_id=item.system_id, description=item.message, source="feedback",
            suspend_on=suspend_on, suspend=suspend)
        item.incident_id = incident["id"]
        item.status = "incident"
    elif action == "policy_change":
        if not proposed_change.strip():
            raise InvalidInput("a proposed policy change needs its text")
        item.proposed_change = proposed_change.strip()
        item.status = "policy_change"
    else:
        item.status = "dismissed"
    item.triage_note = note.strip()
    item.triaged_by = unit.actor.label
    item.triaged_at = datetime.now(UTC)
    unit.session.flush()
    after = feedback_record(item)
    unit.audit(f"feedback.{item.status}", "feedback", item.id, before=before, after=after)
    return after
