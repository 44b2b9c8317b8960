"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from steward.api.deps import RuntimeDep, allow
from steward.api.errors import problem
from steward.core.roles import PUBLIC
from steward.services import database

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[allow(PUBLIC)])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[allow(PUBLIC)], responses={503: {"description": "not ready"}})
def readyz(runtime: RuntimeDep):  # type: ignore[no-untyped-def]
    """The database answers and its schema is current."""
    if database.ready(runtime):
        return {"status": "ready"}
    return problem(503, "database unreachable or schema not current", title="Not ready")
