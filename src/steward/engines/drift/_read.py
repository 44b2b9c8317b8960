"""Reading the columns a drift check needs, with DuckDB, one column at a time.

Parquet is read in place (only the column asked for is decoded); CSV is parsed once into a
temporary DuckDB table; a pyarrow ``Table`` is registered without copying. Numeric columns come
back as float64 NumPy arrays of their finite values; categorical columns as counts per value.

(``steward.engines.backends`` is not used: its tables answer aggregation queries as Python rows,
while the exact KS statistic and Wasserstein distance need every value as a NumPy array. Opening
files through it later, once it can hand back Arrow columns, is a change confined to this
module.)
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np

from steward.engines.backends import INTEGER_TYPES
from steward.engines.backends._refs import (
    TableRef,
    is_reference,
    parse_reference,
    postgres_reader,
    quoted,
)
from steward.errors import InvalidInput

ColumnKind = Literal["numeric", "categorical"]

FILE_NOT_FOUND = "{role} table {path}: no such file"
SPARK_TABLE = ("{role} table {ref}: drift reads files, DuckDB database tables and PostgreSQL "
               "tables; export a Spark table to Parquet first")
UNSUPPORTED_FORMAT = "{role} table {path}: not a Parquet or CSV file"
UNREADABLE = "{role} table {path}: cannot be read ({reason})"
EMPTY_TABLE = "{role} table has no rows"
COLUMN_NOT_FOUND = "{role} table has no column {column!r}"
UNSUPPORTED_SOURCE = "{role} table: expected a path or a pyarrow Table, got {kind}"

_NUMERIC_TYPES = frozenset({*INTEGER_TYPES, "FLOAT", "DOUBLE", "REAL"})
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".txt")


def kind_of(duckdb_type: str) -> ColumnKind:
    """``numeric`` for integer, floating and decimal types; everything else is categorical."""
    name = duckdb_type.upper()
    return "numeric" if name in _NUMERIC_TYPES or name.startswith("DECIMAL") else "categorical"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _files(source: str | os.PathLike[str], role: str) -> tuple[list[str], str]:
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.is_file()
                       and p.name.lower().endswith(_PARQUET + _CSV))
    elif any(ch in text for ch in "*?["):
        found = sorted(glob.glob(text, recursive=True))
    else:
        if not path.is_file():
            raise InvalidInput(FILE_NOT_FOUND.format(role=role, path=text))
        found = [text]
    if not found:
        raise InvalidInput(FILE_NOT_FOUND.format(role=role, path=text))
    formats = {"parquet" if f.lower().endswith(_PARQUET) else
               "csv" if f.lower().endswith(_CSV) else "?" for f in found}
    if len(formats) != 1 or "?" in formats:
        raise InvalidInput(UNSUPPORTED_FORMAT.format(role=role, path=text))
    return found, formats.pop()


class TableReader:
    """One table (file, glob, directory or pyarrow Table) opened on a private DuckDB connection."""

    def __init__(self, source: Any, *, role: str = "reference") -> None:
        import duckdb

        self.role = role
        self._duckdb = duckdb
        self._con = duckdb.connect()
        self.description = ""
        self.files: list[str] = []
        try:
            self._open(source)
            described = self._con.execute("DESCRIBE SELECT * FROM src").fetchall()
            self.rows = int(self._con.execute("SELECT count(*) FROM src").fetchone()[0])
        except duckdb.Error as exc:
            self.close()
            raise InvalidInput(UNREADABLE.format(role=role, path=self.description,
                                                 reason=str(exc).splitlines()[0])) from None
        self.kinds: dict[str, ColumnKind] = {row[0]: kind_of(row[1]) for row in described}

    def _open(self, source: Any) -> None:
        if is_reference(source):
            self._open_reference(parse_reference(source))
            return
        if isinstance(source, str | os.PathLike):
            self.files, fmt = _files(source, self.role)
            self.description = os.fspath(source)
            listing = "[" + ", ".join(_literal(f) for f in self.files) + "]"
            if fmt == "parquet":
                self._con.execute(f"CREATE VIEW src AS SELECT * FROM read_parquet({listing})")
            else:
                self._con.execute(f"CREATE TEMP TABLE src AS SELECT * FROM read_csv({listing})")
            return
        if type(source).__module__.startswith("pyarrow") and hasattr(source, "schema"):
            self.description = "pyarrow Table"
            self._con.register("src", source)
            return
        kind = f"{type(source).__module__.split('.')[0]} {type(source).__name__}"
        raise InvalidInput(UNSUPPORTED_SOURCE.format(role=self.role, kind=kind))

    def _open_reference(self, ref: TableRef) -> None:
        """A DuckDB database table (attached read-only) or a PostgreSQL table (streamed in)."""
        self.description = ref.shown()
        if ref.scheme == "duckdb":
            self._con.execute(f"ATTACH {_literal(ref.location)} AS steward_db (READ_ONLY)")
            self._con.execute(f"CREATE VIEW src AS SELECT * FROM steward_db.{quoted(ref)}")
        elif ref.scheme == "postgresql":
            self._con.register("steward_stream", postgres_reader(ref))
            self._con.execute("CREATE TEMP TABLE src AS SELECT * FROM steward_stream")
            self._con.unregister("steward_stream")
        else:
            raise InvalidInput(SPARK_TABLE.format(role=self.role, ref=ref.shown()))

    def require_rows(self) -> None:
        if self.rows == 0:
            raise InvalidInput(EMPTY_TABLE.format(role=self.role))

    def require(self, column: str) -> None:
        if column not in self.kinds:
            raise InvalidInput(COLUMN_NOT_FOUND.format(role=self.role, column=column))

    def numeric(self, column: str) -> np.ndarray:
        """The column's finite values as float64 (nulls, NaN and infinities left out)."""
        q = _quote(column)
        sql = (f"SELECT v FROM (SELECT CAST({q} AS DOUBLE) AS v FROM src) "
               f"WHERE v IS NOT NULL AND isfinite(v)")
        values = self._run(sql).fetchnumpy()["v"]
        return np.ascontiguousarray(np.asarray(values, dtype=np.float64))

    def counts(self, column: str) -> dict[str, int]:
        """Non-null values of the column (as text) and how often each occurs."""
        q = _quote(column)
        rows = self._run(f"SELECT CAST({q} AS VARCHAR) AS k, count(*) FROM src "
                         f"WHERE {q} IS NOT NULL GROUP BY 1").fetchall()
        return {str(k): int(n) for k, n in rows}

    def _run(self, sql: str) -> Any:
        try:
            return self._con.execute(sql)
        except self._duckdb.Error as exc:
            raise InvalidInput(UNREADABLE.format(role=self.role, path=self.description,
                                                 reason=str(exc).splitlines()[0])) from None

    def fingerprint(self) -> dict[str, Any]:
        """What was read: the files with their sizes and modification times, and the row count."""
        files = []
        for name in self.files:
            stat = os.stat(name)
            files.append({"path": name, "bytes": stat.st_size, "modified": int(stat.st_mtime)})
        return {"source": self.description, "rows": self.rows, "files": files}

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
