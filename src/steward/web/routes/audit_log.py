"""The audit-log page: entries newest first, with the chain's verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from steward.services import audit_log
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/audit-log")
def audit_log_page(
    request: Request,
    identity: Annotated[WebIdentity, page(audit_log.READ_AUDIT)],
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        entries, total = audit_log.recent(unit, limit=PAGE_SIZE,
                                          offset=(page_number - 1) * PAGE_SIZE)
        verification = audit_log.verify(unit)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "audit_log.html", identity=identity, entries=entries, total=total,
                  page=page_number, pages=pages, verification=verification)
