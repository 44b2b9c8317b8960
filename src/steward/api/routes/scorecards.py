"""KPIs and balanced scorecards.

``POST /api/v1/kpis`` takes figures as JSON; ``POST /api/v1/kpis/import`` takes a CSV file
(``Content-Type: text/csv``) or JSON Lines (``application/x-ndjson``) as the request body.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.scorecards import IngestOut, KpiBatch
from steward.core.roles import ANY_READER
from steward.errors import InvalidInput
from steward.services import kpis, scorecards
from steward.services.runtime import Actor

router = APIRouter(tags=["scorecards"])
Reader = Annotated[Actor, allow(ANY_READER)]
Ingester = Annotated[Actor, allow(kpis.INGEST_KPIS)]
MAX_IMPORT_BYTES = 50 * 1024 * 1024


@router.post("/api/v1/kpis", response_model=IngestOut, status_code=201)
def ingest(body: KpiBatch, runtime: RuntimeDep, actor: Ingester) -> dict[str, Any]:
    """Store KPI figures; the same system, campaign, metric and date replaces the value."""
    with runtime.unit(actor) as unit:
        return kpis.ingest(unit, [f.model_dump() for f in body.figures], source=body.source)


@router.post("/api/v1/kpis/import", response_model=IngestOut, status_code=201)
async def import_file(request: Request, runtime: RuntimeDep, actor: Ingester,
                      source: str = "api-import") -> dict[str, Any]:
    """Store figures from a CSV (``text/csv``) or JSON Lines (``application/x-ndjson``) body."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput("the body is larger than 50 MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the body must be UTF-8 text") from None
    if kind == "text/csv":
        rows = kpis.parse_csv(text)
    elif kind in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        rows = kpis.parse_jsonl(text)
    else:
        raise InvalidInput("send text/csv or application/x-ndjson")
    with runtime.unit(actor) as unit:
        return kpis.ingest(unit, rows, source=source)


@router.get("/api/v1/kpis")
def list_figures(runtime: RuntimeDep, actor: Reader, system_id: int | None = None,
                 metric: str | None = None, campaign: str | None = None,
                 since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
    """KPI figures, oldest first (an external auditor sees only granted systems)."""
    with runtime.unit(actor) as unit:
        return kpis.list_kpis(unit, system_id=system_id, metric=metric, campaign=campaign,
                              since=since, until=until)


@router.get("/api/v1/scorecards/portfolio")
def portfolio(runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    """The portfolio's scorecard and each system's scores."""
    with runtime.unit(actor) as unit:
        return scorecards.portfolio_scorecard(unit)


@router.get("/api/v1/scorecards/{system_id}")
def system_scorecard(system_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    """One system's balanced scorecard: measures with targets, trends, statuses and scores."""
    with runtime.unit(actor) as unit:
        return scorecards.system_scorecard(unit, system_id)
