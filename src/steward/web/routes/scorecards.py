"""A system's scorecard page, and the chart data the dashboard and scorecard pages share.

Charts are drawn by ``/static/scorecards.js`` with the vendored Plotly from the page's
``<script type="application/json" id="scorecard-charts">`` block (no inline script: CSP).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.core.roles import ANY_READER
from steward.services import evidence_packs, reporting, scorecards
from steward.services.reports.governance import STATUS_LABEL, TREND_ARROW, format_value
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]


def measure_charts(measures: list[dict[str, Any]], *, prefix: str) -> list[dict[str, Any]]:
    """A line chart per measure with at least two months of history."""
    out = []
    for m in measures:
        history = m.get("history") or []
        if len(history) < 2:
            continue
        target = m.get("target") or {}
        out.append({"id": f"{prefix}-{m['key'].replace('.', '-')}", "kind": "line",
                    "title": m["label"], "x": [p["period"] for p in history],
                    "y": [p["value"] for p in history], "green": target.get("green"),
                    "red": target.get("red"), "status": m["status"]})
    return out


def view_measures(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Measures with their value, status and trend written for people."""
    return [{**m, "shown": format_value(m["value"], m["unit"]),
             "status_label": STATUS_LABEL.get(m["status"], m["status"]),
             "trend_label": TREND_ARROW.get(m["trend"], "") if m["trend"] else ""}
            for m in measures]


@router.get("/systems/{system_id}/scorecard")
def scorecard_page(request: Request, system_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        card = scorecards.system_scorecard(unit, system_id)
        history = reporting.system_document(unit, system_id)["history"]
    return render(request, "scorecards/system.html", identity=identity, card=card,
                  measures=view_measures(card["measures"]),
                  charts=measure_charts(card["measures"], prefix="chart"),
                  history=list(reversed(history or []))[:50],
                  can_export=evidence_packs.EXPORT_PACKS.allows(identity.actor.roles))
