"""Pooled PostgreSQL connections: pinged only after sitting idle, and a dead one is replaced;
plain reads outside a transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from steward.storage import db as db_module
from steward.storage.db import Database


def test_a_connection_that_died_while_idle_is_replaced(database_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pool pings are for PostgreSQL")
    db = Database(database_url)
    try:
        with db.transaction() as session:
            first = session.scalar(text("SELECT pg_backend_pid()"))
        with db.transaction() as session:  # used a moment ago: handed out as it is, no ping
            assert session.scalar(text("SELECT pg_backend_pid()")) == first
        killer = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        killer.dispose()
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # as if idle for long
        with db.transaction() as session:
            second = session.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        db.dispose()


def test_a_plain_read_runs_outside_a_transaction_and_converts_its_columns(
        database_url: str) -> None:
    """``Database.read``: one statement on a pooled connection, no BEGIN; positional or named
    parameters as the driver wants; declared column types applied (UTC timestamps); the
    connection goes back to the pool transactional; one whose statement failed is dropped."""
    from datetime import UTC, datetime

    from sqlalchemy import event

    from steward.storage.db import PlainQuery
    from steward.storage.orm.base import UTCDateTime

    db = Database(database_url)
    begun: list[int] = []
    event.listen(db.engine, "begin", lambda _conn: begun.append(1))
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE plain_t (k VARCHAR(8), n INTEGER, at TIMESTAMP)"))
            session.execute(text("INSERT INTO plain_t VALUES ('a', 1, :at), ('b', 2, NULL)"),
                            {"at": datetime(2025, 1, 2, 3, 4, 5)})
        begun.clear()
        query = PlainQuery(text("SELECT k, n, at FROM plain_t WHERE n >= :low AND k <> :skip "
                                "ORDER BY n").columns(at=UTCDateTime()))
        rows = db.read(query, {"skip": "z", "low": 1})
        assert [(r.k, r.n, r.at) for r in rows] == [
            ("a", 1, datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)), ("b", 2, None)]
        assert rows[0].at.utcoffset().total_seconds() == 0
        assert db.read(query, {"low": 5, "skip": "z"}) == []
        assert begun == []  # no transaction opened for the reads
        with pytest.raises(RuntimeError), db.transaction() as session:
            session.execute(text("INSERT INTO plain_t VALUES ('c', 3, NULL)"))
            raise RuntimeError("rolled back: the pooled connection is transactional again")
        assert [r.k for r in db.read(query, {"low": 0, "skip": ""})] == ["a", "b"]
        broken = PlainQuery(text("SELECT missing FROM plain_t WHERE n > :low").columns())
        with pytest.raises(Exception, match="missing"):
            db.read(broken, {"low": 0})
        assert [r.k for r in db.read(query, {"low": 2, "skip": ""})] == ["b"]
    finally:
        db.dispose()


def test_a_read_on_the_event_loop_is_the_plain_read_with_the_async_driver(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Database.read_on_loop`` (PostgreSQL only): the same SQL and rows as ``read``, on a few
    async connections of its own, reused across event loops, none from the engine's pool; one
    whose statement failed is closed, one idle for long is pinged and replaced when dead, and
    ``dispose`` closes those kept."""
    import asyncio

    from steward.storage.db import PlainQuery
    from steward.storage.orm.base import UTCDateTime

    db = Database(database_url)
    query = PlainQuery(text("SELECT k, n, at FROM loop_t WHERE n >= :low ORDER BY n").columns(
        at=UTCDateTime()))
    if not database_url.startswith("postgresql"):
        assert not db.reads_on_loop
        with pytest.raises(RuntimeError, match="no reads on the event loop on sqlite"):
            asyncio.run(db.read_on_loop(query, {"low": 0}))
        db.dispose()
        return
    from datetime import datetime

    from sqlalchemy import event

    assert db.reads_on_loop
    checked_out: list[int] = []
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE loop_t (k VARCHAR(8), n INTEGER, at TIMESTAMP)"))
            session.execute(text("INSERT INTO loop_t VALUES ('a', 1, :at), ('b', 2, NULL)"),
                            {"at": datetime(2025, 1, 2, 3, 4, 5)})
        event.listen(db.engine, "checkout", lambda *_: checked_out.append(1))
        pid = PlainQuery(text("SELECT pg_backend_pid() AS pid WHERE :x = 1").columns())

        async def twice() -> tuple[list, list, int, int]:
            first = await db.read_on_loop(query, {"low": 0})
            again = await db.read_on_loop(query, {"low": 2})
            return (first, again, (await db.read_on_loop(pid, {"x": 1}))[0].pid,
                    (await db.read_on_loop(pid, {"x": 1}))[0].pid)

        first, again, one, two = asyncio.run(twice())
        assert first == db.read(query, {"low": 0}) and [r.k for r in again] == ["b"]
        assert first[0].at.utcoffset().total_seconds() == 0
        assert one == two  # one connection, handed back and taken again
        assert asyncio.run(db.read_on_loop(pid, {"x": 1}))[0].pid == one  # another loop
        checked_out.clear()
        asyncio.run(db.read_on_loop(query, {"low": 0}))
        assert checked_out == []  # not the engine's pool
        broken = PlainQuery(text("SELECT missing FROM loop_t WHERE n > :low").columns())
        with pytest.raises(Exception, match="missing"):
            asyncio.run(db.read_on_loop(broken, {"low": 0}))
        after = asyncio.run(db.read_on_loop(pid, {"x": 1}))[0].pid
        assert after != one  # the connection whose statement failed was closed, not kept
        with db.transaction() as session:
            session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": after})
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # as if idle for long
        assert asyncio.run(db.read_on_loop(pid, {"x": 1}))[0].pid not in (one, after)
        kept = list(db._async_reads._idle)  # type: ignore[union-attr]
        assert kept
    finally:
        db.dispose()
    assert all(conn.closed for conn, _ in kept)
