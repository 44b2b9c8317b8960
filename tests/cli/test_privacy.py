"""``steward privacy``: scan, plan to YAML, anonymize leaving no raw identifier, risk JSON equal
to a group-by, exit codes and one-line errors with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.engines.privacy.conftest import leaked

from steward.cli.main import main
from steward.engines.privacy.synthetic import synthetic_customers


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "customers.parquet"
    pq.write_table(synthetic_customers(1200, seed=5), path)
    return path


def test_scan_plan_anonymize_and_risk(cli_env, table, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STEWARD_PSEUDONYM_KEY", "cli-test-key")
    assert main(["privacy", "scan", str(table), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {c["name"]: c["class"] for c in found["columns"]}["notes"] == "free_text"

    plan = tmp_path / "plan.yaml"
    assert main(["privacy", "plan", str(table), "--out", str(plan)]) == 0
    assert "email: {transform: pseudonym" in plan.read_text()
    assert main(["privacy", "plan", str(table), "--out", str(plan)]) == 2  # no overwrite

    out = tmp_path / "anon.parquet"
    capsys.readouterr()
    assert main(["privacy", "anonymize", str(table), "--plan", str(plan), "--out", str(out),
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["risk_after"]["k_anonymity"] >= 5
    assert leaked(synthetic_customers(1200, seed=5), pq.read_table(out)) == {}
    assert "cli-test-key" not in json.dumps(result)

    code = main(["privacy", "risk", str(out), "--qi", ",".join(result["plan"][
        "quasi_identifiers"]), "--k", "5", "--sensitive", "income", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["satisfied"] and report["k"] == 5
    frame = pq.read_table(out).to_pandas()
    sizes = frame.groupby(result["plan"]["quasi_identifiers"], dropna=False).size()
    assert (report["min_class_size"], report["classes"]) == (sizes.min(), len(sizes))


def test_risk_exits_1_when_k_is_not_met(cli_env, table, capsys):
    code = main(["privacy", "risk", str(table), "--qi", "email", "--k", "2", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["rows_in_small_classes"] == 1200


@pytest.mark.parametrize("plan_text, message", [
    ("columns:\n  ghost: drop\n", "column 'ghost'"),
    ("columns:\n  email: {transform: shred}\n", "unknown transform 'shred'"),
    ("columns:\n  email: {transform: pseudonym, secret: abc}\n", "must not hold a key"),
    ("columns: [\n", "not valid YAML"),
])
def test_a_bad_plan_is_one_line_exit_2_and_nothing_written(cli_env, table, tmp_path, capsys,
                                                           plan_text, message):
    plan = tmp_path / "bad.yaml"
    plan.write_text(plan_text)
    out = tmp_path / "never.parquet"
    code = main(["privacy", "anonymize", str(table), "--plan", str(plan), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()
