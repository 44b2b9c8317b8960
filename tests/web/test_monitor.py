"""The /monitor page: alerts with acknowledge, monitors, drift trend data for the chart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from steward.services import monitor, monitors, systems
from steward.services.runtime import Actor, Runtime


def _seed(runtime: Runtime, folder: Path) -> int:
    rng = np.random.default_rng(4)
    folder.mkdir(parents=True, exist_ok=True)
    for name, shift in (("ref", 0), ("cur", 1)):
        pq.write_table(pa.table({"x": rng.normal(10 * shift, 1, 2000),
                                 "c": rng.choice(np.array(["a", "b"]), 2000)}),
                       folder / f"{name}.parquet")
    with runtime.unit(Actor.operator("t")) as unit:
        sid = systems.create_system(unit, {"name": "Lead scorer", "purpose": "p",
                                           "owner": "dan", "ai_kinds": ["predictive_model"]})["id"]
        monitor.create_profile(unit, str(folder / "ref.parquet"), system_id=sid, name="base")
        monitors.add_drift_monitor(unit, system_id=sid, name="nightly", profile="base",
                            current=str(folder / "cur.parquet"))
        monitors.run_due(unit)
    return sid


def test_monitor_page_shows_alerts_trend_and_acknowledges(  # type: ignore[no-untyped-def]
        client, web_login, runtime, settings) -> None:
    csrf = web_login("dan", "data_science")
    sid = _seed(runtime, settings.data_dir / "t")
    page = client.get("/monitor")
    assert page.status_code == 200
    html = page.text
    assert 'href="/monitor" aria-current="page"' in html
    assert "Lead scorer" in html and "nightly" in html and "Acknowledge" in html
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in html
    assert re.search(r"<script>(?!</script>)", html) is None  # no inline script (CSP)
    data = re.search(r'<script type="application/json" id="drift-trend-data">(.*?)</script>',
                     html, re.S)
    assert data is not None
    chart = json.loads(data.group(1))
    assert chart[0]["system_id"] == sid and chart[0]["drift_share"] == [0.5]
    assert set(chart[0]["psi"]) == {"x", "c"}
    alert_id = re.search(r'/monitor/alerts/(\d+)/acknowledge', html).group(1)
    refused = client.post(f"/monitor/alerts/{alert_id}/acknowledge", data={},
                          follow_redirects=False)
    assert refused.status_code == 403
    done = client.post(f"/monitor/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "No open alerts." in client.get("/monitor").text


def test_static_assets_are_served(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/static/monitor.js").status_code == 200
    plotly = client.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200 and b"plotly.js v4" in plotly.content[:200]


def test_auditor_sees_the_page_without_acknowledge(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("audrey", "auditor")
    page = client.get("/monitor")
    assert page.status_code == 200 and "No monitors." in page.text
