"""Pages for the policy, the review queue and moving systems through their gates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.roles import ANY_READER
from steward.errors import StewardError
from steward.services import content, gates, policy
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
PolicyManager = Annotated[WebIdentity, page(policy.MANAGE_POLICY)]
Staff = Annotated[WebIdentity, page(gates.REQUEST_GATE)]


@router.get("/policy")
def policy_page(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        versions = policy.list_versions(unit)
        force = policy.in_force(unit)
        status = policy.attestation_status(unit)
    mine = any(a["username"] == identity.actor.name for a in status["attested"])
    must = any(m["username"] == identity.actor.name for m in status["missing"])
    return render(request, "governance/policy.html", identity=identity, versions=versions,
                  in_force=force, pack=force.pack, status=status, attested=mine,
                  must_attest=must, can_manage=policy.MANAGE_POLICY.allows(identity.actor.roles))


@router.get("/policy/{version}")
def policy_version_page(request: Request, version: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = policy.get_version(unit, version)
        previous = max((v["version"] for v in policy.list_versions(unit)
                        if v["version"] < version), default=policy.DEFAULT_VERSION)
        diff = policy.diff_versions(unit, previous, version)
    return render(request, "governance/policy_version.html", identity=identity, record=record,
                  diff=diff, error=None,
                  can_manage=policy.MANAGE_POLICY.allows(identity.actor.roles))


@router.post("/policy/drafts")
async def new_draft(request: Request, identity: PolicyManager) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = policy.create_draft(unit)
    return RedirectResponse(f"/policy/{record['version']}", status_code=303)


@router.post("/policy/{version}/edit")
async def edit_draft(request: Request, version: int, identity: PolicyManager) -> Response:
    document = text(await request.form(), "document")
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            policy.update_draft(unit, version, document=document + "\n")
    except StewardError as exc:
        with get_runtime(request).unit(identity.actor) as unit:
            record = policy.get_version(unit, version)
            diff = policy.diff_versions(unit, policy.DEFAULT_VERSION, version)
        return render(request, "governance/policy_version.html", identity=identity,
                      record={**record, "document": document}, diff=diff, error=exc.message,
                      can_manage=True, status_code=exc.status)
    return RedirectResponse(f"/policy/{version}", status_code=303)


@router.post("/policy/{version}/publish")
async def publish(request: Request, version: int, identity: PolicyManager) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        policy.publish(unit, version)
    return RedirectResponse(f"/policy/{version}", status_code=303)


@router.post("/policy/attest")
async def attest(request: Request, identity: Staff) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        policy.attest(unit)
    return RedirectResponse("/policy", status_code=303)


@router.get("/reviews")
def reviews_page(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        queue = gates.queue(unit)
        checks = {r["id"]: gates.check(unit, r["system_id"], to=r["to"]).to_dict()
                  for r in queue}
        waiting_content = content.list_items(unit, status="pending_review")
    return render(request, "governance/reviews.html", identity=identity, queue=queue,
                  checks=checks, content_items=waiting_content,
                  roles=sorted(str(r) for r in identity.actor.roles))


@router.post("/reviews/{review_id}/decide")
async def decide(request: Request, review_id: int, identity: Staff) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        record = gates.decide(unit, review_id, decision=text(form, "decision"),
                              role=text(form, "role") or None, comment=text(form, "comment"))
    target = text(form, "back") or f"/systems/{record['system_id']}#lifecycle"
    return RedirectResponse(target if target.startswith("/") else "/reviews", status_code=303)


@router.post("/systems/{system_id}/reviews")
async def request_review(request: Request, system_id: int, identity: Staff) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        gates.request_review(unit, system_id, to=text(form, "to"), note=text(form, "note"))
    return RedirectResponse(f"/systems/{system_id}#lifecycle", status_code=303)


@router.post("/systems/{system_id}/move")
async def move(request: Request, system_id: int, identity: Staff) -> Response:
    form = await request.form()
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            gates.move(unit, system_id, to=text(form, "to"), reason=text(form, "reason"))
    except gates.GateRefused:
        return RedirectResponse(f"/systems/{system_id}?refused={text(form, 'to')}#lifecycle",
                                status_code=303)
    return RedirectResponse(f"/systems/{system_id}#lifecycle", status_code=303)
