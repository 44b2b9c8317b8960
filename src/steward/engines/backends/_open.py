"""``open_table``: one entry point from any supported source to a backend table."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from steward.engines.backends._base import (
    SPARK_SOURCE_NEEDS_SPARK,
    UNKNOWN_BACKEND,
    UNSUPPORTED_SOURCE,
    BackendName,
    Table,
)
from steward.engines.backends._files import resolve_files
from steward.engines.backends._refs import WRONG_BACKEND, TableRef, is_reference, parse_reference
from steward.errors import InvalidInput

TableSource = Any
"""A path (file, directory or glob), a list of paths, a database or warehouse table reference
(``duckdb:FILE:TABLE``, ``spark:TABLE``, ``postgresql://…#TABLE``; see :mod:`._refs`), a pyarrow
Table or RecordBatchReader, a pandas DataFrame, a DuckDB relation, a table name with
``connection=``, or a Spark DataFrame."""


def _is_path(source: object) -> bool:
    if isinstance(source, (str, PurePath, os.PathLike)):
        return True
    return (
        isinstance(source, Sequence)
        and not isinstance(source, (bytes, bytearray))
        and len(source) > 0
        and all(isinstance(item, (str, PurePath, os.PathLike)) for item in source)
    )


def _describe(source: object) -> str:
    module = type(source).__module__.split(".")[0]
    return f"{module} {type(source).__name__}"


def open_table(
    source: TableSource,
    *,
    backend: BackendName = "duckdb",
    connection: Any | None = None,
    spark: Any | None = None,
    hash_files: bool = True,
) -> Table:
    """Open a table for aggregation queries on DuckDB (default) or Spark.

    Parameters
    ----------
    source
        A Parquet or CSV path, a directory or glob of them, or a list of paths (read in place,
        never loaded whole); a database or warehouse table (``duckdb:FILE:TABLE``,
        ``spark:TABLE``, ``postgresql://USER@HOST/DB#SCHEMA.TABLE``); a pyarrow
        ``Table``/``RecordBatchReader``; a pandas ``DataFrame``;
        a DuckDB relation (materialized as Arrow); with ``connection=``, the name of a table or
        view on that DuckDB connection; with ``backend="spark"``, a Spark ``DataFrame``.
    backend
        ``"duckdb"`` (embedded, no start-up cost) or ``"spark"`` (pyspark, imported on demand).
    connection
        A DuckDB connection holding the table named by ``source``.
    spark
        The Spark session to use; by default the active one or a new ``local[*]`` session.
    hash_files
        Compute the SHA-256 of input files for the fingerprint (in a background thread).

    Returns
    -------
    Table
        Close it when done (or use it as a context manager).

    Raises
    ------
    InvalidInput
        For a missing, unreadable or unsupported file, or an unsupported source type.

    Examples
    --------
    >>> import pyarrow as pa
    >>> with open_table(pa.table({"x": [1, 2, 3]})) as table:
    ...     table.query(f"SELECT SUM({table.quote('x')}) FROM {table.relation}")
    [(6,)]
    """
    if backend not in ("duckdb", "spark"):
        raise InvalidInput(UNKNOWN_BACKEND.format(backend=backend), backend=str(backend))
    if connection is None and is_reference(source):
        return _open_reference(parse_reference(source), backend=backend, spark=spark)
    if backend == "duckdb":
        return _open_duckdb(source, connection=connection, hash_files=hash_files)
    return _open_spark(source, spark=spark, hash_files=hash_files)


def _open_reference(ref: TableRef, *, backend: BackendName, spark: Any | None) -> Table:
    wanted: BackendName = "spark" if ref.scheme == "spark" else "duckdb"
    if backend != wanted:
        raise InvalidInput(WRONG_BACKEND.format(ref=ref.shown(), scheme=ref.scheme,
                                                backend=wanted))
    if ref.scheme == "spark":
        from steward.engines.backends import _spark

        session = spark if spark is not None else _spark.default_session()
        return _spark.open_spark_catalog(ref, session=session)
    from steward.engines.backends import _duckdb

    if ref.scheme == "duckdb":
        return _duckdb.open_duckdb_database(ref)
    return _duckdb.open_duckdb_postgres(ref)


def _open_duckdb(source: TableSource, *, connection: Any | None, hash_files: bool) -> Table:
    from steward.engines.backends import _duckdb

    if connection is not None and isinstance(source, str):
        return _duckdb.open_duckdb_named(connection, source)
    if _is_path(source):
        return _duckdb.open_duckdb_files(resolve_files(source), hash_files=hash_files)
    module = type(source).__module__
    if module.startswith("pyspark"):
        raise InvalidInput(SPARK_SOURCE_NEEDS_SPARK)
    if module.startswith("duckdb") and hasattr(source, "to_arrow_table"):
        return _duckdb.open_duckdb_object(source.to_arrow_table(), description="DuckDB relation")
    if module.startswith(("pyarrow", "pandas")):
        return _duckdb.open_duckdb_object(source, description=_describe(source))
    raise InvalidInput(UNSUPPORTED_SOURCE.format(kind=_describe(source), spark=""))


def _open_spark(source: TableSource, *, spark: Any | None, hash_files: bool) -> Table:
    from steward.engines.backends import _spark

    session = spark if spark is not None else _spark.default_session()
    if _is_path(source):
        return _spark.open_spark_files(resolve_files(source), session=session,
                                       hash_files=hash_files)
    module = type(source).__module__
    if module.startswith(("pyspark", "pyarrow", "pandas")):
        return _spark.open_spark_object(source, session=session, description=_describe(source))
    raise InvalidInput(
        UNSUPPORTED_SOURCE.format(kind=_describe(source), spark=" or a Spark DataFrame")
    )
