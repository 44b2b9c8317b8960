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
