"""Policy versions and attestations, gate checks, reviews and moves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.governance import (
    GateCheckOut,
    MoveIn,
    PolicyDocumentIn,
    PolicyDraftIn,
    PolicyVersionOut,
    Record,
    ReviewDecisionIn,
    ReviewRequestIn,
)
from steward.core.roles import ANY_READER, Access
from steward.services import gates, policy
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1", tags=["governance"])
Reader = Annotated[Actor, allow(ANY_READER)]
PolicyManager = Annotated[Actor, allow(policy.MANAGE_POLICY)]
Staff = Annotated[Actor, allow(gates.REQUEST_GATE)]
Attester = Annotated[Actor, allow(Access(roles=gates.REQUEST_GATE.roles, write=True))]


@router.get("/policy/versions", response_model=list[PolicyVersionOut])
def policy_versions(runtime: RuntimeDep, actor: Reader) -> list[Record]:
    with runtime.unit(actor) as unit:
        return policy.list_versions(unit)


@router.post("/policy/versions", response_model=PolicyVersionOut, status_code=201)
def draft_policy(body: PolicyDraftIn, runtime: RuntimeDep, actor: PolicyManager) -> Record:
    """A new draft version (a copy of the version in force unless a document is given)."""
    with runtime.unit(actor) as unit:
        return policy.create_draft(unit, document=body.document)


@router.get("/policy/versions/{version}")
def policy_version(version: int, runtime: RuntimeDep, actor: Reader) -> Record:
    with runtime.unit(actor) as unit:
        return policy.get_version(unit, version)


@router.put("/policy/versions/{version}", response_model=PolicyVersionOut)
def edit_policy(version: int, body: PolicyDocumentIn, runtime: RuntimeDep,
                actor: PolicyManager) -> Record:
    with runtime.unit(actor) as unit:
        return policy.update_draft(unit, version, document=body.document)


@router.post("/policy/versions/{version}/publish")
def publish_policy(version: int, runtime: RuntimeDep, actor: PolicyManager) -> Record:
    """Publish a draft: it comes into force; the response carries the diff and changelog."""
    with runtime.unit(actor) as unit:
        return policy.publish(unit, version)


@router.get("/policy/diff")
def policy_diff(old: int, new: int, runtime: RuntimeDep, actor: Reader) -> Record:
    with runtime.unit(actor) as unit:
        return policy.diff_versions(unit, old, new)


@router.post("/policy/attestations")
def attest(runtime: RuntimeDep, actor: Attester, version: int | None = None) -> Record:
    """Attest that you read the version in force (or the version given)."""
    with runtime.unit(actor) as unit:
        return policy.attest(unit, version)


@router.get("/policy/attestations")
def attestations(runtime: RuntimeDep, actor: Reader, version: int | None = None) -> Record:
    """Who must attest, who has, and who has not."""
    with runtime.unit(actor) as unit:
        return policy.attestation_status(unit, version)


@router.get("/systems/{system_id}/gate", response_model=GateCheckOut)
def gate_check(system_id: int, to: str, runtime: RuntimeDep, actor: Reader) -> Record:
    """Whether the system may move to a stage now, and what is missing (for pipelines)."""
    with runtime.unit(actor) as unit:
        return gates.check(unit, system_id, to=to).to_dict()


@router.post("/systems/{system_id}/move")
def move(system_id: int, body: MoveIn, runtime: RuntimeDep, actor: Staff) -> Record:
    """Move through the gate; 409 with ``missing`` when refused."""
    with runtime.unit(actor) as unit:
        return gates.move(unit, system_id, to=body.to, reason=body.reason)


@router.post("/systems/{system_id}/reviews", status_code=201)
def request_review(system_id: int, body: ReviewRequestIn, runtime: RuntimeDep,
                   actor: Staff) -> Record:
    with runtime.unit(actor) as unit:
        return gates.request_review(unit, system_id, to=body.to, note=body.note,
                                    due_on=body.due_on)


@router.get("/reviews")
def review_queue(runtime: RuntimeDep, actor: Reader, include_closed: bool = False
                 ) -> list[dict[str, Any]]:
    with runtime.unit(actor) as unit:
        return gates.queue(unit, include_closed=include_closed)


@router.get("/reviews/{review_id}")
def review(review_id: int, runtime: RuntimeDep, actor: Reader) -> Record:
    with runtime.unit(actor) as unit:
        return gates.get_review(unit, review_id)


@router.post("/reviews/{review_id}/decisions")
def decide(review_id: int, body: ReviewDecisionIn, runtime: RuntimeDep, actor: Staff) -> Record:
    """Approve, reject or request changes, in one of your roles (never on your own system)."""
    with runtime.unit(actor) as unit:
        return gates.decide(unit, review_id, decision=body.decision, role=body.role,
                            comment=body.comment)
