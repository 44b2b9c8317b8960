"""The home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.core.roles import ANY_READER
from steward.services import home
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render
from steward.web.routes.scorecards import measure_charts, view_measures

router = APIRouter(include_in_schema=False)


@router.get("/")
def home_page(request: Request, identity: Annotated[WebIdentity, page(ANY_READER)]) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        overview = home.overview(unit)
    portfolio = overview.sections.get("portfolio") or {}
    card = portfolio.get("scorecard") or {"measures": [], "by_stage": {}, "by_tier": {}}
    charts = [{"id": f"chart-{name}", "kind": "bar", "title": title, "x": list(counts),
               "y": list(counts.values())}
              for name, title, counts in (("stage", "AI systems by stage", card["by_stage"]),
                                          ("tier", "AI systems by risk tier", card["by_tier"]))
              if counts]
    charts += measure_charts(card["measures"], prefix="chart")
    return render(request, "home.html", identity=identity, overview=overview,
                  measures=view_measures(card["measures"]), charts=charts)
