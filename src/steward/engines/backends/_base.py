"""What every backend table offers, and what they share: column kinds, fingerprints, errors."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from steward.errors import InvalidInput

BackendName = Literal["duckdb", "spark"]
ColumnKind = Literal["boolean", "numeric", "string", "temporal", "nested", "other"]
ProgressCallback = Callable[[str, float], None]
# DuckDB's integer type names (a column's type starts with one of them).
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT")

FILE_NOT_FOUND = "file not found: {path}"
EMPTY_FILE = "cannot read {path}: the file is empty"
NO_FILES_MATCH = "no Parquet or CSV files match {pattern}"
UNSUPPORTED_FORMAT = "cannot read {path}: unsupported file type (use .parquet or .csv)"
MIXED_FORMATS = "cannot read {pattern}: it mixes Parquet and CSV files"
UNREADABLE_FILE = "cannot read {path}: {reason}"
COLUMN_NOT_FOUND = "column {column!r} not found in {source} (columns: {available})"
COLUMN_NOT_FOUND_HINT = "column {column!r} not found in {source} (did you mean {hint!r}?)"
UNKNOWN_BACKEND = "unknown backend {backend!r} (choose 'duckdb' or 'spark')"
UNSUPPORTED_SOURCE = (
    "cannot read a {kind} as a table: give a Parquet or CSV path, a pyarrow Table, "
    "a pandas DataFrame, a DuckDB relation{spark}"
)
SPARK_SOURCE_NEEDS_SPARK = "a Spark DataFrame can only be audited with backend='spark'"
SPARK_UNAVAILABLE = "the spark backend needs pyspark and Java: {reason}"
QUERY_FAILED = "reading {source} failed: {reason}"


def first_line(error: BaseException) -> str:
    """The first non-empty line of an engine's error message (engines print pages)."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__


@dataclass(frozen=True)
class FileDigest:
    """One input file: its path, size in bytes and SHA-256 (hex)."""

    path: str
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256}


@dataclass(frozen=True)
class Fingerprint:
    """What data a result was computed from: enough to tell whether a re-run saw the same data.

    ``sha256`` is the SHA-256 of the file when the input is one file; for several files it is the
    SHA-256 of their manifest (one ``"<sha256>  <path>\\n"`` line per file, sorted by path); it is
    ``None`` for in-memory tables and when hashing was switched off.
    """

    rows: int
    columns: tuple[tuple[str, str], ...]
    source: str
    sha256: str | None = None
    files: tuple[FileDigest, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": [{"name": name, "type": kind} for name, kind in self.columns],
            "source": self.source,
            "sha256": self.sha256,
            "files": [f.to_dict() for f in self.files],
        }


@dataclass(frozen=True)
class ColumnStatistics:
    """Bounds a source's metadata proves for a whole column, from every part of it.

    ``no_nulls`` is true when every part records a NULL count of 0; ``low`` and ``high`` are
    the smallest minimum and largest maximum as numbers, ``None`` unless every part records an
    exact one (NaN is never counted in them: Parquet leaves it out of its statistics).
    """

    no_nulls: bool
    low: float | None = None
    high: float | None = None


@runtime_checkable
class Table(Protocol):
    """A table opened on a backend, ready for aggregation queries.

    Engines write one SQL text against :attr:`relation`, quoting names with :meth:`quote` and
    writing numbers with :meth:`number`; that subset of SQL runs unchanged on DuckDB and Spark.
    """

    backend: BackendName
    relation: str
    source: str
    columns: Mapping[str, str]
    kinds: Mapping[str, ColumnKind]

    def quote(self, identifier: str) -> str:
        """The identifier quoted for this backend's SQL dialect."""
        ...

    def number(self, value: float) -> str:
        """A DOUBLE literal that both dialects parse to exactly ``value``."""
        ...

    def query(
        self, sql: str, *, progress: ProgressCallback | None = None
    ) -> list[tuple[Any, ...]]:
        """Run one (aggregation) query and return its rows as tuples of Python values."""
        ...

    def query_columns(
        self, sql: str, *, progress: ProgressCallback | None = None
    ) -> list[list[Any]]:
        """:meth:`query`'s result column by column (one list of values per result column)."""
        ...

    def require_columns(self, names: Iterable[str]) -> None:
        """Raise :class:`~steward.errors.InvalidInput` naming the first missing column."""
        ...

    def fingerprint(self, *, rows: int) -> Fingerprint:
        """The data's fingerprint, given the row count the engine counted while reading."""
        ...

    def column_statistics(self, names: Iterable[str]) -> Mapping[str, ColumnStatistics]:
        """What the source's own metadata proves about ``names`` without reading the data
        (Parquet footers); columns it cannot tell about are left out."""
        ...

    def prepare_results(self) -> None:
        """Load what handing query results over will need, for a caller that has time to spare
        while a query runs in another thread (may do nothing)."""
        ...

    def interrupt(self) -> None:
        """Stop a query running on this table in another thread (best effort; may do nothing)."""
        ...

    def close(self) -> None:
        """Release the backend's resources for this table (views, connections)."""
        ...


def number_literal(value: float) -> str:
    """``CAST('<repr>' AS DOUBLE)``: a round-trip exact DOUBLE literal in DuckDB and Spark SQL.

    A bare ``0.1`` is a DECIMAL in both dialects; the cast of the shortest repr is exact.
    """
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value!r}")
    return f"CAST('{number!r}' AS DOUBLE)"


class TableBase:
    """Shared behaviour of the backend tables: column checks, fingerprints, context manager."""

    backend: BackendName
    relation: str
    source: str
    columns: Mapping[str, str]
    kinds: Mapping[str, ColumnKind]

    def __init__(self, *, digests: Callable[[], tuple[FileDigest, ...]] | None = None) -> None:
        self._digests = digests

    def number(self, value: float) -> str:
        return number_literal(value)

    def query(
        self, sql: str, *, progress: ProgressCallback | None = None
    ) -> list[tuple[Any, ...]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def query_columns(
        self, sql: str, *, progress: ProgressCallback | None = None
    ) -> list[list[Any]]:
        """Row by row, turned into columns; backends that can hand over columns do."""
        return transposed(self.query(sql, progress=progress))

    def require_columns(self, names: Iterable[str]) -> None:
        for name in names:
            if name in self.columns:
                continue
            hint = difflib.get_close_matches(name, list(self.columns), n=1)
            if hint:
                raise InvalidInput(
                    COLUMN_NOT_FOUND_HINT.format(column=name, source=self.source, hint=hint[0]),
                    column=name,
                )
            available = ", ".join(list(self.columns)[:20])
            if len(self.columns) > 20:
                available += ", …"
            raise InvalidInput(
                COLUMN_NOT_FOUND.format(column=name, source=self.source, available=available),
                column=name,
            )

    def fingerprint(self, *, rows: int) -> Fingerprint:
        files = self._digests() if self._digests is not None else ()
        return Fingerprint(
            rows=int(rows),
            columns=tuple(self.columns.items()),
            source=self.source,
            sha256=manifest_sha256(files),
            files=files,
        )

    def column_statistics(self, names: Iterable[str]) -> Mapping[str, ColumnStatistics]:
        """Nothing proven by default: only file formats with statistics can tell."""
        return {}

    def prepare_results(self) -> None:
        """Nothing to load by default."""

    def interrupt(self) -> None:
        """Nothing to stop by default: a query running in another thread runs to its end."""

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> TableBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def transposed(rows: list[tuple[Any, ...]], width: int = 0) -> list[list[Any]]:
    """Rows as columns; ``width`` empty columns when there are no rows."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def manifest_sha256(files: tuple[FileDigest, ...]) -> str | None:
    """The file's SHA-256 for one file, the manifest's for several, ``None`` for none."""
    if not files:
        return None
    if len(files) == 1:
        return files[0].sha256
    import hashlib

    lines = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
