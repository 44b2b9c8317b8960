"""Pages for training, incidents, feedback and external auditors' access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.roles import ADMIN_ONLY, ANY_READER, STAFF_ROLES, Access
from steward.services import auditors, escalation, feedback, incidents, systems, training, users
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
StaffReader = Annotated[WebIdentity, page(Access(roles=STAFF_ROLES))]
StaffWriter = Annotated[WebIdentity, page(Access(roles=STAFF_ROLES, write=True))]
IncidentManager = Annotated[WebIdentity, page(incidents.MANAGE_INCIDENTS)]
Triager = Annotated[WebIdentity, page(feedback.TRIAGE_FEEDBACK)]
Admin = Annotated[WebIdentity, page(ADMIN_ONLY)]


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/training")
def training_page(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        modules = training.list_modules(unit)
        mine = training.person_status(unit, identity.actor.name)
        overdue = training.overdue(unit)
    return render(request, "oversight/training.html", identity=identity, modules=modules,
                  mine=mine, overdue=overdue)


@router.post("/training/complete")
async def complete_training(request: Request, identity: StaffWriter) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        training.record_completion(unit, username=identity.actor.name,
                                   module_code=text(form, "module"))
    return RedirectResponse("/training", status_code=303)


@router.get("/incidents")
def incidents_page(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        rows = incidents.list_incidents(unit)
        choices = systems.list_systems(unit)
    return render(request, "oversight/incidents.html", identity=identity, incidents=rows,
                  systems=choices, severities=incidents.SEVERITIES,
                  can_report=incidents.REPORT_INCIDENTS.allows(identity.actor.roles))


@router.post("/incidents")
async def report_incident(request: Request, identity: StaffWriter) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        record = escalation.report_incident(
            unit, title=text(form, "title"), severity=text(form, "severity"),
            system_id=_int(text(form, "system_id")), description=text(form, "description"))
    return RedirectResponse(f"/incidents/{record['id']}", status_code=303)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = incidents.get_incident(unit, incident_id)
        people = [u.username for u in users.list_users(unit)]
    return render(request, "oversight/incident.html", identity=identity, incident=record,
                  people=people, statuses=incidents.STATUSES,
                  can_manage=incidents.MANAGE_INCIDENTS.allows(identity.actor.roles))


@router.post("/incidents/{incident_id}")
async def update_incident(request: Request, incident_id: int,
                          identity: IncidentManager) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        incidents.update_incident(unit, incident_id, status=text(form, "status") or None,
                                  remediation=text(form, "remediation"),
                                  post_incident_review=text(form, "post_incident_review"),
                                  owner=text(form, "owner") or None)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.get("/feedback")
def feedback_page(request: Request, identity: StaffReader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        rows = feedback.list_feedback(unit)
    return render(request, "oversight/feedback.html", identity=identity, items=rows,
                  can_triage=feedback.TRIAGE_FEEDBACK.allows(identity.actor.roles))


@router.post("/feedback/{feedback_id}/triage")
async def triage(request: Request, feedback_id: int, identity: Triager) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        escalation.triage_feedback(unit, feedback_id, action=text(form, "action"),
                                   note=text(form, "note"),
                                   severity=text(form, "severity") or "medium",
                                   proposed_change=text(form, "proposed_change"))
    return RedirectResponse("/feedback", status_code=303)


@router.get("/auditors")
def auditors_page(request: Request, identity: Admin) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        grants = auditors.list_grants(unit)
        people = [u.username for u in users.list_users(unit) if "auditor" in u.roles]
        choices = systems.list_systems(unit)
    return render(request, "oversight/auditors.html", identity=identity, grants=grants,
                  auditors=people, systems=choices)


@router.post("/auditors/grants")
async def grant(request: Request, identity: Admin) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        auditors.grant(unit, username=text(form, "username"),
                       system_id=_int(text(form, "system_id")) or 0,
                       days=_int(text(form, "days")) or 30)
    return RedirectResponse("/auditors", status_code=303)


@router.post("/auditors/grants/{grant_id}/revoke")
async def revoke(request: Request, grant_id: int, identity: Admin) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        auditors.revoke(unit, grant_id)
    return RedirectResponse("/auditors", status_code=303)
