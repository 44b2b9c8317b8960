"""Monitoring API: drift checks confined to the data directory, profiles, monitors, alerts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SYSTEM = {"name": "Offer model", "purpose": "card offers", "owner": "dan",
          "ai_kinds": ["predictive_model"]}


def write(path: Path, *, shift: float, seed: int, n: int = 3000) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"spend": rng.normal(100 + 10 * shift, 20, n),
                             "age": rng.normal(40 + 5 * shift, 10, n),
                             "region": rng.choice(np.array(["n", "s"]), n)}), path)


def test_drift_profiles_monitors_and_alerts(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan", "data_science")
    audrey = make_person("audrey", "auditor")
    write(settings.data_dir / "tables" / "ref.parquet", shift=0, seed=1)
    write(settings.data_dir / "tables" / "cur.parquet", shift=1, seed=2)
    sid = client.post("/api/v1/systems", headers=dan.headers, json=SYSTEM).json()["id"]

    direct = client.post("/api/v1/monitor/drift", headers=dan.headers, json={
        "reference": "tables/ref.parquet", "current": "tables/cur.parquet"})
    assert direct.status_code == 200, direct.text
    body = direct.json()
    assert body["dataset_drift"] is True and body["drifted_columns"] == ["spend", "age"]
    assert body["evidence"] is None

    outside = client.post("/api/v1/monitor/drift", headers=dan.headers, json={
        "reference": "/etc/hostname", "current": "tables/cur.parquet"})
    assert outside.status_code == 422
    assert outside.headers["content-type"].startswith("application/problem+json")
    assert "data directory" in outside.json()["detail"]
    escape = client.post("/api/v1/monitor/drift", headers=dan.headers, json={
        "reference": "tables/../../x.parquet", "current": "tables/cur.parquet"})
    assert escape.status_code == 422

    profile = client.post("/api/v1/monitor/profiles", headers=dan.headers, json={
        "reference": "tables/ref.parquet", "system_id": sid, "name": "baseline"})
    assert profile.status_code == 201, profile.text
    recorded = client.post("/api/v1/monitor/drift", headers=dan.headers, json={
        "profile": "baseline", "current": "tables/cur.parquet", "system_id": sid})
    assert recorded.status_code == 200 and recorded.json()["evidence"]["verdict"] == "drift"
    assert recorded.json()["columns"] == body["columns"]
    listed = client.get(f"/api/v1/monitor/profiles?system_id={sid}", headers=dan.headers)
    assert [p["title"] for p in listed.json()] == ["baseline"]

    assert client.post("/api/v1/monitor/monitors", headers=audrey.headers, json={
        "system_id": sid, "name": "daily", "profile": "baseline",
        "current": "tables/cur.parquet"}).status_code == 403
    added = client.post("/api/v1/monitor/monitors", headers=dan.headers, json={
        "system_id": sid, "name": "daily", "profile": "baseline",
        "current": "tables/cur.parquet", "every_minutes": 60})
    assert added.status_code == 201, added.text
    ran = client.post("/api/v1/monitor/run", headers=dan.headers)
    assert ran.status_code == 200 and ran.json()[0]["status"] == "drift"
    alerts = client.get("/api/v1/monitor/alerts?status=open", headers=dan.headers).json()
    assert len(alerts) == 1 and alerts[0]["severity"] == "critical"
    assert client.post(f"/api/v1/monitor/alerts/{alerts[0]['id']}/acknowledge",
                       headers=audrey.headers).status_code == 403
    acked = client.post(f"/api/v1/monitor/alerts/{alerts[0]['id']}/acknowledge",
                        headers=dan.headers)
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert client.get("/api/v1/monitor/alerts?status=open", headers=dan.headers).json() == []
    monitors = client.get("/api/v1/monitor/monitors", headers=dan.headers).json()
    assert monitors[0]["last_status"] == "drift"
    assert client.delete(f"/api/v1/monitor/monitors/{monitors[0]['id']}",
                         headers=dan.headers).status_code == 204


def test_bad_drift_requests(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan", "data_science")
    write(settings.data_dir / "ref.parquet", shift=0, seed=1)
    missing = client.post("/api/v1/monitor/drift", headers=dan.headers, json={
        "reference": "ref.parquet", "current": "nope.parquet"})
    assert missing.status_code == 422 and "no such file" in missing.json()["detail"]
    neither = client.post("/api/v1/monitor/drift", headers=dan.headers,
                          json={"current": "ref.parquet"})
    assert neither.status_code == 422
    assert client.post("/api/v1/monitor/drift", json={"current": "x"}).status_code == 401


def test_fairness_and_kpi_monitors(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan", "data_science")
    maya = make_person("maya", "marketing")
    rng = np.random.default_rng(0)
    group = rng.choice(np.array(["a", "b"]), 3000)
    (settings.data_dir / "tables").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"group": group, "offered": (group == "a").astype(np.int8)}),
                   settings.data_dir / "tables" / "decisions.parquet")
    sid = client.post("/api/v1/systems", headers=dan.headers, json=SYSTEM).json()["id"]
    fair = client.post("/api/v1/monitor/monitors/fairness", headers=dan.headers, json={
        "system_id": sid, "name": "fair", "source": "tables/decisions.parquet",
        "groups": ["group"], "decision": "offered", "every_minutes": 60})
    assert fair.status_code == 201, fair.text
    assert fair.json()["kind"] == "fairness" and fair.json()["config"]["decision"] == "offered"
    outside = client.post("/api/v1/monitor/monitors/fairness", headers=dan.headers, json={
        "system_id": sid, "name": "x", "source": "/etc/hostname", "groups": ["g"],
        "decision": "d"})
    assert outside.status_code == 422
    kpi = client.post("/api/v1/monitor/monitors/kpi", headers=dan.headers, json={
        "system_id": sid, "name": "ctr", "metric": "ctr"})
    assert kpi.status_code == 201, kpi.text
    assert kpi.json()["config"] == {"metric": "click_through", "minimum": 0.01,
                                    "maximum": None, "window_days": 7, "campaign": None,
                                    "severity": "warning"}
    refused = client.post("/api/v1/monitor/monitors/kpi", headers=maya.headers, json={
        "system_id": sid, "name": "m", "metric": "ctr"})
    assert refused.status_code == 403
    ran = client.post("/api/v1/monitor/run", headers=dan.headers)
    assert ran.status_code == 200, ran.text
    assert {(r["kind"], r["status"]) for r in ran.json()} == {("fairness", "fail"),
                                                             ("kpi", "no_data")}
    off = client.post(f"/api/v1/monitor/monitors/{kpi.json()['id']}/disable",
                      headers=dan.headers)
    assert off.status_code == 200 and off.json()["enabled"] is False
    on = client.post(f"/api/v1/monitor/monitors/{kpi.json()['id']}/enable", headers=dan.headers)
    assert on.json()["enabled"] is True
    assert client.post("/api/v1/monitor/monitors/999/enable", headers=dan.headers
                       ).status_code == 404
