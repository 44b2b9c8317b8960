"""Every command that reads a table also reads a DuckDB database table by reference."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from steward.cli.main import main


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    path = tmp_path / "crm.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm")
        con.execute("""CREATE TABLE crm.crm.offers AS SELECT
            CASE WHEN range % 3 = 0 THEN 'a' ELSE 'b' END AS grp,
            (range % 5 < 2)::INTEGER AS offered, 'person' || range || '@example.com' AS email,
            'p' || range AS subject, (range % 97) * 1.5 AS spend FROM range(4000)""")
    return f"duckdb:{path}:crm.offers"


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_commands_read_a_duckdb_table(cli_env, warehouse: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                      capsys) -> None:
    assert main(["audit", "fairness", warehouse, "--group", "grp", "--decision", "offered",
                 "--format", "json"]) in (0, 1)
    audited = _json(capsys)
    assert audited["rows"] == 4000 and audited["fingerprint"]["source"] == warehouse
    assert main(["privacy", "scan", warehouse, "--format", "json"]) == 0
    found = {c["name"]: c["pii_type"] for c in _json(capsys)["columns"]}
    assert found["email"] == "EMAIL_ADDRESS"
    assert main(["privacy", "risk", warehouse, "--qi", "grp", "--k", "5", "--format",
                 "json"]) == 0
    assert _json(capsys)["classes"] == 2
    assert main(["monitor", "drift", warehouse, warehouse, "--format", "json"]) == 0
    assert _json(capsys)["dataset_drift"] is False
    assert main(["consent", "filter", warehouse, "--purpose", "email_marketing",
                 "--out", str(tmp_path / "allowed.parquet"), "--format", "json"]) in (0, 1)
    assert _json(capsys)["by_reason"]["no_record"] == 4000


def test_a_bad_reference_is_one_line(cli_env, warehouse: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["audit", "fairness", warehouse.replace("offers", "nope"), "--group", "grp",
                 "--decision", "offered"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read duckdb:") and len(err.strip().splitlines()) == 1
    assert main(["privacy", "scan", "spark:offers"]) == 2
    assert "read with backend='spark'" in capsys.readouterr().err
