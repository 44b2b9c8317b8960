"""Audience enforcement on DuckDB: the compiled-kernel path (keys as words, joined by position)
classifies every row as the SQL HMAC path does."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.core.consent import DEFAULT_PURPOSES
from steward.engines.backends import open_table
from steward.engines.consent.audience import filter_audience
from steward.engines.consent.subjects import key_words_sql, subject_hash

KEY = b"k" * 44
PURPOSES = [p for p in DEFAULT_PURPOSES if p.key in ("personalised_advertising",
                                                      "email_marketing")]
STATUSES = ("granted", "denied", "withdrawn")


def _state(folder: Path, people: int) -> str:
    """A snapshot as the service writes it: hex keys and their words, two purposes."""
    rows = []
    for i in range(people):
        for n, purpose in enumerate(PURPOSES):
            if (i + n) % 4:
                rows.append({"subject_hash": subject_hash(KEY, f"p{i}@x.com"),
                             "purpose": purpose.key,
                             "status": "granted" if i % 3 == 0 else STATUSES[(i + n) % 3],
                             "lawful_basis": "consent", "source": "gpc" if i % 7 == 0 else "cmp",
                             "jurisdiction": "US-CA" if i % 5 == 0 else "EU"})
    path = folder / "state.parquet"
    words = ", ".join(f"{sql} AS subject_k{j + 1}"
                      for j, sql in enumerate(key_words_sql("subject_hash")))
    con = duckdb.connect()
    con.register("rows", pa.Table.from_pylist(rows))
    con.execute(f"COPY (SELECT *, NULL::TIMESTAMP AS gpc_at, {words} FROM rows) TO '{path}' "
                f"(FORMAT parquet)")
    return f"read_parquet('{path}')"


def _audience(people: int) -> pa.Table:
    """Identifiers as customers type them: capitals, spaces, tabs, one non-ASCII, one null."""
    subjects: list[str | None] = [f" P{i}@X.com\t" if i % 3 else f"p{i}@x.com"
                                  for i in range(people)]
    subjects[5] = "Ünïcødé@例え.jp "
    subjects[9] = None
    return pa.table({"subject": subjects, "row": list(range(people))})


def _run(source: object, state: str, folder: Path, label: str,
         kernel_rows: int) -> tuple[dict[str, object], list[list[dict[str, object]]]]:
    table = open_table(source)
    try:
        result = filter_audience(table, state=state, purposes=PURPOSES, key=KEY,
                                 subject_column="subject",
                                 allowed_out=folder / f"{label}-ok.parquet",
                                 denied_out=folder / f"{label}-no.parquet",
                                 kernel_min_rows=kernel_rows)
    finally:
        table.close()
    outputs = [pq.read_table(folder / f"{label}-{part}.parquet").to_pylist()
               for part in ("ok", "no")]
    return {k: v for k, v in result.to_dict().items() if k != "outputs"}, outputs


@pytest.mark.parametrize("people", [40, 3000])
def test_the_kernel_path_classifies_as_the_sql_path(tmp_path: Path, people: int) -> None:
    pytest.importorskip("numba")
    state = _state(tmp_path, people)
    audience = tmp_path / "audience.parquet"
    pq.write_table(_audience(people), audience, row_group_size=1000)
    sql, sql_out = _run(str(audience), state, tmp_path, "sql", -1)
    kernel, kernel_out = _run(str(audience), state, tmp_path, "kernel", 0)
    assert kernel == sql and sql["allowed"] > 0
    assert sum(1 for n in sql["by_reason"].values() if n) >= 3  # refused for several reasons
    for ours, theirs in zip(kernel_out, sql_out, strict=True):  # the same rows written
        assert sorted(ours, key=str) == sorted(theirs, key=str)


def test_a_stream_is_read_once_and_keyed_in_sql(tmp_path: Path) -> None:
    """An Arrow stream cannot be read twice: no probe or second pass may eat its rows."""
    state = _state(tmp_path, 200)
    table = _audience(200)
    whole, _ = _run(table, state, tmp_path, "table", -1)
    stream = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=64))
    streamed, _ = _run(stream, state, tmp_path, "stream", 100)  # a probe would eat 2 batches
    assert streamed == whole and streamed["rows"] == 200
