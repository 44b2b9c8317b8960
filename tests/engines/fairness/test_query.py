"""The pass runs in a thread while the audit imports numpy; an interrupted wait stops it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pyarrow as pa
import pytest

from steward.engines.backends import open_table
from steward.engines.fairness._query import BackgroundQuery
from steward.errors import InvalidInput

SLOW = "SELECT SUM(hash(i)) FROM range(20000000000) t(i)"  # minutes, unless interrupted


def small_table() -> Any:
    return open_table(pa.table({"g": ["a", "b"], "d": [0, 1]}))


def test_rows_and_errors_come_back_from_the_thread() -> None:
    with small_table() as table:
        assert BackgroundQuery(table, "SELECT COUNT(*) FROM steward_source").result() == [(2,)]
        pending = BackgroundQuery(table, "SELECT nope FROM steward_source")
        with pytest.raises(InvalidInput):
            pending.result()


def test_an_interrupted_wait_interrupts_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    with small_table() as table:
        pending = BackgroundQuery(table, SLOW)
        time.sleep(0.2)
        join = threading.Thread.join
        calls = []

        def interrupted_once(thread: threading.Thread, timeout: float | None = None) -> None:
            calls.append(thread)
            if len(calls) == 1:
                raise KeyboardInterrupt
            join(thread, timeout)

        monkeypatch.setattr(threading.Thread, "join", interrupted_once)
        start = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            pending.result()
        assert time.perf_counter() - start < 30
        assert not pending._thread.is_alive()  # the table can be closed: nothing runs on it


def test_cancel_stops_the_query() -> None:
    with small_table() as table:
        pending = BackgroundQuery(table, SLOW)
        time.sleep(0.2)
        start = time.perf_counter()
        pending.cancel()
        assert time.perf_counter() - start < 30
        assert table.query("SELECT COUNT(*) FROM steward_source") == [(2,)]
