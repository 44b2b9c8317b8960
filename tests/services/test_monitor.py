"""Monitoring service: profiles, recorded drift checks, monitors, alerts, hooks, scheduler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.errors import Forbidden, InvalidInput, NotFound
from steward.services import evidence, monitor, users
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
