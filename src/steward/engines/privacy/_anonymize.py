"""Apply a plan to a table: one SELECT on the backend, free text redacted in a streaming stage.

Without free text, DuckDB writes the output itself (``COPY (SELECT …) TO``), in parallel and out
of core. With free text, the SELECT's record batches stream through :class:`Redactor` into a
Parquet (or CSV) writer, a batch at a time, so memory stays bounded whatever the table's size.
On Spark the same SELECT runs as a DataFrame, the redactor runs in ``mapInArrow`` and Spark
writes a directory of Parquet parts.

Suppression (``suppress_small_classes``) keeps only rows whose class over the plan's
quasi-identifiers — as they are *after* the transformations — has at least ``k`` rows: a window
count over the same columns a ``GROUP BY`` would use.

A plan that tokenizes also writes the run's vault file (:mod:`._vault`) after the output; when
either fails, neither is left behind.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.engines.backends import ProgressCallback, Table
from steward.engines.backends._files import sha256_file
from steward.engines.pii import PiiDetector
from steward.engines.privacy._discover import match_name
from steward.engines.privacy._plan import Plan, Redact
from steward.engines.privacy._redact import (
    HELPER_PREFIX,
    MAX_VOCABULARY,
    ColumnRedaction,
    Redactor,
    name_words,
)
from steward.engines.privacy._sql import (
    TOKEN_VARIABLE,
    duckdb_key_resets,
    duckdb_key_statements,
    expression,
    key_id,
)
from steward.engines.privacy._vault import (
    NO_VAULT,
    VAULT_EXISTS,
    VaultTarget,
    vault_sql,
    write_vault_duckdb,
    write_vault_spark,
)
from steward.errors import InvalidInput

BATCH_ROWS = 65_536
OUTPUT_EXISTS = "{path} already exists (choose another --out or remove it)"
BAD_OUTPUT = "write the output to a .parquet or .csv file, not {path}"
NO_KEY = "the plan pseudonymizes {columns} but no pseudonym key was given"


@dataclass
class Anonymization:
    """What an anonymization run did (no value of the data is held here)."""

    source: str
    output: str
    rows_in: int
    rows_out: int
    columns: dict[str, str]
    output_columns: list[str]
    sha256: str | None
    key_id: str | None
    seconds: float
    backend: str
    redactions: dict[str, dict[str, int]] = field(default_factory=dict)
    vocabulary_words: int = 0
    notes: list[str] = field(default_factory=list)
    vault: dict[str, Any] | None = None

    @property
    def suppressed(self) -> int:
        return self.rows_in - self.rows_out

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "output": self.output, "rows_in": self.rows_in,
                "rows_out": self.rows_out, "suppressed": self.suppressed,
                "columns": dict(self.columns), "output_columns": list(self.output_columns),
                "transformed": [c for c, t in self.columns.items() if t != "keep"],
                "sha256": self.sha256, "key_id": self.key_id,
                "seconds": round(self.seconds, 3), "backend": self.backend,
                "redactions": self.redactions, "vocabulary_words": self.vocabulary_words,
                "notes": list(self.notes),
                "vault": dict(self.vault) if self.vault is not None else None}


def _name_column(plan: Plan, column: str) -> bool:
    found = plan.discovery.get(column) or {}
    if found.get("pii_type"):
        return found["pii_type"] == "PERSON"
    match = match_name(column)
    return bool(match and match[0] == "PERSON")


def _label(plan: Plan, column: str) -> str:
    found = plan.discovery.get(column) or {}
    pii = found.get("pii_type")
    if pii is None:
        match = match_name(column)
        pii = match[0] if match else None
    return pii or "PII"


def _vocabulary(table: Table, columns: list[str], notes: list[str],
                skipped: list[str]) -> set[str]:
    words: set[str] = set()
    q = table.quote
    for column in columns:
        rows = table.query(f"SELECT DISTINCT CAST({q(column)} AS STRING) FROM {table.relation} "
                           f"WHERE {q(column)} IS NOT NULL LIMIT {MAX_VOCABULARY + 1}")
        if len(rows) > MAX_VOCABULARY:
            notes.append(f"{column} has more than {MAX_VOCABULARY:,} distinct names: free text "
                         f"is redacted of each row's own {column} only")
            skipped.append(column)
            continue
        words |= name_words(r[0] for r in rows)
    return words


def select_sql(table: Table, plan: Plan, *, key: bytes | None, helpers: list[str],
               token_key: bytes | None = None) -> tuple[str, list[str]]:
    """The SELECT applying every SQL step (and carrying ``helpers`` raw for the redactor)."""
    q = table.quote
    parts, names = [], []
    for column in table.columns:
        step = plan.columns.get(column)
        if step is None:
            parts.append(q(column))
            names.append(column)
            continue
        sql = expression(table.backend, q(column), step, kind=table.kinds[column], key=key,
                         token_key=token_key)
        if sql is None:
            continue
        parts.append(f"{sql} AS {q(column)}")
        names.append(column)
    for column in helpers:
        parts.append(f"{q(column)} AS {q(HELPER_PREFIX + column)}")
    body = f"SELECT {', '.join(parts)} FROM {table.relation}"
    if plan.suppress_small_classes and plan.quasi_identifiers:
        groups = ", ".join(q(c) for c in plan.quasi_identifiers)
        every = ", ".join(q(n) for n in [*names, *(HELPER_PREFIX + h for h in helpers)])
        body = (f"SELECT {every} FROM (SELECT *, COUNT(*) OVER (PARTITION BY {groups}) AS "
                f"{q('__steward_class_size')} FROM ({body}) AS t) AS s "
                f"WHERE {q('__steward_class_size')} >= {int(plan.k)}")
    return body, names


def _writer(path: Path, schema: Any) -> Any:
    if path.suffix.lower() == ".csv":
        import pyarrow.csv as pcsv

        return pcsv.CSVWriter(str(path), schema)
    import pyarrow.parquet as pq

    return pq.ParquetWriter(str(path), schema, compression="zstd")


def _output_path(out: str | Path, backend: str) -> Path:
    path = Path(out)
    if backend == "duckdb" and path.suffix.lower() not in (".parquet", ".csv"):
        raise InvalidInput(BAD_OUTPUT.format(path=out))
    if path.exists():
        raise InvalidInput(OUTPUT_EXISTS.format(path=out))
    if not path.parent.exists():
        raise InvalidInput(f"the folder of {out} does not exist")
    return path


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def anonymize(table: Table, plan: Plan, *, out: str | Path, key: bytes | None,
              vault: VaultTarget | None = None, detector: PiiDetector | None = None,
              progress: ProgressCallback | None = None,
              batch_rows: int = BATCH_ROWS) -> Anonymization:
    """Write ``table`` transformed by ``plan`` to ``out`` (Parquet or CSV; a Parquet directory
    on Spark), and the vault entries of tokenized columns to ``vault.path``. Nothing is written
    when the plan does not fit the table.
    """
    started = time.perf_counter()
    plan.check(list(table.columns), table.source)
    keyed = plan.using("pseudonym")
    if keyed and not key:
        raise InvalidInput(NO_KEY.format(columns=", ".join(keyed)))
    tokenized = plan.using("tokenize")
    if tokenized and vault is None:
        raise InvalidInput(NO_VAULT.format(columns=", ".join(tokenized)))
    if not tokenized:
        vault = None
    elif vault is not None and vault.path.exists():
        raise InvalidInput(VAULT_EXISTS.format(path=vault.path))
    path = _output_path(out, table.backend)
    notes: list[str] = []
    redact = {c: s for c, s in plan.columns.items() if isinstance(s, Redact)}
    helpers = sorted({a for s in redact.values() for a in s.also})
    name_columns = [h for h in helpers if _name_column(plan, h)]
    skipped: list[str] = []
    vocabulary = _vocabulary(table, name_columns, notes, skipped) if name_columns else set()
    specs = [ColumnRedaction(column=c, also=list(s.also),
                             name_columns=[a for a in s.also if a in name_columns],
                             row_name_columns=[a for a in s.also if a in skipped],
                             entities=frozenset(s.entities) if s.entities else None,
                             labels={a: _label(plan, a) for a in s.also})
             for c, s in redact.items()]
    redactor = Redactor(specs, vocabulary=vocabulary, detector=detector) if specs else None
    token_key = vault.key.token_key if vault else None
    sql, names = select_sql(table, plan, key=key, helpers=helpers if redact else [],
                            token_key=token_key)
    entries_sql = vault_sql(table, plan, token_key=token_key) if vault else None
    rows_in = int(table.query(f"SELECT COUNT(*) FROM {table.relation}")[0][0])
    if table.backend == "duckdb":
        rows_out, entries = _run_duckdb(table, sql, path, key=key, redactor=redactor,
                                        batch_rows=batch_rows, progress=progress,
                                        vault=vault, vault_sql=entries_sql)
        digest = sha256_file(path).sha256
    else:
        rows_out, entries = _run_spark(table, sql, path, redactor=redactor, vault=vault,
                                       vault_sql=entries_sql)
        files = sorted(p for p in path.rglob("*.parquet"))
        digest = _manifest(files)
    return Anonymization(
        source=table.source, output=str(path), rows_in=rows_in, rows_out=rows_out,
        columns={c: (plan.columns[c].transform if c in plan.columns else "keep")
                 for c in table.columns},
        output_columns=names, sha256=digest, key_id=key_id(key) if key else None,
        seconds=time.perf_counter() - started, backend=table.backend,
        redactions=redactor.totals() if redactor else {}, vocabulary_words=len(vocabulary),
        notes=notes,
        vault={"path": str(vault.path), "entries": entries, "key_id": vault.key.key_id,
               "run": vault.run, "columns": tokenized} if vault else None)


def _manifest(files: list[Path]) -> str | None:
    from steward.engines.backends._base import manifest_sha256

    return manifest_sha256(tuple(sha256_file(f) for f in files))


def _connection(table: Table) -> Any:
    """The DuckDB connection behind a backend table (to stream batches and set variables)."""
    return table._con  # type: ignore[attr-defined]


def _remove(*paths: Path | None) -> None:
    for path in paths:
        if path is None:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _run_duckdb(table: Table, sql: str, path: Path, *, key: bytes | None,
                redactor: Redactor | None, batch_rows: int,
                progress: ProgressCallback | None, vault: VaultTarget | None = None,
                vault_sql: str | None = None) -> tuple[int, int]:
    con = _connection(table)
    statements = duckdb_key_statements(key) if key else []
    if vault:
        statements += duckdb_key_statements(vault.key.token_key, variable=TOKEN_VARIABLE)
    for statement in statements:
        con.execute(statement)
    try:
        if redactor is None:
            fmt = "(FORMAT csv, HEADER true)" if path.suffix.lower() == ".csv" else \
                "(FORMAT parquet, COMPRESSION zstd)"
            result = table.query(f"COPY ({sql}) TO {_sql_text(str(path))} {fmt}",
                                 progress=progress)
            rows = int(result[0][0]) if result and result[0] else 0
        else:
            rows = _stream(con, table, sql, path, redactor, batch_rows)
        entries = write_vault_duckdb(con, vault_sql, vault, batch_rows=batch_rows) \
            if vault and vault_sql else 0
        return rows, entries
    except Exception:
        _remove(path, vault.path if vault else None)
        raise
    finally:
        resets = duckdb_key_resets() if key else []
        if vault:
            resets += duckdb_key_resets(variable=TOKEN_VARIABLE)
        for statement in resets:
            con.execute(statement)


def _stream(con: Any, table: Table, sql: str, path: Path, redactor: Redactor,
            batch_rows: int) -> int:
    from steward.engines.backends._base import QUERY_FAILED, first_line

    try:
        reader = con.sql(sql).to_arrow_reader(batch_rows)
    except Exception as error:
        raise InvalidInput(QUERY_FAILED.format(source=table.source,
                                               reason=first_line(error))) from None
    writer = None
    rows = 0
    try:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            out = redactor(batch)
            if writer is None:
                writer = _writer(path, out.schema)
            writer.write_batch(out)
            rows += out.num_rows
        if writer is None:  # an empty result still gets a file with the right columns
            import pyarrow as pa

            empty = redactor(pa.RecordBatch.from_pylist([], schema=reader.schema))
            writer = _writer(path, empty.schema)
    finally:
        if writer is not None:
            writer.close()
    return rows


def _run_spark(table: Table, sql: str, path: Path, *, redactor: Redactor | None,
               vault: VaultTarget | None = None, vault_sql: str | None = None
               ) -> tuple[int, int]:
    session = table._session  # type: ignore[attr-defined]
    try:
        rows = _write_spark(session, sql, path, redactor=redactor)
        entries = write_vault_spark(session, vault_sql, vault) if vault and vault_sql else 0
    except Exception:
        _remove(path, vault.path if vault else None)
        raise
    return rows, entries


def _write_spark(session: Any, sql: str, path: Path, *, redactor: Redactor | None) -> int:
    frame = session.sql(sql)
    if redactor is not None:
        from pyspark.sql.types import StringType, StructField, StructType

        wanted = {c.column for c in redactor.columns}
        fields = [StructField(f.name, StringType() if f.name in wanted else f.dataType, True)
                  for f in frame.schema.fields if not f.name.startswith(HELPER_PREFIX)]

        def run(batches: Any) -> Any:
            for batch in batches:
                yield redactor(batch)

        frame = frame.mapInArrow(run, StructType(fields))
    frame.write.parquet(str(path))
    return int(session.read.parquet(str(path)).count())
