"""Files of consent events (CSV, JSON Lines, Parquet) read, checked and keyed on DuckDB.

:func:`open_events` opens a file as a DuckDB view of normalised events: the subject keyed with
the HMAC inside the query, values checked (the first bad row is named in a one-line
:class:`~steward.errors.InvalidInput`), defaults filled in, times in UTC, and an idempotency key
derived from the event's content when the file gives none (so importing a file twice adds
nothing). Nothing is loaded into Python until the caller reads batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward.core.consent import LAWFUL_BASES, SOURCES, STATUSES
from steward.engines.consent.subjects import hmac_sql, normalised_sql
from steward.errors import InvalidInput

REQUIRED = ("subject", "purpose", "status")
OPTIONAL = ("lawful_basis", "source", "notice", "notice_version", "jurisdiction", "occurred_at",
            "evidence", "idempotency_key")
#: The normalised columns, in order.
COLUMNS = ("idempotency_key", "subject_hash", "subject", "purpose", "status", "lawful_basis",
           "source", "notice", "notice_version", "jurisdiction", "occurred_at", "evidence")
MISSING_COLUMN = "{path}: no {column!r} column (columns: {available})"
BAD_ROW = "{path}: row {row}: {problem}"
UNREADABLE = "{path}: cannot read: {reason}"
UNKNOWN_FORMAT = "{path}: give a .csv, .jsonl (JSON Lines) or .parquet file of events"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reader(path: Path) -> str:
    name = path.name.lower()
    target = _literal(str(path))
    if name.endswith((".parquet", ".pq")):
        return f"read_parquet({target})"
    if name.endswith((".csv", ".csv.gz")):
        return f"read_csv({target}, header = true, all_varchar = true)"
    if name.endswith((".jsonl", ".ndjson", ".json", ".jsonl.gz")):
        return f"read_json({target}, format = 'newline_delimited')"
    raise InvalidInput(UNKNOWN_FORMAT.format(path=path))


@dataclass
class EventFile:
    """An open, checked file of events, read as normalised Arrow batches."""

    connection: Any
    path: Path

    def batches(self, size: int = 200_000, *, time_format: str = "%Y-%m-%d %H:%M:%S.%f"
                ) -> Iterator[Any]:
        """Arrow record batches of :data:`COLUMNS`; ``occurred_at`` as text in ``time_format``."""
        cols = ", ".join(c if c != "occurred_at" else
                         f"strftime(occurred_at, {_literal(time_format)}) AS occurred_at"
                         for c in COLUMNS)
        yield from self.connection.sql(f"SELECT {cols} FROM steward_events").to_arrow_reader(size)

    def close(self) -> None:
        self.connection.close()


def open_events(path: Path | str, *, key: bytes, purposes: Sequence[str],
                keep_subjects: bool = False, default_source: str = "import",
                default_jurisdiction: str | None = None, now: str | None = None) -> EventFile:
    """Open and check a file of events; raise :class:`InvalidInput` naming the first bad row."""
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        con.execute(f"CREATE VIEW steward_raw AS SELECT * FROM {_reader(path)}")
        described = [r[0] for r in con.execute("DESCRIBE steward_raw").fetchall()]
    except InvalidInput:
        con.close()
        raise
    except Exception as error:  # duckdb raises many kinds: all are unreadable input
        con.close()
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InvalidInput(UNREADABLE.format(path=path, reason=reason)) from None
    for column in REQUIRED:
        if column not in described:
            con.close()
            raise InvalidInput(MISSING_COLUMN.format(path=path, column=column,
                                                     available=", ".join(described[:20])))

    def col(name: str, default: str = "NULL") -> str:
        if name not in described:
            return default
        return f"nullif(trim(CAST({_quote(name)} AS VARCHAR)), '')"

    moment = f"TIMESTAMPTZ {_literal(now)}" if now else "now()"
    kinds = dict(con.execute("SELECT column_name, column_type FROM "
                             "(DESCRIBE steward_raw)").fetchall())
    if str(kinds.get("occurred_at", "")).startswith("TIMESTAMP"):  # typed: no text round trip
        when = f"coalesce(CAST(\"occurred_at\" AS TIMESTAMPTZ), {moment})"
    else:
        when = (f"coalesce(try_cast({col('occurred_at')} AS TIMESTAMPTZ), "
                f"CASE WHEN {col('occurred_at')} IS NULL THEN {moment} END)")
    jurisdiction = (f"upper({col('jurisdiction')})" if "jurisdiction" in described
                    else "NULL")
    if default_jurisdiction:
        jurisdiction = f"coalesce({jurisdiction}, {_literal(default_jurisdiction.upper())})"
    subject = normalised_sql(_quote("subject"))
    con.execute(f"""
        CREATE VIEW steward_checked AS
        SELECT {subject} AS subject,
               lower({col('purpose')}) AS purpose, lower({col('status')}) AS status,
               coalesce(lower({col('lawful_basis')}), 'consent') AS lawful_basis,
               coalesce(lower({col('source')}), {_literal(default_source)}) AS source,
               {col('notice')} AS notice, {col('notice_version')} AS notice_version,
               {jurisdiction} AS jurisdiction,
               {col('occurred_at')} AS occurred_raw, {when} AS occurred_at,
               {col('evidence')} AS evidence, {col('idempotency_key')} AS given_key
        FROM steward_raw""")
    known = ", ".join(_literal(p) for p in purposes) or "''"
    problem = f"""CASE
        WHEN subject IS NULL OR subject = '' THEN 'subject is empty'
        WHEN length(subject) > 320 THEN 'subject is longer than 320 characters'
        WHEN purpose IS NULL THEN 'purpose is empty'
        WHEN purpose NOT IN ({known}) THEN 'unknown purpose ''' || purpose || ''''
        WHEN status IS NULL OR status NOT IN ({", ".join(map(_literal, STATUSES))})
            THEN 'status ''' || coalesce(status, '') || ''' is not granted, denied or withdrawn'
        WHEN lawful_basis NOT IN ({", ".join(map(_literal, LAWFUL_BASES))})
            THEN 'unknown lawful basis ''' || lawful_basis || ''''
        WHEN source NOT IN ({", ".join(map(_literal, SOURCES))})
            THEN 'unknown source ''' || source || ''''
        WHEN occurred_at IS NULL THEN 'occurred_at ''' || occurred_raw || ''' is not a time'
        WHEN length(coalesce(given_key, '')) > 200 THEN 'idempotency_key longer than 200'
        WHEN length(coalesce(notice, '')) > 200 THEN 'notice longer than 200 characters'
        WHEN length(coalesce(notice_version, '')) > 64 THEN 'notice_version longer than 64'
        WHEN length(coalesce(jurisdiction, '')) > 16 THEN 'jurisdiction longer than 16'
        END"""
    con.execute(f"CREATE VIEW steward_problems AS SELECT {problem} AS p FROM steward_checked")
    if con.execute("SELECT 1 FROM steward_problems WHERE p IS NOT NULL LIMIT 1").fetchone():
        bad = con.execute("SELECT rn, p FROM (SELECT row_number() OVER () AS rn, p "
                          "FROM steward_problems) WHERE p IS NOT NULL ORDER BY rn LIMIT 1"
                          ).fetchone()
        con.close()
        row = bad[0] + 1 if path.name.lower().endswith((".csv", ".csv.gz")) else bad[0]
        raise InvalidInput(BAD_ROW.format(path=path, row=row, problem=bad[1]))
    keyed = hmac_sql(key, "subject", normalised=True)
    derived = ("'import:' || md5(k || '|' || purpose || '|' || status || '|' || lawful_basis "
               "|| '|' || source || '|' || CAST(epoch_us(occurred_at) AS VARCHAR))")
    con.execute(f"""
        CREATE VIEW steward_events AS
        SELECT coalesce(given_key, {derived}) AS idempotency_key, k AS subject_hash,
               {'subject' if keep_subjects else 'NULL'} AS subject, purpose, status,
               lawful_basis, source, notice, notice_version, jurisdiction,
               timezone('UTC', occurred_at) AS occurred_at, evidence
        FROM (SELECT *, {keyed} AS k FROM steward_checked)""")
    return EventFile(connection=con, path=path)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
