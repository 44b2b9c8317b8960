"""The Spark backend reads the same sources and answers the same SQL as DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from steward.engines.backends import COLUMN_NOT_FOUND_HINT, number_literal, open_table
from steward.errors import InvalidInput

pytestmark = pytest.mark.spark

DATA = pa.table({"g": ["a", "b", None, "a"], "x": [1, 2, 3, 4], "f": [True, False, True, None]})


def test_spark_reads_files_and_frames_like_duckdb(tmp_path: Path, spark: Any) -> None:
    parquet, csv = tmp_path / "d.parquet", tmp_path / "d.csv"
    pq.write_table(DATA, parquet)
    pacsv.write_csv(DATA, csv)
    for source in (parquet, csv, DATA, spark.createDataFrame(DATA)):
        with open_table(source, backend="spark", spark=spark) as table, \
                open_table(DATA) as local:
            sql = "SELECT {g}, SUM({x}), SUM(CASE WHEN {f} THEN 1 ELSE 0 END) FROM {t} " \
                  "GROUP BY {g} ORDER BY {g}"
            ours = table.query(sql.format(g=table.quote("g"), x=table.quote("x"),
                                          f=table.quote("f"), t=table.relation))
            theirs = local.query(sql.format(g=local.quote("g"), x=local.quote("x"),
                                            f=local.quote("f"), t=local.relation))
            assert sorted(ours, key=str) == sorted(theirs, key=str)
            assert table.kinds["x"] == "numeric" and table.kinds["g"] == "string"
    with open_table(parquet, backend="spark", spark=spark) as table:
        values = [0.1, 0.30000000000000004, 1e-300, 52.0]
        row = table.query("SELECT " + ", ".join(number_literal(v) for v in values))[0]
        assert list(row) == values
        with pytest.raises(InvalidInput) as error:
            table.require_columns(["gg"])
        assert str(error.value) == COLUMN_NOT_FOUND_HINT.format(column="gg", source=parquet,
                                                               hint="g")
        assert len(table.fingerprint(rows=4).sha256 or "") == 64
