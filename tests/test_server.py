"""The composition root: the API with the dashboard, and the monitor scheduler it may run."""

from __future__ import annotations

import time
from datetime import date

from fastapi.testclient import TestClient

from steward.server import create_app
from steward.services import alerts, kpis, monitors, systems, users
from steward.services.runtime import Actor, Runtime


def test_the_app_runs_due_monitors_while_it_serves(settings, runtime: Runtime,  # type: ignore[no-untyped-def]
                                                   operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Scorer", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
        kpis.ingest(unit, [{"date": date.today().isoformat(), "system": sid,
                            "metric": "complaints", "value": 50}])
        monitors.add_kpi_monitor(unit, system_id=sid, name="complaints", metric="complaints")
    app = create_app(settings.model_copy(update={"monitor_interval": 0.05}), runtime=runtime)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 30
        while not app.state.scheduler.runs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.state.scheduler.runs[0]["status"] == "fail"
    assert app.state.scheduler._thread is None  # stopped with the app
    with runtime.unit(operator) as unit:
        assert [a["kind"] for a in alerts.list_alerts(unit)] == ["kpi"]


def test_without_an_interval_no_scheduler_starts(settings, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings, runtime=runtime)
    with TestClient(app):
        assert not hasattr(app.state, "scheduler")
