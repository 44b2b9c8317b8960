"""The AI system inventory: list, register, show, update, classify, retire, import, export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.systems import (
    ClassifiedSystem,
    ImportResult,
    ObligationDecision,
    ObligationOut,
    Retirement,
    SystemIn,
    SystemOut,
    SystemPatch,
    SystemSummary,
)
from steward.core.roles import ANY_READER
from steward.errors import InvalidInput
from steward.services import systems, systems_transfer
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/systems", tags=["systems"])
Reader = Annotated[Actor, allow(ANY_READER)]
Writer = Annotated[Actor, allow(systems.WRITE_SYSTEMS)]

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@router.get("", response_model=list[SystemSummary])
def list_systems(runtime: RuntimeDep, actor: Reader,
                 stage: str | None = None, tier: str | None = None, owner: str | None = None,
                 vendor: str | None = None, q: Annotated[str | None, Query(max_length=200)] = None
                 ) -> list[dict[str, Any]]:
    """Systems, filtered by stage, tier (or ``unclassified``), owner, vendor or name."""
    with runtime.unit(actor) as unit:
        return systems.list_systems(unit, stage=stage, tier=tier, owner=owner, vendor=vendor,
                                    search=q)


@router.post("", response_model=SystemOut, status_code=201)
def create_system(body: SystemIn, runtime: RuntimeDep, actor: Writer) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return systems.create_system(unit, body)


@router.get("/export", responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export(runtime: RuntimeDep, actor: Reader,
           format: Literal["csv", "json"] = "json") -> Response:  # noqa: A002
    """The whole inventory as CSV or JSON."""
    with runtime.unit(actor) as unit:
        text = systems_transfer.export_systems(unit, fmt=format)
    media = "text/csv" if format == "csv" else "application/json"
    return Response(text, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="steward-systems.{format}"'})


@router.post("/import", response_model=ImportResult,
             openapi_extra={"requestBody": {"content": {
                 "text/csv": {"schema": {"type": "string"}},
                 "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
             }, "required": True}})
async def import_systems(request: Request, runtime: RuntimeDep, actor: Writer) -> dict[str, int]:
    """Create or update systems from CSV (``text/csv``) or JSON; all rows or none."""
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput("the import is larger than 10 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the import must be UTF-8 text") from None
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    rows = (systems_transfer.parse_csv(text) if kind == "text/csv"
            else systems_transfer.parse_json(text))
    with runtime.unit(actor) as unit:
        return systems_transfer.import_systems(unit, rows)


@router.get("/{system_id}", response_model=SystemOut)
def get_system(system_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return systems.get_system(unit, system_id)


@router.patch("/{system_id}", response_model=SystemOut)
def update_system(system_id: int, body: SystemPatch, runtime: RuntimeDep,
                  actor: Writer) -> dict[str, Any]:
    """Change the fields given."""
    changes = body.model_dump(exclude_unset=True)
    expected = changes.pop("expected_version", None)
    with runtime.unit(actor) as unit:
        return systems.update_system(unit, system_id, changes, expected_version=expected)


@router.post("/{system_id}/retire", response_model=SystemOut)
def retire_system(system_id: int, body: Retirement, runtime: RuntimeDep,
                  actor: Writer) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return systems.retire_system(unit, system_id, reason=body.reason)


@router.post("/{system_id}/classification", response_model=ClassifiedSystem)
def classify_system(system_id: int, runtime: RuntimeDep, actor: Writer,
                    answers: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Classify the system from questionnaire answers; its obligations follow the result."""
    with runtime.unit(actor) as unit:
        return systems.classify_system(unit, system_id, answers)


@router.get("/{system_id}/obligations", response_model=list[ObligationOut])
def obligations(system_id: int, runtime: RuntimeDep, actor: Reader) -> list[dict[str, Any]]:
    with runtime.unit(actor) as unit:
        return systems.get_system(unit, system_id)["obligations"]


@router.patch("/{system_id}/obligations/{obligation_id}", response_model=ObligationOut)
def decide_obligation(system_id: int, obligation_id: str, body: ObligationDecision,
                      runtime: RuntimeDep, actor: Writer) -> dict[str, Any]:
    """Mark met (with evidence), waive (legal, privacy or committee, with a reason), or reopen."""
    with runtime.unit(actor) as unit:
        return systems.decide_obligation(unit, system_id, obligation_id, status=body.status,
                                         reason=body.reason, evidence_link=body.evidence_link,
                                         due_date=body.due_date)
