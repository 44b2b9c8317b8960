"""Training, incidents, feedback and external auditors' grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.governance import (
    CompletionIn,
    FeedbackIn,
    GrantIn,
    IncidentIn,
    IncidentPatch,
    Record,
    TrainingModuleIn,
    TriageIn,
)
from steward.core.roles import ADMIN_ONLY, ANY_READER, STAFF_ROLES, Access
from steward.services import auditors, escalation, feedback, incidents, training
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1", tags=["oversight"])
Reader = Annotated[Actor, allow(ANY_READER)]
StaffReader = Annotated[Actor, allow(Access(roles=STAFF_ROLES))]
StaffWriter = Annotated[Actor, allow(Access(roles=STAFF_ROLES, write=True))]
TrainingManager = Annotated[Actor, allow(training.MANAGE_TRAINING)]
IncidentManager = Annotated[Actor, allow(incidents.MANAGE_INCIDENTS)]
Triager = Annotated[Actor, allow(feedback.TRIAGE_FEEDBACK)]
Admin = Annotated[Actor, allow(ADMIN_ONLY)]


@router.get("/training/modules")
def modules(runtime: RuntimeDep, actor: Reader) -> list[Record]:
    with runtime.unit(actor) as unit:
        return training.list_modules(unit)


@router.post("/training/modules", status_code=201)
def add_module(body: TrainingModuleIn, runtime: RuntimeDep, actor: TrainingManager) -> Record:
    with runtime.unit(actor) as unit:
        return training.add_module(unit, **body.model_dump())


@router.post("/training/completions", status_code=201)
def complete(body: CompletionIn, runtime: RuntimeDep, actor: StaffWriter) -> Record:
    """Record a completion (your own, or anyone's for training managers)."""
    with runtime.unit(actor) as unit:
        return training.record_completion(unit, username=body.username or actor.name,
                                          module_code=body.module,
                                          completed_on=body.completed_on)


@router.get("/training/overdue")
def overdue(runtime: RuntimeDep, actor: Reader) -> list[Record]:
    with runtime.unit(actor) as unit:
        return training.overdue(unit)


@router.get("/incidents")
def list_incidents(runtime: RuntimeDep, actor: Reader, status: str | None = None,
                   system_id: int | None = None) -> list[Record]:
    with runtime.unit(actor) as unit:
        return incidents.list_incidents(unit, status=status, system_id=system_id)


@router.post("/incidents", status_code=201)
def open_incident(body: IncidentIn, runtime: RuntimeDep, actor: StaffWriter) -> Record:
    """Report an incident (a severe one may suspend its system, as the policy says)."""
    with runtime.unit(actor) as unit:
        return escalation.report_incident(unit, source="api", **body.model_dump())


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: int, runtime: RuntimeDep, actor: Reader) -> Record:
    with runtime.unit(actor) as unit:
        return incidents.get_incident(unit, incident_id)


@router.patch("/incidents/{incident_id}")
def update_incident(incident_id: int, body: IncidentPatch, runtime: RuntimeDep,
                    actor: IncidentManager) -> Record:
    with runtime.unit(actor) as unit:
        return incidents.update_incident(unit, incident_id, **body.model_dump(exclude_none=True))


@router.post("/feedback", status_code=201)
def submit_feedback(body: FeedbackIn, runtime: RuntimeDep, actor: StaffWriter) -> Record:
    """For websites and apps (with a token): customer or staff feedback about an AI system."""
    with runtime.unit(actor) as unit:
        return feedback.submit(unit, **body.model_dump())


@router.get("/feedback")
def list_feedback(runtime: RuntimeDep, actor: StaffReader, status: str | None = None
                  ) -> list[Record]:
    with runtime.unit(actor) as unit:
        return feedback.list_feedback(unit, status=status)


@router.post("/feedback/{feedback_id}/triage")
def triage(feedback_id: int, body: TriageIn, runtime: RuntimeDep, actor: Triager) -> Record:
    with runtime.unit(actor) as unit:
        return escalation.triage_feedback(unit, feedback_id, **body.model_dump())


@router.get("/auditors/grants")
def grants(runtime: RuntimeDep, actor: Admin) -> list[Record]:
    with runtime.unit(actor) as unit:
        return auditors.list_grants(unit)


@router.post("/auditors/grants", status_code=201)
def grant(body: GrantIn, runtime: RuntimeDep, actor: Admin) -> Record:
    """Give an external auditor time-limited read access to one system."""
    with runtime.unit(actor) as unit:
        return auditors.grant(unit, **body.model_dump())


@router.delete("/auditors/grants/{grant_id}")
def revoke(grant_id: int, runtime: RuntimeDep, actor: Admin) -> Record:
    with runtime.unit(actor) as unit:
        return auditors.revoke(unit, grant_id)
