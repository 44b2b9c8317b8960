"""Bulk ingest into the consent ledger: files of events, and files of TC or GPP strings.

Files of events (CSV, JSON Lines, Parquet) are read, checked and keyed on DuckDB
(:mod:`steward.engines.consent.events`) and written to ``consent_events`` in bulk: batched
inserts on SQLite, ``COPY`` into a temporary table on PostgreSQL, both with
``ON CONFLICT (idempotency_key) DO NOTHING`` so importing a file again adds nothing. The state
is then brought up to date in one statement, in the same transaction, and one audit entry
records the file (its SHA-256), the rows read and the events added.

Files of consent strings have a ``subject`` and a ``consent_string`` (TC or GPP) column, and
optionally ``occurred_at``, ``jurisdiction`` and ``gpc``; each string is decoded and mapped to
events (:mod:`steward.engines.consent.mapping`). A malformed string stops the import with its
row number.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from steward.engines.consent import ConsentStringError
from steward.engines.consent.events import COLUMNS, open_events
from steward.errors import InvalidInput
from steward.services import consent, consent_keys
from steward.services.runtime import Unit
from steward.storage.orm import ConsentEvent

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
PG_TIME = "%Y-%m-%d %H:%M:%S.%f+00"
BATCH_ROWS = 100_000
CHUNK_BATCHES = 50  # 5M rows per chunk moved into the ledger
STRING_FILE_COLUMNS = ("subject", "consent_string")
MAX_STRING_FILE_ROWS = 100_000
#: PostgreSQL memory for the import's sorts (the state window over every new event): the
#: default 4 MB spills a million-event import to disk.
BULK_WORK_MEM = "256MB"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _encrypt_column(unit: Unit, values: list[Any]) -> list[Any]:
    return [consent_keys.encrypt_identifier(unit.settings, v) if v else None for v in values]


def _sqlite_load(unit: Unit, events: Any) -> int:
    now = datetime.now(UTC).strftime(SQLITE_TIME)
    cols = ", ".join(c if c != "subject" else "subject_encrypted" for c in COLUMNS)
    actor = unit.actor.label.replace("'", "''")
    sql = (f"INSERT INTO consent_events ({cols}, recorded_at, recorded_by) VALUES "
           f"({', '.join('?' for _ in COLUMNS)}, '{now}', '{actor}') "
           f"ON CONFLICT (idempotency_key) DO NOTHING")
    connection = unit.session.connection()
    rows = 0
    subject_at = COLUMNS.index("subject")
    for batch in events.batches(BATCH_ROWS, time_format=SQLITE_TIME):
        columns = [c.to_pylist() for c in batch.columns]
        if unit.settings.consent_keep_subjects:
            columns[subject_at] = _encrypt_column(unit, columns[subject_at])
        connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        rows += batch.num_rows
    return rows


def _postgres_load(unit: Unit, events: Any) -> int:
    """COPY the events into a temporary table in chunks, moving each chunk into the ledger with
    ``ON CONFLICT DO NOTHING`` (so the temporary table never holds more than one chunk)."""
    import io

    import pyarrow.csv as pacsv

    raw = unit.session.connection().connection.dbapi_connection
    unit.session.execute(text(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'"))
    cols = ", ".join(c if c != "subject" else "subject_encrypted" for c in COLUMNS)
    options = pacsv.WriteOptions(include_header=False)
    subject_at = COLUMNS.index("subject")
    rows = 0
    batches = events.batches(BATCH_ROWS, time_format=PG_TIME)
    with raw.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE steward_consent_load AS "
                       f"SELECT {cols} FROM consent_events WITH NO DATA")
        done = False
        while not done:
            done = True
            with cursor.copy(f"COPY steward_consent_load ({cols}) FROM STDIN (FORMAT csv)") \
                    as copy:
                for _ in range(CHUNK_BATCHES):
                    batch = next(batches, None)
                    if batch is None:
                        break
                    done = False
                    if unit.settings.consent_keep_subjects:
                        batch = batch.set_column(subject_at, "subject", pa_array(
                            _encrypt_column(unit, batch.column(subject_at).to_pylist())))
                    buffer = io.BytesIO()
                    pacsv.write_csv(batch, buffer, write_options=options)
                    copy.write(buffer.getvalue())
                    rows += batch.num_rows
            cursor.execute(
                f"INSERT INTO consent_events ({cols}, recorded_at, recorded_by) "
                f"SELECT {cols}, now(), %s FROM steward_consent_load "
                f"ON CONFLICT (idempotency_key) DO NOTHING", (unit.actor.label,))
            cursor.execute("TRUNCATE steward_consent_load")
        cursor.execute("DROP TABLE steward_consent_load")
    return rows


def pa_array(values: list[Any]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.string())


def ingest_events_file(unit: Unit, path: str | Path, *,
                       default_jurisdiction: str | None = None) -> dict[str, Any]:
    """Import a CSV, JSON Lines or Parquet file of events; idempotent."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    path = Path(path)
    known = consent.purposes(unit)
    events = open_events(path, key=consent_keys.subject_key(unit.settings),
                         purposes=list(known), keep_subjects=unit.settings.consent_keep_subjects,
                         default_jurisdiction=default_jurisdiction)
    try:
        consent.lock_ledger(unit)
        after = consent.max_event_id(unit)
        if unit.session.get_bind().dialect.name == "postgresql":
            rows = _postgres_load(unit, events)
        else:
            rows = _sqlite_load(unit, events)
    finally:
        events.close()
    return _finish(unit, after=after, rows=rows, path=path, kind="events")


def _finish(unit: Unit, *, after: int, rows: int, path: Path, kind: str) -> dict[str, Any]:
    added = int(unit.session.scalar(select(func.count(ConsentEvent.id))
                                    .where(ConsentEvent.id > after)) or 0)
    if added and kind == "events":
        consent.update_state(unit, after=after)
    record = {"file": path.name, "sha256": _sha256(path), "kind": kind, "rows": rows,
              "added": added, "already_recorded": max(rows - added, 0)}
    unit.audit("consent.ingest", "consent_ledger", path.name, after=record)
    if added and unit.runtime is not None:
        from steward.services import consent_audience

        runtime = unit.runtime
        unit.after_commit(lambda: consent_audience.refresh_snapshot(runtime))
    return record


# --- files of consent strings ------------------------------------------------------------------


def _string_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    name = path.name.lower()
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if name.endswith((".jsonl", ".ndjson", ".json")):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInput(f"{path}: row {number}: not JSON ({exc.msg})") from None
                if not isinstance(item, dict):
                    raise InvalidInput(f"{path}: row {number}: expected a JSON object")
                yield number, item
            return
        if not name.endswith(".csv"):
            raise InvalidInput(f"{path}: give a .csv or .jsonl file of consent strings")
        reader = csv.DictReader(handle)
        for column in STRING_FILE_COLUMNS:
            if column not in (reader.fieldnames or []):
                raise InvalidInput(f"{path}: no {column!r} column (columns: "
                                   f"{', '.join(reader.fieldnames or [])})")
        for number, item in enumerate(reader, start=2):
            yield number, item


def ingest_strings_file(unit: Unit, path: str | Path) -> dict[str, Any]:
    """Import a file of TC or GPP strings, one per subject and row; idempotent per row."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    path = Path(path)
    consent.lock_ledger(unit)
    after = consent.max_event_id(unit)
    rows = 0
    for number, item in _string_rows(path):
        rows += 1
        if rows > MAX_STRING_FILE_ROWS:
            raise InvalidInput(f"{path}: more than {MAX_STRING_FILE_ROWS} rows: split the file")
        subject = str(item.get("subject") or "").strip()
        string = str(item.get("consent_string") or "").strip()
        if not subject or not string:
            raise InvalidInput(f"{path}: row {number}: subject and consent_string are required")
        gpc = str(item.get("gpc") or "").strip().lower() in ("1", "true", "yes")
        try:
            consent.record_string(
                unit, subject, string, jurisdiction=item.get("jurisdiction") or None,
                occurred_at=item.get("occurred_at") or None, gpc=gpc,
                idempotency_key="file:" + hashlib.sha256(
                    f"{consent_keys.key_of(unit.settings, subject)}|{string}".encode()
                ).hexdigest()[:40])
        except ConsentStringError as exc:
            raise ConsentStringError(f"{path}: row {number}: {exc.message}") from None
        except InvalidInput as exc:
            raise InvalidInput(f"{path}: row {number}: {exc.message}") from None
    return _finish(unit, after=after, rows=rows, path=path, kind="strings")


def ingest_file(unit: Unit, path: str | Path, *, kind: str = "events",
                default_jurisdiction: str | None = None) -> dict[str, Any]:
    """Import a file of events (``kind="events"``) or of consent strings (``"strings"``)."""
    if kind == "strings":
        return ingest_strings_file(unit, path)
    if kind != "events":
        raise InvalidInput("kind must be events or strings")
    return ingest_events_file(unit, path, default_jurisdiction=default_jurisdiction)

