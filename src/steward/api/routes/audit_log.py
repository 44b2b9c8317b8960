"""The audit log: pages of entries, JSON Lines export and chain verification."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.audit_log import AuditPage, VerificationOut
from steward.core.roles import Role, read_access
from steward.services import audit_log
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/audit-log", tags=["audit log"])
Reader = Annotated[Actor, allow(read_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.IT,
                                            Role.AUDITOR))]


@router.get("", response_model=AuditPage)
def entries(runtime: RuntimeDep, actor: Reader,
            limit: Annotated[int, Query(ge=1, le=500)] = 50,
            offset: Annotated[int, Query(ge=0)] = 0) -> dict:
    """Entries, newest first."""
    with runtime.unit(actor) as unit:
        items, total = audit_log.recent(unit, limit=limit, offset=offset)
    return {"total": total, "items": items}


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def export(runtime: RuntimeDep, actor: Reader,
           since: Annotated[str | None, Query(description="ISO date or date-time")] = None
           ) -> StreamingResponse:
    """JSON Lines, one entry per line, oldest first."""
    with runtime.unit(actor) as unit:
        lines = [json.dumps(r, sort_keys=True) + "\n" for r in audit_log.export(unit, since=since)]

    def body() -> Iterator[str]:
        yield from lines

    return StreamingResponse(body(), media_type="application/x-ndjson")


@router.get("/verify", response_model=VerificationOut)
def verify(runtime: RuntimeDep, actor: Reader) -> dict:
    """Check the whole hash chain."""
    with runtime.unit(actor) as unit:
        return audit_log.verify(unit).to_dict()
