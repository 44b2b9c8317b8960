"""Pooled PostgreSQL connections: pinged only after sitting idle, and a dead one is replaced."""

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
