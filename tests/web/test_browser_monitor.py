"""Real Chromium: /monitor draws the drift, fairness and KPI trend charts offline, and a person
acknowledges an alert, with no console error and no request leaving the app."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.services import kpis, monitor, monitors, systems, users
from steward.services.runtime import Actor, Runtime

from .conftest import sign_in

pytestmark = pytest.mark.browser


def seed(runtime: Runtime, operator: Actor) -> int:
    folder = runtime.settings.data_dir / "m"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    for name, shift in (("ref", 0.0), ("cur", 2.0)):
        pq.write_table(pa.table({"x": rng.normal(shift, 1, 2000)}), folder / f"{name}.parquet")
    group = rng.choice(np.array(["a", "b"]), 3000)
    pq.write_table(pa.table({"group": group, "offered": (group == "a").astype(np.int8)}),
                   folder / "decisions.parquet")
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Scorer", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
        kpis.ingest(unit, [{"date": (date.today() - timedelta(days=1)).isoformat(),
                            "system": sid, "metric": "complaints", "value": 30}])
        monitor.create_profile(unit, str(folder / "ref.parquet"), system_id=sid, name="base")
        monitors.add_drift_monitor(unit, system_id=sid, name="drift", profile="base",
                                   current=str(folder / "cur.parquet"))
        monitors.add_fairness_monitor(unit, system_id=sid, name="fairness",
                                      source=str(folder / "decisions.parquet"),
                                      groups=["group"], decision="offered")
        monitors.add_kpi_monitor(unit, system_id=sid, name="complaints", metric="complaints")
        monitors.run_due(unit)
    return sid


def test_monitor_page_draws_every_trend_and_acknowledges(page, make_person, runtime,  # type: ignore[no-untyped-def]
                                                         operator) -> None:
    sid = seed(runtime, operator)
    person = make_person("dora", "data_science")
    sign_in(page, "dora", person.password)
    page.goto("/monitor")
    page.wait_for_selector(f"#drift-chart-{sid}.js-plotly-plot")
    page.wait_for_selector(f"#fairness-chart-{sid}.js-plotly-plot")
    page.wait_for_selector(f"#kpi-chart-{sid}-complaints.js-plotly-plot")
    assert page.locator(f"#kpi-chart-{sid}-complaints .shapelayer path").count() == 1  # limit
    assert page.locator("#alerts tbody tr").count() == 3
    assert "fairness" in page.inner_text("#monitors") and "complaints" in page.inner_text(
        "#monitors")
    page.locator("#alerts form button").first.click()
    page.wait_for_url("**/monitor")
    assert page.locator("#alerts tbody tr").count() == 2
