"""Audience enforcement: join an audience to the current consent state, in one query, on a backend.

Each audience row's subject is keyed with the organisation's HMAC inside the query (see
:mod:`.subjects`; a large audience on DuckDB is keyed by a compiled kernel and paired with its
keys by position, :func:`keyed_by_kernel`), left-joined to the state (a Parquet export of
``consent_state``), and given a reason per purpose (:data:`steward.core.consent.REASONS`);
with several purposes the highest-ranked reason decides. The rows are classified once (a
temporary table on DuckDB, a cached view on Spark); the allowed rows, the refused rows with
their reason, and the counts by reason are all read from it.

What this cannot decide: whether the audience file names the right people. It checks that the
people in it may be processed for the purposes given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.core.consent import DEFAULT_JURISDICTION, REASONS, GpcPrecedence, Purpose
from steward.engines.backends import Table
from steward.engines.consent.subjects import (
    KEY_WORDS,
    hmac_sql,
    kernel_available,
    key_words_arrow,
)
from steward.errors import InvalidInput

JURISDICTION_CODE = re.compile(r"^[A-Z0-9]{1,8}(-[A-Z0-9]{1,8})*$")
REASON_COLUMN = "consent_reason"
EMPTY_PURPOSES = "give at least one purpose to filter the audience by"
BAD_OUTPUT = "{path}: write the output as .parquet or .csv"


@dataclass(frozen=True)
class AudienceResult:
    """Counts of one filtered audience: rows, allowed, consented, and refused by reason."""

    rows: int
    allowed: int
    by_reason: Mapping[str, int]
    consented_by_purpose: Mapping[str, int]
    purposes: tuple[str, ...]
    outputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> int:
        return self.rows - self.allowed

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "allowed": self.allowed, "refused": self.refused,
                "by_reason": dict(self.by_reason), "purposes": list(self.purposes),
                "consented_by_purpose": dict(self.consented_by_purpose),
                "outputs": dict(self.outputs)}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _rule_sql(rules: Mapping[str, str], where: str) -> str:
    """CASE choosing a purpose's rule for the jurisdiction expression ``where`` (prefix match)."""
    specific = sorted((k for k in rules if k != DEFAULT_JURISDICTION), key=len, reverse=True)
    arms = []
    for code in specific:
        if not JURISDICTION_CODE.match(code):
            raise InvalidInput(f"jurisdiction {code!r} must look like EU, US or US-CA")
        arms.append(f"WHEN {where} = {_literal(code)} OR {where} LIKE {_literal(code + '-%')} "
                    f"THEN {_literal(rules[code])}")
    default = _literal(rules.get(DEFAULT_JURISDICTION, "opt_in"))
    return f"CASE {' '.join(arms)} ELSE {default} END" if arms else default


def _code_sql(purpose: Purpose, i: int, precedence: GpcPrecedence) -> str:
    rank = {name: n for n, name in enumerate(REASONS)}
    bases = ", ".join(_literal(b) for b in purpose.bases) or "''"
    gpc_first = (f"WHEN __g{i} THEN {rank['gpc']} "
                 if precedence == "gpc" and purpose.gpc else "")
    return (
        f"CASE WHEN __r{i} = 'prohibited' THEN {rank['jurisdiction']} "
        f"WHEN __s{i} IS NULL THEN "
        f"(CASE WHEN __r{i} = 'opt_out' THEN 0 ELSE {rank['no_record']} END) "
        f"{gpc_first}"
        f"WHEN __s{i} = 'granted' THEN (CASE WHEN __r{i} = 'opt_in' AND __b{i} NOT IN ({bases}) "
        f"THEN {rank['jurisdiction']} ELSE 0 END) "
        f"WHEN __src{i} = 'gpc' THEN {rank['gpc']} "
        f"WHEN __s{i} = 'withdrawn' THEN {rank['withdrawn']} "
        f"ELSE {rank['denied']} END"
    )


def _state_sql(state: str, purposes: Sequence[Purpose], *, words: bool = False) -> str:
    """The state rows for ``purposes``, one per subject: keyed by ``__k`` (the hex key) or,
    with ``words``, by ``__k1`` … ``__k4`` (the snapshot's ``subject_k1`` … columns)."""
    if words:
        keys = [f"subject_k{j + 1} AS __k{j + 1}" for j in range(KEY_WORDS)]
        group = ", ".join(f"subject_k{j + 1}" for j in range(KEY_WORDS))
    else:
        keys, group = ["subject_hash AS __k"], "subject_hash"
    if len(purposes) == 1:
        return (f"SELECT {', '.join(keys)}, status AS __s0, lawful_basis AS __b0, "
                f"source AS __src0, jurisdiction AS __j0, gpc_at IS NOT NULL AS __g0 FROM {state} "
                f"WHERE purpose = {_literal(purposes[0].key)}")
    cols = []
    for i, p in enumerate(purposes):
        is_p = f"purpose = {_literal(p.key)}"
        cols += [f"max(CASE WHEN {is_p} THEN status END) AS __s{i}",
                 f"max(CASE WHEN {is_p} THEN lawful_basis END) AS __b{i}",
                 f"max(CASE WHEN {is_p} THEN source END) AS __src{i}",
                 f"max(CASE WHEN {is_p} THEN jurisdiction END) AS __j{i}",
                 f"max(CASE WHEN {is_p} AND gpc_at IS NOT NULL THEN 1 ELSE 0 END) = 1 AS __g{i}"]
    purpose_keys = ", ".join(_literal(p.key) for p in purposes)
    return (f"SELECT {', '.join(keys)}, {', '.join(cols)} FROM {state} "
            f"WHERE purpose IN ({purpose_keys}) GROUP BY {group}")


def _greatest(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"greatest({', '.join(items)})"


def classify_sql(table: Table, *, state: str, purposes: Sequence[Purpose], key: bytes | None,
                 subject_column: str, jurisdiction_column: str | None = None,
                 precedence: GpcPrecedence = "latest", keys_relation: str | None = None) -> str:
    """The one query classifying every audience row: its columns, ``__code`` and ``__consented``.

    ``key`` None means the subject column already holds subject keys; ``keys_relation`` names
    the audience's keys as words, row for row, to be joined by position
    (see :func:`keyed_by_kernel`).
    """
    q = table.quote
    dialect = "spark" if table.backend == "spark" else "duckdb"
    text = "STRING" if dialect == "spark" else "VARCHAR"
    subject = q(subject_column)
    if keys_relation:
        audience = f"(SELECT * FROM {table.relation} POSITIONAL JOIN {keys_relation}) a"
        match = " AND ".join(f"st.__k{j + 1} = a.__k{j + 1}" for j in range(KEY_WORDS))
    else:
        # Keys given already (hex) are only lower-cased and trimmed of spaces: trimming every
        # Unicode space, as identifiers are, would double the cost of a hashed audience.
        keyed = (hmac_sql(key, subject, dialect=dialect) if key is not None
                 else f"lower(trim(CAST({subject} AS {text})))")
        audience = f"(SELECT *, {keyed} AS __key FROM {table.relation}) a"
        match = "st.__k = a.__key"
    own = (f"upper(trim(CAST({q(jurisdiction_column)} AS {text})))" if jurisdiction_column
           else None)
    rules, codes, consented = [], [], []
    for i, p in enumerate(purposes):
        where = f"coalesce({own}, upper(__j{i}), '')" if own else f"coalesce(upper(__j{i}), '')"
        rules.append(f"{_rule_sql(p.rules, where)} AS __r{i}")
        codes.append(_code_sql(p, i, precedence))
        consented.append(f"(__s{i} = 'granted' AND __b{i} = 'consent')")
    columns = ", ".join(q(c) for c in table.columns)
    flags = ", ".join(f"{c} AS __c{i}" for i, c in enumerate(consented))
    state_rows = _state_sql(state, purposes, words=keys_relation is not None)
    return (
        f"SELECT {columns}, {_greatest(codes)} AS __code, {flags} FROM ("
        f"SELECT a.*, st.*, {', '.join(rules)} FROM {audience} "
        f"LEFT JOIN ({state_rows}) st ON {match}) j"
    )


def _format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    raise InvalidInput(BAD_OUTPUT.format(path=path))


KERNEL_MIN_ROWS = 1_000_000
"""From this many audience rows on DuckDB, subjects are keyed by the compiled kernel
(:func:`~.subjects.key_words_arrow`) rather than by the HMAC spelled out in SQL: the kernel
takes a tenth of the SQL's CPU per row on CPUs with SHA extensions (a third without) but about
a second to start (importing numba, loading the kernel from its cache)."""
KEYS = "steward_audience_keys"


def keyed_by_kernel(table: Table, *, key: bytes | None, subject_column: str,
                    min_rows: int = KERNEL_MIN_ROWS) -> str | None:
    """Register the audience's subject keys, computed by the compiled kernel, as a table of
    :data:`~.subjects.KEY_WORDS` integer columns ``__k1`` … with one row per audience row in
    the audience's order, and return its name; None when the SQL HMAC is used instead (not
    DuckDB, no key, fewer than ``min_rows`` rows, no numba, or an audience that cannot be read
    twice).

    Only the subjects travel to Python and only fixed-width words come back: the audience
    itself is read again by DuckDB, in parallel, and paired with its keys by position
    (``POSITIONAL JOIN``; DuckDB keeps a table's or file's row order). Text keys sent back
    through Arrow cost more than the hashing."""
    if (table.backend != "duckdb" or key is None or min_rows < 0
            or not getattr(table, "rereadable", False)):
        return None
    probe = f"SELECT count(*) FROM (SELECT 1 FROM {table.relation} LIMIT {int(min_rows)})"
    if int(table.query(probe)[0][0]) < min_rows or not kernel_available():
        return None
    import pyarrow as pa

    subject = f"CAST({table.quote(subject_column)} AS VARCHAR)"  # the kernel normalises
    try:
        source = table.arrow_batches(  # type: ignore[attr-defined]
            f"SELECT {subject} FROM {table.relation}")
    except InvalidInput:
        return None  # e.g. a registered object only the table's own cursor sees
    names = [f"__k{j + 1}" for j in range(KEY_WORDS)]
    batches = [pa.record_batch(key_words_arrow(key, batch.column(0), normalise=True),
                               names=names) for batch in source]
    schema = pa.schema([(name, pa.uint64()) for name in names])
    table.register(KEYS, pa.Table.from_batches(batches, schema=schema))  # type: ignore[attr-defined]
    return KEYS


def filter_audience(table: Table, *, state: str, purposes: Sequence[Purpose],
                    key: bytes | None, subject_column: str,
                    jurisdiction_column: str | None = None,
                    precedence: GpcPrecedence = "latest", allowed_out: Path | None = None,
                    denied_out: Path | None = None,
                    kernel_min_rows: int | None = None) -> AudienceResult:
    """Classify ``table`` against the state (``state``: a relation the backend can read, e.g.
    ``read_parquet('…')``), write the allowed and refused rows, and count by reason.

    ``kernel_min_rows``: from how many rows the compiled HMAC kernel keys the subjects (-1:
    never; default :data:`KERNEL_MIN_ROWS`)."""
    if not purposes:
        raise InvalidInput(EMPTY_PURPOSES)
    table.require_columns([subject_column, *([jurisdiction_column] if jurisdiction_column
                                             else [])])
    for out in (allowed_out, denied_out):
        if out is not None:
            _format(out)
    keyed = keyed_by_kernel(table, key=key, subject_column=subject_column,
                            min_rows=KERNEL_MIN_ROWS if kernel_min_rows is None
                            else kernel_min_rows)
    sql = classify_sql(table, state=state, purposes=purposes, key=key,
                       subject_column=subject_column, jurisdiction_column=jurisdiction_column,
                       precedence=precedence, keys_relation=keyed)
    spark = table.backend == "spark"
    name = f"steward_classified_{abs(hash(sql)) % 10**8}"
    try:
        table.query(f"CACHE TABLE {name} AS {sql}" if spark
                    else f"CREATE TEMP TABLE {name} AS {sql}")
    finally:
        if keyed is not None:
            table.unregister(keyed)  # type: ignore[attr-defined]
    try:
        columns = ", ".join(table.quote(c) for c in table.columns)
        reason_case = "CASE __code " + " ".join(
            f"WHEN {n} THEN {_literal(r)}" for n, r in enumerate(REASONS)) + " END"
        outputs: dict[str, str] = {}
        if allowed_out is not None:
            _write(table, f"SELECT {columns} FROM {name} WHERE __code = 0", allowed_out)
            outputs["allowed"] = str(allowed_out)
        if denied_out is not None:
            _write(table, f"SELECT {columns}, {reason_case} AS {REASON_COLUMN} FROM {name} "
                          f"WHERE __code > 0", denied_out)
            outputs["denied"] = str(denied_out)
        sums = ", ".join(f"sum(CASE WHEN __code = 0 AND __c{i} THEN 1 ELSE 0 END)"
                         for i in range(len(purposes)))
        rows = table.query(f"SELECT __code, count(*), {sums} FROM {name} GROUP BY __code")
    finally:
        table.query(f"UNCACHE TABLE IF EXISTS {name}" if spark else f"DROP TABLE IF EXISTS {name}")
    by_reason = dict.fromkeys(REASONS[1:], 0)
    consented = {p.key: 0 for p in purposes}
    total = allowed = 0
    for code, count, *per in rows:
        total += int(count)
        if code == 0:
            allowed = int(count)
            consented = {p.key: int(n or 0) for p, n in zip(purposes, per, strict=True)}
        else:
            by_reason[REASONS[code]] = int(count)
    return AudienceResult(rows=total, allowed=allowed, by_reason=by_reason,
                          consented_by_purpose=consented,
                          purposes=tuple(p.key for p in purposes), outputs=outputs)


def _write(table: Table, select: str, path: Path) -> None:
    fmt = _format(path)
    target = str(path).replace("'", "''")
    if table.backend == "spark":
        options = "OPTIONS (header 'true')" if fmt == "csv" else ""
        table.query(f"INSERT OVERWRITE DIRECTORY '{target}' USING {fmt} {options} {select}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    options = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
    table.query(f"COPY ({select}) TO '{target}' {options}")
