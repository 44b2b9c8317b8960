"""The same plan on Spark gives the same table as on DuckDB (keyed HMAC in Spark SQL included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.engines.privacy.conftest import KEY

from steward.engines.privacy import anonymize_table, plan_for, risk

pytestmark = pytest.mark.spark


def test_anonymization_is_identical_on_duckdb_and_spark(customers_path: Path, tmp_path: Path,
                                                        spark: Any) -> None:
    plan = plan_for(customers_path).model_copy(update={"suppress_small_classes": False})
    steps = {c: s for c, s in plan.columns.items() if s.transform != "noise"}
    plan = plan.model_copy(update={"columns": steps})
    local = anonymize_table(customers_path, plan, out=tmp_path / "duck.parquet", key=KEY)
    remote = anonymize_table(customers_path, plan, out=tmp_path / "spark.parquet", key=KEY,
                             backend="spark", spark=spark)
    duck = pq.read_table(local.output).to_pandas().sort_values("customer_id")
    sparked = pq.read_table(remote.output).to_pandas().sort_values("customer_id")
    assert list(duck.columns) == list(sparked.columns)
    for column in duck.columns:
        left = duck[column].astype(str).tolist()
        right = sparked[column].astype(str).tolist()
        assert left == right, column
    qi = plan.quasi_identifiers
    assert risk(local.output, qi, k=5).to_dict() == risk(
        remote.output, qi, k=5, backend="spark", spark=spark).to_dict()


def test_tokens_vault_and_utility_are_the_same_on_spark(customers_path: Path, tmp_path: Path,
                                                       spark: Any) -> None:
    from steward.engines.backends import open_table
    from steward.engines.privacy import VaultKey, VaultTarget, parse_plan, reveal, utility

    plan = parse_plan({"k": 5, "quasi_identifiers": ["gender", "state"],
                       "suppress_small_classes": True,
                       "columns": {"email": {"transform": "tokenize", "normalize": "lower"},
                                   "birth_date": {"transform": "generalize", "to": "decade"},
                                   "income": {"transform": "top_bottom", "high": 150000}}})
    key = VaultKey.derive(b"spark-vault-secret-0123456789abcd")
    runs = {}
    for backend in ("duckdb", "spark"):
        target = VaultTarget(key=key, path=tmp_path / f"{backend}.vault.parquet")
        runs[backend] = anonymize_table(customers_path, plan, out=tmp_path / f"{backend}.parquet",
                                        key=None, vault=target, backend=backend,  # type: ignore[arg-type]
                                        spark=spark if backend == "spark" else None)
    duck = pq.read_table(runs["duckdb"].output).to_pandas().sort_values("customer_id")
    sparked = pq.read_table(runs["spark"].output).to_pandas().sort_values("customer_id")
    assert duck["email"].tolist() == sparked["email"].tolist()
    assert runs["duckdb"].vault["entries"] == runs["spark"].vault["entries"]  # type: ignore[index]
    parts = sorted((tmp_path / "spark.vault.parquet").rglob("*.parquet"))
    sample = duck["email"].tolist()[:5]
    assert [r.value for r in reveal(parts, sample, key)] == [
        r.value for r in reveal([tmp_path / "duckdb.vault.parquet"], sample, key)]
    summaries = []
    for backend, out in (("duckdb", runs["duckdb"].output), ("spark", runs["spark"].output)):
        with open_table(customers_path, backend=backend, spark=spark) as a, \
                open_table(out, backend=backend, spark=spark) as b:  # type: ignore[arg-type]
            summaries.append(utility(a, b, runs["duckdb"].columns, steps=plan.columns))
    for column, entry in summaries[0].items():
        other = summaries[1][column]
        assert entry["compared"] == other["compared"], column
        if entry["psi"] is not None:
            assert abs(entry["psi"] - other["psi"]) < 1e-9, column
            assert abs(entry["js_distance"] - other["js_distance"]) < 1e-9, column
