"""The same audit on DuckDB and on Spark gives the same result (within 1e-12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.engines.fairness import audit_fairness

pytestmark = pytest.mark.spark


def assert_close(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12), path
    else:
        assert a == b, path


def comparable(result: Any) -> dict[str, Any]:
    data = result.to_dict()
    data["options"].pop("backend")
    for column in data["fingerprint"]["columns"]:
        column.pop("type")  # DuckDB says VARCHAR where Spark says string
    return data


def test_generated_audit_is_identical_on_duckdb_and_spark(tmp_path: Path, spark: Any) -> None:
    rng = np.random.default_rng(5)
    rows = 3_000
    gender = rng.choice(np.array(["F", "M", None], dtype=object), size=rows, p=[0.5, 0.45, 0.05])
    band = rng.choice(["18-34", "35-64", "65+", "100+"], size=rows, p=[0.4, 0.4, 0.195, 0.005])
    score = rng.random(rows) * np.where(gender == "F", 0.8, 1.0)
    label = rng.random(rows) < score
    path = tmp_path / "decisions.parquet"
    pq.write_table(pa.table({"gender": gender, "band": band, "score": score,
                             "label": label, "vip": rng.integers(0, 2, size=rows)}), path)
    census = tmp_path / "census.parquet"
    pq.write_table(pa.table({"gender": ["F", "M", "X", "F"],
                             "band": ["18-34", "35-64", "65+", "65+"],
                             "vip": [0, 1, 0, 1], "people": [510, 480, 10, 30]}), census)
    options = {"groups": ["gender", "band", "vip"], "decision": "score", "threshold": 0.5,
               "label": "label", "intersections": True}
    local = audit_fairness(path, **options)
    remote = audit_fairness(path, backend="spark", spark=spark, **options)
    assert_close(comparable(local), comparable(remote))
    local = audit_fairness(path, reference=census, reference_weight="people", missing="drop",
                           **options)
    remote = audit_fairness(path, reference=census, reference_weight="people", missing="drop",
                            backend="spark", spark=spark, **options)
    data = comparable(remote)
    data["reference"]["fingerprint"]["columns"] = comparable(local)["reference"]["fingerprint"][
        "columns"]
    assert_close(comparable(local), data)


def test_csv_audit_is_identical_on_duckdb_and_spark(fairness_data: Path, spark: Any) -> None:
    options = {"groups": ["personal_status_and_sex", "foreign_worker"],
               "decision": "installment_rate_in_percentage_of_disposable_income",
               "threshold": 3, "intersections": True}
    path = fairness_data / "german_credit.csv"
    local = audit_fairness(path, **options)
    remote = audit_fairness(path, backend="spark", spark=spark, **options)
    assert_close(comparable(local), comparable(remote))
