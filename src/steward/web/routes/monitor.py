"""Monitoring page: open alerts, monitors, and each system's drift, fairness and KPI checks over
time (Plotly, offline)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.roles import ANY_READER
from steward.services import alerts as alert_service
from steward.services import monitor
from steward.services import monitors as monitor_service
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Acknowledger = Annotated[WebIdentity, page(alert_service.ACKNOWLEDGE_ALERTS)]


@router.get("/monitor")
def monitor_page(request: Request, identity: Reader, system_id: int | None = None) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        alerts = alert_service.list_alerts(unit, system_id=system_id, limit=100)
        monitors = monitor_service.list_monitors(unit, system_id=system_id)
        trends = monitor.drift_trends(unit, system_id=system_id)
        checks = monitor_service.check_trends(unit, system_id=system_id)
    chart = [{"system": s["system"], "system_id": s["system_id"],
              "at": [p["at"] for p in s["points"]],
              "drift_share": [p["drift_share"] for p in s["points"]],
              "psi": {c: [p["psi"].get(c) for p in s["points"]]
                      for c in sorted({c for p in s["points"] for c in p["psi"]})}}
             for s in trends]
    check_chart = [{"system_id": s["system_id"],
                    "fairness": {"at": [p["at"] for p in s["fairness"]],
                                 "worst": {c: [p["worst"].get(c) for p in s["fairness"]]
                                           for c in sorted({c for p in s["fairness"]
                                                            for c in p["worst"]})}},
                    "kpis": {m: {"at": [p["at"] for p in points],
                                 "value": [p["value"] for p in points],
                                 "minimum": points[-1]["minimum"],
                                 "maximum": points[-1]["maximum"]}
                             for m, points in s["kpis"].items()}}
                   for s in checks]
    return render(request, "monitor/index.html", identity=identity, alerts=alerts,
                  open_alerts=[a for a in alerts if a["status"] == "open"],
                  monitors=monitors, trends=trends, chart=chart, checks=checks,
                  check_chart=check_chart, system_id=system_id,
                  can_ack=alert_service.ACKNOWLEDGE_ALERTS.allows(identity.actor.roles))


@router.post("/monitor/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: int, identity: Acknowledger) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        alert_service.acknowledge_alert(unit, alert_id)
    return RedirectResponse("/monitor", status_code=303)
