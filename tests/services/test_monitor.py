"""Monitoring service: profiles, recorded drift checks, monitors, alerts, hooks, scheduler."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import evidence, monitor, systems, users
from steward.services.runtime import Actor, Runtime


def write_tables(folder: Path, *, shift: float = 1.0, n: int = 4000) -> tuple[Path, Path]:
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True, exist_ok=True)
    ref = pa.table({"spend": rng.normal(100, 20, n), "age": rng.normal(40, 10, n),
                    "region": rng.choice(np.array(["n", "s"]), n)})
    cur = pa.table({"spend": rng.normal(100 + 10 * shift, 20, n),
                    "age": rng.normal(40 + 5 * shift, 10, n),
                    "region": rng.choice(np.array(["n", "s"]), n)})
    pq.write_table(ref, folder / "ref.parquet")
    pq.write_table(cur, folder / "cur.parquet")
    return folder / "ref.parquet", folder / "cur.parquet"


@pytest.fixture
def system_id(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        return systems.create_system(unit, {"name": "Propensity", "purpose": "offers",
                                            "owner": "dan",
                                            "ai_kinds": ["predictive_model"]})["id"]


def test_profile_then_check_against_it(runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        stored = monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
    assert stored["kind"] == "drift_profile" and stored["file_path"].startswith(
        str(runtime.settings.data_dir / "profiles"))
    assert Path(stored["file_path"]).is_file()
    with runtime.unit(operator) as unit:
        by_name = monitor.run_drift_check(unit, current=str(cur), profile="baseline",
                                          system_id=system_id)
        by_id = monitor.run_drift_check(unit, current=str(cur), profile=stored["id"])
        direct = monitor.run_drift_check(unit, current=str(cur), reference=str(ref))
    assert by_name["columns"] == by_id["columns"] == direct["columns"]
    assert by_name["dataset_drift"] is True and by_name["drifted_columns"] == ["spend", "age"]
    assert by_name["evidence"]["verdict"] == "drift" and by_id["evidence"] is None
    with runtime.unit(operator) as unit:
        latest = evidence.latest_evidence(unit, system_id=system_id, kind="drift_check")
    assert latest is not None and latest["payload"]["drift_share"] == pytest.approx(2 / 3)
    assert latest["summary"]["profile_id"] == stored["id"]


def test_bad_requests(runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        with pytest.raises(InvalidInput, match="not both"):
            monitor.run_drift_check(unit, current=str(cur))
        with pytest.raises(NotFound, match="no drift profile"):
            monitor.run_drift_check(unit, current=str(cur), profile="nope")
        with pytest.raises(InvalidInput, match="only files under the data directory"):
            monitor.run_drift_check(unit, current="/etc/passwd", reference=str(ref),
                                    confine=True)
        with pytest.raises(InvalidInput, match="only files under"):
            monitor.run_drift_check(unit, current="../../x.parquet", reference=str(ref),
                                    confine=True)
        # a relative path is taken under the data directory
        ok = monitor.run_drift_check(unit, current="in/cur.parquet",
                                     reference="in/ref.parquet", confine=True)
        assert ok["dataset_drift"] is True
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="audrey", roles="auditor")
    auditor = Actor(name="audrey", roles=frozenset({users.Role.AUDITOR}), user_id=2)
    with runtime.unit(auditor) as unit, pytest.raises(Forbidden):
        monitor.create_profile(unit, str(ref), system_id=system_id, name="x")


def test_monitors_run_when_due_raise_alerts_and_call_hooks(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    seen: list[dict] = []
    monitor.alert_hooks(runtime).append(lambda unit, alert: seen.append(alert))
    with runtime.unit(operator) as unit:
        monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
        added = monitor.add_monitor(unit, system_id=system_id, name="daily", profile="baseline",
                                    current=str(cur), every_minutes=60, open_incident=True,
                                    thresholds={"dataset_share": 0.9})
        with pytest.raises(Conflict):
            monitor.add_monitor(unit, system_id=system_id, name="daily", profile="baseline",
                                current=str(cur))
        with pytest.raises(InvalidInput, match="unknown drift threshold"):
            monitor.add_monitor(unit, system_id=system_id, name="x", profile="baseline",
                                current=str(cur), thresholds={"bogus": 1})
    with runtime.unit(operator) as unit:
        first = monitor.run_due(unit)
        again = monitor.run_due(unit)  # not due for another hour
        later = monitor.run_due(unit, now=datetime.now(UTC) + timedelta(hours=2))
    assert [r["status"] for r in first] == ["warn"] and again == [] and len(later) == 1
    assert first[0]["drifted_columns"] == ["spend", "age"]
    assert len(seen) == 2 and seen[0]["open_incident"] is True
    assert seen[0]["severity"] == "warning"  # dataset_share 0.9 not reached
    with runtime.unit(operator) as unit:
        alerts = monitor.list_alerts(unit, status="open", system_id=system_id)
        assert len(alerts) == 2 and alerts[0]["evidence_id"] is not None
        acked = monitor.acknowledge_alert(unit, alerts[0]["id"])
        with pytest.raises(Conflict):
            monitor.acknowledge_alert(unit, alerts[0]["id"])
        listed = monitor.list_monitors(unit, system_id=system_id)
        trends = monitor.drift_trends(unit, system_id=system_id)
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == "cli:tester"
    assert listed[0]["id"] == added["id"] and listed[0]["last_status"] == "warn"
    assert len(trends) == 1 and len(trends[0]["points"]) == 2
    assert set(trends[0]["points"][0]["psi"]) == {"spend", "age", "region"}


def test_a_failing_monitor_alerts_and_others_still_run(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in", shift=0.0)
    with runtime.unit(operator) as unit:
        monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
        broken = monitor.add_monitor(unit, system_id=system_id, name="broken",
                                     profile="baseline", current=str(cur) + ".missing")
        monitor.add_monitor(unit, system_id=system_id, name="fine", profile="baseline",
                            current=str(cur))
    with runtime.unit(operator) as unit:
        outcome = {r["monitor"]: r for r in monitor.run_due(unit)}
    assert outcome["broken"]["status"] == "error" and "no such file" in outcome["broken"]["message"]
    assert outcome["fine"]["status"] == "pass" and outcome["fine"]["alert_id"] is None
    with runtime.unit(operator) as unit:
        alerts = monitor.list_alerts(unit)
        monitor.set_monitor_enabled(unit, broken["id"], False)
        assert monitor.run_due(unit, run_all=True)[0]["monitor"] == "fine"
        monitor.remove_monitor(unit, broken["id"])
        assert [m["name"] for m in monitor.list_monitors(unit)] == ["fine"]
    assert [a["kind"] for a in alerts] == ["check_failed"]


def test_scheduler_runs_due_checks(runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
        monitor.add_monitor(unit, system_id=system_id, name="m", profile="baseline",
                            current=str(cur))
    scheduler = monitor.MonitorScheduler(runtime, interval=0.05).start()
    try:
        for _ in range(100):
            if scheduler.runs:
                break
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert len(scheduler.runs) == 1 and scheduler.runs[0]["status"] == "drift"
