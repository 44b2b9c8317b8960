"""Audiences: filter a customer list by consent, judge it by the policy, keep it as evidence.

The join runs on DuckDB (or Spark) against a Parquet **snapshot** of ``consent_state`` kept under
``<data_dir>/consent``: bulk imports merge the state rows they changed into it after they
commit; a filter checks it is current (no erasure since, no newer state row) and otherwise
reads the few newer rows from the database and lays them over it, or rebuilds it when many
changed or someone was erased. The database stays the record; the snapshot is a cache that
can be deleted at any time.

The filtered audience is judged by the policy's ``audience`` rules (facts: the allowed audience's
size, how many of them consented rather than being let through by an opt-out rule or another
lawful basis, the criteria categories given) and, on a system, kept as evidence of kind
``audience_filter`` with the counts, the decision and the policy version.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from steward.core.consent import REASONS, Purpose
from steward.core.roles import Role, write_access
from steward.engines.backends import open_table
from steward.engines.consent.audience import filter_audience as run_filter
from steward.engines.consent.subjects import key_words_sql
from steward.errors import InvalidInput, NotFound
from steward.services import consent, consent_keys, policy
from steward.services.evidence import record_evidence
from steward.services.runtime import Actor, Runtime, Unit
from steward.storage.orm import AISystem, ConsentErasure, ConsentEvent, ConsentState

FILTER_AUDIENCES = write_access(Role.MARKETING, Role.PRIVACY, Role.DATA_SCIENCE, Role.IT)
EVIDENCE_KIND = "audience_filter"
SNAPSHOT = "state.parquet"
META = "state.json"
SNAPSHOT_FORMAT = 2  # 2: the subject key's words (subject_k1 …) added
DELTA_LIMIT = 200_000
STATE_COLUMNS = ("subject_hash", "purpose", "status", "lawful_basis", "source", "jurisdiction",
                 "occurred_at", "event_id", "gpc_at")


def _folder(settings: Any) -> Path:
    return Path(settings.data_dir) / "consent"


def _read_meta(folder: Path) -> dict[str, Any] | None:
    """The snapshot's marks; None when there is none or it was written in an older layout."""
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == SNAPSHOT_FORMAT else None


def _marks(unit: Unit) -> tuple[int, int]:
    """The newest event's id and the number of erasures: a snapshot made at these is current."""
    top = unit.session.scalar(select(func.max(ConsentEvent.id))) or 0
    erasures = unit.session.scalar(select(func.count(ConsentErasure.id))) or 0
    return int(top), int(erasures)


def _schema():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.schema([(c, pa.int64() if c == "event_id" else pa.string()) for c in STATE_COLUMNS])


def _state_select(after: int | None = None) -> str:
    """SQL reading the state rows: all of them, or those changed since event ``after`` (a newer
    event, or a newer GPC signal older than the latest choice, which moves only ``gpc_at``)."""
    columns = ", ".join(STATE_COLUMNS)
    if after is None:
        return f"SELECT {columns} FROM consent_state"
    after = int(after)
    return (f"SELECT {columns} FROM consent_state WHERE event_id > {after} UNION "
            f"SELECT {', '.join('s.' + c for c in STATE_COLUMNS)} FROM consent_state s JOIN "
            f"(SELECT DISTINCT subject_hash, purpose FROM consent_events WHERE id > {after} "
            f"AND source = 'gpc') g ON g.subject_hash = s.subject_hash AND g.purpose = s.purpose")


def _changed(unit: Unit, after: int) -> int:
    return int(unit.session.scalar(text(f"SELECT count(*) FROM ({_state_select(after)}) t"))
               or 0)


def _state_table(unit: Unit, after: int | None = None):  # type: ignore[no-untyped-def]
    """State rows read through the database driver as an Arrow table (text times)."""
    import pyarrow as pa

    schema = _schema()
    return pa.Table.from_batches(list(_arrow_batches(unit, schema, after)), schema=schema)


def _arrow_batches(unit: Unit, schema: Any, after: int | None = None):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    result = unit.session.execute(text(_state_select(after)))
    while rows := result.fetchmany(100_000):
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch([pa.array([None if v is None else str(v) for v in col])
                               if schema.field(i).type == pa.string()
                               else pa.array(col, pa.int64())
                               for i, col in enumerate(columns)], schema=schema)


class _CopyStream(io.RawIOBase):
    """The output of a PostgreSQL ``COPY … TO STDOUT`` as a readable binary file.

    The driver hands over one row per call; this gathers them into the reader's buffer, so the
    state streams from the database into the Parquet snapshot (or a filter's delta) without a
    file in between (the state of a 50M-event ledger is about 6 GB of CSV)."""

    def __init__(self, copy: Any) -> None:
        super().__init__()
        self._copy = copy
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if not self._pending:
                chunk = self._copy.read()
                if not chunk:
                    break
                self._pending = memoryview(bytes(chunk))
            n = min(len(view) - filled, len(self._pending))
            view[filled:filled + n] = self._pending[:n]
            self._pending = self._pending[n:]
            filled += n
        return filled


def _csv_batches(stream: io.RawIOBase):  # type: ignore[no-untyped-def]
    """The state's columns, as text, from CSV in PostgreSQL's format (an unquoted empty field
    is NULL, a quoted one the empty string), read in blocks as Arrow record batches."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buffered = io.BufferedReader(stream, buffer_size=1 << 20)
    if not buffered.peek(1):  # no state rows (the reader refuses an empty file)
        return pa.table({c: pa.array([], pa.string()) for c in STATE_COLUMNS})
    return pacsv.open_csv(
        buffered,
        read_options=pacsv.ReadOptions(column_names=list(STATE_COLUMNS), block_size=8 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in STATE_COLUMNS}, null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=False))


_WORDS = ", ".join(f"{sql} AS subject_k{j + 1}"
                   for j, sql in enumerate(key_words_sql("subject_hash")))


def _typed(source: str) -> str:
    """The snapshot's rows from ``source``: the state's columns, typed, and the subject key
    also as four integers (``subject_k1`` …,
    :func:`~steward.engines.consent.subjects.key_words_sql`), which large audiences are
    joined on."""
    return ("SELECT subject_hash, purpose, status, lawful_basis, source, jurisdiction, "
            "CAST(occurred_at AS TIMESTAMP) AS occurred_at, CAST(event_id AS BIGINT) AS "
            f"event_id, CAST(gpc_at AS TIMESTAMP) AS gpc_at, {_WORDS} FROM {source}")


def _export(unit: Unit, target: Path, *, after: int | None = None,
            merge_into: Path | None = None) -> int:
    """Write the state to ``target`` (Parquet, sorted by purpose); the row count.

    With ``after``, only the state rows changed since that event are read from the
    database; with ``merge_into`` (an earlier snapshot) they replace that snapshot's rows for
    the same subject and purpose and the rest is kept as it is.
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        with _state_rows(unit, con, after):
            return _write_snapshot(con, _typed("state_rows"), target, merge_into=merge_into)
    finally:
        con.close()


@contextmanager
def _state_rows(unit: Unit, con: Any, after: int | None) -> Iterator[None]:
    """Register the state rows (all, or those changed since event ``after``) with the DuckDB
    connection ``con`` as ``state_rows``: on PostgreSQL streamed from a ``COPY`` while the
    block runs, elsewhere read through the driver."""
    if unit.session.get_bind().dialect.name != "postgresql":
        con.register("state_rows", _state_table(unit, after))
        yield
        return
    raw = unit.session.connection().connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY ({_state_select(after)}) TO STDOUT (FORMAT csv)") as copy:
        con.register("state_rows", _csv_batches(_CopyStream(copy)))
        yield


def _write_snapshot(con: Any, select_sql: str, target: Path, *,
                    merge_into: Path | None = None) -> int:
    partial = target.with_suffix(".partial")
    if merge_into is not None:
        con.execute(f"CREATE TEMP TABLE steward_delta AS {select_sql}")
        select_sql = (f"SELECT * FROM read_parquet('{merge_into}') s WHERE NOT EXISTS ("
                      f"SELECT 1 FROM steward_delta d WHERE d.subject_hash = s.subject_hash "
                      f"AND d.purpose = s.purpose) UNION ALL SELECT * FROM steward_delta")
    con.execute(f"COPY ({select_sql} ORDER BY purpose) TO '{partial}' (FORMAT parquet)")
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{partial}')").fetchone()[0]
    os.replace(partial, target)
    return int(rows)


def _rebuild(unit: Unit, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    top, erasures = _marks(unit)
    rows = _export(unit, folder / SNAPSHOT)
    meta = {"format": SNAPSHOT_FORMAT, "max_event_id": top, "erasures": erasures, "rows": rows}
    (folder / META).write_text(json.dumps(meta))
    return meta


MERGE_SHARE = 0.5
"""A refresh merges the changed state rows into the snapshot unless more than this share of
the snapshot's rows changed (then reading the whole state is as cheap)."""


def refresh_snapshot(runtime: Runtime) -> dict[str, Any]:
    """Bring the state snapshot up to date after a bulk import: the state rows the import
    changed are read from the database and merged into the snapshot on DuckDB. It is rebuilt
    whole when there is none yet, someone was erased since, or most of it changed."""
    with runtime.unit(Actor.system("consent-snapshot")) as unit:
        folder = _folder(runtime.settings)
        meta = _read_meta(folder)
        top, erasures = _marks(unit)
        if meta is None or not (folder / SNAPSHOT).exists() or meta.get("erasures") != erasures:
            return _rebuild(unit, folder)
        if top <= meta["max_event_id"]:
            return meta
        changed = _changed(unit, meta["max_event_id"])
        if changed > MERGE_SHARE * max(int(meta.get("rows", 0)), 1):
            return _rebuild(unit, folder)
        snapshot = folder / SNAPSHOT  # read in place, replaced at once when the merge is written
        rows = _export(unit, snapshot, after=meta["max_event_id"], merge_into=snapshot)
        meta = {"format": SNAPSHOT_FORMAT, "max_event_id": top, "erasures": erasures,
                "rows": rows, "merged": changed}
        (folder / META).write_text(json.dumps(meta))
        return meta


def state_relation(unit: Unit, con_folder: Path) -> tuple[str, dict[str, Any]]:
    """SQL naming the current state for a backend (the snapshot, plus newer rows if any)."""
    folder = _folder(unit.settings)
    meta = _read_meta(folder)
    top, erasures = _marks(unit)
    if (meta is None or not (folder / SNAPSHOT).exists() or meta.get("erasures") != erasures):
        meta = _rebuild(unit, folder)
    snapshot = f"read_parquet('{folder / SNAPSHOT}')"
    if top <= meta["max_event_id"]:
        return snapshot, meta
    newer = _changed(unit, meta["max_event_id"])
    if newer > DELTA_LIMIT:
        meta = _rebuild(unit, folder)
        return snapshot, meta
    import duckdb

    delta_path = con_folder / "delta.parquet"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        with _state_rows(unit, con, meta["max_event_id"]):
            con.execute(f"COPY ({_typed('state_rows')}) TO '{delta_path}' (FORMAT parquet)")
    finally:
        con.close()
    delta = f"read_parquet('{delta_path}')"
    merged = (f"(SELECT * FROM {snapshot} s WHERE NOT EXISTS (SELECT 1 FROM {delta} d "
              f"WHERE d.subject_hash = s.subject_hash AND d.purpose = s.purpose) "
              f"UNION ALL SELECT * FROM {delta})")
    return merged, {**meta, "delta_rows": newer}


def _purposes_for(unit: Unit, *, system_id: int | None, purpose: str | None
                  ) -> tuple[list[Purpose], AISystem | None]:
    known = consent.purposes(unit)
    if (system_id is None) == (purpose is None):
        raise InvalidInput("give a system or a purpose, not both and not neither")
    if purpose is not None:
        return [consent._purpose(known, purpose)], None
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    if not system.consent_purposes:
        raise InvalidInput(f"AI system {system_id} declares no consent purposes: set "
                           f"consent_purposes on it first")
    return [consent._purpose(known, p) for p in system.consent_purposes], system


def _judge(unit: Unit, result: Any, wanted: Sequence[Purpose], *, name: str,
           criteria: Sequence[str]) -> dict[str, Any]:
    decisions = []
    for p in wanted:
        consented = result.consented_by_purpose.get(p.key, 0)
        facts = {"audience": {"name": name, "purpose": p.key, "profiling": p.profiling,
                              "size": result.allowed, "consented_count": consented,
                              "unconsented_count": result.allowed - consented,
                              "criteria_categories": list(criteria)}}
        decisions.append(policy.judge(unit, applies_to="audience", facts=facts))
    order = {"pass": 0, "warn": 1, "block": 2}
    verdict = max((d["outcome"] for d in decisions), key=lambda v: order.get(v, 0),
                  default="pass")
    fired = [r for d in decisions for r in d["fired"]]
    return {"verdict": verdict, "policy_version": decisions[0]["policy_version"],
            "decisions": decisions, "fired": fired}


def filter_audience(unit: Unit, source: Any, *, subject_column: str = "subject",
                    system_id: int | None = None, purpose: str | None = None,
                    allowed_out: str | Path | None = None, denied_out: str | Path | None = None,
                    jurisdiction_column: str | None = None, hashed: bool = False,
                    backend: str = "duckdb", spark: Any = None, name: str | None = None,
                    criteria: Sequence[str] = ()) -> dict[str, Any]:
    """Filter an audience (a Parquet/CSV path, a table…) for a system's purposes or one purpose."""
    unit.require(FILTER_AUDIENCES, "filter audiences")
    wanted, system = _purposes_for(unit, system_id=system_id, purpose=purpose)
    key = None if hashed else consent_keys.subject_key(unit.settings)
    with tempfile.TemporaryDirectory(prefix="steward-audience-") as scratch:
        state, meta = state_relation(unit, Path(scratch))
        if backend == "spark":
            state = state.replace("read_parquet('", "parquet.`").replace("')", "`")
        table = open_table(source, backend=backend, spark=spark,  # type: ignore[arg-type]
                           hash_files=system is not None)
        try:
            result = run_filter(
                table, state=state, purposes=wanted, key=key, subject_column=subject_column,
                jurisdiction_column=jurisdiction_column,
                precedence=unit.settings.consent_gpc_precedence,
                allowed_out=Path(allowed_out) if allowed_out else None,
                denied_out=Path(denied_out) if denied_out else None)
            fingerprint = table.fingerprint(rows=result.rows).to_dict() if system else None
        finally:
            table.close()
    label = name or (Path(str(source)).name if isinstance(source, (str, Path)) else "audience")
    judged = _judge(unit, result, wanted, name=label, criteria=criteria)
    record = {**result.to_dict(), "audience": label, "gpc_precedence":
              unit.settings.consent_gpc_precedence, "state_rows": meta.get("rows"),
              "decision": judged, "verdict": judged["verdict"],
              "policy_version": judged["policy_version"], "system_id": system_id}
    if system is not None:
        evidence = record_evidence(
            unit, kind=EVIDENCE_KIND, title=f"Audience {label} filtered by consent",
            payload=record, system_id=system.id, verdict=judged["verdict"],
            summary={"rows": result.rows, "allowed": result.allowed,
                     "by_reason": dict(result.by_reason)},
            data_fingerprint=fingerprint, policy_version=str(judged["policy_version"]))
        record["evidence_id"] = evidence["id"]
    else:
        unit.audit("consent.filter", "consent_ledger", label,
                   after={k: v for k, v in record.items() if k != "decision"})
    return record


def coverage(unit: Unit, *, max_events: int = 500_000) -> dict[str, Any]:
    """Consent coverage per purpose and jurisdiction now, and by month from the events.

    Coverage is the share of people on record for a purpose whose latest choice is a grant.
    """
    unit.require(consent.READ_CONSENT, "read consent coverage")
    known = consent.purposes(unit)
    rows = unit.session.execute(
        select(ConsentState.purpose, ConsentState.jurisdiction, ConsentState.status,
               ConsentState.source, func.count())
        .group_by(ConsentState.purpose, ConsentState.jurisdiction, ConsentState.status,
                  ConsentState.source)).all()
    current: dict[tuple[str, str], dict[str, int]] = {}
    for purpose_key, where, status, source, n in rows:
        cell = current.setdefault((purpose_key, where or "unknown"),
                                  {"granted": 0, "denied": 0, "withdrawn": 0, "gpc": 0})
        cell["gpc" if source == "gpc" else status] += int(n)
    table = [{"purpose": p, "jurisdiction": j, **c, "people": sum(c.values()),
              "coverage": round(c["granted"] / max(sum(c.values()), 1), 4)}
             for (p, j), c in sorted(current.items())]
    total = int(unit.session.scalar(text("SELECT count(*) FROM consent_events")) or 0)
    series = _monthly(unit) if total <= max_events else []
    return {"purposes": [p.to_dict() for p in known.values()], "current": table,
            "series": series, "events": total, "series_capped": total > max_events,
            "reasons": list(REASONS)}


def _monthly(unit: Unit) -> list[dict[str, Any]]:
    """Coverage at the end of each month, replaying events in time order (bounded ledgers)."""
    result = unit.session.execute(text(
        "SELECT subject_hash, purpose, status, source, jurisdiction, occurred_at "
        "FROM consent_events ORDER BY occurred_at, id"))
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    points: list[dict[str, Any]] = []
    month = None

    def close(label: str) -> None:
        counts: dict[tuple[str, str], list[int]] = {}
        for (_s, p), (status, where) in latest.items():
            cell = counts.setdefault((p, where), [0, 0])
            cell[1] += 1
            cell[0] += status == "granted"
        points.extend({"month": label, "purpose": p, "jurisdiction": j, "granted": g,
                       "people": n, "coverage": round(g / n, 4)}
                      for (p, j), (g, n) in sorted(counts.items()))

    for subject, purpose_key, status, _source, where, at in result:
        label = str(at)[:7]
        if month is not None and label != month:
            close(month)
        month = label
        latest[(subject, purpose_key)] = (status, where or "unknown")
    if month is not None:
        close(month)
    return points
