"""Inventory pages: list, register, show, edit, classify (guided questionnaire), retire."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.lifecycle import Stage
from steward.core.roles import ANY_READER
from steward.core.systems import AIKind, Channel, Hosting
from steward.core.taxonomy import data_categories, data_uses
from steward.errors import StewardError
from steward.services import evidence, gates, risk, systems, systems_transfer, users
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import answers_document, system_document, text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Writer = Annotated[WebIdentity, page(systems.WRITE_SYSTEMS)]


def _choices(request: Request, identity: WebIdentity) -> dict[str, Any]:
    with get_runtime(request).unit(identity.actor) as unit:
        people = [u.username for u in users.list_users(unit) if u.roles != ["auditor"]]
    return {
        "stages": [s.value for s in Stage if s is not Stage.RETIRED],
        "kinds": [k.value for k in AIKind], "channels": [c.value for c in Channel],
        "hostings": [h.value for h in Hosting], "people": people,
        "categories": list(data_categories().values()), "uses": list(data_uses().values()),
    }


@router.get("/systems")
def systems_page(request: Request, identity: Reader,
                 stage: str | None = None, tier: str | None = None,
                 owner: str | None = None, vendor: str | None = None,
                 q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    filters = {"stage": stage or None, "tier": tier or None, "owner": owner or None,
               "vendor": vendor or None, "search": q or None}
    with get_runtime(request).unit(identity.actor) as unit:
        rows = systems.list_systems(unit, **filters)
    return render(request, "systems/list.html", identity=identity, systems=rows,
                  filters=filters, stages=[s.value for s in Stage], tiers=systems.TIERS,
                  can_write=systems.WRITE_SYSTEMS.allows(identity.actor.roles))


@router.get("/systems/export")
def export_page(request: Request, identity: Reader, format: str = "csv") -> Response:  # noqa: A002
    with get_runtime(request).unit(identity.actor) as unit:
        body = systems_transfer.export_systems(unit, fmt=format)
    media = "text/csv" if format == "csv" else "application/json"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="steward-systems.{format}"'})


@router.get("/systems/new")
def new_system_page(request: Request, identity: Writer) -> Response:
    return render(request, "systems/form.html", identity=identity, system=None,
                  values={"owner": identity.actor.name, "jurisdictions": ["EU"]}, error=None,
                  **_choices(request, identity))


@router.post("/systems/new")
async def create_system(request: Request, identity: Writer) -> Response:
    document = system_document(await request.form())
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            record = systems.create_system(unit, document)
    except StewardError as exc:
        return render(request, "systems/form.html", identity=identity, system=None,
                      values=document, error=exc.message, status_code=exc.status,
                      **_choices(request, identity))
    return RedirectResponse(f"/systems/{record['id']}/classify", status_code=303)


@router.get("/systems/{system_id}")
def system_page(request: Request, system_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = systems.get_system(unit, system_id)
        answers = systems.risk_answers(unit, system_id)
        stored = systems.stored_classification(unit, system_id)
        stage = gates.lifecycle(unit, system_id)
        items = evidence.list_evidence(unit, system_id=system_id, limit=20)
    return render(request, "systems/detail.html", identity=identity, system=record,
                  answers=answers, classification=stored, lifecycle=stage, evidence=items,
                  refused=request.query_params.get("refused"),
                  can_move=gates.REQUEST_GATE.allows(identity.actor.roles),
                  can_suspend=gates.SUSPEND_SYSTEMS.allows(identity.actor.roles),
                  roles=sorted(r.value for r in identity.actor.roles),
                  can_write=systems.WRITE_SYSTEMS.allows(identity.actor.roles),
                  can_decide=systems.DECIDE_OBLIGATIONS.allows(identity.actor.roles))


@router.get("/systems/{system_id}/edit")
def edit_system_page(request: Request, system_id: int, identity: Writer) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = systems.get_system(unit, system_id)
    return render(request, "systems/form.html", identity=identity, system=record, values=record,
                  error=None, **_choices(request, identity))


@router.post("/systems/{system_id}/edit")
async def edit_system(request: Request, system_id: int, identity: Writer) -> Response:
    document = system_document(await request.form())
    document.pop("stage", None)
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            systems.update_system(unit, system_id, document)
    except StewardError as exc:
        with get_runtime(request).unit(identity.actor) as unit:
            record = systems.get_system(unit, system_id)
        return render(request, "systems/form.html", identity=identity, system=record,
                      values=document, error=exc.message, status_code=exc.status,
                      **_choices(request, identity))
    return RedirectResponse(f"/systems/{system_id}", status_code=303)


@router.get("/systems/{system_id}/classify")
def classify_page(request: Request, system_id: int, identity: Writer) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = systems.get_system(unit, system_id)
        answers = systems.suggested_answers(unit, system_id)
    return render(request, "systems/classify.html", identity=identity, system=record,
                  questions=risk.question_list(), answers=answers, error=None)


@router.post("/systems/{system_id}/classify")
async def classify_system(request: Request, system_id: int, identity: Writer) -> Response:
    questions = risk.question_list()
    answers = answers_document(await request.form(), questions)
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            systems.classify_system(unit, system_id, answers)
    except StewardError as exc:
        with get_runtime(request).unit(identity.actor) as unit:
            record = systems.get_system(unit, system_id)
        return render(request, "systems/classify.html", identity=identity, system=record,
                      questions=questions, answers=answers, error=exc.message,
                      status_code=exc.status)
    return RedirectResponse(f"/systems/{system_id}#classification", status_code=303)


@router.post("/systems/{system_id}/retire")
async def retire_system(request: Request, system_id: int, identity: Writer) -> Response:
    reason = text(await request.form(), "reason")
    with get_runtime(request).unit(identity.actor) as unit:
        systems.retire_system(unit, system_id, reason=reason)
    return RedirectResponse(f"/systems/{system_id}", status_code=303)


@router.post("/systems/{system_id}/obligations/{obligation_id}")
async def decide_obligation(request: Request, system_id: int, obligation_id: str,
                            identity: Writer) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        systems.decide_obligation(unit, system_id, obligation_id, status=text(form, "status"),
                                  reason=text(form, "reason") or None,
                                  evidence_link=text(form, "evidence_link") or None)
    return RedirectResponse(f"/systems/{system_id}#obligations", status_code=303)
