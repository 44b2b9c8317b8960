"""Database and warehouse tables by reference: a DuckDB file, PostgreSQL, Spark's catalog.

Each gives the same audit as the same rows in a Parquet file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.engines.backends import open_table
from steward.engines.backends._refs import parse_reference
from steward.engines.fairness import audit_fairness
from steward.errors import InvalidInput


def decisions(n: int = 5000) -> pa.Table:
    rng = np.random.default_rng(9)
    group = rng.choice(np.array(["a", "b", "c"]), n)
    score = np.round(rng.random(n), 3)
    return pa.table({"grp": group, "score": score, "offered": (score >= 0.5).astype(np.int32),
                     "bought": (rng.random(n) < 0.3).astype(np.int32)})


def audit(source: object, **options: object) -> dict:
    result = audit_fairness(source, groups=["grp"], decision="offered", label="bought",
                            score="score", **options).to_dict()
    return {k: result[k] for k in ("rows", "groups", "disparities")}


def same(a: object, b: object) -> bool:
    """Equal, floats to 1e-12 (sums of scores may add up in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15, nan_ok=True)
    return a == b


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "d.parquet"
    pq.write_table(decisions(), path)
    return path


def test_a_duckdb_database_table_audits_like_the_file(tmp_path: Path, parquet: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA marketing")
        con.execute(f"CREATE TABLE marketing.offers AS SELECT * FROM read_parquet('{parquet}')")
    assert same(audit(f"duckdb:{database}:marketing.offers"), audit(str(parquet)))
    with open_table(f"duckdb:{database}:marketing.offers") as table:
        assert table.source == f"duckdb:{database}:marketing.offers"
        assert table.fingerprint(rows=5000).files == ()


@pytest.mark.parametrize("ref, message", [
    ("duckdb::t", "write a database table as"),
    ("duckdb:x.duckdb:t; DROP TABLE t", "write a database table as"),
    ("postgresql://u@h/db", "write a database table as"),
    ("postgresql://u:hunter2@127.0.0.1:1/db#t", r"u:\*\*\*@127.0.0.1"),
    ("spark:offers", "read with backend='spark'"),
])
def test_bad_references_are_one_line_errors(ref: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        open_table(ref)
    assert "hunter2" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_duckdb_table_is_named(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    with pytest.raises(InvalidInput, match="cannot read duckdb:.*nope"):
        open_table(f"duckdb:{database}:nope")


def test_references_parse() -> None:
    assert parse_reference("duckdb:/data/w.duckdb:s.t").location == "/data/w.duckdb"
    ref = parse_reference("postgresql+psycopg://u:pw@h:5/db#crm.offers")
    assert (ref.scheme, ref.location, ref.parts) == ("postgresql", "postgresql://u:pw@h:5/db",
                                                     ("crm", "offers"))
    assert ref.shown() == "postgresql://u:***@h:5/db#crm.offers"


@pytest.mark.skipif(not os.environ.get("STEWARD_TEST_POSTGRES_URL"),
                    reason="PostgreSQL not started; `make test` starts one")
def test_a_postgresql_table_streams_and_audits_like_the_file(parquet: Path) -> None:
    import psycopg

    url = os.environ["STEWARD_TEST_POSTGRES_URL"].replace("postgresql+psycopg:", "postgresql:")
    schema = f"refs_{uuid.uuid4().hex[:8]}"
    rows = decisions().to_pylist()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"CREATE TABLE {schema}.offers (grp text, score numeric(6, 3), "
                    "offered integer, bought smallint, note jsonb)")
        with con.cursor().copy(f"COPY {schema}.offers (grp, score, offered, bought) FROM STDIN"
                               ) as copy:
            for r in rows:
                copy.write_row((r["grp"], r["score"], r["offered"], r["bought"]))
    try:
        with open_table(f"{url}#{schema}.offers") as table:
            assert dict(table.columns) == {"grp": "VARCHAR", "score": "DOUBLE",
                                           "offered": "INTEGER", "bought": "SMALLINT",
                                           "note": "VARCHAR"}
        assert same(audit(f"{url}#{schema}.offers"), audit(str(parquet)))
        with pytest.raises(InvalidInput, match="no such table"):
            open_table(f"{url}#{schema}.missing")
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.spark
def test_a_spark_catalog_table_audits_like_the_file(spark, parquet: Path) -> None:  # type: ignore[no-untyped-def]
    spark.read.parquet(str(parquet)).createOrReplaceTempView("offers_catalog")
    try:
        assert same(audit("spark:offers_catalog", backend="spark"), audit(str(parquet)))
        with pytest.raises(InvalidInput, match="cannot read spark:nope"):
            open_table("spark:nope", backend="spark", spark=spark)
        with pytest.raises(InvalidInput, match="read with backend='duckdb'"):
            open_table("duckdb:x.duckdb:t", backend="spark", spark=spark)
    finally:
        spark.catalog.dropTempView("offers_catalog")
