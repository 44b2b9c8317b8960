"""Monitoring alerts become incidents when the monitor asks; severe ones suspend the system."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from steward.services import incidents, monitor, monitors, systems, users
from steward.services.runtime import Actor, Runtime


def _tables(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)
    ref = pa.table({"spend": rng.normal(100, 20, 3000), "age": rng.normal(40, 10, 3000)})
    cur = pa.table({"spend": rng.normal(140, 20, 3000), "age": rng.normal(60, 10, 3000)})
    pq.write_table(ref, folder / "ref.parquet")
    pq.write_table(cur, folder / "cur.parquet")
    return folder / "ref.parquet", folder / "cur.parquet"


def test_alert_opens_an_incident(runtime: Runtime, operator: Actor) -> None:
    ref, cur = _tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Propensity", "purpose": "offers",
                                           "owner": "dan", "ai_kinds": ["predictive_model"],
                                           "stage": "production"})["id"]
        monitor.create_profile(unit, str(ref), system_id=sid, name="baseline")
        monitors.add_drift_monitor(unit, system_id=sid, name="daily", profile="baseline",
                            current=str(cur), every_minutes=60, open_incident=True)
        monitors.add_drift_monitor(unit, system_id=sid, name="quiet", profile="baseline",
                            current=str(cur), every_minutes=60, open_incident=False)
    with runtime.unit(operator) as unit:
        monitors.run_due(unit)
    with runtime.unit(operator) as unit:
        opened = incidents.list_incidents(unit, system_id=sid)
        stage = systems.get_system(unit, sid)["stage"]
    assert len(opened) == 1
    assert opened[0]["source"] == "alert" and opened[0]["severity"] == "high"
    assert opened[0]["title"].startswith("Monitoring alert:")
    assert stage == "production"  # the default policy suspends only on critical incidents


def test_drift_thresholds_come_from_the_policy(runtime: Runtime, operator: Actor) -> None:
    from steward.rules.policy_loader import default_pack_text
    from steward.services import policy

    ref, cur = _tables(runtime.settings.data_dir / "in")
    with runtime.unit(operator) as unit:
        before = monitor.run_drift_check(unit, reference=str(ref), current=str(cur))
        lenient = default_pack_text().replace("drift.wasserstein_norm: 0.1",
                                              "drift.wasserstein_norm: 5").replace(
            "drift.psi: 0.2", "drift.psi: 50")
        policy.publish(unit, policy.create_draft(unit, document=lenient)["version"])
    with runtime.unit(operator) as unit:
        after = monitor.run_drift_check(unit, reference=str(ref), current=str(cur))
    assert before["dataset_drift"] is True and after["dataset_drift"] is False
