"""Edge cases: constant and all-null columns, new categories, empty tables, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.engines.drift import (
    BAD_SAMPLE_SIZE,
    COLUMN_NOT_FOUND,
    EMPTY_TABLE,
    FILE_NOT_FOUND,
    KIND_MISMATCH,
    UNKNOWN_THRESHOLD,
    DriftThresholds,
    ReferenceProfile,
    check_drift,
)
from steward.errors import InvalidInput


def _by_column(report) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {c["column"]: c for c in report.to_dict()["columns"]}


def test_constant_column_same_and_moved() -> None:
    ref = pa.table({"x": [5.0] * 200, "y": [5.0] * 200})
    cur = pa.table({"x": [5.0] * 150, "y": [7.0] * 150})
    rows = _by_column(check_drift(ref, cur))
    assert rows["x"]["psi"] == 0.0 and rows["x"]["wasserstein_norm"] == 0.0
    assert rows["x"]["drifted"] is False
    assert rows["y"]["wasserstein_norm"] is None and "constant" in rows["y"]["note"]
    assert rows["y"]["psi"] > 0.2 and rows["y"]["drifted"] is True
    assert rows["y"]["ks_statistic"] == 1.0


def test_all_null_columns() -> None:
    ref = pa.table({"a": pa.array([None] * 50, pa.float64()), "b": [1.0] * 50,
                    "c": pa.array([None] * 50, pa.string()), "d": np.arange(50.0)})
    cur = pa.table({"a": pa.array([None] * 40, pa.float64()),
                    "b": pa.array([None] * 40, pa.float64()),
                    "c": ["x"] * 40, "d": np.r_[np.arange(30.0), [np.nan] * 10]})
    rows = _by_column(check_drift(ref, cur))
    assert rows["a"]["drifted"] is False and rows["a"]["psi"] is None
    assert rows["a"]["note"] == "no values in either table"
    assert rows["b"]["drifted"] is True and rows["b"]["note"] == "no values in the current table"
    assert rows["c"]["drifted"] is True and rows["c"]["note"] == "no values in the reference table"
    assert rows["d"]["n_current"] == 30  # NaN is missing, not a value


def test_new_categories_get_the_floor() -> None:
    ref = pa.table({"s": ["a"] * 60 + ["b"] * 40})
    cur = pa.table({"s": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    row = _by_column(check_drift(ref, cur))["s"]
    p = np.array([0.6, 0.4, 1e-4])
    q = np.array([0.5, 0.3, 0.2])
    assert row["psi"] == pytest.approx(float(np.sum((q - p) * np.log(q / p))), abs=1e-12)
    assert row["note"] == "1 new category" and row["drifted"] is True


def test_empty_tables_are_refused(tmp_path: Path) -> None:
    empty = pa.table({"x": pa.array([], pa.float64())})
    full = pa.table({"x": [1.0, 2.0]})
    with pytest.raises(InvalidInput, match=EMPTY_TABLE.format(role="reference")):
        check_drift(empty, full)
    with pytest.raises(InvalidInput, match=EMPTY_TABLE.format(role="current")):
        check_drift(full, empty)
    with pytest.raises(InvalidInput, match=EMPTY_TABLE.format(role="reference")):
        ReferenceProfile.build(empty)


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    table = pa.table({"x": [1.0, 2.0, 3.0], "s": ["a", "b", "c"]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    missing = tmp_path / "nope.parquet"
    with pytest.raises(InvalidInput, match="no such file"):
        check_drift(missing, path)
    assert FILE_NOT_FOUND.format(role="reference", path=missing) in _message(missing, path)
    with pytest.raises(InvalidInput) as err:
        check_drift(path, path, columns=["x", "zz"])
    assert err.value.message == COLUMN_NOT_FOUND.format(role="reference", column="zz")
    with pytest.raises(InvalidInput) as err:
        check_drift(table, pa.table({"x": ["1", "2"], "s": ["a", "b"]}))
    assert err.value.message == KIND_MISMATCH.format(column="x")
    with pytest.raises(InvalidInput) as err:
        check_drift(table, table, thresholds={"psi": 0.3})
    assert err.value.message.startswith(UNKNOWN_THRESHOLD.split("{")[0])
    with pytest.raises(InvalidInput, match="dataset_share"):
        DriftThresholds(dataset_share=1.5)
    with pytest.raises(InvalidInput) as err:
        ReferenceProfile.build(table, sample_size=5)
    assert err.value.message == BAD_SAMPLE_SIZE.format(value=5)
    text = tmp_path / "notes.json"
    text.write_text("{}")
    with pytest.raises(InvalidInput, match="not a Parquet or CSV file"):
        check_drift(text, path)
    with pytest.raises(InvalidInput, match="not a drift profile"):
        ReferenceProfile.load(tmp_path)


def _message(ref: Path, cur: Path) -> str:
    try:
        check_drift(ref, cur)
    except InvalidInput as exc:
        return exc.message
    return ""
