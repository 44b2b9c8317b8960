"""The migrations are the schema: they build every table the ORM declares, and nothing else."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from steward.services.runtime import Runtime
from steward.storage import migrate
from steward.storage.orm import Base


def test_migrated_schema_matches_the_orm(runtime: Runtime) -> None:
    assert migrate.is_current(runtime.db)
    with runtime.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_the_head_constant_is_the_scripts_head(runtime: Runtime) -> None:
    """The schema check compares with ``migrate.HEAD``: it must name the newest script, and
    the revision it reads must be the one Alembic reads."""
    assert migrate.script_head() == migrate.HEAD
    with runtime.db.engine.connect() as conn:
        alembic_reads = MigrationContext.configure(conn).get_current_revision()
    assert alembic_reads == migrate.current_revision(runtime.db) == migrate.HEAD


def test_fresh_sqlite_file_is_migrated_automatically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from steward.config import load_settings

    rt = Runtime(load_settings(database_url=f"sqlite:///{tmp_path}/fresh.db"))
    try:
        assert migrate.is_current(rt.db)
        rt.check_schema()
    finally:
        rt.close()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(runtime: Runtime, operator) -> None:  # type: ignore[no-untyped-def]
    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with runtime.unit(operator) as unit:
        unit.audit("thing.create", "thing", 1, after={"a": 1})
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as conn:
            conn.execute(text(statement))


def test_consent_keys_migration_goes_down_and_up(runtime: Runtime) -> None:
    """0012 (bytewise keys, hash index on events by subject) can be undone and redone, and leaves
    the schema the ORM declares."""
    from alembic import command

    cfg = migrate._config()
    with runtime.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    assert migrate.current_revision(runtime.db) == "0011"
    migrate.upgrade(runtime.db)
    with runtime.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


@pytest.mark.postgres
def test_postgres_ledger_keys_are_bytewise_and_events_hashed_by_subject(runtime: Runtime) -> None:
    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with runtime.db.engine.connect() as conn:
        collations = dict(conn.execute(text(
            "SELECT table_name || '.' || column_name, collation_name "
            "FROM information_schema.columns WHERE table_name LIKE 'consent_%' "
            "AND column_name IN ('subject_hash', 'purpose', 'idempotency_key')")).all())
        method = conn.execute(text(
            "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
            "WHERE c.relname = 'ix_consent_events_subject'")).scalar_one()
    assert collations == {"consent_events.subject_hash": "C", "consent_events.purpose": "C",
                          "consent_events.idempotency_key": "C",
                          "consent_state.subject_hash": "C", "consent_state.purpose": "C",
                          "consent_erasures.subject_hash": "C"}
    assert method == "hash"
