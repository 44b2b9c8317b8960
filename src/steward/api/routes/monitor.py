"""Monitoring: drift checks, reference profiles, monitors and alerts.

Every path the API reads lies under the server's data directory (``STEWARD_DATA_DIR``); a path
is taken relative to it, and one that leaves it is refused (422).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.monitor import (
    AlertOut,
    DriftOut,
    DriftRequest,
    FairnessMonitorIn,
    KpiMonitorIn,
    MonitorIn,
    MonitorOut,
    ProfileRequest,
    RunOut,
)
from steward.core.roles import ANY_READER
from steward.services import alerts as alert_service
from steward.services import monitor
from steward.services import monitors as monitor_service
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/monitor", tags=["monitor"])
Reader = Annotated[Actor, allow(ANY_READER)]
Checker = Annotated[Actor, allow(monitor.RUN_CHECKS)]
Manager = Annotated[Actor, allow(monitor_service.MANAGE_MONITORS)]
Acknowledger = Annotated[Actor, allow(alert_service.ACKNOWLEDGE_ALERTS)]


@router.post("/drift", response_model=DriftOut)
def drift(body: DriftRequest, runtime: RuntimeDep, actor: Checker) -> dict[str, Any]:
    """Compare a current table with a reference table or a stored profile."""
    with runtime.unit(actor) as unit:
        return monitor.run_drift_check(unit, current=body.current, reference=body.reference,
                                       profile=body.profile, system_id=body.system_id,
                                       columns=body.columns, thresholds=body.thresholds,
                                       confine=True)


@router.get("/profiles")
def profiles(runtime: RuntimeDep, actor: Reader,
             system_id: int | None = None) -> list[dict[str, Any]]:
    """Stored reference profiles (evidence of kind ``drift_profile``), newest first."""
    with runtime.unit(actor) as unit:
        return monitor.list_profiles(unit, system_id=system_id)


@router.post("/profiles", status_code=201)
def create_profile(body: ProfileRequest, runtime: RuntimeDep, actor: Checker) -> dict[str, Any]:
    """Profile a reference table under the data directory and store it on a system."""
    with runtime.unit(actor) as unit:
        return monitor.create_profile(unit, body.reference, system_id=body.system_id,
                                      name=body.name, columns=body.columns,
                                      sample_size=body.sample_size, confine=True)


@router.get("/monitors", response_model=list[MonitorOut])
def monitors(runtime: RuntimeDep, actor: Reader,
             system_id: int | None = None) -> list[dict[str, Any]]:
    with runtime.unit(actor) as unit:
        return monitor_service.list_monitors(unit, system_id=system_id)


@router.post("/monitors", response_model=MonitorOut, status_code=201)
def add_monitor(body: MonitorIn, runtime: RuntimeDep, actor: Manager) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return monitor_service.add_drift_monitor(unit, system_id=body.system_id, name=body.name,
                                   profile=body.profile, current=body.current,
                                   columns=body.columns, thresholds=body.thresholds,
                                   every_minutes=body.every_minutes,
                                   open_incident=body.open_incident, confine=True)


@router.post("/monitors/fairness", response_model=MonitorOut, status_code=201)
def add_fairness_monitor(body: FairnessMonitorIn, runtime: RuntimeDep,
                         actor: Manager) -> dict[str, Any]:
    """Audit a decision table for fairness on a schedule; alerts on ``warn`` and ``fail``."""
    with runtime.unit(actor) as unit:
        return monitor_service.add_fairness_monitor(unit, confine=True, **body.model_dump())


@router.post("/monitors/kpi", response_model=MonitorOut, status_code=201)
def add_kpi_monitor(body: KpiMonitorIn, runtime: RuntimeDep, actor: Manager) -> dict[str, Any]:
    """Check a KPI on a schedule; alerts when it leaves its limits."""
    with runtime.unit(actor) as unit:
        return monitor_service.add_kpi_monitor(unit, **body.model_dump())


@router.post("/monitors/{monitor_id}/enable", response_model=MonitorOut)
def enable_monitor(monitor_id: int, runtime: RuntimeDep, actor: Manager) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return monitor_service.set_monitor_enabled(unit, monitor_id, True)


@router.post("/monitors/{monitor_id}/disable", response_model=MonitorOut)
def disable_monitor(monitor_id: int, runtime: RuntimeDep, actor: Manager) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return monitor_service.set_monitor_enabled(unit, monitor_id, False)


@router.delete("/monitors/{monitor_id}", status_code=204)
def remove_monitor(monitor_id: int, runtime: RuntimeDep, actor: Manager) -> None:
    with runtime.unit(actor) as unit:
        monitor_service.remove_monitor(unit, monitor_id)


@router.post("/run", response_model=list[RunOut])
def run(runtime: RuntimeDep, actor: Checker, run_all: bool = False) -> list[dict[str, Any]]:
    """Run the monitors that are due (or all, with ``run_all=true``)."""
    with runtime.unit(actor) as unit:
        return monitor_service.run_due(unit, run_all=run_all)


@router.get("/alerts", response_model=list[AlertOut])
def alerts(runtime: RuntimeDep, actor: Reader, status: str | None = None,
           system_id: int | None = None) -> list[dict[str, Any]]:
    """Alerts newest first, by status (``open``, ``acknowledged``) and system."""
    with runtime.unit(actor) as unit:
        return alert_service.list_alerts(unit, status=status, system_id=system_id)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge(alert_id: int, runtime: RuntimeDep, actor: Acknowledger) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return alert_service.acknowledge_alert(unit, alert_id)
