"""Column statistics from Parquet footers (DuckDBTable.column_statistics)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from steward.engines.backends import open_table
from steward.engines.backends._base import ColumnStatistics
from steward.engines.backends._duckdb import _fold_statistics

# The aggregate the fold replaced, kept as the reference it must agree with.
REFERENCE = """
SELECT path_in_schema, bool_and(COALESCE(stats_null_count = 0, false)),
  CASE WHEN bool_and(TRY_CAST(stats_min_value AS DOUBLE) IS NOT NULL
       AND COALESCE(min_is_exact, true) AND COALESCE(max_is_exact, true))
       THEN min(TRY_CAST(stats_min_value AS DOUBLE)) END,
  CASE WHEN bool_and(TRY_CAST(stats_max_value AS DOUBLE) IS NOT NULL
       AND COALESCE(min_is_exact, true) AND COALESCE(max_is_exact, true))
       THEN max(TRY_CAST(stats_max_value AS DOUBLE)) END
FROM parquet_metadata(?) GROUP BY path_in_schema
"""


def test_statistics_agree_with_an_aggregate_over_the_footers(tmp_path: Path) -> None:
    table = pa.table({
        "i": pa.array(range(-5, 5), pa.int16()),
        "b": pa.array([True, False] * 5),
        "f": pa.array([0.25 * k for k in range(10)]),
        "n": pa.array([1, None] * 5, pa.int64()),
        "s": pa.array([f"x{k}" for k in range(10)]),
    })
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3)
    expected = {name: ColumnStatistics(no_nulls=bool(no_nulls), low=low, high=high)
                for name, no_nulls, low, high
                in duckdb.connect().execute(REFERENCE, [str(path)]).fetchall()}
    with open_table(path) as opened:
        assert opened.column_statistics(table.column_names) == expected
    assert expected["i"] == ColumnStatistics(no_nulls=True, low=-5, high=4)
    assert expected["n"].no_nulls is False and expected["s"].low is None


def test_folding_proves_nothing_from_inexact_missing_or_nan_bounds() -> None:
    rows = [
        ("exact", 0, "0", "3", True, None), ("exact", 0, "-1", "2", None, True),
        ("inexact", 0, "0", "1", True, False), ("inexact", 0, "0", "1", True, True),
        ("nan", 0, "nan", "1", True, True),
        ("unknown nulls", None, "0", "1", True, True),
        ("missing", 0, None, None, None, None),
    ]
    folded = _fold_statistics(rows)
    assert folded["exact"] == ColumnStatistics(no_nulls=True, low=-1.0, high=3.0)
    assert folded["inexact"] == ColumnStatistics(no_nulls=True, low=None, high=None)
    assert folded["nan"] == ColumnStatistics(no_nulls=True, low=None, high=1.0)
    assert folded["unknown nulls"].no_nulls is False
    assert folded["missing"] == ColumnStatistics(no_nulls=True, low=None, high=None)
