"""Governance reports (HTML or PDF) and evidence packs (zip) for download."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from steward.api.deps import RuntimeDep, allow
from steward.core.roles import ANY_READER
from steward.services import evidence_packs, reporting
from steward.services.runtime import Actor

router = APIRouter(tags=["reports"])
Reader = Annotated[Actor, allow(ANY_READER)]
Exporter = Annotated[Actor, allow(evidence_packs.EXPORT_PACKS)]
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _report(runtime: RuntimeDep, actor: Actor, target: str, fmt: str) -> Response:
    with runtime.unit(actor) as unit:
        body = reporting.render(unit, target, fmt)
    name = f"steward-report-{target}.{fmt}"
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/api/v1/reports/portfolio", response_class=Response)
def portfolio_report(runtime: RuntimeDep, actor: Reader,
                     format: Literal["html", "pdf"] = "html") -> Response:  # noqa: A002
    """The portfolio report for the governance committee."""
    return _report(runtime, actor, "portfolio", format)


@router.get("/api/v1/reports/{system_id}", response_class=Response)
def system_report(system_id: int, runtime: RuntimeDep, actor: Reader,
                  format: Literal["html", "pdf"] = "html") -> Response:  # noqa: A002
    """One system's report: scorecard, record of processing, obligations, audits, incidents."""
    return _report(runtime, actor, str(system_id), format)


@router.get("/api/v1/evidence-packs/{system_id}", response_class=Response)
def evidence_pack(system_id: int, runtime: RuntimeDep, actor: Exporter,
                  pdf: bool = False) -> Response:
    """A system's evidence pack (zip): reports, evidence, audit extract, manifest."""
    with runtime.unit(actor) as unit:
        body = evidence_packs.export_pack(unit, system_id, with_pdf=pdf)
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="steward-evidence-{system_id}.zip"'})
