"""The Spark backend: the same aggregation SQL on a Spark session (local mode or a cluster).

pyspark is imported only here, and only when ``backend="spark"`` is asked for: starting a JVM
costs seconds, which the DuckDB path never pays. Each opened table is a temporary view with a
unique name, dropped on :meth:`SparkTable.close`.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Mapping
from typing import Any

from steward.engines.backends._base import (
    QUERY_FAILED,
    SPARK_UNAVAILABLE,
    UNREADABLE_FILE,
    ColumnKind,
    ProgressCallback,
    TableBase,
    first_line,
)
from steward.engines.backends._files import BackgroundDigests, FileSet
from steward.engines.backends._refs import TableRef, spark_frame
from steward.errors import InvalidInput

_counter = itertools.count()


def spark_kind(type_name: str) -> ColumnKind:
    """Map a Spark simple type string (``DataFrame.dtypes``) to a column kind."""
    name = type_name.lower()
    if name == "boolean":
        return "boolean"
    if name.startswith(("array", "map", "struct", "variant")):
        return "nested"
    if name.startswith(("tinyint", "smallint", "int", "bigint", "float", "double", "decimal",
                        "byte", "short", "long")):
        return "numeric"
    if name.startswith(("string", "varchar", "char")):
        return "string"
    if name.startswith(("date", "timestamp", "interval")):
        return "temporal"
    return "other"


def default_session() -> Any:
    """The active Spark session, or a new local one (``local[*]``, no UI)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise InvalidInput(SPARK_UNAVAILABLE.format(reason=first_line(error))) from error
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    try:
        return (
            SparkSession.builder.master("local[*]")
            .appName("steward")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    except Exception as error:  # JVM missing or failing to start
        raise InvalidInput(SPARK_UNAVAILABLE.format(reason=first_line(error))) from error


class SparkTable(TableBase):
    """A table registered as a temporary view on a Spark session."""

    backend = "spark"

    def __init__(
        self,
        session: Any,
        frame: Any,
        *,
        source: str,
        digests: BackgroundDigests | None = None,
    ) -> None:
        super().__init__(digests=digests.result if digests is not None else None)
        self._session = session
        self._view = f"steward_source_{next(_counter)}"
        frame.createOrReplaceTempView(self._view)
        self.relation = self._view
        self.source = source
        self.columns: Mapping[str, str] = dict(frame.dtypes)
        self.kinds: Mapping[str, ColumnKind] = {
            name: spark_kind(kind) for name, kind in self.columns.items()
        }

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def query(
        self, sql: str, *, progress: ProgressCallback | None = None
    ) -> list[tuple[Any, ...]]:
        try:
            rows = self._session.sql(sql).collect()
        except Exception as error:
            raise InvalidInput(
                QUERY_FAILED.format(source=self.source, reason=first_line(error)),
                path=self.source,
            ) from error
        if progress is not None:
            progress("reading", 1.0)
        return [tuple(row) for row in rows]

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the session may already be stopped
            self._session.catalog.dropTempView(self._view)


def open_spark_files(files: FileSet, *, session: Any, hash_files: bool = True) -> SparkTable:
    """Open Parquet or CSV files as a Spark DataFrame (CSV: header row, inferred types)."""
    paths = [str(f) for f in files.files]
    try:
        if files.format == "parquet":
            frame = session.read.parquet(*paths)
        else:
            frame = session.read.csv(paths, header=True, inferSchema=True)
    except Exception as error:
        raise InvalidInput(
            UNREADABLE_FILE.format(path=files.description, reason=first_line(error)),
            path=files.description,
        ) from error
    digests = BackgroundDigests(files.files) if hash_files else None
    return SparkTable(session, frame, source=files.description, digests=digests)


def open_spark_object(data: Any, *, session: Any, description: str) -> SparkTable:
    """Open a Spark DataFrame as is, or a pyarrow Table / pandas DataFrame copied into Spark."""
    if type(data).__module__.startswith("pyspark"):
        return SparkTable(session, data, source=description)
    try:
        frame = session.createDataFrame(data)
    except Exception as error:
        raise InvalidInput(
            UNREADABLE_FILE.format(path=description, reason=first_line(error)), path=description
        ) from error
    return SparkTable(session, frame, source=description)


def open_spark_catalog(ref: TableRef, *, session: Any) -> SparkTable:
    """A table of the Spark session's catalog (metastore or warehouse), read where it lives."""
    return SparkTable(session, spark_frame(ref, session), source=ref.shown())
