"""Consent page: coverage per purpose and jurisdiction, over time (Plotly, offline), the
purposes, and a lookup of one person's current consent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.errors import InvalidInput
from steward.services import consent, consent_audience
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(consent.READ_CONSENT)]


@router.get("/consent")
def consent_page(request: Request, identity: Reader, subject: str | None = None) -> Response:
    person, error = None, None
    with get_runtime(request).unit(identity.actor) as unit:
        data = consent_audience.coverage(unit)
        if subject:
            try:
                person = consent.lookup(unit, subject)
            except InvalidInput as exc:
                error = exc.message
    chart: dict[str, dict[str, dict[str, list]]] = {}
    for point in data["series"]:
        line = chart.setdefault(point["purpose"], {}).setdefault(
            point["jurisdiction"], {"month": [], "coverage": [], "people": []})
        line["month"].append(point["month"])
        line["coverage"].append(point["coverage"])
        line["people"].append(point["people"])
    return render(request, "consent/index.html", identity=identity, data=data, chart=chart,
                  person=person, subject=subject or "", error=error)
