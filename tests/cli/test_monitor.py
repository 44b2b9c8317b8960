"""``steward monitor``: drift exit codes 0/1/2, profiles, monitors, run and alerts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.cli.main import main
from steward.services import systems, users
from steward.services.runtime import Actor, Runtime


def write(path: Path, *, shift: float, n: int = 3000, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    pq.write_table(pa.table({"spend": rng.normal(100 + 10 * shift, 20, n),
                             "age": rng.normal(40 + 5 * shift, 10, n),
                             "region": rng.choice(np.array(["n", "s"]), n)}), path)
    return path


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    return {"ref": write(tmp_path / "ref.parquet", shift=0, seed=1),
            "same": write(tmp_path / "same.parquet", shift=0, seed=2),
            "moved": write(tmp_path / "moved.parquet", shift=1, seed=3)}


def test_drift_exit_codes_and_json(tables, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["monitor", "drift", str(tables["ref"]), str(tables["same"]),
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["dataset_drift"] is False and result["drift_share"] == 0
    assert set(result["columns"][0]) >= {"column", "kind", "psi", "ks_statistic", "ks_pvalue",
                                         "wasserstein_norm", "js_distance", "drifted"}
    assert main(["monitor", "drift", str(tables["ref"]), str(tables["moved"]),
                 "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["drifted_columns"] == ["spend", "age"]
    assert main(["monitor", "drift", str(tables["ref"]), str(tables["moved"]),
                 "--columns", "region,age", "--threshold", "dataset_share=0.6"]) == 0
    assert "1 of 2 columns drifted" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["nope.parquet", "also-nope.parquet"],
    ["{ref}", "{moved}", "--columns", "missing"],
    ["{ref}"],
    ["{ref}", "{moved}", "--threshold", "psi"],
    ["{ref}", "{moved}", "--threshold", "bogus=1"],
])
def test_bad_input_exits_2(tables, capsys, args) -> None:  # type: ignore[no-untyped-def]
    argv = [a.format(**{k: str(v) for k, v in tables.items()}) for a in args]
    assert main(["monitor", "drift", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_profile_monitor_run_and_alerts(cli_env, runtime: Runtime, tables,  # type: ignore[no-untyped-def]
                                        capsys) -> None:
    with runtime.unit(Actor.operator("t")) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Scorer", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
    assert main(["monitor", "profile", str(tables["ref"]), "--system", str(sid),
                 "--name", "baseline", "--format", "json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["kind"] == "drift_profile"
    assert main(["monitor", "drift", str(tables["moved"]), "--profile", "baseline",
                 "--system", str(sid), "--format", "json"]) == 1
    checked = json.loads(capsys.readouterr().out)
    assert checked["evidence"]["kind"] == "drift_check"
    folder = str(Path(profile["file_path"]).parent)
    assert main(["monitor", "drift", str(tables["same"]), "--profile", folder]) == 0
    capsys.readouterr()
    assert main(["monitor", "add", "--system", str(sid), "--name", "daily", "--profile",
                 "baseline", "--current", str(tables["moved"]), "--every", "60"]) == 0
    capsys.readouterr()
    assert main(["monitor", "run", "--format", "json"]) == 1  # an alert was raised
    ran = json.loads(capsys.readouterr().out)
    assert ran[0]["status"] == "drift" and ran[0]["alert_id"]
    assert main(["monitor", "run", "--format", "json"]) == 0  # nothing due
    assert json.loads(capsys.readouterr().out) == []
    assert main(["monitor", "alerts", "--status", "open", "--format", "json"]) == 0
    alerts = json.loads(capsys.readouterr().out)
    assert alerts[0]["severity"] == "critical"
    assert main(["monitor", "ack", str(alerts[0]["id"])]) == 0
    assert main(["monitor", "ack", str(alerts[0]["id"])]) == 2  # already acknowledged
    capsys.readouterr()
    assert main(["monitor", "list", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["last_status"] == "drift"
    assert main(["monitor", "profiles", "--format", "json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == [profile["id"]]


def test_fairness_and_kpi_monitors(cli_env, runtime: Runtime, tmp_path: Path,  # type: ignore[no-untyped-def]
                                   capsys) -> None:
    from datetime import date

    from steward.services import kpis

    with runtime.unit(Actor.operator("t")) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Scorer", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
        kpis.ingest(unit, [{"date": date.today().isoformat(), "system": sid,
                            "metric": "complaints", "value": 40}])
    rng = np.random.default_rng(0)
    group = rng.choice(np.array(["a", "b"]), 4000)
    pq.write_table(pa.table({"group": group, "offered": ((rng.random(4000) < 0.5)
                                                         | (group == "a")).astype(np.int8)}),
                   tmp_path / "decisions.parquet")
    assert main(["monitor", "add-fairness", "--system", str(sid), "--name", "fair",
                 "--data", str(tmp_path / "decisions.parquet"), "--groups", "group",
                 "--decision", "offered", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "fairness"
    assert main(["monitor", "add-kpi", "--system", str(sid), "--name", "complaints",
                 "--metric", "complaints", "--max", "20", "--window", "3"]) == 0
    assert main(["monitor", "add-kpi", "--system", str(sid), "--name", "bad",
                 "--metric", "complaints", "--severity", "loud", "--max", "1"]) == 2
    assert "unknown alert severity 'loud'" in capsys.readouterr().err
    assert main(["monitor", "add-fairness", "--system", str(sid), "--name", "typo",
                 "--data", str(tmp_path / "decisions.parquet"), "--groups", "gender",
                 "--decision", "offered"]) == 2
    assert "no column 'gender'" in capsys.readouterr().err
    assert main(["monitor", "run", "--format", "json"]) == 1
    ran = {r["monitor"]: r for r in json.loads(capsys.readouterr().out)}
    assert ran["fair"]["kind"] == "fairness" and ran["fair"]["status"] == "fail"
    assert ran["complaints"]["status"] == "fail" and ran["complaints"]["value"] == 40
    assert main(["monitor", "disable", str(ran["fair"]["monitor_id"])]) == 0
    assert main(["monitor", "run", "--all", "--format", "json"]) == 1
    assert [r["monitor"] for r in json.loads(capsys.readouterr().out.split("\n", 1)[1])] == \
        ["complaints"]
