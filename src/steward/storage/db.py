"""Engines and transactions for SQLite (embedded default) and PostgreSQL (psycopg 3).

SQLite runs in WAL mode with a busy timeout, and every transaction starts with ``BEGIN IMMEDIATE``
so two writers never both read the audit-chain head and then race to append: the second one waits
for the first. PostgreSQL serialises audit appends with a transaction-level advisory lock (see
``audit_log``).
"""

from __future__ import annotations

import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.selectable import TextualSelect

from steward.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory or non-SQLite URLs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` with Steward's connection settings applied."""
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None and not path.parent.exists():
            raise ConfigurationError(f"database folder {path.parent} does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=5, max_overflow=10)
    _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0
"""A pooled connection idle for longer than this is pinged before it is handed out; one used more
recently is handed out as it is (pinging on every checkout cost a round trip per API request).
A connection that died in between fails its statement: SQLAlchemy then invalidates the pool,
so the next checkouts connect afresh."""


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["steward_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("steward_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception:  # noqa: BLE001 - any failure: discard it, the pool retries anew
            raise DisconnectionError("a pooled connection no longer answers") from None


@dataclass(frozen=True)
class _Compiled:
    """A plain query as one dialect's driver takes it."""

    sql: str
    order: tuple[str, ...] | None  # parameter names in order, for a positional paramstyle


@dataclass(frozen=True)
class _Shape:
    """How a plain query's rows come back on one dialect: their type and conversions."""

    row: type
    convert: tuple[Callable[[Any], Any] | None, ...]  # per column, from its declared type


class PlainQuery:
    """A read-only SELECT run straight on the database driver, outside any transaction.

    The hottest read (the API's consent lookup) spent more CPU in SQLAlchemy than in the
    database: a Session, BEGIN and COMMIT round trips, a result object per statement. A plain
    query is compiled once per dialect and runs as one statement on a pooled connection in
    autocommit mode (so it is its own transaction: use it only for a single read); rows come
    back as named tuples, each column converted as the statement declares its type (UTC
    timestamps on SQLite as on PostgreSQL). Parameters are passed to the driver as they are.
    """

    def __init__(self, statement: TextualSelect) -> None:
        self.statement = statement
        self._types = {c.key: c.type for c in statement.selected_columns}
        self._compiled: dict[str, _Compiled] = {}
        self._shapes: dict[str, _Shape] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        """The SQL and parameter order for ``dialect`` (made once)."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup or ()) if dialect.positional else None
            found = self._compiled[dialect.name] = _Compiled(compiled.string, order)
        return found

    def bound(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL for ``dialect`` and ``params`` as its driver takes them (named, or in
        order for a positional paramstyle)."""
        compiled = self.compiled(dialect)
        if compiled.order is None:
            return compiled.sql, params
        return compiled.sql, [params[k] for k in compiled.order]

    def rows(self, dialect: Dialect, describe: Callable[[], Sequence[Any]],
             found: Sequence[Any]) -> list[Any]:
        """The driver's rows as named tuples with their columns converted; the shape is made
        from the first result's column names (``describe()``: the cursor's description, asked
        for only then, as psycopg builds it afresh each time; columns not declared pass as
        they are)."""
        shape = self._shapes.get(dialect.name)
        if shape is None:
            names = [d[0] for d in describe()]
            convert = tuple(self._types[n].dialect_impl(dialect).result_processor(dialect, None)
                            if n in self._types else None for n in names)
            shape = self._shapes[dialect.name] = _Shape(namedtuple("Row", names), convert)  # type: ignore[misc]
        return [shape.row(*_converted(row, shape.convert)) for row in found]


MAX_IDLE_ASYNC = 8
"""Idle async connections kept per process for reads on the event loop (a burst opens more,
they are closed when handed back past this many)."""


class _AsyncReads:
    """A few psycopg ``AsyncConnection``s in autocommit mode, for plain reads on an event loop.

    Hand-written rather than ``psycopg_pool.AsyncConnectionPool``: that pool starts background
    tasks on the event loop it was opened on, while one :class:`Database` may be used from
    several loops (a uvicorn worker has one, but tests and scripts run an app on a loop per
    ``TestClient``) and closed from code that has none. An idle psycopg connection belongs to
    no loop, and the hot read only takes a connection, runs one statement and gives it back:
    a locked list of idle connections is all that needs. A connection is opened when none is
    idle (at most :data:`MAX_IDLE_ASYNC` are kept), one idle for longer than
    ``IDLE_PING_SECONDS`` is pinged before use (as the engine's pool does), and one whose
    statement failed is closed, not kept. They share the engine's connection arguments and
    type adapters, so rows come back as on the engine's own connections.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[tuple[Any, float]] = []  # (connection, idle since)
        self._lock = threading.Lock()

    async def take(self) -> Any:
        while True:
            with self._lock:
                conn, since = self._idle.pop() if self._idle else (None, 0.0)
            if conn is None:
                return await self._connect()
            if conn.closed:
                continue
            if time.monotonic() - since < IDLE_PING_SECONDS:
                return conn
            try:
                await conn.execute("SELECT 1")
            except Exception:  # noqa: BLE001 - any failure: discard it and try the next
                self.discard(conn)
                continue
            return conn

    async def _connect(self) -> Any:
        import psycopg

        cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
        return await psycopg.AsyncConnection.connect(*cargs, autocommit=True, **cparams)

    def give(self, conn: Any) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_ASYNC:
                self._idle.append((conn, time.monotonic()))
                return
        self.discard(conn)

    @staticmethod
    def discard(conn: Any) -> None:
        """Close a connection without awaiting (closing a psycopg connection sends nothing)."""
        conn.pgconn.finish()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            self.discard(conn)


class Database:
    """Owns one engine and hands out transactions."""

    def __init__(self, url: str) -> None:
        self.url = _normalise_url(url)
        self.engine = create_db_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._async_reads = _AsyncReads(self.engine) if self.reads_on_loop else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def reads_on_loop(self) -> bool:
        """True when :meth:`read_on_loop` is available (PostgreSQL: psycopg's async driver;
        SQLite has no async driver here, its callers read in a worker thread)."""
        return self.dialect == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back if it raises."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def read(self, query: PlainQuery, params: Mapping[str, Any]) -> list[Any]:
        """The rows of ``query`` (named tuples), read outside any transaction: one round trip,
        no BEGIN or COMMIT. A connection whose statement failed is discarded, not pooled."""
        sql, args = query.bound(self.engine.dialect, params)
        pooled = self.engine.raw_connection()
        try:
            with self._autocommit(pooled.driver_connection) as driver:
                cursor = driver.cursor()
                try:
                    cursor.execute(sql, args)
                    found = cursor.fetchall()
                    rows = query.rows(self.engine.dialect, lambda: cursor.description, found)
                finally:
                    cursor.close()
        except BaseException:
            pooled.invalidate()
            raise
        finally:
            pooled.close()
        return rows

    async def read_on_loop(self, query: PlainQuery, params: Mapping[str, Any]) -> list[Any]:
        """:meth:`read` for a caller on an event loop, on PostgreSQL only: the same statement
        and rows, run with psycopg's async driver on a connection of its own in autocommit
        mode, so the loop needs no worker thread for it. A connection whose statement failed
        (or was cancelled) is closed, not kept."""
        if self._async_reads is None:
            raise RuntimeError(f"no reads on the event loop on {self.dialect}")
        sql, args = query.bound(self.engine.dialect, params)
        conn = await self._async_reads.take()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(sql, args)
                found = await cursor.fetchall()
                rows = query.rows(self.engine.dialect, lambda: cursor.description, found)
        except BaseException:
            self._async_reads.discard(conn)
            raise
        self._async_reads.give(conn)
        return rows

    @contextmanager
    def _autocommit(self, driver: Any) -> Iterator[Any]:
        """The driver connection with each statement committing on its own. SQLite connections
        already are (Steward emits BEGIN itself); psycopg's are switched for the statement and
        back, so the pool hands out transactional connections as before."""
        if self.dialect != "postgresql":
            yield driver
            return
        driver.autocommit = True
        try:
            yield driver
        finally:
            driver.autocommit = False

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError:
            return False
        return True

    def dispose(self) -> None:
        if self._async_reads is not None:
            self._async_reads.close()
        self.engine.dispose()


def _converted(row: Any, convert: tuple[Callable[[Any], Any] | None, ...]) -> Iterator[Any]:
    return (value if to is None else to(value) for value, to in zip(row, convert, strict=True))
