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


def test_reveal_round_trip_roles_and_one_line_errors(cli_env, table, tmp_path, capsys):
    plan = tmp_path / "tokens.yaml"
    plan.write_text("suppress_small_classes: false\ncolumns:\n  email: tokenize\n"
                    "  notes: drop\n")
    out = tmp_path / "tokens.parquet"
    assert main(["privacy", "anonymize", str(table), "--plan", str(plan), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "vault: 1,200 tokens of email sealed in" in printed and "PSI" in printed
    tokens = pq.read_table(out).column("email").to_pylist()[:2]
    raw = synthetic_customers(1200, seed=5).column("email").to_pylist()[:2]
    assert not set(pq.read_table(out).column("email").to_pylist()) & set(raw)

    reason = "fraud case 77: confirm the account holder"
    assert main(["privacy", "reveal", *tokens, "--reason", reason, "--format", "json"]) == 0
    revealed = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in revealed] == raw and revealed[0]["column"] == "email"

    assert main(["users", "add", "maya", "--roles", "marketing", "--password", "x" * 12]) == 0
    assert main(["users", "add", "priya", "--roles", "privacy", "--password", "x" * 12]) == 0
    capsys.readouterr()
    assert main(["privacy", "reveal", tokens[0], "--reason", reason, "--as", "priya",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["value"] == raw[0]
    for args, message in (
            (["--reason", reason, "--as", "maya"], "maya may not reveal tokens"),
            (["--reason", "x"], "say why"),
            (["--reason", reason, "--as", "nobody"], "nobody"),
    ):
        code = main(["privacy", "reveal", tokens[0], *args])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1
    code = main(["privacy", "reveal", "tok_123", "--reason", reason])
    err = capsys.readouterr().err
    assert code == 2 and "not a vault token" in err and err.count("\n") == 1
    code = main(["privacy", "reveal", "tok_" + "0" * 32, "--reason", reason])
    err = capsys.readouterr().err
    assert code == 2 and "no vault entry" in err
