"""Monitors of every kind: drift, fairness and KPI checks when due, claims, alerts, scheduler."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import alerts, evidence, incidents, kpis, monitor, monitors, policy, users
from steward.services.runtime import Actor, Runtime

from .test_monitor import write_tables


def decisions(folder: Path, *, penalty: float, n: int = 6000) -> Path:
    """A decision table where group "b" is selected less often by ``penalty``."""
    rng = np.random.default_rng(3)
    folder.mkdir(parents=True, exist_ok=True)
    group = rng.choice(np.array(["a", "b"]), n)
    score = np.clip(rng.random(n) - np.where(group == "b", penalty, 0.0), 0, 1)
    path = folder / f"decisions-{penalty}.parquet"
    pq.write_table(pa.table({"group": group, "score": np.round(score, 3),
                             "offered": (score >= 0.5).astype(np.int8),
                             "bought": (rng.random(n) < 0.3).astype(np.int8)}), path)
    return path


def test_monitors_run_when_due_raise_alerts_and_call_hooks(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    seen: list[dict] = []
    alerts.alert_hooks(runtime).append(lambda unit, alert: seen.append(alert))
    with runtime.unit(operator) as unit:
        monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
        added = monitors.add_drift_monitor(
            unit, system_id=system_id, name="daily", profile="baseline", current=str(cur),
            every_minutes=60, open_incident=True, thresholds={"dataset_share": 0.9})
        with pytest.raises(Conflict):
            monitors.add_drift_monitor(unit, system_id=system_id, name="daily", profile="baseline",
                                current=str(cur))
        with pytest.raises(InvalidInput, match="unknown drift threshold"):
            monitors.add_drift_monitor(unit, system_id=system_id, name="x", profile="baseline",
                                current=str(cur), thresholds={"bogus": 1})
    with runtime.unit(operator) as unit:
        first = monitors.run_due(unit)
        again = monitors.run_due(unit)  # not due for another hour
        later = monitors.run_due(unit, now=datetime.now(UTC) + timedelta(hours=2))
    assert [r["status"] for r in first] == ["warn"] and again == [] and len(later) == 1
    assert first[0]["drifted_columns"] == ["spend", "age"]
    assert len(seen) == 2 and seen[0]["open_incident"] is True
    assert seen[0]["severity"] == "warning"  # dataset_share 0.9 not reached
    with runtime.unit(operator) as unit:
        raised = alerts.list_alerts(unit, status="open", system_id=system_id)
        assert len(raised) == 2 and raised[0]["evidence_id"] is not None
        acked = alerts.acknowledge_alert(unit, raised[0]["id"])
        with pytest.raises(Conflict):
            alerts.acknowledge_alert(unit, raised[0]["id"])
        listed = monitors.list_monitors(unit, system_id=system_id)
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
        broken = monitors.add_drift_monitor(unit, system_id=system_id, name="broken",
                                     profile="baseline", current=str(cur) + ".missing")
        monitors.add_drift_monitor(unit, system_id=system_id, name="fine", profile="baseline",
                            current=str(cur))
    with runtime.unit(operator) as unit:
        outcome = {r["monitor"]: r for r in monitors.run_due(unit)}
    assert outcome["broken"]["status"] == "error" and "no such file" in outcome["broken"]["message"]
    assert outcome["fine"]["status"] == "pass" and outcome["fine"]["alert_id"] is None
    with runtime.unit(operator) as unit:
        raised = alerts.list_alerts(unit)
        monitors.set_monitor_enabled(unit, broken["id"], False)
        assert monitors.run_due(unit, run_all=True)[0]["monitor"] == "fine"
        monitors.remove_monitor(unit, broken["id"])
        assert [m["name"] for m in monitors.list_monitors(unit)] == ["fine"]
    assert [a["kind"] for a in raised] == ["check_failed"]


def test_scheduler_runs_due_checks(runtime: Runtime, operator: Actor, system_id: int) -> None:
    ref, cur = write_tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        monitor.create_profile(unit, str(ref), system_id=system_id, name="baseline")
        monitors.add_drift_monitor(unit, system_id=system_id, name="m", profile="baseline",
                            current=str(cur))
    scheduler = monitors.MonitorScheduler(runtime, interval=0.05).start()
    try:
        for _ in range(100):
            if scheduler.runs:
                break
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert len(scheduler.runs) == 1 and scheduler.runs[0]["status"] == "drift"


def test_fairness_monitor_audits_and_alerts_on_fail(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    fair = decisions(runtime.settings.data_dir / "d", penalty=0.0)
    unfair = decisions(runtime.settings.data_dir / "d", penalty=0.3)
    with runtime.unit(operator) as unit:
        ok = monitors.add_fairness_monitor(unit, system_id=system_id, name="fair",
                                           source=str(fair), groups=["group"],
                                           decision="offered", label="bought", score="score")
        monitors.add_fairness_monitor(unit, system_id=system_id, name="unfair",
                                      source=str(unfair), groups=["group"], decision="offered",
                                      open_incident=True)
        with pytest.raises(InvalidInput, match="no column 'gender'"):
            monitors.add_fairness_monitor(unit, system_id=system_id, name="typo",
                                          source=str(fair), groups=["gender"],
                                          decision="offered")
        with pytest.raises(InvalidInput, match="no such file|not found|does not exist"):
            monitors.add_fairness_monitor(unit, system_id=system_id, name="gone",
                                          source=str(fair) + ".x", groups=["group"],
                                          decision="offered")
    assert ok["kind"] == "fairness" and ok["config"]["groups"] == ["group"]
    with runtime.unit(operator) as unit:
        outcome = {r["monitor"]: r for r in monitors.run_due(unit)}
    assert outcome["fair"]["status"] == "pass" and outcome["fair"]["alert_id"] is None
    assert outcome["unfair"]["status"] == "fail" and outcome["unfair"]["alert_id"]
    assert outcome["unfair"]["worst_ratios"]["group"] < 0.8
    with runtime.unit(operator) as unit:
        raised = alerts.list_alerts(unit, system_id=system_id)
        audits = evidence.list_evidence(unit, system_id=system_id, kind="fairness_audit")
        opened = incidents.list_incidents(unit, system_id=system_id)
        trends = monitors.check_trends(unit, system_id=system_id)
    assert [(a["kind"], a["severity"]) for a in raised] == [("fairness", "critical")]
    assert "lowest selection-rate ratio: group" in raised[0]["message"]
    assert len(audits) == 2 and len(opened) == 1 and opened[0]["source"] == "alert"
    assert [p["verdict"] for p in trends[0]["fairness"]] == ["pass", "fail"]


def _figures(unit, system_id: int, values: list[float], metric: str = "opt_out_rate") -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    kpis.ingest(unit, [{"date": (today - timedelta(days=i)).isoformat(), "system": system_id,
                        "metric": metric, "value": v} for i, v in enumerate(values)])


def test_kpi_monitor_uses_the_window_and_the_policy_limit(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    with runtime.unit(operator) as unit:
        _figures(unit, system_id, [0.02, 0.015, 0.001, 0.001])  # recent days are high
        by_policy = monitors.add_kpi_monitor(unit, system_id=system_id, name="opt-outs",
                                             metric="Opt-out rate", window_days=2)
        own = monitors.add_kpi_monitor(unit, system_id=system_id, name="wide", metric="opt_out",
                                       maximum=0.05, window_days=30, severity="critical")
        silent = monitors.add_kpi_monitor(unit, system_id=system_id, name="clicks",
                                          metric="clicks", minimum=10)
        with pytest.raises(InvalidInput, match="policy in force sets no"):
            monitors.add_kpi_monitor(unit, system_id=system_id, name="x", metric="revenue")
        with pytest.raises(InvalidInput, match="above the maximum"):
            monitors.add_kpi_monitor(unit, system_id=system_id, name="x", metric="revenue",
                                     minimum=5, maximum=1)
        with pytest.raises(InvalidInput, match="lower-case name"):
            monitors.add_kpi_monitor(unit, system_id=system_id, name="x", metric="!!",
                                     minimum=1)
        with pytest.raises(InvalidInput, match="window"):
            monitors.add_kpi_monitor(unit, system_id=system_id, name="x", metric="clicks",
                                     minimum=1, window_days=0)
    # the default policy's red limit for the opt-out rate is 0.01
    assert by_policy["config"]["maximum"] == 0.01 and by_policy["config"]["minimum"] is None
    with runtime.unit(operator) as unit:
        outcome = {r["monitor"]: r for r in monitors.run_due(unit)}
    assert outcome["opt-outs"]["status"] == "fail"
    assert outcome["opt-outs"]["value"] == pytest.approx((0.02 + 0.015) / 2)
    assert outcome["wide"]["status"] == "pass" and outcome["wide"]["alert_id"] is None
    assert outcome["wide"]["value"] == pytest.approx((0.02 + 0.015 + 0.001 + 0.001) / 4)
    assert outcome["clicks"]["status"] == "no_data" and outcome["clicks"]["alert_id"]
    with runtime.unit(operator) as unit:
        raised = {a["monitor_id"]: a for a in alerts.list_alerts(unit)}
        checks = evidence.list_evidence(unit, system_id=system_id, kind="kpi_check")
        trends = monitors.check_trends(unit, system_id=system_id)
    assert raised[by_policy["id"]]["severity"] == "warning"
    assert "Opt-out rate over 2 days: 0.0175 (should be at most 0.01)" in \
        raised[by_policy["id"]]["message"]
    assert raised[silent["id"]]["message"].endswith("no Clicks figures in the last 7 days")
    assert own["id"] not in raised
    assert sorted(c["verdict"] for c in checks) == ["fail", "pass"]
    assert [p["verdict"] for p in trends[0]["kpis"]["opt_out_rate"]] == ["fail", "pass"]


def test_policy_can_turn_every_critical_alert_into_an_incident(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    from steward.rules.policy_loader import default_pack_text

    with runtime.unit(operator) as unit:
        _figures(unit, system_id, [0.5])
        monitors.add_kpi_monitor(unit, system_id=system_id, name="warn", metric="opt_out_rate",
                                 maximum=0.1)
        monitors.add_kpi_monitor(unit, system_id=system_id, name="crit", metric="opt_out_rate",
                                 maximum=0.1, severity="critical")
        monitors.run_due(unit)
        assert incidents.list_incidents(unit, system_id=system_id) == []
        text = default_pack_text().replace("# open_on_alert_severity: critical",
                                           "open_on_alert_severity: critical")
        policy.publish(unit, policy.create_draft(unit, document=text)["version"])
    with runtime.unit(operator) as unit:
        monitors.run_due(unit, run_all=True)
        opened = incidents.list_incidents(unit, system_id=system_id)
    assert len(opened) == 1 and "crit" in opened[0]["title"]


def test_a_due_monitor_runs_once_when_two_schedulers_race(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    with runtime.unit(operator) as unit:
        _figures(unit, system_id, [0.5])
        monitors.add_kpi_monitor(unit, system_id=system_id, name="m", metric="opt_out_rate",
                                 maximum=0.1)
    results: list[list[dict]] = []
    barrier = threading.Barrier(2)

    def scheduler() -> None:
        barrier.wait()
        with runtime.unit(Actor.system("scheduler")) as unit:
            results.append(monitors.run_due(unit))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(len(r) for r in results) == [0, 1]
    with runtime.unit(operator) as unit:
        assert len(alerts.list_alerts(unit)) == 1


def test_only_managers_add_monitors_and_unknown_ids_are_refused(
        runtime: Runtime, operator: Actor, system_id: int) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
    marketer = Actor(name="maya", roles=frozenset({users.Role.MARKETING}), user_id=3)
    with runtime.unit(marketer) as unit, pytest.raises(Forbidden):
        monitors.add_kpi_monitor(unit, system_id=system_id, name="x", metric="clicks", minimum=1)
    with runtime.unit(operator) as unit:
        with pytest.raises(NotFound):
            monitors.add_kpi_monitor(unit, system_id=999, name="x", metric="clicks", minimum=1)
        with pytest.raises(NotFound):
            monitors.set_monitor_enabled(unit, 999, False)
        with pytest.raises(InvalidInput, match="1-120"):
            monitors.add_kpi_monitor(unit, system_id=system_id, name=" ", metric="clicks",
                                     minimum=1)
