"""Reports: the list, each report (HTML or PDF) and each system's evidence pack for download."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.core.roles import ANY_READER
from steward.services import audits, evidence_packs, reporting
from steward.services.reports.governance import governance_style_source
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import csp_with_styles, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Exporter = Annotated[WebIdentity, page(evidence_packs.EXPORT_PACKS)]


@router.get("/reports")
def reports_page(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        names = audits.system_names(unit)
    return render(request, "reports/index.html", identity=identity, systems=names,
                  can_export=evidence_packs.EXPORT_PACKS.allows(identity.actor.roles))


@router.get("/reports/{target}")
def report(request: Request, target: str, identity: Reader,
           format: Literal["html", "pdf"] = "html") -> Response:  # noqa: A002
    """``target`` is a system id or ``portfolio``; the HTML is the printable document."""
    with get_runtime(request).unit(identity.actor) as unit:
        body = reporting.render(unit, target, format)
    if format == "pdf":
        return Response(body, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="steward-report-{target}.pdf"'})
    csp = csp_with_styles(governance_style_source())
    return Response(body, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": csp})


@router.get("/systems/{system_id}/evidence-pack")
def evidence_pack(request: Request, system_id: int, identity: Exporter) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        body = evidence_packs.export_pack(unit, system_id)
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="steward-evidence-{system_id}.zip"'})
