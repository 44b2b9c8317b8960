"""Database and warehouse tables named in one string, so every command that reads a table reads
these too.

- ``duckdb:PATH:TABLE`` — a table or view (``TABLE`` or ``SCHEMA.TABLE``) in a DuckDB database
  file, opened read-only on the DuckDB backend. An organisation's extracts often live in one.
- ``spark:TABLE`` — a table (``TABLE`` or ``DATABASE.TABLE``) in the Spark session's catalog: the
  Hive metastore or warehouse directory the session is configured with (``SPARK_CONF_DIR``,
  ``spark-defaults.conf``). Spark backend only: a warehouse table is read where it lives.
- ``postgresql://USER@HOST:PORT/DB#SCHEMA.TABLE`` (``TABLE`` alone means ``public``) — a
  PostgreSQL table or view, streamed in batches with a server-side cursor into Arrow, on the
  DuckDB backend: never loaded whole. The password comes from the URL, ``PGPASSWORD`` or
  ``~/.pgpass`` as libpq reads them. DuckDB's own PostgreSQL scanner would need an extension
  downloaded at run time, which production machines often may not do; psycopg is already a
  dependency.

Written by hand because no library names tables across these three places in one syntax; each
reader is the backend's own (DuckDB, Spark's catalog, psycopg).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from steward.engines.backends._base import first_line
from steward.errors import InvalidInput

BAD_REFERENCE = ("{ref}: write a database table as duckdb:FILE.duckdb:TABLE, "
                 "spark:TABLE or postgresql://USER@HOST/DB#SCHEMA.TABLE")
WRONG_BACKEND = "{ref}: a {scheme} table is read with backend='{backend}'"
UNREADABLE_TABLE = "cannot read {ref}: {reason}"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")
SCHEMES = ("duckdb:", "spark:", "postgresql:", "postgres:", "postgresql+psycopg:")
BATCH_ROWS = 50_000


@dataclass(frozen=True)
class TableRef:
    """A parsed reference: where (``scheme``, ``location``) and which table (``name``)."""

    scheme: str
    location: str
    name: str

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    def shown(self) -> str:
        """The reference without a password, for messages and fingerprints."""
        location = re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", self.location)
        return f"{self.scheme}:{location}:{self.name}" if self.scheme == "duckdb" else \
            (f"spark:{self.name}" if self.scheme == "spark" else f"{location}#{self.name}")


def is_reference(source: object) -> bool:
    """Whether ``source`` is a string naming a database or warehouse table."""
    return isinstance(source, str) and source.startswith(SCHEMES)


def parse_reference(text: str) -> TableRef:
    """``duckdb:…``, ``spark:…`` or ``postgresql://…#…`` into a :class:`TableRef`."""
    if text.startswith("duckdb:"):
        location, _, name = text[len("duckdb:"):].rpartition(":")
        ref = TableRef("duckdb", location, name)
        if not location:
            raise InvalidInput(BAD_REFERENCE.format(ref=text))
    elif text.startswith("spark:"):
        ref = TableRef("spark", "", text[len("spark:"):])
    else:
        location, _, name = text.partition("#")
        location = location.replace("postgresql+psycopg:", "postgresql:", 1)
        ref = TableRef("postgresql", location, name)
        if not location.startswith(("postgresql://", "postgres://")):
            raise InvalidInput(BAD_REFERENCE.format(ref=text))
    if not NAME.match(ref.name):
        raise InvalidInput(BAD_REFERENCE.format(ref=ref.shown() if ref.name else text))
    return ref


def quoted(ref: TableRef, quote: str = '"') -> str:
    """The table's name quoted part by part for SQL."""
    return ".".join(quote + p.replace(quote, quote * 2) + quote for p in ref.parts)


def duckdb_connection(ref: TableRef) -> Any:
    """A read-only connection to the DuckDB database file of ``ref``."""
    import duckdb

    try:
        return duckdb.connect(ref.location, read_only=True)
    except Exception as error:  # duckdb raises several types, all meaning "cannot open"
        raise InvalidInput(UNREADABLE_TABLE.format(ref=ref.shown(),
                                                   reason=first_line(error))) from error


def spark_frame(ref: TableRef, session: Any) -> Any:
    """The catalog table of ``ref`` as a Spark DataFrame."""
    try:
        return session.table(ref.name)
    except Exception as error:  # AnalysisException and friends: unknown table, no access
        raise InvalidInput(UNREADABLE_TABLE.format(ref=ref.shown(),
                                                   reason=first_line(error))) from error


_PG_TYPES = {
    "int2": "int16", "int4": "int32", "int8": "int64", "float4": "float32",
    "float8": "float64", "numeric": "float64", "bool": "bool", "text": "string",
    "varchar": "string", "bpchar": "string", "name": "string", "uuid": "string",
    "date": "date32", "timestamp": "timestamp[us]", "timestamptz": "timestamp[us, tz=UTC]",
}


def _floats(values: tuple[Any, ...]) -> list[float | None]:
    """``numeric`` arrives as ``Decimal``: Arrow wants floats for a double column."""
    return [None if v is None else float(v) for v in values]


def postgres_reader(ref: TableRef) -> Any:
    """A pyarrow ``RecordBatchReader`` streaming the PostgreSQL table of ``ref``.

    Column types follow PostgreSQL's (integers, floats, numeric as double, booleans, text, dates,
    timestamps); other types arrive as text.
    """
    import psycopg
    import pyarrow as pa

    schema_name, table = ref.parts if len(ref.parts) == 2 else ("public", ref.parts[0])
    try:
        con = psycopg.connect(ref.location, autocommit=False)
        rows = con.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_class c ON c.oid = "
            "a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid "
            "= a.atttypid WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT "
            "a.attisdropped ORDER BY a.attnum", (schema_name, table)).fetchall()
    except psycopg.Error as error:
        raise InvalidInput(UNREADABLE_TABLE.format(ref=ref.shown(),
                                                   reason=first_line(error))) from error
    if not rows:
        con.close()
        raise InvalidInput(UNREADABLE_TABLE.format(ref=ref.shown(),
                                                   reason="no such table or view"))
    schema = pa.schema([(name, pa.type_for_alias(_PG_TYPES.get(kind, "string")))
                        for name, kind in rows])
    casts = ", ".join(
        '"' + name.replace('"', '""') + '"' + ("" if kind in _PG_TYPES else "::text")
        for name, kind in rows)
    sql = f'SELECT {casts} FROM "{schema_name}"."{table}"'

    def batches() -> Iterator[Any]:
        try:
            with con.cursor(name="steward_read") as cursor:
                cursor.execute(sql)
                while chunk := cursor.fetchmany(BATCH_ROWS):
                    yield pa.record_batch([
                        pa.array(_floats(values) if field.type == pa.float64() else values,
                                 type=field.type)
                        for values, field in zip(zip(*chunk, strict=True), schema,
                                                 strict=True)], schema=schema)
        except psycopg.Error as error:
            raise InvalidInput(UNREADABLE_TABLE.format(ref=ref.shown(),
                                                       reason=first_line(error))) from error
        finally:
            con.close()

    return pa.RecordBatchReader.from_batches(schema, batches())
