"""Backends: where an engine's tables are read and aggregated.

An engine never loads a table into Python. It opens the source with :func:`open_table`, writes
one aggregation query in the SQL subset that DuckDB and Spark share (names quoted with
:meth:`Table.quote`, numbers written with :meth:`Table.number`), runs it with
:meth:`Table.query`, and derives everything else from the few rows that come back.

- **DuckDB** (the default) is embedded: no server, no JVM, ~0.2 s to import. It reads Parquet and
  CSV files in place, in parallel and larger than memory, and also in-memory Arrow and pandas
  tables and tables on an existing DuckDB connection.
- **Spark** (``backend="spark"``) runs the same SQL on a Spark session, local or on a cluster.
  pyspark is imported only when asked for.

Bad input (a missing or unreadable file, an unknown column) raises
:class:`steward.errors.InvalidInput` with one line naming the file or column.
"""

from steward.engines.backends._base import (
    COLUMN_NOT_FOUND,
    COLUMN_NOT_FOUND_HINT,
    FILE_NOT_FOUND,
    INTEGER_TYPES,
    MIXED_FORMATS,
    NO_FILES_MATCH,
    QUERY_FAILED,
    SPARK_SOURCE_NEEDS_SPARK,
    SPARK_UNAVAILABLE,
    UNKNOWN_BACKEND,
    UNREADABLE_FILE,
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_SOURCE,
    BackendName,
    ColumnKind,
    ColumnStatistics,
    FileDigest,
    Fingerprint,
    ProgressCallback,
    Table,
    number_literal,
)
from steward.engines.backends._open import TableSource, open_table

__all__ = [
    # opening tables
    "open_table",
    "Table",
    "TableSource",
    "BackendName",
    "ColumnKind",
    "ColumnStatistics",
    "INTEGER_TYPES",
    "ProgressCallback",
    # fingerprints and literals
    "Fingerprint",
    "FileDigest",
    "number_literal",
    # error messages
    "COLUMN_NOT_FOUND",
    "COLUMN_NOT_FOUND_HINT",
    "FILE_NOT_FOUND",
    "MIXED_FORMATS",
    "NO_FILES_MATCH",
    "QUERY_FAILED",
    "SPARK_SOURCE_NEEDS_SPARK",
    "SPARK_UNAVAILABLE",
    "UNKNOWN_BACKEND",
    "UNREADABLE_FILE",
    "UNSUPPORTED_FORMAT",
    "UNSUPPORTED_SOURCE",
]
